/* gst-imagegen: imagegenremix against imagegen-emulator.
 *
 * The emulator's remix is the first source image, scaled and colour
 * inverted, so every output pixel tells which input frame it came from.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"
#include "remix-test-frames.h"

#define WIDTH 64
#define HEIGHT 48
#define CAPS "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"

static GstHarness *
remix_harness_caps (ImagegenTestEmulator * emu, const gchar * mode,
    const gchar * const *references, guint max_in_flight, const gchar * caps,
    const gchar * sink_caps)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstHarness *h;

  /* configured before the harness, which starts filters at once */
  element_test_point_at (remix, emu);
  g_object_set (remix, "prompt", "watercolour", "poll-interval", 50, "interval",
      GST_SECOND / 2, "max-in-flight", max_in_flight, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", mode);
  if (references != NULL)
    g_object_set (remix, "reference-images", references, NULL);
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  /* the sink's caps first: the src caps negotiate at once */
  gst_harness_set_sink_caps_str (h, sink_caps);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstHarness *
remix_harness_full (ImagegenTestEmulator * emu, const gchar * mode,
    const gchar * const *references, guint max_in_flight)
{
  return remix_harness_caps (emu, mode, references, max_in_flight, CAPS,
      CAPS);
}

static GstHarness *
remix_harness (ImagegenTestEmulator * emu, const gchar * mode)
{
  return remix_harness_full (emu, mode, NULL, 4);
}

static gboolean
has_eos (GstHarness * h)
{
  GstEvent *ev;
  gboolean eos = FALSE;

  while ((ev = gst_harness_try_pull_event (h)) != NULL) {
    eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  return eos;
}

/* 60 frames at 30 fps, a pick every 0.5 s: frames 0, 15, 30 and 45. */
GST_START_TEST (test_offline_every_frame_in_order)
{
  const gchar *args[] = { "--latency", "300", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  guint i;

  for (i = 0; i < 60; i++)
    fail_unless_equals_int (gst_harness_push (h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
  fail_if (has_eos (h));

  /* EOS waits for the last results, so every frame is out before it */
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 60);

  for (i = 0; i < 60; i++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
        FRAME_TIME (i + 1) - FRAME_TIME (i));
    fail_unless (shows_frame (out, i - i % 15, TRUE, WIDTH, HEIGHT),
        "frame %u does not show the remix of frame %u", i, i - i % 15);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      4);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "files"), 4);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The remix of any frame up to @up_to: a pick is due every 15 frames, but
 * when every slot is busy (a loaded machine) it is made on a later frame. */
static gboolean
shows_some_remix (GstBuffer * buf, guint up_to)
{
  guint k;

  for (k = 0; k <= up_to; k++)
    if (shows_frame (buf, k, TRUE, WIDTH, HEIGHT))
      return TRUE;
  return FALSE;
}

/* Live: every frame leaves at once; the input shows until the first
 * result, then results only (the newest, never back to the input). */
GST_START_TEST (test_live_never_waits)
{
  const gchar *args[] = { "--latency", "300", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "live");
  guint i, first_remixed = 0;

  gst_harness_use_testclock (h);
  for (i = 0; i < 300 && (first_remixed == 0 || i < first_remixed + 30); i++) {
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
    out = gst_harness_try_pull (h);
    fail_unless (out != NULL, "frame %u was held back", i);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    if (first_remixed == 0) {
      if (shows_some_remix (out, i))
        first_remixed = i;
      else
        fail_unless (shows_frame (out, i, FALSE, WIDTH, HEIGHT),
            "frame %u shows neither its input nor a remix", i);
    } else {
      fail_unless (shows_some_remix (out, i), "frame %u lost the remix", i);
    }
    gst_buffer_unref (out);
    g_usleep (20 * 1000);
  }
  fail_unless (first_remixed > 0, "no result ever showed");
  gst_harness_teardown (h);
}

GST_END_TEST;

static gchar *
warning_text (GstBus * bus)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  gchar *text = NULL;

  if (msg != NULL) {
    GError *err;
    gst_message_parse_warning (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (msg);
  }
  return text;
}

/* The first request fails for good: a warning names the frame, its
 * frames show the input, and the stream goes on to EOS.  The reference
 * image is uploaded once, not per frame. */
GST_START_TEST (test_failed_request_warns_and_goes_on)
{
  const gchar *args[] = { "--latency", "300", "--fail", "task:failed", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h;
  GstBus *bus = gst_bus_new ();
  gchar *ref_path = g_build_filename (g_get_tmp_dir (), "imagegen-ref.jpg",
      NULL);
  /* a JPEG header (8x8) is all the element checks; the emulator decodes
   * only the first source image */
  const guint8 fake_jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I',
    'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0, 17, 8, 0, 8, 0, 8, 3,
    1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9
  };
  const gchar *refs[] = { ref_path, NULL };
  gchar *text;
  guint i;

  fail_unless (g_file_set_contents (ref_path, (const gchar *) fake_jpeg,
          sizeof (fake_jpeg), NULL));
  /* one request at a time, so the failing first task is frame 0's */
  h = remix_harness_full (emu, "offline", refs, 1);
  gst_element_set_bus (h->element, bus);

  for (i = 0; i < 45; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 45);

  for (i = 0; i < 45; i++) {
    GstBuffer *out = gst_harness_pull (h);
    if (i < 15)
      fail_unless (shows_frame (out, i, FALSE, WIDTH, HEIGHT),
          "frame %u should show its input", i);
    else
      fail_unless (shows_frame (out, i - i % 15, TRUE, WIDTH, HEIGHT),
          "frame %u should show the remix of %u", i, i - i % 15);
    gst_buffer_unref (out);
  }

  text = warning_text (bus);
  fail_unless (text != NULL, "no warning for the failed request");
  fail_unless (strstr (text, "0:00:00.000000000") != NULL, "got: %s", text);
  fail_unless (strstr (text, "Generation failed") != NULL, "got: %s", text);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      3);
  /* one upload per picked frame, and the reference image once */
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "files"), 3 + 1);

  g_free (text);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_unlink (ref_path);
  g_free (ref_path);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_too_many_reference_images)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("videotestsrc", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  gchar *refs[9] = { NULL };
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;
  gint i;

  for (i = 0; i < 8; i++)
    refs[i] = g_strdup_printf ("http://127.0.0.1:9/%d.png", i);
  g_object_set (remix, "prompt", "watercolour", "api-key", "k", "base-url",
      "http://127.0.0.1:9", "reference-images", refs, NULL);
  for (i = 0; i < 8; i++)
    g_free (refs[i]);
  gst_bin_add_many (GST_BIN (pipeline), src, remix, sink, NULL);
  fail_unless (gst_element_link_many (src, remix, sink, NULL));

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "takes at most 8 source image(s) per "
          "request, but each request would carry 9") != NULL,
      "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* Model max with an aspect ratio it does not list: the state change
 * fails with an error naming the property and the valid values; nothing
 * is uploaded or created.  (Its default auto is the listed ratio nearest
 * the frame: test-element-promises.c.) */
