/* gst-imagegen: what the client's files share — the client's fields, and
 * the hooks through which the lower files reach the upper ones.
 *
 * The files, from the bottom up (each calls only those below it by name):
 *   imagegen-job.c      a job's lifetime: ref, finish (the only way out),
 *                       cancellation, one HTTP exchange and its answer
 *   imagegen-gate.c     the queue, the 429 hold and the adaptive limit
 *   imagegen-upload.c   source images to the provider's files
 *   imagegen-fetch.c    polls and result downloads
 *   imagegen-quote.c    live prices: the quote job and the cache
 *   imagegen-task.c     the task state machine: start, create, answers,
 *                       resume, the job timeout
 *   imagegen-realtime.c fal's realtime session: frames over a WebSocket
 *                       instead of tasks (tokens: imagegen-realtime-token.c,
 *                       frames: imagegen-realtime-codec.c)
 *   imagegen-client.c   the thread, the session and the public API
 * Upward, they talk through ImagegenJobHooks, set by imagegen-client.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"
#include "imagegen-http.h"
#include "imagegen-log.h"
#include "imagegen-poll-memory.h"
#include "imagegen-poll-schedule.h"
#include "imagegen-provider.h"

G_BEGIN_DECLS

typedef struct _ImagegenJob ImagegenJob;
typedef struct _ImagegenRealtime ImagegenRealtime;

/* The upper layers' answers to the lower ones' events. */
typedef struct
{
  /* the gate's: @job leaves its queue or running list, finished */
  void (*release) (ImagegenJob * job);
  /* the gate's: start what the limit and the queue allow */
  void (*start_queued) (ImagegenClient * client);
  /* the task's: the gate admits @job */
  void (*start) (ImagegenJob * job);
  /* the task's: every source URL of @job is known */
  void (*uploaded) (ImagegenJob * job);
  /* the task's: a poll answered */
  void (*task_answer) (ImagegenJob * job, ImagegenTaskInfo * info);
  /* the task's: a resumed task cannot give its result any more */
  void (*gone) (ImagegenJob * job, const gchar * why);
} ImagegenJobHooks;

struct _ImagegenClient
{
  ImagegenClientConfig config;
  const ImagegenProvider *provider;
  const ImagegenJobHooks *hooks;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  ImagegenHttp http;            /* its session lives on the thread */
  ImagegenLog log;
  ImagegenPollSchedule *schedule;
  ImagegenPollMemory *poll_memory;      /* the schedule's, across processes */
  GError *config_error;         /* every job fails with it */
  GTlsDatabase *tls_database;   /* NULL: the system's */

  GMutex quotes_lock;
  GHashTable *quotes;           /* imagegen-quote.c's cache */

  /* The gate (imagegen-gate.c). */
  GQueue queue;                 /* ImagegenJob*, waiting, by seq */
  GPtrArray *running;           /* ImagegenJob* */
  gboolean shutting_down;
  guint64 next_seq;

  /* Rate limits (create 429s). */
  gint in_flight_limit;         /* atomic; max_in_flight, lowered by 429s */
  guint admitted_streak;        /* creates admitted since the limit moved */
  gint64 no_decrease_until_us;  /* one decrease per Retry-After window */
  guint n_limited;              /* jobs held by a 429, not admitted since */
  gint64 limited_since_us;      /* no create admitted since; 0: none held */
  GSource *limit_timer;         /* then the held jobs fail */

  ImagegenRealtime *realtime;   /* fal's realtime session */

  gint jobs_pending;            /* atomic */
  gint rate_limited;            /* atomic: holds so far */
};

G_END_DECLS
