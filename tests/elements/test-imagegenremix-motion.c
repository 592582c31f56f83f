/* gst-imagegen: imagegenremix motion=flow against imagegen-emulator.
 *
 * The emulator's remix is the first source image, scaled and colour
 * inverted, so the ideal output of any frame is that frame inverted: a
 * frame between picks shows, with motion=flow, the inverted picture where
 * its content is now; with motion=hold, where it was at the pick.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"             /* HAVE_MOTION */

#include <math.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define W 160
#define H 96
#define MOTION_CAPS "video/x-raw,format=RGBA,width=160,height=96,framerate=30/1"
/* pixels a frame the texture pans or the square moves */
#define SPEED 2
/* picks every 15 frames (interval 0.5 s at 30 fps) */
#define PICK_EVERY 15

#ifdef HAVE_MOTION
#include "remix-test-frames.h"

/* a smooth, non-repeating texture flow can follow; @shot 1 is another
 * shot: brighter and greener, so that a cut is plain */
static void
texture (gdouble u, gdouble v, guint shot, guint8 rgb[3])
{
  gdouble t = sin (u / 6.0) * 0.5 + sin (v / 5.0 + u / 13.0) * 0.3 +
      sin ((u + 2 * v) / 17.0) * 0.2;

  if (shot == 0) {
    rgb[0] = (guint8) (80 + 40 * t);
    rgb[1] = rgb[2] = 30;
  } else {
    rgb[0] = rgb[2] = 200;
    rgb[1] = (guint8) (190 + 40 * t);
  }
}

/* frame @i of a clip: the texture panning SPEED px a frame to the left
 * (its content moves left), or, with @square, still, under a flat square
 * moving SPEED px a frame to the right; shot 1 from frame @cut on */
typedef struct
{
  guint i, shot;
  gboolean square;
} MotionFrame;

static void
paint_motion (gint x, gint y, guint8 rgb[3], gpointer data)
{
  MotionFrame *f = data;
  gint sx = 20 + SPEED * (gint) f->i;

  if (f->square && x >= sx && x < sx + 24 && y >= 36 && y < 60) {
    rgb[0] = 230;
    rgb[1] = 220;
    rgb[2] = 40;
  } else {
    texture (x + (f->square ? 0 : SPEED * (gdouble) f->i), y, f->shot, rgb);
  }
}

static GstBuffer *
motion_frame (guint i, gboolean square, guint cut)
{
  MotionFrame f = { i, i >= cut ? 1 : 0, square };
  GstBuffer *buf = element_test_painted_frame (W, H, paint_motion, &f);

  GST_BUFFER_PTS (buf) = FRAME_TIME (i);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (i + 1) - FRAME_TIME (i);
  return buf;
}

/* imagegenremix motion=@motion mode=@mode in a harness, against an
 * emulator whose tasks take @latency_ms */
static GstHarness *
motion_start_model (ElementTestHarness * e, const gchar * const *args,
    const gchar * model, const gchar * motion, const gchar * mode)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  g_object_set (remix, "prompt", "watercolour", "poll-interval", 50,
      "interval", GST_SECOND / 2, "max-in-flight", 4, "jpeg-quality", 95,
      NULL);
  if (model != NULL)
    g_object_set (remix, "model", model, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "motion", motion);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", mode);
  element_test_harness_start (e, args, remix, "sink", "src");
  gst_harness_set_sink_caps_str (e->h, MOTION_CAPS);
  gst_harness_set_src_caps_str (e->h, MOTION_CAPS);
  return e->h;
}

static GstHarness *
motion_start (ElementTestHarness * e, const gchar * latency_ms,
    const gchar * motion, const gchar * mode)
{
  const gchar *args[] = { "--latency", latency_ms, NULL };

  return motion_start_model (e, args, NULL, motion, mode);
}

/* Runs frames 0..@n-1 of a clip through motion=@motion and EOS; the
 * output frames, in order. */
