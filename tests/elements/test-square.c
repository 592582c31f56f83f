/* gst-imagegen: frames fitted into a model's square and its answer put
 * back (gstimagegensquare.c) alone, on pixels: a 16:9 frame with a red
 * left edge and a white disc, through the square and back as if the model
 * had answered the square unchanged at another size.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <string.h>
#include "gstimagegensquare.h"
#include "element-test-util.h"

#define W 320
#define H 180
#define EDGE 16                 /* the red band's width */
#define RADIUS 60
#define SIDE 176                /* the square the model takes */
#define ANSWER 256              /* the square it answers */

static void
rgba_info (GstVideoInfo * info, gint width, gint height)
{
  gst_video_info_set_format (info, GST_VIDEO_FORMAT_RGBA, width, height);
}

/* grey, red for x < EDGE, a white disc of RADIUS in the middle */
static GstBuffer *
marked_frame (GstVideoInfo * info)
{
  GstBuffer *buf;
  GstMapInfo map;
  gint x, y;

  rgba_info (info, W, H);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++) {
      guint8 *p = map.data + 4 * (y * W + x);
      gint dx = x - W / 2, dy = y - H / 2;

      if (dx * dx + dy * dy <= RADIUS * RADIUS)
        p[0] = p[1] = p[2] = 255;
      else if (x < EDGE) {
        p[0] = 220;
        p[1] = p[2] = 30;
      } else
        p[0] = p[1] = p[2] = 110;
      p[3] = 255;
    }
  gst_buffer_unmap (buf, &map);
  return buf;
}

static const guint8 *
pixel (const GstMapInfo * map, gint width, gint x, gint y)
{
  return map->data + 4 * (y * width + x);
}

static gboolean
is_red (const guint8 * p)
{
  return p[0] > 170 && p[1] < 80 && p[2] < 80;
}

static gboolean
is_black (const guint8 * p)
{
  return p[0] < 20 && p[1] < 20 && p[2] < 20;
}

static gboolean
is_white (const guint8 * p)
{
  return p[0] > 200 && p[1] > 200 && p[2] > 200;
}

/* the white run's length through (@cx, @cy), across and down */
static void
disc_extent (GstBuffer * buf, gint width, gint height, gint cx, gint cy,
    gint * across, gint * down)
{
  GstMapInfo map;
  gint i;

  *across = *down = 0;
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (i = 0; i < width; i++)
    *across += is_white (pixel (&map, width, i, cy));
  for (i = 0; i < height; i++)
    *down += is_white (pixel (&map, width, cx, i));
  gst_buffer_unmap (buf, &map);
}

/* the disc in @buf is round (within @slack); with @full, at its size in
 * the frame */
static void
assert_round (GstBuffer * buf, gint width, gint height, gint slack,
    gboolean full)
{
  gint across, down;

  disc_extent (buf, width, height, width / 2, height / 2, &across, &down);
  fail_unless (ABS (across - down) <= slack, "%d x %d", across, down);
  if (full)
    fail_unless (ABS (across - 2 * RADIUS) <= 6, "%d", across);
}

/* the square, as the model would answer it: unchanged, at ANSWER a side */
static GstBuffer *
answer (GstBuffer * square, const GstVideoInfo * square_info,
    GstVideoInfo * answer_info)
{
  rgba_info (answer_info, ANSWER, ANSWER);
  return gst_imagegen_scale (square, square_info, answer_info,
      GST_IMAGEGEN_SCALE_MODE_STRETCH);
}

/* frame -> square -> answer -> frame with @mode; the square and the frame
 * back, and *@out_info */
static void
round_trip (GstImagegenScaleMode mode, GstBuffer ** square,
    GstBuffer ** back, GstVideoInfo * out_info)
{
  GstVideoInfo frame_info, square_info, answer_info;
  GstBuffer *frame = marked_frame (&frame_info), *answered;

  *square = gst_imagegen_square_fit (frame, &frame_info, SIDE, mode,
      &square_info);
  fail_unless (*square != NULL);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&square_info), SIDE);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&square_info), SIDE);
  fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (&square_info),
      GST_VIDEO_FORMAT_RGBA);
  answered = answer (*square, &square_info, &answer_info);
  rgba_info (out_info, W, H);
  *back = gst_imagegen_square_place (answered, &answer_info, &frame_info,
      out_info, mode);
  fail_unless (*back != NULL);
  gst_buffer_unref (answered);
  gst_buffer_unref (frame);
}

