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

#define WIDTH 64
#define HEIGHT 48
#define FPS 30
#define CAPS "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"
#define FRAME_TIME(i) gst_util_uint64_scale (i, GST_SECOND, FPS)
#define TOLERANCE 12

static void
frame_colour (guint i, guint8 rgb[3])
{
  /* moderate colours: JPEG's chroma loss stays small, and inverting
   * changes at least one channel a lot */
  rgb[0] = 40 + (i * 4) % 120;
  rgb[1] = 200 - (i * 3) % 120;
  rgb[2] = 60 + (i * 7) % 80;
}

static GstBuffer *
make_frame (guint i, gint width, gint height)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, width * height * 4, NULL);
  GstMapInfo map;
  guint8 rgb[3];
  gint p;

  frame_colour (i, rgb);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (p = 0; p < width * height; p++) {
    memcpy (map.data + 4 * p, rgb, 3);
    map.data[4 * p + 3] = 255;
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = FRAME_TIME (i);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (i + 1) - FRAME_TIME (i);
  return buf;
}

/* The centre pixel against frame @source's colour, inverted or not. */
static gboolean
shows_frame (GstBuffer * buf, guint source, gboolean inverted, gint width,
    gint height)
{
  GstMapInfo map;
  guint8 rgb[3];
  gboolean ok = TRUE;
  gint c;

  frame_colour (source, rgb);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (c = 0; c < 3; c++) {
    gint want = inverted ? 255 - rgb[c] : rgb[c];
    gint got = map.data[4 * ((height / 2) * width + width / 2) + c];
    if (ABS (want - got) > TOLERANCE)
      ok = FALSE;

  }
  gst_buffer_unmap (buf, &map);
  return ok;
}

static GstHarness *
remix_harness_full (ImagegenTestEmulator * emu, const gchar * mode,
    const GValue * references, guint max_in_flight)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstHarness *h;

  /* configured before the harness, which starts filters at once */
  g_object_set (remix, "prompt", "watercolour", "api-key", "test-key",
      "base-url", imagegen_test_emulator_get_base_url (emu), "poll-interval",
      50, "interval", GST_SECOND / 2, "max-in-flight", max_in_flight, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", mode);
  if (references != NULL)
    g_object_set_property (G_OBJECT (remix), "reference-images", references);
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_src_caps_str (h, CAPS);
  gst_harness_set_sink_caps_str (h, CAPS);
  return h;
}

static GstHarness *
remix_harness (ImagegenTestEmulator * emu, const gchar * mode)
{
  return remix_harness_full (emu, mode, NULL, 4);
}

static gint64
stat_requests (ImagegenTestEmulator * emu, const gchar * name)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  gint64 n = imagegen_test_emulator_stats_requests (stats, name);
  json_object_unref (stats);
  return n;
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

/* Offline frames leave from the element's own task: EOS comes after the
 * last of them. */
static void
wait_for_eos (GstHarness * h)
{
  GstEvent *ev;
  gboolean eos = FALSE;

  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos, "no EOS came out");
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
  wait_for_eos (h);
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
  fail_unless_equals_int (stat_requests (emu, "create_remix"), 4);
  fail_unless_equals_int (stat_requests (emu, "files"), 4);
  gst_harness_teardown (h);
}

GST_END_TEST;

static gboolean
shows_some_remix (GstBuffer * buf, guint up_to)
{
  guint k;

  for (k = 0; k <= up_to; k += 15)
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
  const guint8 fake_jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I',
    'F', 0
  };
  GValue refs = G_VALUE_INIT, item = G_VALUE_INIT;
  gchar *text;
  guint i;

  fail_unless (g_file_set_contents (ref_path, (const gchar *) fake_jpeg,
          sizeof (fake_jpeg), NULL));
  g_value_init (&refs, GST_TYPE_ARRAY);
  g_value_init (&item, G_TYPE_STRING);
  g_value_set_string (&item, ref_path);
  gst_value_array_append_and_take_value (&refs, &item);
  /* one request at a time, so the failing first task is frame 0's */
  h = remix_harness_full (emu, "offline", &refs, 1);
  g_value_unset (&refs);
  gst_element_set_bus (h->element, bus);

  for (i = 0; i < 45; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  wait_for_eos (h);
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
  fail_unless_equals_int (stat_requests (emu, "create_remix"), 3);
  /* one upload per picked frame, and the reference image once */
  fail_unless_equals_int (stat_requests (emu, "files"), 3 + 1);

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
  GValue refs = G_VALUE_INIT;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;
  gint i;

  g_value_init (&refs, GST_TYPE_ARRAY);
  for (i = 0; i < 8; i++) {
    GValue item = G_VALUE_INIT;
    g_value_init (&item, G_TYPE_STRING);
    g_value_take_string (&item, g_strdup_printf ("http://127.0.0.1:9/%d.png",
            i));
    gst_value_array_append_and_take_value (&refs, &item);
  }
  g_object_set (remix, "prompt", "watercolour", "api-key", "k", "base-url",
      "http://127.0.0.1:9", NULL);
  g_object_set_property (G_OBJECT (remix), "reference-images", &refs);
  g_value_unset (&refs);
  gst_bin_add_many (GST_BIN (pipeline), src, remix, sink, NULL);
  fail_unless (gst_element_link_many (src, remix, sink, NULL));

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "Too many reference images") != NULL,
      "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* A flushing seek while the request for frame 0 runs: nothing from
 * before the flush comes out after it. */
GST_START_TEST (test_flush_drops_stale_results)
{
  const gchar *args[] = { "--latency", "1000", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = remix_harness (emu, "offline");
  GstSegment segment;
  guint i;

  for (i = 0; i < 10; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  g_usleep (300 * 1000);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  for (i = 100; i < 110; i++)
    gst_harness_push (h, make_frame (i, WIDTH, HEIGHT));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  wait_for_eos (h);
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
  wait_for_eos (h);
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
  wait_for_eos (h);
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
  wait_for_eos (h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 30);
  for (i = 0; i < 30; i++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless (shows_frame (out, 0, TRUE, WIDTH, HEIGHT), "frame %u", i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (stat_requests (emu, "create_remix"), 1);
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
  wait_for_eos (h);

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

static Suite *
imagegenremix_suite (void)
{
  Suite *s = suite_create ("imagegenremix");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 180);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_offline_every_frame_in_order);
  tcase_add_test (tc, test_live_never_waits);
  tcase_add_test (tc, test_failed_request_warns_and_goes_on);
  tcase_add_test (tc, test_too_many_reference_images);
  tcase_add_test (tc, test_flush_drops_stale_results);
  tcase_add_test (tc, test_caps_change_mid_stream);
  tcase_add_test (tc, test_offline_transition_and_stats);
  tcase_add_test (tc, test_offline_spending_guard);
  tcase_add_test (tc, test_prompt_change_applies_to_next_pick);
  tcase_add_test (tc, test_null_during_stuck_request);
  tcase_add_test (tc, test_ready_during_stuck_request);
  return s;
}

GST_CHECK_MAIN (imagegenremix);
