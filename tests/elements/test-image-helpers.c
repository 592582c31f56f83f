/* gst-imagegen: the image helpers on crafted input — a decompression bomb
 * is refused from its header, before any pixel memory exists.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include "gstimagegendecode.h"
#include "gstimagegenblend.h"
#include "gstimagegenencode.h"
#include "gstimagegenscale.h"
#include "gstimagegensettings.h"

/* A PNG that claims 30000x30000 in 33 bytes: signature and IHDR only. */
static GBytes *
png_bomb (void)
{
  static const guint8 data[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
    0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x75, 0x30,   /* 30000 x 30000 */
    8, 6, 0, 0, 0, 0, 0, 0, 0
  };
  return g_bytes_new_static (data, sizeof (data));
}

GST_START_TEST (test_png_bomb_refused_from_header)
{
  GBytes *bomb = png_bomb ();
  GstImagegenImageHeader header;
  GstVideoInfo info;
  GError *error = NULL;
  GstBuffer *frame;

  fail_if (gst_imagegen_image_header_parse (bomb,
          GST_IMAGEGEN_DEFAULT_MAX_PIXELS, &header, &error));
  fail_unless (g_error_matches (error, GST_IMAGEGEN_DECODE_ERROR,
          GST_IMAGEGEN_DECODE_ERROR_TOO_MANY_PIXELS));
  fail_unless (strstr (error->message, "30000x30000") != NULL, "got: %s",
      error->message);
  g_clear_error (&error);

  /* the decoder refuses it the same way, without decoding */
  frame = gst_imagegen_decode (bomb, GST_IMAGEGEN_DEFAULT_MAX_PIXELS, &info,
      &error);
  fail_unless (frame == NULL);
  fail_unless (g_error_matches (error, GST_IMAGEGEN_DECODE_ERROR,
          GST_IMAGEGEN_DECODE_ERROR_TOO_MANY_PIXELS));
  g_clear_error (&error);
  g_bytes_unref (bomb);
}

GST_END_TEST;

GST_START_TEST (test_jpeg_bomb_refused_from_header)
{
  static const guint8 data[] = {
    0xff, 0xd8,                 /* SOI */
    0xff, 0xe0, 0, 4, 'J', 'F', /* APP0, skipped */
    0xff, 0xc0, 0, 11, 8, 0x75, 0x30, 0x75, 0x30, 1, 1, 0x11, 0
  };
  GBytes *bytes = g_bytes_new_static (data, sizeof (data));
  GstImagegenImageHeader header;
  GError *error = NULL;

  fail_if (gst_imagegen_image_header_parse (bytes, 1000000, &header,
          &error));
  fail_unless (g_error_matches (error, GST_IMAGEGEN_DECODE_ERROR,
          GST_IMAGEGEN_DECODE_ERROR_TOO_MANY_PIXELS));
  g_clear_error (&error);
  /* within the limit it is read correctly */
  fail_unless (gst_imagegen_image_header_parse (bytes, G_MAXUINT64,
          &header, &error));
  fail_unless_equals_string (header.media_type, "image/jpeg");
  fail_unless_equals_int (header.width, 30000);
  fail_unless_equals_int (header.height, 30000);
  g_bytes_unref (bytes);
}

GST_END_TEST;

GST_START_TEST (test_not_an_image)
{
  GBytes *bytes = g_bytes_new_static ("<html>expired</html>", 20);
  GstImagegenImageHeader header;
  GError *error = NULL;

  fail_if (gst_imagegen_image_header_parse (bytes, G_MAXUINT64, &header,
          &error));
  fail_unless (g_error_matches (error, GST_IMAGEGEN_DECODE_ERROR,
          GST_IMAGEGEN_DECODE_ERROR_NOT_AN_IMAGE));
  fail_unless (strstr (error->message, "not a PNG, JPEG or WebP") != NULL);
  g_clear_error (&error);
  g_bytes_unref (bytes);
}

GST_END_TEST;

