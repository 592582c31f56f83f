/* gst-imagegen: the request engine both imagegen elements share.
 *
 * An element turns its properties (and frames) into an ImagegenRequest and
 * hands it here; the engine owns what every request needs on its way: the
 * client (and its network thread), the worker threads that prepare
 * requests and decode results, the count of requests in flight, the
 * cancellation of a whole epoch at once (flush, stop), the spending guard,
 * task messages and stats, and the latch of the first fatal error.
 *
 * Locks: the engine's own lock is taken last and never held while calling
 * back into the element or posting a bus message.  An element may read
 * gst_imagegen_engine_in_flight() under its own lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include "imagegen-client.h"
#include "gstimagegenimage.h"
#include "gstimagegentracker.h"
#include "gstimagegencache.h"

G_BEGIN_DECLS

typedef struct _GstImagegenEngine GstImagegenEngine;

/**
 * GstImagegenEnginePrepareFunc:
 *
 * Worker thread: completes @request before it is sent (e.g. encodes the
 * picked frame into request->source_images).  Returns FALSE with @error
 * set when it cannot; the request then fails without being sent.
 */
typedef gboolean (*GstImagegenEnginePrepareFunc) (gpointer tag,
    ImagegenRequest * request, GError ** error);

/**
 * GstImagegenEngineDoneFunc:
 *
 * Worker thread, no engine lock held, only for requests of the current
 * epoch: @image holds the decoded result, or its error.  Runs before the
 * task's "completed"/"failed" message (whoever sees it finds the image in
 * place: live streams), or after it with
 * gst_imagegen_engine_set_report_first() (streams that push the image
 * itself: its message comes first, also before EOS).
 */
typedef void (*GstImagegenEngineDoneFunc) (GstImagegenEngine * engine,
    gpointer tag, GstImagegenImage * image);

struct _GstImagegenEngine
{
  GstElement *element;          /* not owned */
  GstImagegenTracker tracker;
  GstImagegenCache cache;       /* the result cache: only the engine reads
                                 * and writes it */

  GMutex lock;
  ImagegenClient *client;
  GThreadPool *workers;
  GCancellable *cancellable;    /* cancels every request of this epoch */
  guint epoch;                  /* bumped by flushes and stop */
  guint in_flight;              /* this epoch's requests not yet done */
  guint64 max_pixels;
  gboolean decode;              /* FALSE: header check only */
  GError *fatal_error;          /* the first fatal failure of the epoch */
  gboolean fatal_posted;
  gboolean report_first;        /* task message before the done callback */
  guint in_flight_limit;        /* the client's gate, kept after stop */
  guint rate_limited;
  gboolean changed_while_running;       /* a setting changed since start */
  ImagegenProviderId provider;  /* set at start: whose prices */
  gchar *service;               /* "<provider>@<base URL>", set at start:
                                 * the result cache keys by it */
  ImagegenRealtimeStats realtime;       /* the client's, kept after stop */
  guint drops_warned;           /* realtime drops warned about */
  guint64 rt_tickets;           /* realtime frames handed in, in order */
  guint64 rt_sent_ticket;       /* the newest of them handed to the client */
  guint rt_superseded_unsent;   /* a newer one went first: never sent */
};

void gst_imagegen_engine_init (GstImagegenEngine * engine,
    GstElement * element);
void gst_imagegen_engine_clear (GstImagegenEngine * engine);

/* Makes the client and the workers; the tracker's totals start again. */
void gst_imagegen_engine_start (GstImagegenEngine * engine,
    const ImagegenClientConfig * config, guint64 max_pixels);

/* Cancels everything in flight and waits only for the callbacks of the
 * cancelled jobs and for workers already running (bounded work: encoding,
 * decoding); nothing waits for the network. */
void gst_imagegen_engine_stop (GstImagegenEngine * engine);

/* A new epoch: every request in flight is cancelled and forgotten (its
 * done callback never runs), the in-flight count and the fatal latch
 * start again. */
void gst_imagegen_engine_flush (GstImagegenEngine * engine);

typedef enum
{
  GST_IMAGEGEN_SUBMIT_SENT,
  GST_IMAGEGEN_SUBMIT_BUSY,     /* no slot: see gst_imagegen_engine_has_slot() */
  GST_IMAGEGEN_SUBMIT_REFUSED,  /* by the spending guard */
} GstImagegenSubmitResult;

/* Whether one more request may go: fewer of this epoch's requests run
 * than the smaller of @max_in_flight (the element's, 0: none) and the
 * client's current in-flight limit (lowered by 429s).  The one answer to
 * "is a slot free?" for every element. */