GST_START_TEST (test_max_with_unlisted_ratio_refused_at_start)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=3 ! "
      "imagegenremix name=r prompt=watercolour api-key=k aspect-ratio=5:4 "
      "model=flux-2-max-remix-image ! fakesink", NULL);
  GstElement *remix = gst_bin_get_by_name (GST_BIN (pipeline), "r");
  GstBus *bus = gst_element_get_bus (pipeline);
  JsonObject *stats;
  GstMessage *msg;
  GError *err = NULL;

  g_object_set (remix, "base-url", imagegen_test_emulator_get_base_url (emu),
      NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "Invalid aspect-ratio \"5:4\" for "
          "model flux-2-max-remix-image; valid values: 1:1, 4:3, 3:4, 16:9, "
          "9:16, 3:2, 2:3.") != NULL, "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "files"), 0);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "create_remix"), 0);
  json_object_unref (stats);
  gst_object_unref (bus);
  gst_object_unref (remix);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* A flushing seek while the request for frame 0 runs: nothing from
 * before the flush comes out after it. */
static JsonObject *
stuck_task (ImagegenTestEmulator * emu)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");
  JsonObject *task = NULL;

  if (json_array_get_length (tasks) > 0)
    task = json_object_ref (json_array_get_object_element (tasks, 0));
  json_object_unref (stats);
  return task;
}