static GPtrArray *
run_clip (const gchar * motion, gboolean square, guint cut, guint n,
    const gchar * pick)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "100", motion, "offline");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_buffer_unref);
  guint i;

  if (pick != NULL)
    gst_util_set_object_arg (G_OBJECT (h->element), "pick", pick);
  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push (h, motion_frame (i, square,
                cut)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), n);
  for (i = 0; i < n; i++)
    g_ptr_array_add (out, gst_harness_pull (h));
  element_test_harness_stop (&e);
  return out;
}

/* The pan (in pixels of texture) whose inverted picture the middle of
 * @buf shows best, searched from 0 to @max. */
static gint
shown_pan (GstBuffer * buf, gint max)
{
  gint best = -1, d, x, y;
  gdouble best_err = G_MAXDOUBLE;
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (d = 0; d <= max; d++) {
    gdouble err = 0;

    for (y = 16; y < H - 16; y += 2)
      for (x = 40; x < W - 40; x++) {
        guint8 want[3];
        texture (x + d, y, 0, want);
        err += ABS ((255 - want[0]) - map.data[4 * (y * W + x)]);
      }
    if (err < best_err) {
      best_err = err;
      best = d;
    }
  }
  gst_buffer_unmap (buf, &map);
  return best;
}

/* A panning texture: flow shows each frame's content where it is now,
 * within 2 px; hold shows where it was at the pick. */
GST_START_TEST (test_pan_follows_motion)
{
  GPtrArray *flow = run_clip ("flow", FALSE, G_MAXUINT, 31, NULL);
  GPtrArray *hold = run_clip ("hold", FALSE, G_MAXUINT, 31, NULL);
  guint i;

  for (i = 0; i < 31; i++) {
    gint now = SPEED * i, at_pick = SPEED * (i - i % PICK_EVERY);
    gint f = shown_pan (g_ptr_array_index (flow, i), 70);
    gint hd = shown_pan (g_ptr_array_index (hold, i), 70);

    fail_unless (ABS (f - now) <= 2, "flow frame %u shows the pan at %d px, "
        "not %d", i, f, now);
    fail_unless_equals_int (hd, at_pick);
  }
  g_ptr_array_unref (flow);
  g_ptr_array_unref (hold);
}

GST_END_TEST;

static void
pixel_at (GstBuffer * buf, gint x, gint y, guint8 rgb[3])
{
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  memcpy (rgb, map.data + 4 * (y * W + x), 3);
  gst_buffer_unmap (buf, &map);
}

/* Is the inverted square (25, 35, 215) at @x, @y? */
static gboolean
square_at (GstBuffer * buf, gint x, gint y)
{
  guint8 rgb[3];

  pixel_at (buf, x, y, rgb);
  return rgb[0] < 70 && rgb[1] < 80 && rgb[2] > 170;
}

/* A square moving over a still background: with flow it is where it is
 * now, and the background where it was; hold leaves it behind. */
GST_START_TEST (test_moving_square)
{
  GPtrArray *flow = run_clip ("flow", TRUE, G_MAXUINT, 31, NULL);
  GPtrArray *hold = run_clip ("hold", TRUE, G_MAXUINT, 31, NULL);
  guint i;

  for (i = 1; i < 31; i++) {
    gint now = 20 + SPEED * i + 12, then = 20 + SPEED * (i - i % 15) + 12;
    GstBuffer *f = g_ptr_array_index (flow, i);
    GstBuffer *hd = g_ptr_array_index (hold, i);

    if (i % PICK_EVERY == 0)
      continue;
    /* the square's front and back edges, 2 px in */
    fail_unless (square_at (f, now + 10, 48) && square_at (f, now - 10, 48),
        "flow frame %u: the square is not where it is now", i);
    if (now - then >= 24)
      fail_if (square_at (f, then, 48), "flow frame %u: the square stays "
          "where it was", i);
    fail_unless (square_at (hd, then, 48));
    if (now - then > 14)
      fail_if (square_at (hd, now + 10, 48));
  }
  g_ptr_array_unref (flow);
  g_ptr_array_unref (hold);
}

