/* gst-imagegen: what imagegen-realtime.c (the socket) and
 * imagegen-realtime-jobs.c (jobs in and out of the two slots) share.
 * The jobs' file calls the socket's, not the other way round.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-realtime.h"
#include "imagegen-realtime-token.h"

G_BEGIN_DECLS

struct _ImagegenRealtime
{
  ImagegenClient *client;
  ImagegenRealtimeToken *token;
  SoupWebsocketConnection *ws;  /* open */
  gchar *ws_model;              /* the socket's model */
  GCancellable *connect_cancel; /* a token fetch or connect in flight */
  ImagegenJob *current;         /* owns the slot in flight, sent or not */
  gboolean on_wire;             /* an answer is due (maybe for a frame
                                 * whose job was cancelled since) */
  ImagegenJob *waiting;
  GSource *reply_timer;
  GSource *pump_idle;           /* also a connect's backoff */
  guint connect_failures;       /* in a row */
  const gchar *reconnect_why;   /* the next connect is a reconnect */
  guint unauthorized;           /* in a row */
  guint next_id;
  guint closing;                /* sockets we closed, not closed yet */

  GMutex lock;
  ImagegenRealtimeStats stats;
};

#define STAT_INC(rt, field) G_STMT_START { \
  g_mutex_lock (&(rt)->lock); (rt)->stats.field++; \
  g_mutex_unlock (&(rt)->lock); } G_STMT_END

/* Soon (never inside a job's finish or a socket's signal): a waiting
 * frame into the free slot, a connect for it, or its send. */
void imagegen_realtime_pump_soon (ImagegenRealtime * rt);

/* The price of one frame of @job: what the engine reserved for it. */
gint64 imagegen_realtime_frame_price (ImagegenJob * job);

G_END_DECLS
