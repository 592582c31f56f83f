/* gst-imagegen: a job's lifetime (imagegen-job.c), shared by the client's
 * files.
 *
 * A job goes queued -> uploads -> create -> poll... -> download -> done.
 * imagegen_job_finish() is the only way out, whatever the reason (success,
 * error, cancel, deadline, shutdown): it tears down whatever is pending,
 * calls the done callback once and lets the gate start the next queued job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client-private.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

struct _ImagegenJob
{
  ImagegenClient *client;
  ImagegenRequest *request;
  GCancellable *cancellable;
  gulong cancelled_id;
  ImagegenJobEventFunc event_func;
  ImagegenJobDoneFunc done_func;
  gpointer user_data;

  ImagegenResult *result;
  GPtrArray *source_urls;       /* uploaded, then the request's */
  gchar *poll_url;              /* as the create answer gave it, or NULL */
  GPtrArray *image_urls;        /* of the completed task, downloaded in
                                 * order; NULL before */
  gint64 poll_sent_us;          /* the last poll left then */
  gint64 running_seen_us;       /* the task was still running then */
  guint upload_index;
  ImagegenUploadTarget target;  /* of the direct upload in flight */
  const gchar *step;            /* what the job waits for, for timeouts */
  gboolean unknown_status_logged;
  gboolean stream_tried;        /* the status stream was opened once */
  gboolean result_ready;        /* done elsewhere: the GET is the result's */

  ImagegenHttpExchange *exchange;       /* the one in flight */
  GSource *poll_timer;
  GSource *deadline;             /* job_timeout_s from the start, held
                                 * or not */
  guint64 seq;                  /* submission order */
  guint holds;                  /* create 429s so far */
  gboolean limited;             /* held, and not admitted since */
  GSource *hold_timer;          /* its Retry-After has not passed */
  gboolean queued;
  gboolean running;
  gboolean finished;
  gchar *quote_key;             /* a price quote job: its body; no task */
  gboolean resumed;             /* polls a task an earlier job created */
  gboolean realtime;            /* a frame of the realtime session */
  gboolean rt_resent;           /* sent again after a drop (once only) */
  GBytes *rt_frame;             /* the frame, msgpack */
};

/* log lines show a missing value as "-" */
#define OR_DASH(s) ((s) ? (s) : "-")

ImagegenJob *imagegen_job_new (ImagegenClient * client,
    const ImagegenRequest * request, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data);
ImagegenJob *imagegen_job_ref (ImagegenJob * job);
void imagegen_job_unref (gpointer job);

void imagegen_job_finish (ImagegenJob * job, GError * error);
void imagegen_job_fail (ImagegenJob * job, ImagegenClientError code,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);
void imagegen_job_event (ImagegenJob * job, const gchar * event);
void imagegen_job_cancelled_cb (GCancellable * cancellable, gpointer data);
/* On the client's thread, the job just arrived (and held by its queue):
 * its cancellable watched; FALSE when it is finished already, cancelled
 * before it came or by a shutdown. */
gboolean imagegen_job_arrive (ImagegenJob * job);

gchar *imagegen_job_api_url (ImagegenJob * job, const gchar * path);
JsonNode *imagegen_job_api_answer (ImagegenJob * job,
    const ImagegenHttpResponse * r, GError ** error);
gboolean imagegen_job_exchange (ImagegenJob * job, const gchar * method,
    const gchar * url, const gchar * body, ImagegenHttpFlags flags,
    gsize max_bytes, ImagegenHttpDoneFunc done);

/* Timers on the client's thread. */
GSource *imagegen_client_attach_timeout (ImagegenClient * client, guint ms,
    GSourceFunc func, gpointer data);
void imagegen_source_clear (GSource ** source);

G_END_DECLS