/* every mode: the disc is back round, at its size; frees both */
static void
round_trip_end (GstBuffer * square, GstBuffer * back)
{
  assert_round (back, W, H, 4, TRUE);
  gst_buffer_unref (square);
  gst_buffer_unref (back);
}

/* fit: letterboxed in the square (bars above and below, the red edge on
 * the left, the disc round); back on the frame the bars are gone, the
 * edge is on the left and the disc round */
GST_START_TEST (test_fit_letterboxes_and_cuts_back)
{
  GstBuffer *square, *back;
  GstVideoInfo out_info;
  GstMapInfo map;

  round_trip (GST_IMAGEGEN_SCALE_MODE_FIT, &square, &back, &out_info);
  gst_buffer_map (square, &map, GST_MAP_READ);
  fail_unless (is_black (pixel (&map, SIDE, SIDE / 2, 2)));
  fail_unless (is_black (pixel (&map, SIDE, SIDE / 2, SIDE - 3)));
  fail_unless (is_red (pixel (&map, SIDE, 2, SIDE / 2 - 20)));
  gst_buffer_unmap (square, &map);
  assert_round (square, SIDE, SIDE, 3, FALSE);

  gst_buffer_map (back, &map, GST_MAP_READ);
  fail_unless (is_red (pixel (&map, W, 3, 5)));
  fail_unless (is_red (pixel (&map, W, 3, H - 6)));
  fail_if (is_red (pixel (&map, W, W - 4, 5)));
  fail_if (is_black (pixel (&map, W, W / 2, 1)));
  fail_if (is_black (pixel (&map, W, W / 2, H - 2)));
  gst_buffer_unmap (back, &map);
  round_trip_end (square, back);
}

GST_END_TEST;

/* fill: the square is the frame's centre (the red edge cut off, the disc
 * round); back on the frame it covers that centre, black at the sides */
GST_START_TEST (test_fill_crops_the_centre)
{
  GstBuffer *square, *back;
  GstVideoInfo out_info;
  GstMapInfo map;
  gint x;

  round_trip (GST_IMAGEGEN_SCALE_MODE_FILL, &square, &back, &out_info);
  gst_buffer_map (square, &map, GST_MAP_READ);
  for (x = 0; x < SIDE; x += 4)
    fail_if (is_red (pixel (&map, SIDE, x, 4)), "red at %d", x);
  fail_if (is_black (pixel (&map, SIDE, 2, 2)));
  gst_buffer_unmap (square, &map);
  assert_round (square, SIDE, SIDE, 3, FALSE);

  gst_buffer_map (back, &map, GST_MAP_READ);
  /* the centre H x H shows the square, the sides were never sent */
  fail_unless (is_black (pixel (&map, W, 3, H / 2)));
  fail_unless (is_black (pixel (&map, W, W - 4, H / 2)));
  fail_if (is_black (pixel (&map, W, (W - H) / 2 + 4, 4)));
  fail_if (is_black (pixel (&map, W, (W + H) / 2 - 5, H - 5)));
  gst_buffer_unmap (back, &map);
  round_trip_end (square, back);
}

GST_END_TEST;

/* stretch: squashed into the square (the disc taller than wide, the edge
 * still on the left); back on the frame, round again */
GST_START_TEST (test_stretch_unsquashes)
{
  GstBuffer *square, *back;
  GstVideoInfo out_info;
  GstMapInfo map;
  gint across, down;

  round_trip (GST_IMAGEGEN_SCALE_MODE_STRETCH, &square, &back, &out_info);
  disc_extent (square, SIDE, SIDE, SIDE / 2, SIDE / 2, &across, &down);
  fail_unless (down > across + 20, "%d x %d", across, down);
  gst_buffer_map (square, &map, GST_MAP_READ);
  fail_unless (is_red (pixel (&map, SIDE, 2, 2)));
  gst_buffer_unmap (square, &map);

  gst_buffer_map (back, &map, GST_MAP_READ);
  fail_unless (is_red (pixel (&map, W, 3, 3)));
  fail_if (is_red (pixel (&map, W, W - 4, 3)));
  gst_buffer_unmap (back, &map);
  round_trip_end (square, back);
}

GST_END_TEST;

static Suite *
square_suite (void)
{
  return element_test_suite ("square", 0,
      ELEMENT_TEST (test_fit_letterboxes_and_cuts_back),
      ELEMENT_TEST (test_fill_crops_the_centre),
      ELEMENT_TEST (test_stretch_unsquashes), NULL);
}

GST_CHECK_MAIN (square);
