/* gst-imagegen: fal's realtime tokens (PROTOCOL-FAL.md, section 5): a
 * short-lived JWT from the REST host's POST /tokens/, asked with the key,
 * that the WebSocket URL carries instead of the key.
 *
 * A token is used for one connect only: every (re)connect takes a fresh
 * one.  While a socket is open, a new one is fetched in the background at
 * 90 % of the lifetime (the open socket is not reconnected), so that the
 * next connect need not wait for it.  A token is never logged, nor put in
 * an error.
 *
 * Everything here runs on the client's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client-private.h"

G_BEGIN_DECLS


typedef struct _ImagegenRealtimeToken ImagegenRealtimeToken;

/* @token: (transfer full): the token, or NULL with @error (transfer full)
 * set: AUTH (401) or FORBIDDEN (403) when the key is refused. */
typedef void (*ImagegenRealtimeTokenFunc) (gchar * token, GError * error,
    gpointer data);

ImagegenRealtimeToken *imagegen_realtime_token_new (ImagegenClient * client);
void imagegen_realtime_token_free (ImagegenRealtimeToken * tok);

/* A fresh token for a connect to @model's app: the one renewal brought
 * if it is unused and unexpired, else a new fetch.  @done runs once
 * (from inside this call only when the token URL is unusable; with
 * G_IO_ERROR_CANCELLED from imagegen_realtime_token_stop()). */
void imagegen_realtime_token_get (ImagegenRealtimeToken * tok,
    const gchar * model, ImagegenRealtimeTokenFunc done, gpointer data);

/* A socket opened with a token fetched then: renew at 90 % of its life. */
void imagegen_realtime_token_renew_from (ImagegenRealtimeToken * tok,
    gint64 fetched_us);

/* No renewal, no fetch in flight; a connect waiting for a token is told
 * CANCELLED. */
void imagegen_realtime_token_stop (ImagegenRealtimeToken * tok);

/* When the token last handed out was fetched (monotonic us). */
gint64 imagegen_realtime_token_fetched_us (ImagegenRealtimeToken * tok);

/* Tokens fetched since the client was made.  Thread-safe. */
guint imagegen_realtime_token_count (ImagegenRealtimeToken * tok);

G_END_DECLS