GST_START_TEST (test_flush_drops_stale_results)
{
  /* the request before the flush never finishes: its frames wait */
  const gchar *args[] = { "--latency", "200", "--fail", "task:stuck:1", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstSegment segment;
  JsonObject *task = NULL;
  guint i;

  for (i = 0; i < 10; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  while (task == NULL || json_object_get_int_member (task, "polls") < 1) {
    g_clear_pointer (&task, json_object_unref);
    g_usleep (20 * 1000);
    task = stuck_task (emu);
  }
  json_object_unref (task);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  for (i = 100; i < 110; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 10);
  for (i = 100; i < 110; i++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    fail_unless (shows_frame (out, 100, TRUE, WIDTH, HEIGHT),
        "frame %u does not show the remix of frame 100", i);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* New input size mid-stream: frames before and after keep their sizes. */
GST_START_TEST (test_caps_change_mid_stream)
{
  const gchar *args[] = { "--latency", "200", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  guint i;

  gst_harness_set_sink_caps_str (h, "video/x-raw,format=RGBA");
  for (i = 0; i < 5; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGBA,width=32,height=24,framerate=30/1");
  for (i = 5; i < 10; i++)
    gst_harness_push (h, make_frame (i, 32, 24));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 10);
  for (i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (h);
    gint w = i < 5 ? WIDTH : 32, hh = i < 5 ? HEIGHT : 24;
    fail_unless_equals_int (gst_buffer_get_size (out), w * hh * 4);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

static guint8
centre_channel (GstBuffer * buf, gint c)
{
  guint8 v;
  gst_buffer_extract (buf, 4 * ((HEIGHT / 2) * WIDTH + WIDTH / 2) + c, &v, 1);
  return v;
}

/* Offline, picks at frames 0 and 15: with a 5-frame transition, frames
 * 15..18 move monotonically from remix(0) towards remix(15), which frame
 * 19 (the transition's last) shows.
 * Task messages and the stats property count both tasks. */
GST_START_TEST (test_offline_transition_and_stats)
{
  const gchar *args[] = { "--latency", "200", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstBus *bus = gst_bus_new ();
  GstStructure *stats;
  GstMessage *msg;
  guint i, completed = 0, requests = 0, succeeded = 0;
  guint8 last = 0;
  gint64 spent = 0;

  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "transition-duration", FRAME_TIME (5), NULL);
  for (i = 0; i < 25; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 25);

  for (i = 0; i < 25; i++) {
    GstBuffer *out = gst_harness_pull (h);
    guint8 g = centre_channel (out, 1);

    if (i < 15 || i >= 19) {
      fail_unless (shows_frame (out, i < 15 ? 0 : 15, TRUE, WIDTH, HEIGHT),
          "frame %u", i);
    } else {
      /* inverted green goes from 55 (frame 0) up to 100 (frame 15) */
      fail_unless (g > last, "frame %u: %u after %u", i, g, last);
      fail_unless (g > 55 + 3 && g < 100 - 3, "frame %u: %u", i, g);
    }
    last = g;
    gst_buffer_unref (out);
  }

  /* a task's message follows its result into place: it may trail EOS */
  while (completed < 2 && (msg = gst_bus_timed_pop_filtered (bus,
              10 * GST_SECOND, GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "completed"))
      completed++;
    gst_message_unref (msg);
  }
  fail_unless_equals_int (completed, 2);
  g_object_get (h->element, "stats", &stats, NULL);
  gst_structure_get_uint (stats, "requests", &requests);
  gst_structure_get_uint (stats, "succeeded", &succeeded);
  gst_structure_get_int64 (stats, "spent-cents", &spent);
  fail_unless_equals_int (requests, 2);
  fail_unless_equals_int (succeeded, 2);
  fail_unless_equals_int (spent, 10);
  gst_structure_free (stats);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* max-requests=1: the second pick is refused with a warning, its frames
 * keep showing the first result, and nothing is lost. */
GST_START_TEST (test_offline_spending_guard)
{
  const gchar *args[] = { "--latency", "200", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstBus *bus = gst_bus_new ();
  gchar *text;
  guint i;

  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "max-requests", 1, NULL);
  for (i = 0; i < 30; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 30);
  for (i = 0; i < 30; i++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless (shows_frame (out, 0, TRUE, WIDTH, HEIGHT), "frame %u", i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      1);
  text = warning_text (bus);
  fail_unless (text != NULL && strstr (text, "max-requests (1)") != NULL,
      "got: %s", text);
  g_free (text);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A prompt set while PLAYING applies from the next picked frame on. */
GST_START_TEST (test_prompt_change_applies_to_next_pick)
{
  const gchar *args[] = { "--latency", "100", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness_full (emu, "offline", NULL, 1);
  JsonObject *stats;
  JsonArray *tasks;
  guint i;

  for (i = 0; i < 10; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  g_object_set (h->element, "prompt", "a new look", NULL);
  for (i = 10; i < 30; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);

  stats = imagegen_test_emulator_stats (emu);
  tasks = json_object_get_array_member (stats, "tasks");
  fail_unless_equals_int (json_array_get_length (tasks), 2);
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (tasks, 0), "prompt"), "watercolour");
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (tasks, 1), "prompt"), "a new look");
  json_object_unref (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A request whose task never finishes holds the first frame, and the
 * queue fills behind it.  Going to @state still returns at once, cancels
 * the request and sends nothing more: the emulator's records show the
 * task unfinished and no poll after the state change returned. */
static void
stop_during_stuck_request (GstState state)
{
  const gchar *args[] = { "--fail", "task:stuck", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *description = g_strdup_printf ("videotestsrc ! "
      "video/x-raw,width=64,height=48 ! imagegenremix mode=offline "
      "prompt=watercolour api-key=k base-url=%s poll-interval=20 "
      "max-queue-frames=4 ! fakesink",
      imagegen_test_emulator_get_base_url (emu));
  GstElement *pipeline = gst_parse_launch (description, NULL);
  JsonObject *task = NULL;
  const gchar *status;
  gint64 polls;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* the task exists and is being polled: the request is in flight */
  while (task == NULL || json_object_get_int_member (task, "polls") < 2) {
    g_clear_pointer (&task, json_object_unref);
    g_usleep (20 * 1000);
    task = stuck_task (emu);
  }
  json_object_unref (task);

  fail_unless_equals_int (gst_element_set_state (pipeline, state),
      GST_STATE_CHANGE_SUCCESS);
  task = stuck_task (emu);
  polls = json_object_get_int_member (task, "polls");
  status = json_object_get_string_member (task, "status");
  fail_unless (g_str_equal (status, "pending")
      || g_str_equal (status, "processing"), "task %s", status);
  json_object_unref (task);

  /* the client is gone with the state change: nothing can come later */
  g_usleep (300 * 1000);
  task = stuck_task (emu);
  fail_unless_equals_int (json_object_get_int_member (task, "polls"), polls);
  json_object_unref (task);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_free (description);
}

GST_START_TEST (test_null_during_stuck_request)
{
  stop_during_stuck_request (GST_STATE_NULL);
}

GST_END_TEST;

GST_START_TEST (test_ready_during_stuck_request)
{
  stop_during_stuck_request (GST_STATE_READY);
}

GST_END_TEST;

/* Converts a whole frame with GstVideoConverter (RGB <-> YUV, which
 * honours range and matrix; only YUV -> YUV with one matrix does not). */
static GstBuffer *
convert_frame (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  GstVideoConverter *conv = gst_video_converter_new ((GstVideoInfo *) in_info,
      (GstVideoInfo *) out_info, NULL);
  GstBuffer *out =
      gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out_info),
      NULL);
  GstVideoFrame a, b;

  fail_unless (conv != NULL);
  fail_unless (gst_video_frame_map (&a, in_info, in, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&b, out_info, out, GST_MAP_WRITE));
  gst_video_converter_frame (conv, &a, &b);
  gst_video_frame_unmap (&b);
  gst_video_frame_unmap (&a);
  gst_video_converter_free (conv);
  return out;
}

/* four patches, one per quadrant: black, RGB 20, mid grey, a colour */
static const guint8 patches[4][3] = {
  {0, 0, 0}, {20, 20, 20}, {128, 128, 128}, {200, 100, 50}
};

#define COLOUR_TOLERANCE 6

static GstBuffer *
make_patch_frame (const GstVideoInfo * rgba_info)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL,
      GST_VIDEO_INFO_SIZE (rgba_info), NULL);
  GstMapInfo map;
  gint x, y;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (y = 0; y < HEIGHT; y++)
    for (x = 0; x < WIDTH; x++) {
      guint8 *p = map.data + 4 * (y * WIDTH + x);
      memcpy (p, patches[(y >= HEIGHT / 2) * 2 + (x >= WIDTH / 2)], 3);
      p[3] = 255;
    }
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* I420 frames of @colorimetry in and out: the service gets the colours
 * the viewer sees (full range), and the inverted result is placed back in
 * the output's range and matrix. */
static void
check_colorimetry (const gchar * colorimetry, guint8 black_luma)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,"
      "height=%d,framerate=30/1,colorimetry=%s", WIDTH, HEIGHT, colorimetry);
  GstHarness *h = remix_harness_caps (emu, "offline", NULL, 4, caps, caps);
  GstCaps *yuv_caps = gst_caps_from_string (caps);
  GstVideoInfo rgba_info, yuv_info;
  GstBuffer *rgba, *yuv, *out, *out_rgba;
  GstMapInfo map;
  guint8 y0;
  gint q, c;

  fail_unless (gst_video_info_from_caps (&yuv_info, yuv_caps));
  gst_caps_unref (yuv_caps);
  gst_video_info_set_format (&rgba_info, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT);
  GST_VIDEO_INFO_FPS_N (&rgba_info) = FPS;
  rgba = make_patch_frame (&rgba_info);
  yuv = convert_frame (rgba, &rgba_info, &yuv_info);
  gst_buffer_unref (rgba);
  /* the input really is in that range: black's luma */
  gst_buffer_extract (yuv, 0, &y0, 1);
  fail_unless (ABS (y0 - black_luma) <= 1, "%s: black is Y %u", colorimetry,
      y0);
  GST_BUFFER_PTS (yuv) = 0;
  GST_BUFFER_DURATION (yuv) = FRAME_TIME (1);

  fail_unless_equals_int (gst_harness_push (h, yuv), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  out = gst_harness_pull (h);
  out_rgba = convert_frame (out, &yuv_info, &rgba_info);
  gst_buffer_map (out_rgba, &map, GST_MAP_READ);
  for (q = 0; q < 4; q++) {
    gint x = WIDTH / 4 + (q % 2) * WIDTH / 2, y = HEIGHT / 4 + (q / 2) *
        HEIGHT / 2;
    for (c = 0; c < 3; c++) {
      gint want = 255 - patches[q][c];
      gint got = map.data[4 * (y * WIDTH + x) + c];
      fail_unless (ABS (want - got) <= COLOUR_TOLERANCE,
          "%s: patch (%u,%u,%u) came back as channel %d = %d, want %d "
          "(255 - in, within %d)", colorimetry, patches[q][0], patches[q][1],
          patches[q][2], c, got, want, COLOUR_TOLERANCE);
    }
  }
  gst_buffer_unmap (out_rgba, &map);
  gst_buffer_unref (out_rgba);
  gst_buffer_unref (out);
  g_free (caps);
  gst_harness_teardown (h);
}

/* SD I420 from decodebin is limited-range BT.601: black is Y 16, and must
 * reach the service as RGB 0 (not 16); the same for BT.709 and full range. */
GST_START_TEST (test_colorimetry_round_trip)
{
  check_colorimetry ("bt601", 16);
  check_colorimetry ("bt709", 16);
  check_colorimetry ("1:4:0:0", 0);
}

GST_END_TEST;

/* One grey frame of code value @in_code in I420 of @in_colorimetry; the
 * output (RGBA, or I420 of @out_colorimetry) read back as code values
 * (GstVideoConverter keeps them across transfer functions).  The emulator
 * answers 255 - the uploaded picture. */
static guint8
transfer_round_trip (const gchar * in_colorimetry, const gchar * out_caps_str,
    guint8 in_code)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,"
      "height=%d,framerate=30/1,colorimetry=%s", WIDTH, HEIGHT,
      in_colorimetry);
  GstHarness *h = remix_harness_caps (emu, "offline", NULL, 4, caps,
      out_caps_str);
  GstCaps *in_caps = gst_caps_from_string (caps), *out_caps;
  GstVideoInfo rgba_info, in_info, out_info;
  GstBuffer *rgba, *out, *out_rgba;
  GstMapInfo map;
  guint8 got;

  fail_unless (gst_video_info_from_caps (&in_info, in_caps));
  gst_caps_unref (in_caps);
  gst_video_info_set_format (&rgba_info, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT);
  GST_VIDEO_INFO_FPS_N (&rgba_info) = FPS;
  rgba = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgba_info),
      NULL);
  gst_buffer_memset (rgba, 0, in_code, GST_VIDEO_INFO_SIZE (&rgba_info));
  out = convert_frame (rgba, &rgba_info, &in_info);
  gst_buffer_unref (rgba);
  GST_BUFFER_PTS (out) = 0;
  GST_BUFFER_DURATION (out) = FRAME_TIME (1);
  fail_unless_equals_int (gst_harness_push (h, out), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);

  out = gst_harness_pull (h);
  out_caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&out_info, out_caps));
  gst_caps_unref (out_caps);
  out_rgba = convert_frame (out, &out_info, &rgba_info);
  gst_buffer_map (out_rgba, &map, GST_MAP_READ);
  got = map.data[4 * (HEIGHT / 2 * WIDTH + WIDTH / 2)];
  gst_buffer_unmap (out_rgba, &map);
  gst_buffer_unref (out_rgba);
  gst_buffer_unref (out);
  g_free (caps);
  gst_harness_teardown (h);
  return got;
}

#define SRGB_OUT "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"

/* HDR and linear frames reach the service as a viewer sees them: HDR
 * reference white (203 cd/m², BT.2408: PQ code 0.58, HLG 0.75) as near
 * white, not as a dull grey; linear light as sRGB.  Results placed into
 * HDR output put SDR white at the reference white, not at 10000 cd/m². */
GST_START_TEST (test_transfer_functions)
{
  guint8 got;

  /* PQ code 148 (203 cd/m²): uploaded >= 230, so the remix is <= 25;
   * without the mapping it is uploaded as 148 and comes back as 107 */
  got = transfer_round_trip ("bt2100-pq", SRGB_OUT, 148);
  fail_unless (got <= 25, "PQ reference white came back as %u", got);
  got = transfer_round_trip ("bt2100-hlg", SRGB_OUT, 191);
  fail_unless (got <= 25, "HLG reference white came back as %u", got);
  /* linear 0.5 is sRGB 188: the remix is 67 (±6) */
  got = transfer_round_trip ("1:4:1:1", SRGB_OUT, 128);
  fail_unless (ABS (got - 67) <= 6, "linear 0.5 came back as %u", got);
  /* PQ black uploads as black; its white remix, placed into PQ output,
   * is the reference white (code 148 ±8), not PQ's peak (255) */
  got = transfer_round_trip ("bt2100-pq", "video/x-raw,format=I420,width=64,"
      "height=48,framerate=30/1,colorimetry=bt2100-pq", 0);
  fail_unless (ABS (got - 148) <= 8, "a white result in PQ output is %u",
      got);
  /* SDR curves are shown as they are: BT.709 148 comes back as 107 */
  got = transfer_round_trip ("bt709", SRGB_OUT, 148);
  fail_unless (ABS (got - 107) <= COLOUR_TOLERANCE, "BT.709 148 came back "
      "as %u", got);
}

GST_END_TEST;

/* Pushes one frame of frame 0's colour (@width x @height at @par) and checks
 * that every edge pixel of the @out_width x @out_height (@out_par) output
 * shows its remix: no black bars. */
static void
check_edges_remixed_par (gint width, gint height, const gchar * par,
    gint out_width, gint out_height, const gchar * out_par)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *caps = g_strdup_printf ("video/x-raw,format=RGBA,width=%d,"
      "height=%d,framerate=30/1,pixel-aspect-ratio=%s", width, height, par);
  gchar *out_caps = g_strdup_printf ("video/x-raw,format=RGBA,width=%d,"
      "height=%d,framerate=30/1,pixel-aspect-ratio=%s", out_width, out_height,
      out_par);
  GstHarness *h = remix_harness_caps (emu, "offline", NULL, 4, caps,
      out_caps);
  GstBuffer *out;
  GstMapInfo map;
  guint8 rgb[3];
  gint x, y, c;

  fail_unless_equals_int (gst_harness_push (h, make_frame (0, width,
              height)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out),
      out_width * out_height * 4);
  frame_colour (0, rgb);
  gst_buffer_map (out, &map, GST_MAP_READ);
  for (y = 0; y < out_height; y++)
    for (x = 0; x < out_width; x++) {
      if (x != 0 && x != out_width - 1 && y != 0 && y != out_height - 1)
        continue;
      for (c = 0; c < 3; c++) {
        gint got = map.data[4 * (y * out_width + x) + c];
        fail_unless (ABS (got - (255 - rgb[c])) <= TOLERANCE,
            "%dx%d (%s) -> %dx%d (%s): pixel (%d,%d) channel %d is %d, "
            "want %d (the remix)", width, height, par, out_width,
            out_height, out_par, x, y, c, got, 255 - rgb[c]);
      }
    }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  g_free (caps);
  g_free (out_caps);
  gst_harness_teardown (h);
}

