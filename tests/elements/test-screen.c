/* gst-imagegen: the picture on screen (gstimagegenscreen.c) alone — an
 * image placed at the output caps per scale mode, the cross-fade between
 * images, the placeholder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "gstimagegenscreen.h"

#define MS (GST_MSECOND)

/* An 8x4 RGBA image of four 2-pixel stripes: red, green, blue, white. */
static GstImagegenImage *
striped_image (void)
{
  static const guint32 stripes[4] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff,
    0xffffffff
  };
  GstImagegenImage *image = g_new0 (GstImagegenImage, 1);
  GstMapInfo map;
  guint x, y;

  image->ref_count = 1;
  gst_video_info_set_format (&image->raw_info, GST_VIDEO_FORMAT_RGBA, 8, 4);
  image->raw = gst_buffer_new_allocate (NULL,
      GST_VIDEO_INFO_SIZE (&image->raw_info), NULL);
  gst_buffer_map (image->raw, &map, GST_MAP_WRITE);
  for (y = 0; y < 4; y++)
    for (x = 0; x < 8; x++)
      GST_WRITE_UINT32_BE (map.data + y * GST_VIDEO_INFO_PLANE_STRIDE
          (&image->raw_info, 0) + x * 4, stripes[x / 2]);
  gst_buffer_unmap (image->raw, &map);
  return image;
}

/* A 4x4 RGBA image of one colour. */
static GstImagegenImage *
solid_image (guint32 rgba)
{
  GstImagegenImage *image = g_new0 (GstImagegenImage, 1);

  image->ref_count = 1;
  gst_video_info_set_format (&image->raw_info, GST_VIDEO_FORMAT_RGBA, 4, 4);
  image->raw = gst_imagegen_solid_frame (&image->raw_info, rgba);
  return image;
}

/* The RGBA pixel at @x, @y of @buf, a 4x4 RGBA frame in @info. */
static guint32
pixel_at (GstBuffer * buf, const GstVideoInfo * info, guint x, guint y)
{
  GstMapInfo map;
  guint32 v;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  v = GST_READ_UINT32_BE (map.data + y * GST_VIDEO_INFO_PLANE_STRIDE (info,
          0) + x * 4);
  gst_buffer_unmap (buf, &map);
  return v;
}

static void
assert_close (guint32 got, guint32 want, const gchar * what)
{
  guint i;

  for (i = 0; i < 4; i++) {
    gint g = (got >> (24 - 8 * i)) & 0xff, w = (want >> (24 - 8 * i)) & 0xff;
    fail_unless (ABS (g - w) <= 40, "%s: got %08x, want about %08x", what,
        got, want);
  }
}

/* The striped image placed in a 4x4 RGBA frame per @mode: its pixel at
 * @x, @y, @mask the channels compared. */
typedef struct
{
  GstImagegenScaleMode mode;
  guint x, y;
  guint32 want, mask;
  const gchar *what;
} Probe;

