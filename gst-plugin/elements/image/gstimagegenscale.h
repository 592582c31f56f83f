/* gst-imagegen: placing a decoded image into an output frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * GstImagegenScaleMode:
 * @GST_IMAGEGEN_SCALE_MODE_FIT: scale to fit inside the frame, keep the
 *   aspect ratio and fill the rest with borders
 * @GST_IMAGEGEN_SCALE_MODE_FILL: scale to cover the frame, keep the aspect
 *   ratio and crop what sticks out
 * @GST_IMAGEGEN_SCALE_MODE_STRETCH: scale both sides independently
 *
 * How an image is placed into an output frame of another size.
 */
typedef enum
{
  GST_IMAGEGEN_SCALE_MODE_FIT,
  GST_IMAGEGEN_SCALE_MODE_FILL,
  GST_IMAGEGEN_SCALE_MODE_STRETCH,
} GstImagegenScaleMode;

#define GST_TYPE_IMAGEGEN_SCALE_MODE (gst_imagegen_scale_mode_get_type ())
GType gst_imagegen_scale_mode_get_type (void);

/* Converts @in (described by @in_info) to @out_info's format and size,
 * placing it per @mode.  Returns a new reference to @in when nothing needs
 * to change.  NULL when the conversion is not possible.  Thread-safe: the
 * GstVideoConverter of each shape (formats, sizes, placement, resampler) is
 * kept for the next call, up to a few shapes. */
GstBuffer *gst_imagegen_scale (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode);

/* As gst_imagegen_scale(), from the @region of @in only (in @in_info's
 * pixels): the rest of @in is not shown. */
GstBuffer *gst_imagegen_scale_region (GstBuffer * in,
    const GstVideoInfo * in_info, const GstVideoRectangle * region,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode);

/* Where gst_imagegen_scale() puts an @in_info picture in an @out_info
 * frame with @mode: the rectangle of the input shown (@src) and where it
 * goes (@dest), in pixels. */
void gst_imagegen_scale_where (GstImagegenScaleMode mode,
    const GstVideoInfo * in_info, const GstVideoInfo * out_info,
    GstVideoRectangle * src, GstVideoRectangle * dest);

/* Stretches with linear resampling: for frames on their way to a remote
 * model, where a smoother filter is not worth the time it costs. */
GstBuffer *gst_imagegen_scale_fast (GstBuffer * in,
    const GstVideoInfo * in_info, const GstVideoInfo * out_info);

/* A frame of @info filled with one RGBA colour, in any format. */
GstBuffer *gst_imagegen_solid_frame (const GstVideoInfo * info,
    guint32 rgba);

/* A new buffer around @pixels' memory, timestamps unset: showing the same
 * picture again costs no pixel copy. */
GstBuffer *gst_imagegen_share_pixels (GstBuffer * pixels);

/* Raw video @caps of frames over @max_pixels (the max-pixels property)
 * are refused: an error naming the limit is posted on @element and FALSE
 * returned.  Before gst_video_info_from_caps(), which fails silently on
 * sizes that overflow.  For set_caps; no lock held. */
gboolean gst_imagegen_check_frame_size (GstElement * element,
    const GstCaps * caps, guint64 max_pixels);

G_END_DECLS
