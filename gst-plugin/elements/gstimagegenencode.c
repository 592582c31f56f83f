/* gst-imagegen: encoding picked frames as JPEG with the system's jpegenc,
 * after scaling them down with GstVideoConverter so uploads stay small.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include "gstimagegenencode.h"
#include "gstimagegenscale.h"
#include "gstimagegendecode.h"

#define ENCODE_TIMEOUT (30 * GST_SECOND)

void
gst_imagegen_encode_size (const GstVideoInfo * info, guint max_long_side,
    gint * width, gint * height)
{
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint long_side = MAX (w, h);

  if (max_long_side > 0 && (guint) long_side > max_long_side) {
    w = MAX (1, (gint) ((gint64) w * max_long_side / long_side));
    h = MAX (1, (gint) ((gint64) h * max_long_side / long_side));
  }
  /* I420 wants even sizes */
  *width = MAX (2, w & ~1);
  *height = MAX (2, h & ~1);
}

GBytes *
gst_imagegen_encode_jpeg (GstBuffer * frame, const GstVideoInfo * info,
    guint quality, guint max_long_side, GError ** error)
{
  GstElement *pipeline, *src, *enc, *sink;
  GstVideoInfo small_info;
  GstBuffer *small;
  GstCaps *caps;
  GstSample *sample;
  GBytes *bytes = NULL;
  gint width, height;

  gst_imagegen_encode_size (info, max_long_side, &width, &height);
  gst_video_info_set_format (&small_info, GST_VIDEO_FORMAT_I420, width,
      height);
  /* JFIF is full-range BT.601: limited range here would wash colours out */
  small_info.colorimetry.range = GST_VIDEO_COLOR_RANGE_0_255;
  small_info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  GST_VIDEO_INFO_FPS_N (&small_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&small_info) = GST_VIDEO_INFO_FPS_D (info);
  small = gst_imagegen_scale_fast (frame, info, &small_info);
  if (small == NULL) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "cannot convert %s frames for "
        "upload", gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (info)));
    return NULL;
  }

  pipeline = gst_pipeline_new (NULL);
  src = gst_element_factory_make ("appsrc", NULL);
  enc = gst_element_factory_make ("jpegenc", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (src == NULL || enc == NULL || sink == NULL) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "jpegenc is not installed");
    g_clear_object (&src);
    g_clear_object (&enc);
    g_clear_object (&sink);
    gst_object_unref (pipeline);
    gst_buffer_unref (small);
    return NULL;
  }
  caps = gst_video_info_to_caps (&small_info);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);
  g_object_set (enc, "quality", CLAMP (quality, 1, 100), NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, enc, sink, NULL);
  gst_element_link_many (src, enc, sink, NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), small);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), ENCODE_TIMEOUT);
  if (sample != NULL) {
    GstBuffer *jpeg = gst_sample_get_buffer (sample);
    GstMapInfo map;

    if (jpeg != NULL && gst_buffer_map (jpeg, &map, GST_MAP_READ)) {
      bytes = g_bytes_new (map.data, map.size);
      gst_buffer_unmap (jpeg, &map);
    }
    gst_sample_unref (sample);
  }
  if (bytes == NULL)
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "could not encode a %dx%d frame "
        "as JPEG", width, height);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return bytes;
}
