/* gst-imagegen: frames for models that take square pictures only (fal's
 * realtime klein): the frame fitted into the square, and the square's
 * answer put back on a frame of the frame's shape.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>
#include "gstimagegenscale.h"

G_BEGIN_DECLS

/* @frame (of @info) fitted into a @side x @side square per @mode, in
 * @info's format (@square_info is set): fit letterboxes it (black bars),
 * fill crops its centre, stretch squashes it.  NULL when the conversion
 * is not possible. */
GstBuffer *gst_imagegen_square_fit (GstBuffer * frame,
    const GstVideoInfo * info, guint side, GstImagegenScaleMode mode,
    GstVideoInfo * square_info);

/* The answer @result (of @result_info, any square size) to a frame of
 * @frame_info fitted with @mode, put back on an @out_info frame so that
 * the picture keeps its shape: fit cuts the letterbox's picture out of it
 * and scales that to the frame; fill puts it over the centre the crop
 * kept, with borders (black, or transparent with alpha) where the crop cut
 * the frame's sides, which were never sent; stretch unsquashes it. */
GstBuffer *gst_imagegen_square_place (GstBuffer * result,
    const GstVideoInfo * result_info, const GstVideoInfo * frame_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode);

G_END_DECLS
