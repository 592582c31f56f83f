/* gst-imagegen: frames for models that take square pictures only.
 *
 * Both ways go through gst_imagegen_scale_where(), so the part of the
 * square the frame filled on the way out is the part cut out on the way
 * back, to the pixel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensquare.h"

GstBuffer *
gst_imagegen_square_fit (GstBuffer * frame, const GstVideoInfo * info,
    guint side, GstImagegenScaleMode mode, GstVideoInfo * square_info)
{
  gst_video_info_set_format (square_info, GST_VIDEO_INFO_FORMAT (info), side,
      side);
  square_info->colorimetry = info->colorimetry;
  square_info->chroma_site = info->chroma_site;
  GST_VIDEO_INFO_FPS_N (square_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (square_info) = GST_VIDEO_INFO_FPS_D (info);
  return gst_imagegen_scale (frame, info, square_info, mode);
}

GstBuffer *
gst_imagegen_square_place (GstBuffer * result,
    const GstVideoInfo * result_info, const GstVideoInfo * frame_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode)
{
  GstVideoRectangle src, dest;

  switch (mode) {
    case GST_IMAGEGEN_SCALE_MODE_FIT:
      /* the letterbox as it lay in a square of the result's size */
      gst_imagegen_scale_where (mode, frame_info, result_info, &src, &dest);
      return gst_imagegen_scale_region (result, result_info, &dest, out_info,
          mode);
    case GST_IMAGEGEN_SCALE_MODE_FILL:
      /* the square was the frame's centre: fitted back there */
      return gst_imagegen_scale (result, result_info, out_info,
          GST_IMAGEGEN_SCALE_MODE_FIT);
    default:
      return gst_imagegen_scale (result, result_info, out_info, mode);
  }
}