static void
check_edges_remixed (gint width, gint height)
{
  check_edges_remixed_par (width, height, "1/1", width, height, "1/1");
}

/* The service answers sizes in multiples of 16, so a result is a few pixels
 * off the frame's shape: with the default scale-mode (fit) that must not
 * draw thin black bars.  Every edge pixel shows the remix. */
GST_START_TEST (test_no_thin_borders)
{
  check_edges_remixed (1920, 1080);
  check_edges_remixed (640, 480);
}

GST_END_TEST;

/* 60 frames without timestamps at 30/1, interval 1 s: picked by count
 * (frames 0 and 30, two requests, not 60), and one warning says so. */
GST_START_TEST (test_untimed_frames_picked_by_count)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstBus *bus = gst_bus_new ();
  gchar *text;
  guint i;

  g_object_set (h->element, "interval", GST_SECOND, NULL);
  gst_element_set_bus (h->element, bus);
  for (i = 0; i < 60; i++) {
    GstBuffer *buf = make_frame (i, WIDTH, HEIGHT);
    GST_BUFFER_PTS (buf) = GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 60);
  for (i = 0; i < 60; i++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless (shows_frame (out, i - i % 30, TRUE, WIDTH, HEIGHT),
        "frame %u does not show the remix of frame %u", i, i - i % 30);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      2);

  text = warning_text (bus);
  fail_unless (text != NULL, "no warning about the missing timestamps");
  fail_unless (strstr (text, "no timestamps") != NULL, "got: %s", text);
  fail_unless (strstr (text, "frame count") != NULL, "got: %s", text);
  g_free (text);
  text = warning_text (bus);
  fail_unless (text == NULL, "a second warning: %s", text);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Interleaved frames whose fields differ (the top field frame 0's colour,
 * the bottom field frame 20's): remixed, not passed through, and what is
 * uploaded is one field line-doubled, so the result is 255 - the top
 * field's colour, with no combing. */
GST_START_TEST (test_interlaced_frames_deinterlaced)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness_caps (emu, "offline", NULL, 4,
      "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1,"
      "interlace-mode=interleaved", "video/x-raw,format=RGBA,width=64,"
      "height=48,framerate=30/1,interlace-mode=interleaved");
  GstBuffer *buf, *bottom, *out;
  GstBus *bus = gst_bus_new ();
  GstMapInfo map, bmap;
  gchar *text;
  gint y;

  gst_element_set_bus (h->element, bus);
  buf = make_frame (0, WIDTH, HEIGHT);
  bottom = make_frame (20, WIDTH, HEIGHT);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_buffer_map (bottom, &bmap, GST_MAP_READ);
  for (y = 1; y < HEIGHT; y += 2)
    memcpy (map.data + 4 * WIDTH * y, bmap.data + 4 * WIDTH * y, 4 * WIDTH);
  gst_buffer_unmap (bottom, &bmap);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (bottom);

  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  element_test_wait_eos (h);
  out = gst_harness_pull (h);
  fail_unless (shows_frame (out, 0, TRUE, WIDTH, HEIGHT),
      "the interlaced frame was not remixed from its top field");
  /* every line, both fields: the same picture */
  gst_buffer_map (out, &map, GST_MAP_READ);
  for (y = 1; y < HEIGHT - 1; y++)
    fail_unless (ABS (map.data[4 * (y * WIDTH + WIDTH / 2)] -
            map.data[4 * ((y + 1) * WIDTH + WIDTH / 2)]) <= TOLERANCE,
        "lines %d and %d differ: combing", y, y + 1);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      1);
  text = warning_text (bus);
  fail_unless (text == NULL, "unexpected warning: %s", text);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 96x72 frames of 4:3 pixels are 16:9 pictures (as 1440x1080 HDV): the
 * upload is 16:9 (aspect-ratio stays auto), so the result is 16:9 and fills
 * a square-pixel 128x72 frame; placed back into 4:3 pixels it fills the
 * frame too.  A squashed 4:3 upload would come back 4:3: pillarboxed in
 * the first, letterboxed in the second. */