GST_END_TEST;

/* A hard cut between picks (pick=interval): frames before it take no
 * pixel of the pick after it, frames after it none of the pick before;
 * pick=both makes the cut a pick, with the same outcome. */
static void
check_cut (const gchar * pick)
{
  GPtrArray *flow = run_clip ("flow", FALSE, 10, 31, pick);
  GstMapInfo map;
  guint i, p;

  for (i = 0; i < 31; i++) {
    GstBuffer *buf = g_ptr_array_index (flow, i);

    gst_buffer_map (buf, &map, GST_MAP_READ);
    for (p = 0; p < W * H; p++) {
      guint8 g = map.data[4 * p + 1];
      /* shot 0 inverted: G 225; shot 1 inverted: G 25..105 */
      if (i < 10)
        fail_unless (g > 190, "frame %u (first shot), pixel %u: G %u", i,
            p, g);
      else
        fail_unless (g < 130, "frame %u (second shot), pixel %u: G %u", i,
            p, g);
    }
    gst_buffer_unmap (buf, &map);
  }
  g_ptr_array_unref (flow);
}

GST_START_TEST (test_cut_between_picks)
{
  check_cut (NULL);
}

GST_END_TEST;

GST_START_TEST (test_cut_picked)
{
  check_cut ("both");
}

GST_END_TEST;

static guint64
stat_u64 (GstElement * remix, const gchar * field)
{
  GstStructure *stats = NULL;
  guint64 v = 0;

  g_object_get (remix, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint64 (stats, field, &v), "no %s", field);
  gst_structure_free (stats);
  return v;
}

/* Stats: frames carried, those from one neighbour (after the last pick),
 * and the time they took. */
GST_START_TEST (test_flow_stats)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "100", "flow", "offline");
  GstStructure *stats = NULL;
  gdouble ms = -1;
  guint i;

  for (i = 0; i < 20; i++)
    gst_harness_push (h, motion_frame (i, FALSE, G_MAXUINT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  /* 0 and 15 are picks; 1..14 between them, 16..19 after the last */
  fail_unless_equals_uint64 (stat_u64 (h->element, "frames-flow"), 18);
  fail_unless_equals_uint64 (stat_u64 (h->element,
          "frames-flow-one-neighbour"), 4);
  fail_unless_equals_uint64 (stat_u64 (h->element, "frames-flow-fallback"),
      0);
  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_double (stats, "flow-ms-per-frame", &ms));
  fail_unless (ms > 0);
  gst_structure_free (stats);
  element_test_harness_stop (&e);
}

GST_END_TEST;

/* A flushing seek while frames wait for their next pick: nothing of
 * before shows after, and the frames after still follow the pan. */
GST_START_TEST (test_flushing_seek)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "300", "flow", "offline");
  GstSegment segment;
  guint i;

  for (i = 0; i < 10; i++)
    gst_harness_push (h, motion_frame (i, FALSE, G_MAXUINT));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  /* frames that were gone before the flush may be out: drop them */
  while (gst_harness_buffers_in_queue (h) > 0)
    gst_buffer_unref (gst_harness_pull (h));
  for (i = 0; i < 20; i++)
    gst_harness_push (h, motion_frame (i + 5, FALSE, G_MAXUINT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 20);
  for (i = 0; i < 20; i++) {
    GstBuffer *out = gst_harness_pull (h);
    gint pan = shown_pan (out, 70);

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i + 5));
    fail_unless (ABS (pan - SPEED * (gint) (i + 5)) <= 2,
        "frame %u after the seek shows the pan at %d px", i + 5, pan);
    gst_buffer_unref (out);
  }
  element_test_harness_stop (&e);
}

GST_END_TEST;

/* New caps while frames wait for their next pick: every frame comes out
 * at its own size. */
