/* gst-imagegen: raw frames to small JPEGs for upload.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* Encodes @frame as JPEG at @quality (1-100), scaled down (never up) so
 * that its longer side is at most @max_long_side pixels (0 = no limit).
 * Blocks: call it from a worker thread.  Each calling thread keeps one
 * jpegenc for its next frames (freed when the thread ends). */
GBytes *gst_imagegen_encode_jpeg (GstBuffer * frame, const GstVideoInfo * info,
    guint quality, guint max_long_side, GError ** error);

/* The size @info's frame is encoded at under @max_long_side: its display
 * shape (pixel aspect ratio applied) in square pixels. */
void gst_imagegen_encode_size (const GstVideoInfo * info,
    guint max_long_side, gint * width, gint * height);

G_END_DECLS