GST_START_TEST (test_pixel_aspect_ratio)
{
  check_edges_remixed_par (96, 72, "4/3", 128, 72, "1/1");
  check_edges_remixed_par (96, 72, "4/3", 96, 72, "4/3");
}

GST_END_TEST;

/* Live remix: a prompt or aspect ratio the service would refuse, set while
 * PLAYING, is refused with a warning naming the property and the valid
 * values (the last good value stays); a 422 the service answers to a
 * change made while PLAYING is a warning, and frames keep flowing. */
GST_START_TEST (test_live_runtime_typo_goes_on)
{
  const gchar *args[] = { "--latency", "100", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "live");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  gchar *text = NULL, *prompt;
  guint i, remixed = 0;

  gst_element_set_bus (h->element, bus);
  gst_harness_use_testclock (h);
  for (i = 0; i < 300 && remixed == 0; i++) {
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    if (shows_some_remix (out, i))
      remixed = i;
    gst_buffer_unref (out);
    g_usleep (20 * 1000);
  }
  fail_unless (remixed > 0, "no result ever showed");

  g_object_set (h->element, "prompt", "ab", NULL);
  text = warning_text (bus);
  fail_unless (text != NULL, "no warning for a 2-character prompt");
  fail_unless (strstr (text, "\"prompt\"") != NULL, "got: %s", text);
  g_clear_pointer (&text, g_free);
  g_object_get (h->element, "prompt", &prompt, NULL);
  fail_unless_equals_string (prompt, "watercolour");
  g_free (prompt);

  g_object_set (h->element, "model", "flux-2-max-remix-imag", NULL);
  text = warning_text (bus);
  fail_unless (text != NULL, "no warning for a model typo");
  fail_unless (strstr (text, "\"model\"") != NULL
      && strstr (text, "Unknown model \"flux-2-max-remix-imag\" for "
          "imagegenremix; did you mean flux-2-max-remix-image") != NULL,
      "got: %s", text);
  g_clear_pointer (&text, g_free);
  g_object_get (h->element, "model", &prompt, NULL);
  fail_unless_equals_string (prompt, "flux-2-pro-remix-image");
  g_free (prompt);

  /* the change first: a 422 may answer a request sent before it */
  g_object_set (h->element, "aspect-ratio", "16:9", NULL);
  fail_unless (imagegen_test_emulator_fail (emu, "create:422:1"));
  for (; i < 600 && text == NULL; i++) {
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (shows_some_remix (out, i), "frame %u lost the remix", i);
    gst_buffer_unref (out);
    while ((msg = gst_bus_pop (bus)) != NULL) {
      GError *err;
      fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR,
          "a runtime change's 422 stopped the stream");
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
        gst_message_parse_warning (msg, &err, NULL);
        text = g_strdup (err->message);
        g_error_free (err);
      }
      gst_message_unref (msg);
    }
    g_usleep (20 * 1000);
  }
  fail_unless (text != NULL, "no warning for the 422");
  fail_unless (strstr (text, "422") != NULL, "got: %s", text);
  /* and the stream goes on */
  fail_unless_equals_int (gst_harness_push (h, make_frame (i, WIDTH,
              HEIGHT)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL);

  g_free (text);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Live remix, refused key: one failure, one error, however many frames
 * still arrive after it (a tee or an application may keep pushing); the
 * error says what failed. */
GST_START_TEST (test_live_invalid_key_one_error)
{
  const gchar *args[] = { "--latency", "100", "--require-key", "right",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "live");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstFlowReturn ret = GST_FLOW_OK;
  guint i, errors = 0, after = 0;

  gst_element_set_bus (h->element, bus);
  gst_harness_use_testclock (h);
  for (i = 0; i < 300 && after < 10; i++) {
    ret = gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
    if (ret == GST_FLOW_ERROR)
      after++;
    else
      gst_buffer_unref (gst_harness_pull (h));
    g_usleep (20 * 1000);
  }
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR)) != NULL) {
    GError *err;
    gst_message_parse_error (msg, &err, NULL);
    fail_unless (strstr (err->message, "invalid API key (HTTP 401)") != NULL,
        "got: %s", err->message);
    g_error_free (err);
    gst_message_unref (msg);
    errors++;
  }
  fail_unless_equals_int (errors, 1);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 40000x40000 caps: refused at negotiation with an error that names the
 * frame-size limit, before any frame memory. */
