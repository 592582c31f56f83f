/* gst-imagegen: imagegenremix mode=aligned with a test clock, against the
 * emulator.  Its tasks are held (task:held) until the test releases them,
 * so the test decides whether a result is in before a frame's deadline.
 *
 * The emulator's remix is the source frame inverted: every output pixel
 * tells which picked frame's result it shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"
#include "remix-test-frames.h"

#define WIDTH 64
#define HEIGHT 48
#define CAPS "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"
#define LATENCY (3 * GST_SECOND)

static const gchar *held[] = { "--latency", "0", "--fail", "task:held:*",
  NULL
};

/* frame @source's remix, in the middle of an output frame */
static gboolean
shows_remix_of (GstBuffer * buf, guint source)
{
  return shows_frame (buf, source, TRUE, WIDTH, HEIGHT);
}

typedef struct
{
  ElementTestHarness e;
  guint warnings;
} Aligned;

static Aligned *
aligned_new (void)
{
  Aligned *a = g_new0 (Aligned, 1);
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  g_object_set (remix, "prompt", "watercolour", "poll-interval", 50,
      "poll-max-interval", 50, "interval", GST_SECOND, "max-in-flight", 4,
      "latency", LATENCY, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "aligned");
  element_test_harness_start (&a->e, held, remix, "sink", "src");
  gst_harness_set_sink_caps_str (a->e.h, CAPS);
  gst_harness_set_src_caps_str (a->e.h, CAPS);
  return a;
}

static guint64
stat (Aligned * a, const gchar * name)
{
  return element_test_stat (a->e.h->element, name);
}

static void
aligned_free (Aligned * a)
{
  element_test_harness_stop (&a->e);
  g_free (a);
}

static void
wait_task_event (Aligned * a, const gchar * event)
{
  element_test_wait_task_event (a->e.bus, event, &a->warnings, NULL);
}

static guint
count_warnings (Aligned * a)
{
  return element_test_count_warnings (a->e.bus, &a->warnings, NULL);
}

static void
push_frame (Aligned * a, guint i)
{
  fail_unless_equals_int (gst_harness_push (a->e.h, make_frame (i, WIDTH,
              HEIGHT)), GST_FLOW_OK);
}

/* Lets the next frame leave at its deadline; checks it left then. */
static GstBuffer *
next_frame (Aligned * a, guint i)
{
  GstBuffer *buf;

  fail_unless (gst_harness_crank_single_clock_wait (a->e.h));
  fail_unless_equals_uint64 (gst_clock_get_time (GST_CLOCK (a->e.clock)),
      FRAME_TIME (i) + LATENCY);
  buf = gst_harness_pull (a->e.h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), FRAME_TIME (i));
  return buf;
}

/* Pick 0 (frame 0) is released before frame 0's deadline: frames 0-29
 * show it.  Pick 1 (frame 30) is still held at frame 30's deadline: that
 * frame shows pick 0's result, one second old, and the stats count it;
 * released later, frame 31 shows it. */