GST_START_TEST (test_scale_modes_place_the_image)
{
  static const Probe probes[] = {
    /* 8x4 in 4x4: the whole image in rows 1-2, bars above and below with
     * no alpha, so that a compositor shows what lies beneath */
    {GST_IMAGEGEN_SCALE_MODE_FIT, 0, 0, 0, 0xff, "fit: top bar's alpha"},
    {GST_IMAGEGEN_SCALE_MODE_FIT, 0, 3, 0, 0xff, "fit: bottom bar's alpha"},
    {GST_IMAGEGEN_SCALE_MODE_FIT, 0, 1, 0xff0000ff, ~0u, "fit: left, red"},
    {GST_IMAGEGEN_SCALE_MODE_FIT, 3, 2, 0xffffffff, ~0u, "fit: right, white"},
    /* the middle 4x4 (green, blue) fills the frame */
    {GST_IMAGEGEN_SCALE_MODE_FILL, 0, 0, 0x00ff00ff, ~0u, "fill: green"},
    {GST_IMAGEGEN_SCALE_MODE_FILL, 3, 3, 0x0000ffff, ~0u, "fill: blue"},
    /* all of it, squeezed */
    {GST_IMAGEGEN_SCALE_MODE_STRETCH, 0, 0, 0xff0000ff, ~0u, "stretch: red"},
    {GST_IMAGEGEN_SCALE_MODE_STRETCH, 3, 3, 0xffffffff, ~0u,
        "stretch: white"},
  };
  GstImagegenImage *image = striped_image ();
  GstVideoInfo out;
  guint i;

  gst_video_info_set_format (&out, GST_VIDEO_FORMAT_RGBA, 4, 4);
  for (i = 0; i < G_N_ELEMENTS (probes); i++) {
    GstImagegenPlacement placement = { NULL, };
    GstBuffer *placed;

    gst_imagegen_placement_set_image (&placement, image);
    placed = gst_imagegen_placement_get (&placement, &out, probes[i].mode);
    fail_unless (placed != NULL);
    fail_unless_equals_int (gst_buffer_get_size (placed),
        GST_VIDEO_INFO_SIZE (&out));
    assert_close (pixel_at (placed, &out, probes[i].x, probes[i].y) &
        probes[i].mask, probes[i].want, probes[i].what);
    gst_imagegen_placement_clear (&placement);
  }
  gst_imagegen_image_unref (image);
}

GST_END_TEST;

GST_START_TEST (test_placement_follows_caps)
{
  GstImagegenImage *image = solid_image (0x00ff00ff);
  GstImagegenPlacement placement = { NULL, };
  GstVideoInfo small, big;
  GstBuffer *placed;

  gst_video_info_set_format (&small, GST_VIDEO_FORMAT_RGBA, 4, 4);
  gst_video_info_set_format (&big, GST_VIDEO_FORMAT_RGBA, 8, 8);
  gst_imagegen_placement_set_image (&placement, image);
  placed = gst_imagegen_placement_get (&placement, &small,
      GST_IMAGEGEN_SCALE_MODE_FIT);
  fail_unless_equals_int (gst_buffer_get_size (placed), 4 * 4 * 4);
  /* the same caps: the same buffer, not placed again */
  fail_unless (gst_imagegen_placement_get (&placement, &small,
          GST_IMAGEGEN_SCALE_MODE_FIT) == placed);
  placed = gst_imagegen_placement_get (&placement, &big,
      GST_IMAGEGEN_SCALE_MODE_FIT);
  fail_unless_equals_int (gst_buffer_get_size (placed), 8 * 8 * 4);
  gst_imagegen_placement_clear (&placement);
  gst_imagegen_image_unref (image);

  /* no image, no decoded pixels: nothing to show */
  fail_unless (gst_imagegen_placement_get (&placement, &small,
          GST_IMAGEGEN_SCALE_MODE_FIT) == NULL);
}

GST_END_TEST;

GST_START_TEST (test_placeholder_transparent_or_black)
{
  GstImagegenScreen screen;
  GstVideoInfo rgba, rgbx;
  GstBuffer *frame;

  gst_imagegen_screen_init (&screen);
  gst_video_info_set_format (&rgba, GST_VIDEO_FORMAT_RGBA, 4, 4);
  gst_video_info_set_format (&rgbx, GST_VIDEO_FORMAT_RGBx, 4, 4);

  frame = gst_imagegen_screen_placeholder (&screen, &rgba, FALSE);
  fail_unless_equals_int (pixel_at (frame, &rgba, 2, 2) & 0xff, 0);
  gst_buffer_unref (frame);
  /* black asked for: opaque black, even with alpha */
  frame = gst_imagegen_screen_placeholder (&screen, &rgba, TRUE);
  fail_unless_equals_int (pixel_at (frame, &rgba, 2, 2), 0x000000ff);
  gst_buffer_unref (frame);
  /* no alpha: black */
  frame = gst_imagegen_screen_placeholder (&screen, &rgbx, FALSE);
  fail_unless_equals_int (pixel_at (frame, &rgbx, 2, 2) & 0xffffff00, 0);
  gst_buffer_unref (frame);
  gst_imagegen_screen_clear (&screen);
}