/* Cross-fading mixes every component linearly, whatever the format. */
GST_START_TEST (test_blend_is_linear)
{
  GstVideoInfo info;
  GstBuffer *a, *b, *mid;
  GstMapInfo map;
  gsize i;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 16, 16);
  a = gst_buffer_new_allocate (NULL, info.size, NULL);
  b = gst_buffer_new_allocate (NULL, info.size, NULL);
  gst_buffer_memset (a, 0, 20, info.size);
  gst_buffer_memset (b, 0, 220, info.size);
  mid = gst_imagegen_blend (a, b, &info, 0.25);
  gst_buffer_map (mid, &map, GST_MAP_READ);
  for (i = 0; i < map.size; i++)
    fail_unless_equals_int (map.data[i], 70);
  gst_buffer_unmap (mid, &map);
  gst_buffer_unref (mid);
  /* the ends are the frames themselves, not copies */
  mid = gst_imagegen_blend (a, b, &info, 1.0);
  fail_unless (mid == b);
  gst_buffer_unref (mid);
  gst_buffer_unref (a);
  gst_buffer_unref (b);
}

GST_END_TEST;

/* Uploads of frames of changing sizes and formats, one after the other on
 * one thread, each come out at the size upload-max-side allows. */
GST_START_TEST (test_encode_changing_sizes)
{
  struct
  {
    GstVideoFormat format;
    gint width, height;
    guint max_side;
    guint want_w, want_h;
  } cases[] = {
    {GST_VIDEO_FORMAT_I420, 320, 240, 1024, 320, 240},
    {GST_VIDEO_FORMAT_BGRx, 1920, 1080, 512, 512, 288},
    {GST_VIDEO_FORMAT_I420, 1920, 1080, 1024, 1024, 576},
    {GST_VIDEO_FORMAT_RGBA, 64, 48, 0, 64, 48},
    {GST_VIDEO_FORMAT_I420, 320, 240, 160, 160, 120},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstVideoInfo info;
    GstImagegenImageHeader header;
    GstBuffer *frame;
    GBytes *jpeg;
    GError *error = NULL;

    gst_video_info_set_format (&info, cases[i].format, cases[i].width,
        cases[i].height);
    frame = gst_buffer_new_allocate (NULL, info.size, NULL);
    gst_buffer_memset (frame, 0, 128, info.size);
    jpeg = gst_imagegen_encode_jpeg (frame, &info, 85, cases[i].max_side,
        &error);
    fail_unless (jpeg != NULL, "case %u: %s", i, error ? error->message : "");
    fail_unless (gst_imagegen_image_header_parse (jpeg, G_MAXUINT64, &header,
            NULL));
    fail_unless_equals_string (header.media_type, "image/jpeg");
    fail_unless_equals_int (header.width, cases[i].want_w);
    fail_unless_equals_int (header.height, cases[i].want_h);
    g_bytes_unref (jpeg);
    gst_buffer_unref (frame);
  }
}

GST_END_TEST;

/* @rgba (RGBA, @w x @h) converted to a frame of @caps_str by GstVideoConverter
 * (RGB -> YUV honours range and matrix). */
static GstBuffer *
rgba_to (GstBuffer * rgba, gint w, gint h, const gchar * caps_str,
    GstVideoInfo * info)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  GstVideoInfo rgba_info;

  fail_unless (gst_video_info_from_caps (info, caps));
  gst_caps_unref (caps);
  gst_video_info_set_format (&rgba_info, GST_VIDEO_FORMAT_RGBA, w, h);
  GST_VIDEO_INFO_FPS_N (&rgba_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&rgba_info) = GST_VIDEO_INFO_FPS_D (info);
  return element_test_convert (rgba, &rgba_info, info);
}

/* A smooth colour field over @size (w, h): red across, blue down, green
 * constant. */
static void
paint_field (gint x, gint y, guint8 rgb[3], gpointer data)
{
  const gint *size = data;

  rgb[0] = 30 + x * 190 / size[0];
  rgb[1] = 120;
  rgb[2] = 20 + y * 200 / size[1];
}