GST_START_TEST (test_aligned_own_result_or_older)
{
  Aligned *a = aligned_new ();
  GstBuffer *buf;
  guint i;

  /* just under the age frame 30 will show */
  g_object_set (a->e.h->element, "max-result-age", 990 * GST_MSECOND, NULL);
  for (i = 0; i < 30; i++)
    push_frame (a, i);
  wait_task_event (a, "submitted");
  push_frame (a, 30);
  wait_task_event (a, "submitted");

  fail_unless_equals_int (imagegen_test_emulator_release (a->e.emu, 1), 1);
  wait_task_event (a, "completed");
  for (i = 0; i < 30; i++) {
    buf = next_frame (a, i);
    fail_unless (shows_remix_of (buf, 0), "frame %u misses its result", i);
    gst_buffer_unref (buf);
  }
  fail_unless_equals_uint64 (stat (a, "frames-own-result"), 30);
  fail_unless_equals_uint64 (stat (a, "frames-older-result"), 0);
  fail_unless_equals_int (count_warnings (a), 0);

  /* pick 1 is still held at frame 30's deadline */
  buf = next_frame (a, 30);
  fail_unless (shows_remix_of (buf, 0), "frame 30 must fall back");
  gst_buffer_unref (buf);
  fail_unless_equals_uint64 (stat (a, "frames-own-result"), 30);
  fail_unless_equals_uint64 (stat (a, "frames-older-result"), 1);
  fail_unless_equals_uint64 (stat (a, "shown-age-ms"), 1000);
  fail_unless_equals_int (count_warnings (a), 1);

  fail_unless_equals_int (imagegen_test_emulator_release (a->e.emu, 1), 1);
  wait_task_event (a, "completed");
  push_frame (a, 31);
  buf = next_frame (a, 31);
  fail_unless (shows_remix_of (buf, 30), "frame 31 misses pick 1's result");
  gst_buffer_unref (buf);
  fail_unless_equals_uint64 (stat (a, "frames-own-result"), 31);
  fail_unless_equals_uint64 (stat (a, "shown-age-ms"), 33);
  aligned_free (a);
}

GST_END_TEST;

/* Upstream: a live source with 40 ms to 200 ms of latency. */
static gboolean
upstream_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return gst_pad_query_default (pad, parent, query);
  gst_query_set_latency (query, TRUE, 40 * GST_MSECOND, 200 * GST_MSECOND);
  return TRUE;
}

/* The latency query adds the latency to upstream's minimum and maximum. */
GST_START_TEST (test_aligned_latency_query)
{
  Aligned *a = aligned_new ();
  GstQuery *q = gst_query_new_latency ();
  GstClockTime min, max;
  gboolean live;

  gst_pad_set_query_function (a->e.h->srcpad, upstream_query);
  fail_unless (gst_pad_peer_query (a->e.h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, 40 * GST_MSECOND + LATENCY);
  fail_unless_equals_uint64 (max, 200 * GST_MSECOND + LATENCY);
  gst_query_unref (q);
  aligned_free (a);
}

GST_END_TEST;

/* Frames from upstream's buffer pool are copied, so that holding them for
 * the latency never starves the pool. */
GST_START_TEST (test_aligned_pool_frames_copied)
{
  Aligned *a = aligned_new ();
  GstBufferPool *pool = gst_buffer_pool_new ();
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstBuffer *buf, *in, *out;
  GstCaps *caps = gst_caps_from_string (CAPS);
  GstMapInfo map;

  gst_buffer_pool_config_set_params (config, caps, WIDTH * HEIGHT * 4, 1, 1);
  gst_caps_unref (caps);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &in, NULL),
      GST_FLOW_OK);
  buf = make_frame (0, WIDTH, HEIGHT);
  gst_buffer_map (in, &map, GST_MAP_WRITE);
  gst_buffer_extract (buf, 0, map.data, map.size);
  gst_buffer_unmap (in, &map);
  gst_buffer_copy_into (in, buf, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  gst_buffer_unref (buf);

  fail_unless_equals_int (gst_harness_push (a->e.h, in), GST_FLOW_OK);
  /* the only buffer of the pool is back before the frame leaves */
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &in, NULL),
      GST_FLOW_OK);
  gst_buffer_unref (in);
  out = next_frame (a, 0);
  gst_buffer_unref (out);
  gst_buffer_pool_set_active (pool, FALSE);
  gst_object_unref (pool);
  aligned_free (a);
}

GST_END_TEST;

static Suite *
imagegenremix_aligned_suite (void)
{
  return element_test_suite ("imagegenremix-aligned", 180,
      ELEMENT_TEST (test_aligned_own_result_or_older),
      ELEMENT_TEST (test_aligned_latency_query),
      ELEMENT_TEST (test_aligned_pool_frames_copied), NULL);
}

GST_CHECK_MAIN (imagegenremix_aligned);
