/* gst-imagegen: opening fal's realtime WebSocket — a fresh token, the URL
 * it rides in (never logged with it), the upgrade.
 *
 * Everything here runs on the client's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-realtime-token.h"

G_BEGIN_DECLS

/**
 * ImagegenRealtimeConnectFunc:
 * @ws: (transfer full) (nullable): the open socket, its incoming payload
 *   limit raised to max_download_bytes
 * @error: (transfer full) (nullable): why not
 * @status: the upgrade's HTTP status when it was refused (400 and up),
 *   else 0
 * @token_failed: the token endpoint failed (@error says how; it was
 *   retried already), nothing was connected
 */
typedef void (*ImagegenRealtimeConnectFunc) (SoupWebsocketConnection * ws,
    GError * error, guint status, gboolean token_failed, gpointer data);

/* Connects to @model's realtime endpoint with a fresh token of @tok; @done
 * runs once unless @cancel is cancelled first. */
void imagegen_realtime_connect (ImagegenClient * client,
    ImagegenRealtimeToken * tok, const gchar * model, GCancellable * cancel,
    ImagegenRealtimeConnectFunc done, gpointer data);

G_END_DECLS