GST_START_TEST (test_caps_change)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "100", "flow", "offline");
  guint i;

  gst_harness_set_sink_caps_str (h, "video/x-raw,format=RGBA");
  for (i = 0; i < 8; i++)
    gst_harness_push (h, motion_frame (i, FALSE, G_MAXUINT));
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1");
  for (i = 8; i < 24; i++)
    gst_harness_push (h, make_frame (i, 64, 48));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 24);
  for (i = 0; i < 24; i++) {
    GstBuffer *out = gst_harness_pull (h);

    fail_unless_equals_int (gst_buffer_get_size (out),
        i < 8 ? W * H * 4 : 64 * 48 * 4);
    /* flat frames: no motion, the pick's remix as it is */
    if (i >= 15)
      fail_unless (shows_frame (out, 15, TRUE, 64, 48),
          "frame %u does not show the remix of frame 15", i);
    gst_buffer_unref (out);
  }
  element_test_harness_stop (&e);
}

GST_END_TEST;

/* NULL while frames are being carried: returns, nothing leaks (valgrind
 * runs of this test). */
GST_START_TEST (test_null_while_flowing)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "50", "flow", "offline");
  guint i;

  for (i = 0; i < 40; i++)
    gst_harness_push (h, motion_frame (i, FALSE, G_MAXUINT));
  /* some frames out: flow has run */
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  element_test_harness_stop (&e);
}

GST_END_TEST;

/* Live mode carries the newest result to the frame: once a result is in,
 * the frames after it follow the pan, and none waits. */
static void
live_carries_newest (ElementTestHarness * e, GstHarness * h)
{
  GstBuffer *out;
  guint i;

  gst_harness_push (h, motion_frame (0, FALSE, G_MAXUINT));
  gst_buffer_unref (gst_harness_pull (h));
  /* the result lands on a worker after its download (a safety net of
   * 30 s, not a timing bound) */
  for (i = 0; i < 1500 && stat_u64 (h->element, "frames-own-result") +
      stat_u64 (h->element, "frames-older-result") == 0; i++) {
    gst_harness_push (h, motion_frame (1, FALSE, G_MAXUINT));
    gst_buffer_unref (gst_harness_pull (h));
    g_usleep (20 * 1000);
  }
  fail_if (stat_u64 (h->element, "frames-own-result") +
      stat_u64 (h->element, "frames-older-result") == 0, "no result");
  for (i = 2; i < 8; i++) {
    gst_harness_push (h, motion_frame (i, FALSE, G_MAXUINT));
    out = gst_harness_pull (h);
    /* flow fits a 160x96 frame's 33 ms; a loaded machine may fall back */
    if (stat_u64 (h->element, "frames-flow-fallback") == 0)
      fail_unless (ABS (shown_pan (out, 70) - SPEED * (gint) i) <= 2,
          "live frame %u does not follow the pan", i);
    gst_buffer_unref (out);
  }
  fail_unless (stat_u64 (h->element, "frames-flow") +
      stat_u64 (h->element, "frames-flow-fallback") >= 6);
  element_test_harness_stop (e);
}

GST_START_TEST (test_live_carries_newest)
{
  ElementTestHarness e;

  live_carries_newest (&e, motion_start (&e, "50", "flow", "live"));
}

GST_END_TEST;

/* fal realtime's results (the frame fitted into its square and the
 * answer cut back) are carried the same way. */
GST_START_TEST (test_live_carries_realtime)
{
  const gchar *args[] = { "--fal-realtime-ms", "50", NULL };
  ElementTestHarness e;

  live_carries_newest (&e, motion_start_model (&e, args,
          "fal-ai/flux-2/klein/realtime", "flow", "live"));
}

GST_END_TEST;

/* measure-flicker over @n frames of the pan through motion=@motion:
 * the stats' figures for the output and the input */
static void
run_flicker (const gchar * motion, guint n, gdouble * out, gdouble * in)
{
  ElementTestHarness e;
  GstHarness *h = motion_start (&e, "100", motion, "offline");
  GstStructure *stats = NULL;
  guint i;

  g_object_set (h->element, "measure-flicker", TRUE, NULL);
  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_harness_push (h, motion_frame (i, FALSE,
                G_MAXUINT)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  /* every frame but the first is measured against the one before */
  fail_unless_equals_uint64 (stat_u64 (h->element, "flicker-frames"), n - 1);
  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_double (stats, "flicker-output", out));
  fail_unless (gst_structure_get_double (stats, "flicker-input", in));
  gst_structure_free (stats);
  element_test_harness_stop (&e);
}