/* The upload of an I420 frame, decoded again, shows the colours of the
 * RGB picture it was made from, whatever the frame's range and matrix: a
 * smooth colour field (red across, blue down, green constant) through
 * limited BT.601, limited BT.709 and full-range BT.601 I420 (the upload's
 * own range and matrix rewrite, gstimagegenencode.c). */
GST_START_TEST (test_encode_colours_of_yuv_frames)
{
  const gchar *colorimetries[] = { "bt601", "bt709", "1:4:0:0" };
  const gint w = 128, h = 96;
  const gint size[] = { w, h };
  gint x, y;
  GstBuffer *rgba = element_test_painted_frame (w, h, paint_field,
      (gpointer) size);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (colorimetries); i++) {
    gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,"
        "height=%d,framerate=30/1,colorimetry=%s", w, h, colorimetries[i]);
    GstVideoInfo info, jpeg_info, out_info;
    GstBuffer *frame = rgba_to (rgba, w, h, caps, &info);
    GBytes *jpeg = gst_imagegen_encode_jpeg (frame, &info, 100, 0, NULL);
    GstBuffer *decoded, *yuv;
    GstMapInfo in_map, out_map;
    gint worst = 0;
    gint64 sum = 0, n = 0;

    fail_unless (jpeg != NULL);
    yuv = gst_imagegen_decode (jpeg, G_MAXUINT64, &jpeg_info, NULL);
    fail_unless (yuv != NULL);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&jpeg_info), w);
    gst_video_info_set_format (&out_info, GST_VIDEO_FORMAT_RGBA, w, h);
    GST_VIDEO_INFO_FPS_N (&out_info) = GST_VIDEO_INFO_FPS_N (&jpeg_info);
    GST_VIDEO_INFO_FPS_D (&out_info) = GST_VIDEO_INFO_FPS_D (&jpeg_info);
    decoded = gst_imagegen_scale (yuv, &jpeg_info, &out_info,
        GST_IMAGEGEN_SCALE_MODE_STRETCH);
    gst_buffer_unref (yuv);
    fail_unless (decoded != NULL);
    gst_buffer_map (rgba, &in_map, GST_MAP_READ);
    gst_buffer_map (decoded, &out_map, GST_MAP_READ);
    /* away from the borders, where chroma siting differs */
    for (y = 2; y < h - 2; y++)
      for (x = 2; x < w - 2; x++) {
        gint c;

        for (c = 0; c < 3; c++) {
          gint d = ABS ((gint) in_map.data[4 * (y * w + x) + c] -
              (gint) out_map.data[y * GST_VIDEO_INFO_PLANE_STRIDE (&out_info,
                      0) + 4 * x + c]);

          worst = MAX (worst, d);
          sum += d;
          n++;
        }
      }
    gst_buffer_unmap (decoded, &out_map);
    gst_buffer_unmap (rgba, &in_map);
    GST_INFO ("%s: worst channel difference %d, mean %.2f", colorimetries[i],
        worst, (gdouble) sum / n);
    /* chroma subsampling twice and JPEG: the RGB path gave 9/2.0 here, a
     * luma coefficient swapped 17/4.1 */
    fail_unless (worst <= 12 && sum <= 3 * n, "%s: channels off by up to %d, "
        "%.2f on average", colorimetries[i], worst, (gdouble) sum / n);
    gst_buffer_unref (decoded);
    g_bytes_unref (jpeg);
    gst_buffer_unref (frame);
    g_free (caps);
  }
  gst_buffer_unref (rgba);
}

GST_END_TEST;

static Suite *
image_helpers_suite (void)
{
  return element_test_suite ("image-helpers", 0,
      ELEMENT_TEST (test_png_bomb_refused_from_header),
      ELEMENT_TEST (test_jpeg_bomb_refused_from_header),
      ELEMENT_TEST (test_not_an_image), ELEMENT_TEST (test_blend_is_linear),
      ELEMENT_TEST (test_encode_changing_sizes),
      ELEMENT_TEST (test_encode_colours_of_yuv_frames), NULL);
}

GST_CHECK_MAIN (image_helpers);
