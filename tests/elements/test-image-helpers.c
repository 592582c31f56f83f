/* gst-imagegen: the image helpers on crafted input — a decompression bomb
 * is refused from its header, before any pixel memory exists.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "gstimagegendecode.h"
#include "gstimagegenblend.h"
#include "gstimagegenencode.h"
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

static Suite *
image_helpers_suite (void)
{
  Suite *s = suite_create ("image-helpers");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_png_bomb_refused_from_header);
  tcase_add_test (tc, test_jpeg_bomb_refused_from_header);
  tcase_add_test (tc, test_not_an_image);
  tcase_add_test (tc, test_blend_is_linear);
  tcase_add_test (tc, test_encode_changing_sizes);
  return s;
}

GST_CHECK_MAIN (image_helpers);