/* The emulator's inversion keeps every difference: with motion=flow the
 * output's figure is near the input's; with hold, where the picture
 * stands still and jumps at picks, well above flow's. */
GST_START_TEST (test_flicker_figures)
{
  gdouble flow_out, flow_in, hold_out, hold_in;

  run_flicker ("flow", 40, &flow_out, &flow_in);
  run_flicker ("hold", 40, &hold_out, &hold_in);
  GST_INFO ("flow: output %.2f input %.2f; hold: output %.2f input %.2f",
      flow_out, flow_in, hold_out, hold_in);
  /* the same input, the same figure (here about 0.15: the flow follows
   * the pan; flow's output about 0.7, hold's about 2.3) */
  fail_unless (ABS (flow_in - hold_in) < 0.01);
  fail_unless (flow_out < flow_in + 1.5, "flow output %.2f, input %.2f",
      flow_out, flow_in);
  fail_unless (hold_out > 2.0 * flow_out && hold_out > flow_in + 1.5,
      "hold %.2f, flow %.2f, input %.2f", hold_out, flow_out, flow_in);
}

GST_END_TEST;

#endif /* HAVE_MOTION */

/* measure-flicker without a frame measured, or in a build without the
 * feature: no figure in the stats */
GST_START_TEST (test_flicker_absent)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstStructure *stats = NULL;

  g_object_set (remix, "measure-flicker", TRUE, NULL);
  g_object_get (remix, "stats", &stats, NULL);
  fail_if (gst_structure_has_field (stats, "flicker-output"));
  fail_if (gst_structure_has_field (stats, "flicker-input"));
  gst_structure_free (stats);
  gst_object_unref (remix);
}

GST_END_TEST;

/* motion=flow in a build without the feature: one clear error at start;
 * with it, flow starts. */
GST_START_TEST (test_flow_without_feature)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  g_object_set (remix, "prompt", "watercolour", "api-key", "test-key",
      "base-url", "http://127.0.0.1:9", NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "motion", "flow");
#ifdef HAVE_MOTION
  fail_unless_equals_int (gst_element_set_state (remix, GST_STATE_PAUSED),
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (remix, GST_STATE_NULL);
  gst_object_unref (remix);
#else
  {
    gchar *error = element_test_start_error (remix);

    gst_object_unref (remix);
    fail_unless (strstr (error, "motion=flow needs the motion feature")
        != NULL, "error: %s", error);
    g_free (error);
  }
#endif
}

GST_END_TEST;

static Suite *
motion_suite (void)
{
#ifndef HAVE_MOTION
  /* a build without the feature: only its refusal */
  return element_test_suite ("imagegenremix-motion", 180,
      ELEMENT_TEST (test_flow_without_feature),
      ELEMENT_TEST (test_flicker_absent), NULL);
#else
  return element_test_suite ("imagegenremix-motion", 180,
      ELEMENT_TEST (test_pan_follows_motion),
      ELEMENT_TEST (test_moving_square),
      ELEMENT_TEST (test_cut_between_picks),
      ELEMENT_TEST (test_cut_picked),
      ELEMENT_TEST (test_flow_stats),
      ELEMENT_TEST (test_flushing_seek),
      ELEMENT_TEST (test_caps_change),
      ELEMENT_TEST (test_null_while_flowing),
      ELEMENT_TEST (test_live_carries_newest),
      ELEMENT_TEST (test_live_carries_realtime),
      ELEMENT_TEST (test_flicker_figures),
      ELEMENT_TEST (test_flicker_absent),
      ELEMENT_TEST (test_flow_without_feature), NULL);
#endif
}

GST_CHECK_MAIN (motion);