GST_START_TEST (test_oversized_caps_refused)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err;
  GstBuffer *tiny = gst_buffer_new_allocate (NULL, 16, NULL);

  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h,
      "video/x-raw,format=RGBA,width=40000,height=40000,framerate=30/1");
  gst_harness_set_src_caps_str (h,
      "video/x-raw,format=RGBA,width=40000,height=40000,framerate=30/1");
  /* a stand-in buffer: the caps are refused before it is looked at */
  fail_if (gst_harness_push (h, tiny) == GST_FLOW_OK);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error for 40000x40000 frames");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "40000x40000") != NULL
      && strstr (err->message, "frame-size limit") != NULL
      && strstr (err->message, "max-pixels") != NULL, "got: %s",
      err->message);
  g_error_free (err);
  gst_message_unref (msg);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A reference file that is not an image is refused when the pipeline
 * starts, naming the file, before any request is paid for. */
GST_START_TEST (test_reference_not_an_image)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *ref_path = g_build_filename (g_get_tmp_dir (),
      "imagegen-ref-notes.txt", NULL);
  gchar *description;
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  fail_unless (g_file_set_contents (ref_path, "just some notes\n", -1, NULL));
  description = g_strdup_printf ("videotestsrc num-buffers=5 ! "
      "video/x-raw,width=64,height=48 ! imagegenremix prompt=watercolour "
      "api-key=k base-url=%s reference-images=\"<%s>\" ! fakesink",
      imagegen_test_emulator_get_base_url (emu), ref_path);
  pipeline = gst_parse_launch (description, NULL);
  fail_unless (pipeline != NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, ref_path) != NULL
      && strstr (err->message, "not a PNG, JPEG or WebP image") != NULL,
      "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "files"), 0);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "create_remix"),
      0);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_unlink (ref_path);
  g_free (ref_path);
  g_free (description);
}

