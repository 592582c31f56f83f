/* gst-imagegen: cross-fading two frames of the same format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* A new frame @weight (0..1) of the way from @from to @to.  Both are in
 * @info, whose formats all have 8-bit components that mix linearly, plane
 * by plane, so the blend is right for RGB, YUV and alpha alike. */
GstBuffer *gst_imagegen_blend (GstBuffer * from, GstBuffer * to,
    const GstVideoInfo * info, gdouble weight);

G_END_DECLS
