/* gst-imagegen tests: a small fal realtime client of the emulator's
 * WebSocket, on libsoup and msgpack directly (not the plugin's client),
 * for test-client-fal-realtime.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "client-test-util.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RT_PATH "/fal-ai/flux-2/klein/realtime"
#define TOKEN_BODY "{\"allowed_apps\":[\"flux-2\"],\"token_expiration\":120}"
/* JPEG's error on flat areas, per channel */
#define TOLERANCE 12
/* a safety net, not a performance bound */
#define WAIT_S 60

typedef struct
{
  SoupWebsocketDataType type;
  GBytes *data;
} Msg;

typedef struct
{
  ImagegenTestFixture fx;
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GQueue msgs;
  gboolean closed;
  guint status;                 /* of a refused upgrade */
  gboolean done;
} Rt;

/* The input frame every test sends: a 64x64 JPEG, left half one
 * colour, right half another */
extern GBytes *frame_jpeg;
GBytes *rt_make_frame (void);

/* The emulator, logged, with the options that follow (NULL after the
 * last); rt_stop() closes the socket and stops it. */
void rt_start (Rt * rt, ...) G_GNUC_NULL_TERMINATED;
void rt_stop (Rt * rt);
/* Runs the main context until *@flag (a safety net of WAIT_S). */
void rt_wait_for (gboolean * flag);
/* POST /tokens/ with the key: the token, or NULL (@status says why). */
gchar *rt_get_token (Rt * rt, guint * status);
/* Opens the socket with @token (NULL: @key in Authorization, if any) and
 * @max_buffering (0: none); the upgrade's status. */
guint rt_connect (Rt * rt, const gchar * token, const gchar * key,
    guint max_buffering);
/* A token, then the socket. */
void rt_open (Rt * rt, guint max_buffering);
/* A frame of frame_jpeg, as fal's clients send it; @size NULL: none. */
void rt_send_frame (Rt * rt, const gchar * prompt, const gchar * size,
    gboolean interpolate);
/* The next message; NULL once the socket closed first. */
Msg *rt_next_msg (Rt * rt);
void rt_msg_free (Msg * m);
/* The next message is JSON text: its object. */
JsonObject *rt_next_json (Rt * rt);
void rt_assert_fal_error (Rt * rt, const gchar * error,
    const gchar * reason);
void rt_assert_unauthorized (Rt * rt);
/* The timings message, then the result of @prompt: @n images of
 * @size², the last the frame inverted, msgpack types checked. */
void rt_assert_result (Rt * rt, const gchar * prompt, gint size, guint n);

G_END_DECLS