gboolean gst_imagegen_engine_has_slot (GstImagegenEngine * engine,
    guint max_in_flight);

/* The in-flight gate: sends @request (taken) when
 * gst_imagegen_engine_has_slot() and the
 * spending guard admits it; the guard's refusal posts its warning once.
 * Unless SENT, @request and @tag are freed at once.  Call without holding
 * element locks.  @prepare may be NULL. */
GstImagegenSubmitResult gst_imagegen_engine_submit (GstImagegenEngine *
    engine, guint max_in_flight, ImagegenRequest * request,
    GstImagegenEnginePrepareFunc prepare, GstImagegenEngineDoneFunc done,
    gpointer tag, GDestroyNotify tag_free);

/* Sends an upload-only request (IMAGEGEN_ENDPOINT_UPLOAD: no task, no
 * charge, so no guard and no task message), cancelled with the epoch.
 * @done runs on the client's thread, as imagegen_client_submit() says;
 * with cache-only, nothing is sent and @done runs at once, here. */
void gst_imagegen_engine_upload (GstImagegenEngine * engine,
    const ImagegenRequest * request, ImagegenJobDoneFunc done,
    gpointer user_data);

/* In cache keys, the uploaded @url stands for @image's bytes (URLs of
 * uploads expire, the bytes do not). */
void gst_imagegen_engine_alias_url (GstImagegenEngine * engine,
    const gchar * url, GBytes * image);

guint gst_imagegen_engine_in_flight (GstImagegenEngine * engine);
gboolean gst_imagegen_engine_is_running (GstImagegenEngine * engine);

/* Whether results are decoded (raw video downstream) or only checked. */
void gst_imagegen_engine_set_decode (GstImagegenEngine * engine,
    gboolean decode);

/* A request setting (prompt, model, aspect ratio...) was changed while
 * running: from now on, the service refusing a request (HTTP 422) is
 * blamed on the change, not fatal (GstImagegenImage.fatal stays FALSE);
 * until the next start. */
void gst_imagegen_engine_settings_changed (GstImagegenEngine * engine);

void gst_imagegen_engine_set_report_first (GstImagegenEngine * engine,
    gboolean report_first);

/* Whether a fatal error (see gst_imagegen_error_is_fatal()) was latched. */
gboolean gst_imagegen_engine_has_fatal (GstImagegenEngine * engine);

/* Posts the latched fatal error as an element error, once per epoch
 * however many threads ask.  @what as in gst_imagegen_post_error(). */
void gst_imagegen_engine_post_fatal (GstImagegenEngine * engine,
    const gchar * what);

/* The engine's properties: the tracker's (max-requests, max-cost, stats)
 * at @first_prop_id + 0..2, then the cache's (cache-dir...). */
enum
{
  GST_IMAGEGEN_ENGINE_PROP_CACHE_FIRST = GST_IMAGEGEN_TRACKER_N_PROPS,
  GST_IMAGEGEN_ENGINE_N_PROPS = GST_IMAGEGEN_ENGINE_PROP_CACHE_FIRST +
      GST_IMAGEGEN_CACHE_N_PROPS
};

void gst_imagegen_engine_install_properties (GObjectClass * klass,
    guint first_prop_id);
gboolean gst_imagegen_engine_set_property (GstImagegenEngine * engine,
    guint first_prop_id, guint prop_id, const GValue * value);
gboolean gst_imagegen_engine_get_property (GstImagegenEngine * engine,
    guint first_prop_id, guint prop_id, GValue * value);

/* gstimagegenrealtime.c: fal realtime's counters (frames-superseded,
 * reconnects, drops, service-errors) into @stats; and, after each result,
 * a warning for each socket that dropped since.  No engine lock held. */
void gst_imagegen_engine_realtime_add_stats (GstImagegenEngine * engine,
    GstStructure * stats);
void gst_imagegen_engine_realtime_note (GstImagegenEngine * engine);
/* Frames for a realtime model leave in the order they were handed in
 * (workers prepare them side by side), so that the newest wins: a ticket
 * at submit (0: not a realtime model), and, under the engine's lock as
 * one goes to the client, whether it may (FALSE: a newer one went first;
 * counted).  Its result then is superseded(): cancelled, unpaid. */
guint64 gst_imagegen_engine_realtime_ticket_locked (GstImagegenEngine *
    engine, const ImagegenRequest * request);
gboolean gst_imagegen_engine_realtime_in_order_locked (GstImagegenEngine *
    engine, guint64 ticket);
ImagegenResult *gst_imagegen_engine_realtime_superseded (const
    ImagegenRequest * request);

G_END_DECLS
