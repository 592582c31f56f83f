/* gst-imagegen: fal's realtime session (PROTOCOL-FAL.md, section 5) — one
 * WebSocket per client, opened on the first frame, on the client's
 * thread.
 *
 * A job of a realtime row is a frame: at most one is on the socket (fal's
 * runner works one frame at a time and its results carry no request id,
 * so one in flight matches each result to its frame for certain) and one
 * waits; a newer frame replaces the waiting one, whose job ends
 * CANCELLED, unpaid.  An x-fal-error fails the frame in flight; a drop
 * (a close other than 1000, a lost connection, no answer within
 * request_timeout_s) reconnects with a fresh token and sends the frame
 * again, once; Unauthorized fetches a new token and reconnects once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

typedef struct _ImagegenRealtime ImagegenRealtime;

ImagegenRealtime *imagegen_realtime_new (ImagegenClient * client);
/* After the client's thread has stopped. */
void imagegen_realtime_free (ImagegenRealtime * rt);

/* Does @request go to the realtime session (its row is realtime)? */
gboolean imagegen_realtime_takes (ImagegenClient * client,
    const ImagegenRequest * request);

/* Any thread: @job goes to the session on the client's thread. */
void imagegen_realtime_submit (ImagegenJob * job);

/* @job is finished: out of the session's slots (a frame already sent is
 * paid: its cost stays on the job). */
void imagegen_realtime_release (ImagegenJob * job);

/* Shutdown: every frame ends CANCELLED, the socket closes with 1000. */
void imagegen_realtime_close (ImagegenClient * client);

/* Nothing of the session is still closing (shutdown may end). */
gboolean imagegen_realtime_idle (ImagegenClient * client);

G_END_DECLS
