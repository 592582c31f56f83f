/* gst-imagegen: imagegensrc's parts, shared by its files.
 *
 *   gstimagegensrc.c       properties, caps, start and stop, queries
 *   gstimagegensrcstill.c  not live: num-images images, then EOS
 *   gstimagegensrclive.c   live: a steady stream showing the newest image
 *
 * Locks, in the order they may be taken: the pad's stream lock, then
 * src->lock, then GST_OBJECT_LOCK (short property reads only), then the
 * engine's lock.  No bus message is posted with src->lock held, and
 * requests go to the engine without it (its guard may post a warning).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gstimagegensrc.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_imagegen_src_debug);

typedef struct
{
  GstImagegenSrc *src;
  guint index;                  /* not live: position in the output */
  guint seq;                    /* live: request number, newest wins */
} SrcJob;

/* A request with the current properties; @tag goes to @done. */
GstImagegenSubmitResult gst_imagegen_src_submit (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint index, guint seq);

GstClockTime gst_imagegen_src_frame_time (GstImagegenSrc * src, guint64 n);

/* gstimagegensrcstill.c */
void gst_imagegen_src_still_submit_jobs (GstImagegenSrc * src);
GstFlowReturn gst_imagegen_src_still_create (GstImagegenSrc * src,
    GstBuffer ** outbuf);

/* gstimagegensrclive.c */
void gst_imagegen_src_live_request (GstImagegenSrc * src);
GstFlowReturn gst_imagegen_src_live_create (GstImagegenSrc * src,
    GstBuffer ** outbuf);

G_END_DECLS