GST_END_TEST;

/* One frame: which image shows (0: the black placeholder, a stand-in),
 * from @pts to @end with @transition, all in ms, and the colour wanted. */
typedef struct
{
  guint32 image;                /* the image's colour, 0: none */
  guint pts, end, transition;
  gboolean fade_stand_in;
  guint32 want;
  const gchar *what;
} Step;

/* Runs @steps on one screen; images of the same colour are one image. */
static void
run_steps (const Step * steps, guint n)
{
  GHashTable *images = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) gst_imagegen_image_unref);
  GstImagegenScreen screen;
  GstVideoInfo info;
  guint i;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBA, 4, 4);
  gst_imagegen_screen_init (&screen);
  for (i = 0; i < n; i++) {
    const Step *step = &steps[i];
    GstImagegenImage *image = NULL;
    GstBuffer *pixels, *frame;

    if (step->image != 0) {
      image = g_hash_table_lookup (images, GUINT_TO_POINTER (step->image));
      if (image == NULL) {
        image = solid_image (step->image);
        g_hash_table_insert (images, GUINT_TO_POINTER (step->image), image);
      }
    }
    pixels = image ? gst_buffer_ref (image->raw) :
        gst_imagegen_screen_placeholder (&screen, &info, TRUE);
    frame = gst_imagegen_screen_frame (&screen, image, pixels, &info,
        step->pts * MS, step->end * MS, step->transition * MS,
        step->fade_stand_in);
    assert_close (pixel_at (frame, &info, 1, 1), step->want, step->what);
    gst_buffer_unref (frame);
    gst_buffer_unref (pixels);
  }
  gst_imagegen_screen_clear (&screen);
  g_hash_table_unref (images);
}

GST_START_TEST (test_fade_halfway)
{
  static const Step steps[] = {
    {0xff0000ff, 0, 100, 200, FALSE, 0xff0000ff, "red, no fade from nothing"},
    /* blue from 1000 ms over 200 ms: the frame ending at 1100 is half way */
    {0x0000ffff, 1000, 1100, 200, FALSE, 0x800080ff, "half way"},
    /* the frame ending at the fade's end is all new, and later ones */
    {0x0000ffff, 1100, 1200, 200, FALSE, 0x0000ffff, "fade's last frame"},
    {0x0000ffff, 1200, 1300, 200, FALSE, 0x0000ffff, "after the fade"},
    {0xff0000ff, 2000, 2100, 0, FALSE, 0xff0000ff, "no transition: at once"},
  };

  run_steps (steps, G_N_ELEMENTS (steps));
}

GST_END_TEST;

GST_START_TEST (test_fade_from_placeholder_when_asked)
{
  /* imagegensrc: the first image fades in from the placeholder */
  static const Step src[] = {
    {0, 0, 100, 200, TRUE, 0x000000ff, "placeholder"},
    {0xffffffff, 100, 200, 200, TRUE, 0x808080ff, "fading in"},
  };
  /* imagegenremix: a result replaces a fallback at once */
  static const Step remix[] = {
    {0, 0, 100, 200, FALSE, 0x000000ff, "fallback"},
    {0xffffffff, 100, 200, 200, FALSE, 0xffffffff, "no fade out of it"},
    /* and a stand-in never fades in */
    {0, 200, 300, 200, TRUE, 0x000000ff, "no fade into a stand-in"},
  };

  run_steps (src, G_N_ELEMENTS (src));
  run_steps (remix, G_N_ELEMENTS (remix));
}

GST_END_TEST;

static Suite *
screen_suite (void)
{
  Suite *s = suite_create ("imagegen-screen");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_scale_modes_place_the_image);
  tcase_add_test (tc, test_placement_follows_caps);
  tcase_add_test (tc, test_placeholder_transparent_or_black);
  tcase_add_test (tc, test_fade_halfway);
  tcase_add_test (tc, test_fade_from_placeholder_when_asked);
  return s;
}

GST_CHECK_MAIN (screen);
