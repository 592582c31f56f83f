/* gst-imagegen: imagegenremix on fal's realtime WebSocket
 * (fal-ai/flux-2/klein/realtime), live and aligned, against the
 * emulator's realtime side.
 *
 * The emulator's realtime remix is the frame it got, inverted (and framed
 * by a border of the prompt's colour): the middle of an output frame tells
 * which input frame's result it shows.  Frames are held (fal-frame:held)
 * where the test decides when a result comes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"
#include "remix-test-frames.h"

#define REALTIME "fal-ai/flux-2/klein/realtime"
#define WIDTH 64
#define HEIGHT 48
#define CAPS "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"

typedef struct
{
  ElementTestHarness e;
  guint warnings;
  gchar *warning;               /* the first one's text */
} Rt;

/* imagegenremix mode=@mode on the realtime model, a pick every frame,
 * against an emulator started with @args */
static Rt *
rt_start (const gchar * const *args, const gchar * mode, const gchar * caps)
{
  Rt *rt = g_new0 (Rt, 1);
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  g_object_set (remix, "prompt", "watercolour", "model", REALTIME,
      "interval", FRAME_TIME (1), "latency", GST_SECOND, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", mode);
  element_test_harness_start (&rt->e, args, remix, "sink", "src");
  gst_harness_set_sink_caps_str (rt->e.h, caps);
  gst_harness_set_src_caps_str (rt->e.h, caps);
  return rt;
}

/* live, against an emulator with @fault (a --fail spec) */
static Rt *
rt_start_failing (const gchar * fault)
{
  const gchar *args[] = { "--fal-realtime-ms", "0", "--fail", fault, NULL };

  return rt_start (args, "live", CAPS);
}

static void
rt_stop (Rt * rt)
{
  element_test_harness_stop (&rt->e);
  g_free (rt->warning);
  g_free (rt);
}

static void
wait_task_event (Rt * rt, const gchar * event)
{
  element_test_wait_task_event (rt->e.bus, event, &rt->warnings,
      &rt->warning);
}

/* @n warnings so far, the first one saying @says */
static void
assert_warned (Rt * rt, guint n, const gchar * says)
{
  fail_unless_equals_int (element_test_count_warnings (rt->e.bus,
          &rt->warnings, &rt->warning), n);
  fail_unless (strstr (rt->warning, says) != NULL, "%s", rt->warning);
}

static guint64
stat (Rt * rt, const gchar * name)
{
  return element_test_stat (rt->e.h->element, name);
}

/* Waits until the element's stat @name is at least @min (a safety net,
 * not a timing bound). */
static void
wait_stat (Rt * rt, const gchar * name, guint64 min)
{
  guint i;

  for (i = 0; i < 3000 && stat (rt, name) < min; i++)
    g_usleep (10 * 1000);
  fail_unless (stat (rt, name) >= min, "%s stays under %" G_GUINT64_FORMAT,
      name, min);
}

/* Waits until the emulator's count @name is at least @min (a safety net,
 * not a timing bound). */
static void
wait_emu_stat (Rt * rt, const gchar * name, gint64 min)
{
  guint i;

  for (i = 0; i < 3000 && imagegen_test_emulator_count (rt->e.emu, name) <
      min; i++)
    g_usleep (10 * 1000);
  fail_unless (imagegen_test_emulator_count (rt->e.emu, name) >= min,
      "%s stays under %" G_GINT64_FORMAT, name, min);
}

/* Live: pushes frame @i; returns what left for it */
static GstBuffer *
live_frame (Rt * rt, guint i)
{
  fail_unless_equals_int (gst_harness_push (rt->e.h, make_frame (i, WIDTH,
              HEIGHT)), GST_FLOW_OK);
  return gst_harness_pull (rt->e.h);
}

/* Live: pushes frame @i and waits for its result */
static void
live_result (Rt * rt, guint i)
{
  gst_buffer_unref (live_frame (rt, i));
  wait_task_event (rt, "completed");
}

/* the emulator's count @name is @n */
static void
assert_emu (Rt * rt, const gchar * name, gint64 n)
{
  fail_unless_equals_int (imagegen_test_emulator_count (rt->e.emu, name), n);
}

/* one reconnect, with a second token, and no frame failed */
static void
assert_reconnected_once (Rt * rt)
{
  fail_unless_equals_int (stat (rt, "reconnects"), 1);
  fail_unless_equals_int (stat (rt, "failed"), 0);
  assert_emu (rt, "fal_tokens", 2);
}

static void
assert_live_shows (Rt * rt, guint i, guint source)
{
  GstBuffer *out = live_frame (rt, i);

  fail_unless (shows_frame (out, source, TRUE, WIDTH, HEIGHT),
      "frame %u does not show frame %u's remix", i, source);
  gst_buffer_unref (out);
}

static const gchar *held[] = { "--fal-realtime-ms", "0", "--fail",
  "fal-frame:held:*", NULL
};

/* Live, a pick every frame, results held: frame 0 goes at once; 1, 2 and
 * 3 come while it is in service and each replaces the one waiting, so
 * only 3 goes next (the emulator gets 2 frames); each result shows on the
 * frames after it; the replaced picks are neither errors nor warnings,
 * and counted. */
GST_START_TEST (test_live_newest_wins)
{
  Rt *rt = rt_start (held, "live", CAPS);
  guint i;

  gst_buffer_unref (live_frame (rt, 0));
  wait_emu_stat (rt, "fal_rt_frames", 1);
  for (i = 1; i <= 3; i++)
    gst_buffer_unref (live_frame (rt, i));
  /* picks are encoded on workers: 3 waits once 1 and 2 are replaced */
  wait_stat (rt, "frames-superseded", 2);
  fail_unless_equals_int (imagegen_test_emulator_release (rt->e.emu, 1), 1);
  wait_task_event (rt, "completed");
  assert_live_shows (rt, 4, 0);

  /* the newest waiting pick went next: frame 3 (not 1, 2 or 4, which
   * came while 3 was in service and waits in turn) */
  wait_emu_stat (rt, "fal_rt_frames", 2);
  fail_unless_equals_int (imagegen_test_emulator_release (rt->e.emu, 1), 1);
  wait_task_event (rt, "completed");
  assert_live_shows (rt, 5, 3);

  fail_unless_equals_int (stat (rt, "frames-superseded"), 2);
  fail_unless_equals_int (stat (rt, "succeeded"), 2);
  fail_unless_equals_int (stat (rt, "failed"), 0);
  fail_unless_equals_int (element_test_count_warnings (rt->e.bus,
          &rt->warnings, &rt->warning), 0);
  assert_emu (rt, "fal_rt_results", 2);
  rt_stop (rt);
}

GST_END_TEST;

static const gchar *prompt_ms[] = { "--fal-realtime-ms", "0", NULL };

/* Aligned: each frame picked, answered before the next comes; at their
 * deadlines, each frame shows its own result. */
GST_START_TEST (test_aligned_own_frames)
{
  Rt *rt = rt_start (prompt_ms, "aligned", CAPS);
  GstBuffer *out;
  guint i;

  for (i = 0; i < 3; i++) {
    fail_unless_equals_int (gst_harness_push (rt->e.h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
    wait_task_event (rt, "completed");
  }
  for (i = 0; i < 3; i++) {
    fail_unless (gst_harness_crank_single_clock_wait (rt->e.h));
    out = gst_harness_pull (rt->e.h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    fail_unless (shows_frame (out, i, TRUE, WIDTH, HEIGHT),
        "frame %u does not show its own remix", i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (stat (rt, "frames-own-result"), 3);
  fail_unless_equals_int (element_test_count_warnings (rt->e.bus,
          &rt->warnings, &rt->warning), 0);
  rt_stop (rt);
}

GST_END_TEST;

/* The socket drops after the first result: a warning, counted; the
 * client reconnects with a new token and resends the frame; the picture
 * goes on. */
GST_START_TEST (test_drop_reconnects)
{
  Rt *rt = rt_start_failing ("fal-frame:drop@1:1");

  live_result (rt, 0);
  live_result (rt, 1);
  assert_live_shows (rt, 2, 1);

  assert_warned (rt, 1, "realtime WebSocket dropped");
  fail_unless_equals_int (stat (rt, "drops"), 1);
  assert_reconnected_once (rt);
  assert_emu (rt, "fal_rt_connects", 2);
  rt_stop (rt);
}

GST_END_TEST;

/* An x-fal-error fails that frame: a warning naming it, not an error;
 * the next frame's result shows. */
GST_START_TEST (test_service_error_is_warning)
{
  Rt *rt = rt_start_failing ("fal-frame:error:1");
  GstBuffer *out;

  out = live_frame (rt, 0);
  /* no result yet: the frame as it is */
  fail_unless (shows_frame (out, 0, FALSE, WIDTH, HEIGHT));
  gst_buffer_unref (out);
  wait_task_event (rt, "failed");
  assert_warned (rt, 1, "INTERNAL_ERROR");
  live_result (rt, 1);
  assert_live_shows (rt, 2, 1);
  fail_unless_equals_int (stat (rt, "service-errors"), 1);
  fail_unless_equals_int (stat (rt, "drops"), 0);
  rt_stop (rt);
}

GST_END_TEST;

/* Unauthorized on the open socket: a new token, one reconnect, the frame
 * sent again and its result shown; no warning. */
GST_START_TEST (test_unauthorized_reauthenticates)
{
  Rt *rt = rt_start_failing ("fal-frame:unauthorized:1");

  live_result (rt, 0);
  assert_live_shows (rt, 1, 0);
  assert_reconnected_once (rt);
  assert_emu (rt, "fal_rt_unauthorized", 1);
  rt_stop (rt);
}

GST_END_TEST;

/* How many realtime sockets the emulator saw end with close code @code */
static gint64
emu_closes (Rt * rt, const gchar * code)
{
  JsonObject *stats = imagegen_test_emulator_stats (rt->e.emu);
  JsonObject *closes = json_object_get_object_member (stats,
      "fal_rt_closes");
  gint64 n = closes ? json_object_get_int_member_with_default (closes, code,
      0) : 0;

  json_object_unref (stats);
  return n;
}

/* NULL closes the socket at once, with 1000, even with a frame held in
 * service. */
GST_START_TEST (test_null_closes_socket)
{
  Rt *rt = rt_start (held, "live", CAPS);
  guint i;

  gst_buffer_unref (live_frame (rt, 0));
  wait_emu_stat (rt, "fal_rt_frames", 1);
  fail_unless_equals_int (gst_element_set_state (rt->e.h->element,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  /* the close is on its way (a safety net, not a timing bound) */
  for (i = 0; i < 3000 && emu_closes (rt, "1000") == 0; i++)
    g_usleep (10 * 1000);
  /* one clean close, no cut connection */
  fail_unless (emu_closes (rt, "1000") == 1 && emu_closes (rt, "1006") == 0);
  rt_stop (rt);
}

GST_END_TEST;

/* A key the token endpoint refuses stops the stream with an error; no
 * socket is opened. */
GST_START_TEST (test_refused_key_is_error)
{
  Rt *rt = rt_start_failing ("fal-token:401:*");
  GstFlowReturn ret = GST_FLOW_OK;
  gchar *text;
  guint i;

  gst_buffer_unref (live_frame (rt, 0));
  /* the refusal is latched when the token's answer comes; a later frame
   * stops the stream (a safety net of 30 s, not a timing bound) */
  for (i = 1; i < 1500 && ret == GST_FLOW_OK; i++) {
    ret = gst_harness_push (rt->e.h, make_frame (i, WIDTH, HEIGHT));
    if (ret == GST_FLOW_OK) {
      gst_buffer_unref (gst_harness_pull (rt->e.h));
      g_usleep (20 * 1000);
    }
  }
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  text = element_test_pop_error (rt->e.bus);
  fail_unless (strstr (text, "key") != NULL, "%s", text);
  g_free (text);
  assert_emu (rt, "fal_rt_connects", 0);
  rt_stop (rt);
}

GST_END_TEST;

#define WIDE_W 160
#define WIDE_H 90
#define WIDE_CAPS "video/x-raw,format=RGBA,width=160,height=90,framerate=30/1"
#define BAND 24

/* red for x < BAND, grey elsewhere */
static void
paint_marked (gint x, gint y, guint8 rgb[3], gpointer data)
{
  if (x < BAND) {
    rgb[0] = 220;
    rgb[1] = rgb[2] = 40;
  } else {
    rgb[0] = rgb[1] = rgb[2] = 100;
  }
}

/* A 16:9 frame goes to the model fitted into its square (scale-mode=fit,
 * the default) and its answer comes back cut to the frame: the red band
 * (cyan, inverted) is on the left from the top row to the bottom one,
 * and no letterbox bar is left over. */
GST_START_TEST (test_square_fit_keeps_shape)
{
  Rt *rt = rt_start (prompt_ms, "live", WIDE_CAPS);
  GstBuffer *in = element_test_painted_frame (WIDE_W, WIDE_H, paint_marked,
      NULL), *out;
  const guint8 cyan[3] = { 35, 215, 215 }, grey[3] = { 155, 155, 155 };
  GstMapInfo map;

  fail_unless_equals_int (gst_harness_push (rt->e.h, gst_buffer_copy (in)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (rt->e.h));
  wait_task_event (rt, "completed");
  GST_BUFFER_PTS (in) = FRAME_TIME (1);
  fail_unless_equals_int (gst_harness_push (rt->e.h, in), GST_FLOW_OK);
  out = gst_harness_pull (rt->e.h);
  gst_buffer_map (out, &map, GST_MAP_READ);
  /* inside the emulator's border (a few pixels at the result's sides) */
  element_test_assert_near (map.data + 4 * (1 * WIDE_W + BAND / 2), cyan,
      TOLERANCE);
  element_test_assert_near (map.data + 4 * ((WIDE_H - 2) * WIDE_W +
          BAND / 2), cyan, TOLERANCE);
  element_test_assert_near (map.data + 4 * (1 * WIDE_W + WIDE_W / 2), grey,
      TOLERANCE);
  element_test_assert_near (map.data + 4 * ((WIDE_H - 2) * WIDE_W +
          WIDE_W - BAND), grey, TOLERANCE);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  rt_stop (rt);
}

GST_END_TEST;

static Suite *
imagegenremix_realtime_suite (void)
{
  return element_test_suite ("imagegenremix-realtime", 180,
      ELEMENT_TEST (test_live_newest_wins),
      ELEMENT_TEST (test_aligned_own_frames),
      ELEMENT_TEST (test_drop_reconnects),
      ELEMENT_TEST (test_service_error_is_warning),
      ELEMENT_TEST (test_unauthorized_reauthenticates),
      ELEMENT_TEST (test_null_closes_socket),
      ELEMENT_TEST (test_refused_key_is_error),
      ELEMENT_TEST (test_square_fit_keeps_shape), NULL);
}

GST_CHECK_MAIN (imagegenremix_realtime);
