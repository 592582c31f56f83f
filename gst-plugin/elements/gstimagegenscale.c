/* gst-imagegen: placing a decoded image into an output frame with
 * GstVideoConverter (fit with borders, fill with crop, or stretch).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenscale.h"

typedef struct
{
  gint x, y, w, h;
} Rect;

static void
place (GstImagegenScaleMode mode, gint iw, gint ih, gint ow, gint oh,
    Rect * src, Rect * dest)
{
  *src = (Rect) {
  0, 0, iw, ih};
  *dest = (Rect) {
  0, 0, ow, oh};

  /* compare iw/ih with ow/oh without rounding: iw*oh vs ow*ih */
  if (mode == GST_IMAGEGEN_SCALE_MODE_FIT) {
    if ((gint64) iw * oh > (gint64) ow * ih) {  /* wider: bars top and bottom */
      dest->h = MAX (1, (gint) (((gint64) ow * ih + iw / 2) / iw));
      dest->y = (oh - dest->h) / 2;
    } else {
      dest->w = MAX (1, (gint) (((gint64) oh * iw + ih / 2) / ih));
      dest->x = (ow - dest->w) / 2;
    }
  } else if (mode == GST_IMAGEGEN_SCALE_MODE_FILL) {
    if ((gint64) iw * oh > (gint64) ow * ih) {  /* wider: crop the sides */
      src->w = MAX (1, (gint) (((gint64) ih * ow + oh / 2) / oh));
      src->x = (iw - src->w) / 2;
    } else {
      src->h = MAX (1, (gint) (((gint64) iw * oh + ow / 2) / ow));
      src->y = (ih - src->h) / 2;
    }
  }
}

static GstBuffer *
scale (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode,
    GstVideoResamplerMethod method)
{
  GstVideoConverter *convert;
  GstVideoFrame in_frame, out_frame;
  GstVideoInfo in_timed;
  GstBuffer *out;
  Rect src, dest;

  if (GST_VIDEO_INFO_FORMAT (in_info) == GST_VIDEO_INFO_FORMAT (out_info)
      && GST_VIDEO_INFO_WIDTH (in_info) == GST_VIDEO_INFO_WIDTH (out_info)
      && GST_VIDEO_INFO_HEIGHT (in_info) == GST_VIDEO_INFO_HEIGHT (out_info)
      && gst_buffer_get_size (in) == GST_VIDEO_INFO_SIZE (out_info)
      && gst_buffer_get_video_meta (in) == NULL)
    return gst_buffer_ref (in);

  place (mode, GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
      GST_VIDEO_INFO_WIDTH (out_info), GST_VIDEO_INFO_HEIGHT (out_info),
      &src, &dest);

  out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out_info), NULL);
  if (!gst_video_frame_map (&in_frame, in_info, in, GST_MAP_READ)) {
    gst_buffer_unref (out);
    return NULL;
  }
  if (!gst_video_frame_map (&out_frame, out_info, out, GST_MAP_WRITE)) {
    gst_video_frame_unmap (&in_frame);
    gst_buffer_unref (out);
    return NULL;
  }

  /* the converter insists on equal frame rates; a still image has none */
  in_timed = *in_info;
  GST_VIDEO_INFO_FPS_N (&in_timed) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&in_timed) = GST_VIDEO_INFO_FPS_D (out_info);
  convert = gst_video_converter_new (&in_timed, out_info,
      gst_structure_new ("GstVideoConverter",
          GST_VIDEO_CONVERTER_OPT_SRC_X, G_TYPE_INT, src.x,
          GST_VIDEO_CONVERTER_OPT_SRC_Y, G_TYPE_INT, src.y,
          GST_VIDEO_CONVERTER_OPT_SRC_WIDTH, G_TYPE_INT, src.w,
          GST_VIDEO_CONVERTER_OPT_SRC_HEIGHT, G_TYPE_INT, src.h,
          GST_VIDEO_CONVERTER_OPT_DEST_X, G_TYPE_INT, dest.x,
          GST_VIDEO_CONVERTER_OPT_DEST_Y, G_TYPE_INT, dest.y,
          GST_VIDEO_CONVERTER_OPT_DEST_WIDTH, G_TYPE_INT, dest.w,
          GST_VIDEO_CONVERTER_OPT_DEST_HEIGHT, G_TYPE_INT, dest.h,
          GST_VIDEO_CONVERTER_OPT_FILL_BORDER, G_TYPE_BOOLEAN, TRUE,
          GST_VIDEO_CONVERTER_OPT_BORDER_ARGB, G_TYPE_UINT, 0xff000000,
          GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD,
          GST_TYPE_VIDEO_RESAMPLER_METHOD, method, NULL));
  if (convert != NULL) {
    gst_video_converter_frame (convert, &in_frame, &out_frame);
    gst_video_converter_free (convert);
  }
  gst_video_frame_unmap (&out_frame);
  gst_video_frame_unmap (&in_frame);
  if (convert == NULL)
    g_clear_pointer (&out, gst_buffer_unref);
  return out;
}

GstBuffer *
gst_imagegen_scale (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode)
{
  return scale (in, in_info, out_info, mode,
      GST_VIDEO_RESAMPLER_METHOD_CUBIC);
}

GstBuffer *
gst_imagegen_scale_fast (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  return scale (in, in_info, out_info, GST_IMAGEGEN_SCALE_MODE_STRETCH,
      GST_VIDEO_RESAMPLER_METHOD_LINEAR);
}

GstBuffer *
gst_imagegen_solid_frame (const GstVideoInfo * info, guint32 rgba)
{
  GstVideoInfo tiny;
  GstBuffer *pixel, *frame;
  GstMapInfo map;
  gsize i;

  /* one colour converted by the same path as images: right in any format */
  gst_video_info_set_format (&tiny, GST_VIDEO_FORMAT_RGBA, 2, 2);
  pixel = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&tiny), NULL);
  gst_buffer_map (pixel, &map, GST_MAP_WRITE);
  for (i = 0; i + 4 <= map.size; i += 4)
    GST_WRITE_UINT32_BE (map.data + i, rgba);
  gst_buffer_unmap (pixel, &map);
  frame = scale (pixel, &tiny, info, GST_IMAGEGEN_SCALE_MODE_STRETCH,
      GST_VIDEO_RESAMPLER_METHOD_NEAREST);
  gst_buffer_unref (pixel);
  return frame;
}

GstBuffer *
gst_imagegen_share_pixels (GstBuffer * pixels)
{
  return gst_buffer_copy_region (pixels, GST_BUFFER_COPY_MEMORY, 0, -1);
}
