/* imagegen-emulator: fal's realtime WebSocket, shared by its two files:
 * emulator-fal-realtime.c (tokens, the upgrade, the socket's events) calls
 * down into emulator-fal-frames.c (the connection's wire and its frames:
 * decoding, service, results, faults), never the other way
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything runs on the main context but serve_frame(), on a worker.
 */
#ifndef __EMULATOR_FAL_REALTIME_H__
#define __EMULATOR_FAL_REALTIME_H__

#include "emulator.h"

G_BEGIN_DECLS

typedef struct _RtConn RtConn;

typedef struct
{
  RtConn *conn;
  guint n;                      /* the frame's number on its connection */
  gchar *id;                    /* rt-<connection>-<n>, for records */
  JsonObject *body;
  /* set when it enters service */
  GBytes *source;
  gchar *prompt;
  guint width, height;
  gboolean interpolate;
  gint64 seed;
  guint service_ms;
  gint64 start_us, end_us;      /* monotonic, the emulator's own */
  gboolean held, rendered;
  GBytes *images[2];            /* [interpolated,] current */
  gchar *error;
} RtFrame;

/* a GAtomicRcBox */
struct _RtConn
{
  Emulator *emu;
  const ImagegenModelRow *row;
  SoupWebsocketConnection *ws;
  GSocket *socket;
  guint id;
  gchar *token;                 /* NULL: the upgrade carried a key */
  guint max_buffering;
  GQueue pending;
  RtFrame *serving;
  guint frames_in;
  guint answered;
  guint idle_id;
  guint close_code;             /* the emulator's own close, 0: none */
  gboolean closing;
};

struct _EmuFalRt
{
  GHashTable *tokens;           /* token -> RtToken */
  GList *conns;
  GList *held;                  /* RtFrame, in service order */
  guint next_id;
  GMutex lock;                  /* prerendered */
  GHashTable *prerendered;      /* "WxH" -> GBytes */
};
/* emulator-fal-frames.c: the connection */
RtConn *emu_rt_conn_ref (RtConn * c);
void emu_rt_conn_unref (RtConn * c);
/* Sends @obj (taken) as a text frame while the socket is open. */
void emu_rt_send_json (RtConn * c, JsonObject * obj);
void emu_rt_send_fal_error (RtConn * c, const gchar * error,
    const gchar * reason);
void emu_rt_send_unauthorized (RtConn * c);
void emu_rt_conn_close (RtConn * c, guint code);
/* The runner's answer to a failed frame: x-fal-error, then close 1000. */
void emu_rt_conn_fail (RtConn * c, const gchar * error,
    const gchar * reason);
/* The TCP connection shut without a close frame. */
void emu_rt_conn_cut (RtConn * c);

/* emulator-fal-frames.c: frames *//* A map of msgpack str keys to scalars as JSON; NULL with @reason. */
JsonObject *emu_rt_decode_frame (GBytes * bytes, gchar ** reason);
void emu_rt_frame_free (RtFrame * f);
void emu_rt_log_frame (RtFrame * f, const gchar * outcome);
/* Starts the oldest waiting frame unless one is in service. */
void emu_rt_serve_next (RtConn * c);
/* The frame in service is over (answered or not): the next one. */
void emu_rt_frame_over (RtConn * c, RtFrame * f);

G_END_DECLS

#endif /* __EMULATOR_FAL_REALTIME_H__ */