GST_END_TEST;

static Suite *
imagegenremix_suite (void)
{
  return element_test_suite ("imagegenremix", 180,
      ELEMENT_TEST (test_offline_every_frame_in_order),
      ELEMENT_TEST (test_live_never_waits),
      ELEMENT_TEST (test_failed_request_warns_and_goes_on),
      ELEMENT_TEST (test_too_many_reference_images),
      ELEMENT_TEST (test_max_with_unlisted_ratio_refused_at_start),
      ELEMENT_TEST (test_flush_drops_stale_results),
      ELEMENT_TEST (test_caps_change_mid_stream),
      ELEMENT_TEST (test_offline_transition_and_stats),
      ELEMENT_TEST (test_offline_spending_guard),
      ELEMENT_TEST (test_prompt_change_applies_to_next_pick),
      ELEMENT_TEST (test_null_during_stuck_request),
      ELEMENT_TEST (test_ready_during_stuck_request),
      ELEMENT_TEST (test_colorimetry_round_trip),
      ELEMENT_TEST (test_transfer_functions),
      ELEMENT_TEST (test_no_thin_borders),
      ELEMENT_TEST (test_untimed_frames_picked_by_count),
      ELEMENT_TEST (test_interlaced_frames_deinterlaced),
      ELEMENT_TEST (test_pixel_aspect_ratio),
      ELEMENT_TEST (test_live_runtime_typo_goes_on),
      ELEMENT_TEST (test_live_invalid_key_one_error),
      ELEMENT_TEST (test_oversized_caps_refused),
      ELEMENT_TEST (test_reference_not_an_image), NULL);
}

GST_CHECK_MAIN (imagegenremix);
