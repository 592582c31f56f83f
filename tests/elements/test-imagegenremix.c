/* gst-imagegen: imagegenremix against imagegen-emulator.
 *
 * The emulator's remix is the first source image, scaled and colour
 * inverted, so every output pixel tells which input frame it came from.
 *
 * Each test is a row of one table: its emulator's options and the mode of
 * the harness it starts in (or none); the body sees them ready.
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

typedef struct
{
  ImagegenTestEmulator *emu;
  GstHarness *h;                /* NULL until remix_attach() */
  GstBus *bus;                  /* the element's own */
} Remix;

/* An imagegenremix in @mode pointed at r->emu, in a harness whose sink
 * caps are @sink_caps and src caps @caps, posting on r->bus. */
static void
remix_attach (Remix * r, const gchar * mode, const gchar * const *references,
    guint max_in_flight, const gchar * caps, const gchar * sink_caps)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  /* configured before the harness, which starts filters at once */
  element_test_point_at (remix, r->emu);
  g_object_set (remix, "prompt", "watercolour", "poll-interval", 50, "interval",
      GST_SECOND / 2, "max-in-flight", max_in_flight, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", mode);
  if (references != NULL)
    g_object_set (remix, "reference-images", references, NULL);
  r->bus = gst_bus_new ();
  gst_element_set_bus (remix, r->bus);
  r->h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  /* the sink's caps first: the src caps negotiate at once */
  gst_harness_set_sink_caps_str (r->h, sink_caps);
  gst_harness_set_src_caps_str (r->h, caps);
}

static void
remix_detach (Remix * r)
{
  gst_element_set_bus (r->h->element, NULL);
  gst_object_unref (r->bus);
  gst_harness_teardown (r->h);
  r->h = NULL;
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

/* Frames @from up to (not including) @to, each accepted. */
static void
remix_push (Remix * r, guint from, guint to)
{
  guint i;

  for (i = from; i < to; i++)
    fail_unless_equals_int (gst_harness_push (r->h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
}

/* EOS in; offline frames leave from the element's own task, so EOS comes
 * out after the last of them: @n frames wait before it. */
static void
remix_finish (Remix * r, guint n)
{
  fail_unless (gst_harness_push_event (r->h, gst_event_new_eos ()));
  element_test_wait_eos (r->h);
  fail_unless_equals_int (gst_harness_buffers_in_queue (r->h), n);
}

/* Pulls frames @from up to @to: each at its own time and showing the remix
 * of the frame picked last, one every @every from @from. */
static void
remix_expect (Remix * r, guint from, guint to, guint every)
{
  guint i;

  for (i = from; i < to; i++) {
    GstBuffer *out = gst_harness_pull (r->h);
    guint pick = i - (i - from) % every;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
        FRAME_TIME (i + 1) - FRAME_TIME (i));
    fail_unless (shows_frame (out, pick, TRUE, WIDTH, HEIGHT),
        "frame %u does not show the remix of frame %u", i, pick);
    gst_buffer_unref (out);
  }
}

/* Pushes @in alone, then EOS; returns what came out for it. */
static GstBuffer *
remix_one (Remix * r, GstBuffer * in)
{
  fail_unless_equals_int (gst_harness_push (r->h, in), GST_FLOW_OK);
  remix_finish (r, 1);
  return gst_harness_pull (r->h);
}

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

/* Live: frames from @i on, each pulled at once and showing the remix of
 * some earlier frame, until @done says so or @i reaches @limit. */
typedef gboolean (*RemixDone) (Remix * r, GstBuffer * out, guint i,
    gpointer data);

static guint
remix_live (Remix * r, guint i, guint limit, RemixDone done, gpointer data)
{
  gboolean over = FALSE;

  for (; i < limit && !over; i++) {
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (r->h, make_frame (i, WIDTH,
                HEIGHT)), GST_FLOW_OK);
    out = gst_harness_try_pull (r->h);
    fail_unless (out != NULL, "frame %u was held back", i);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (i));
    over = done (r, out, i, data);
    gst_buffer_unref (out);
    g_usleep (20 * 1000);
  }
  return i;
}

/* 60 frames at 30 fps, a pick every 0.5 s: frames 0, 15, 30 and 45. */
static void
offline_every_frame_in_order (Remix * r)
{
  remix_push (r, 0, 60);
  fail_if (has_eos (r->h));

  /* EOS waits for the last results, so every frame is out before it */
  remix_finish (r, 60);
  remix_expect (r, 0, 60, 15);
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 4);
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu, "files"), 4);
}

/* The input shows until the first result (*first_remixed stays 0), then
 * results only (the newest, never back to the input) for 30 frames. */
static gboolean
input_then_remixes (Remix * r, GstBuffer * out, guint i, gpointer data)
{
  guint *first_remixed = data;

  if (*first_remixed == 0) {
    if (shows_some_remix (out, i))
      *first_remixed = i;
    else
      fail_unless (shows_frame (out, i, FALSE, WIDTH, HEIGHT),
          "frame %u shows neither its input nor a remix", i);
  } else {
    fail_unless (shows_some_remix (out, i), "frame %u lost the remix", i);
  }
  return *first_remixed > 0 && i + 1 >= *first_remixed + 30;
}

/* Live: every frame leaves at once. */
static void
live_never_waits (Remix * r)
{
  guint first_remixed = 0;

  gst_harness_use_testclock (r->h);
  remix_live (r, 0, 300, input_then_remixes, &first_remixed);
  fail_unless (first_remixed > 0, "no result ever showed");
}

/* The first request fails for good: a warning names the frame, its
 * frames show the input, and the stream goes on to EOS.  The reference
 * image is uploaded once, not per frame. */
static void
failed_request_warns_and_goes_on (Remix * r)
{
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
  remix_attach (r, "offline", refs, 1, CAPS, CAPS);

  remix_push (r, 0, 45);
  remix_finish (r, 45);
  for (i = 0; i < 15; i++) {
    GstBuffer *out = gst_harness_pull (r->h);
    fail_unless (shows_frame (out, i, FALSE, WIDTH, HEIGHT),
        "frame %u should show its input", i);
    gst_buffer_unref (out);
  }
  remix_expect (r, 15, 45, 15);

  text = element_test_pop_warning (r->bus);
  fail_unless (text != NULL, "no warning for the failed request");
  fail_unless (strstr (text, "0:00:00.000000000") != NULL, "got: %s", text);
  fail_unless (strstr (text, "Generation failed") != NULL, "got: %s", text);
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 3);
  /* one upload per picked frame, and the reference image once */
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu, "files"),
      3 + 1);

  g_free (text);
  g_unlink (ref_path);
  g_free (ref_path);
}

static void
too_many_reference_images (Remix * r)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("videotestsrc", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  gchar *refs[9] = { NULL };
  gchar *text;
  gint i;

  for (i = 0; i < 8; i++)
    refs[i] = g_strdup_printf ("http://127.0.0.1:9/%d.png", i);
  g_object_set (remix, "prompt", "watercolour", "api-key", "k", "base-url",
      "http://127.0.0.1:9", "reference-images", refs, NULL);
  for (i = 0; i < 8; i++)
    g_free (refs[i]);
  gst_bin_add_many (GST_BIN (pipeline), src, remix, sink, NULL);
  fail_unless (gst_element_link_many (src, remix, sink, NULL));

  text = element_test_start_error (pipeline);
  gst_object_unref (pipeline);
  fail_unless (strstr (text, "takes at most 8 source image(s) per "
          "request, but each request would carry 9") != NULL, "got: %s", text);
  g_free (text);
}

/* Nothing was uploaded or created. */
static void
nothing_sent (Remix * r)
{
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu, "files"), 0);
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 0);
}

/* Model max with an aspect ratio it does not list: the state change
 * fails with an error naming the property and the valid values; nothing
 * is uploaded or created.  (Its default auto is the listed ratio nearest
 * the frame: test-element-promises.c.) */
static void
max_with_unlisted_ratio_refused_at_start (Remix * r)
{
  gchar *description = g_strdup_printf ("videotestsrc num-buffers=3 ! "
      "imagegenremix prompt=watercolour api-key=k aspect-ratio=5:4 "
      "model=flux-2-max-remix-image base-url=%s ! fakesink",
      imagegen_test_emulator_get_base_url (r->emu));
  GstElement *pipeline = gst_parse_launch (description, NULL);
  gchar *text = element_test_start_error (pipeline);

  fail_unless (strstr (text, "Invalid aspect-ratio \"5:4\" for "
          "model flux-2-max-remix-image; valid values: 1:1, 4:3, 3:4, 16:9, "
          "9:16, 3:2, 2:3.") != NULL, "got: %s", text);
  nothing_sent (r);
  gst_object_unref (pipeline);
  g_free (text);
  g_free (description);
}

/* The emulator's first task, or NULL. */
static JsonObject *
first_task (ImagegenTestEmulator * emu)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");
  JsonObject *task = NULL;

  if (json_array_get_length (tasks) > 0)
    task = json_object_ref (json_array_get_object_element (tasks, 0));
  json_object_unref (stats);
  return task;
}

/* Waits until the emulator's first task was polled @polls times. */
static void
wait_polled (ImagegenTestEmulator * emu, gint64 polls)
{
  JsonObject *task = NULL;

  while (task == NULL || json_object_get_int_member (task, "polls") < polls) {
    g_clear_pointer (&task, json_object_unref);
    g_usleep (20 * 1000);
    task = first_task (emu);
  }
  json_object_unref (task);
}

/* A flushing seek while the request for frame 0 runs (it never finishes:
 * its frames wait): nothing from before the flush comes out after it. */
static void
flush_drops_stale_results (Remix * r)
{
  GstSegment segment;

  remix_push (r, 0, 10);
  wait_polled (r->emu, 1);
  fail_unless_equals_int (gst_harness_buffers_in_queue (r->h), 0);

  fail_unless (gst_harness_push_event (r->h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (r->h,
          gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (r->h,
          gst_event_new_segment (&segment)));
  remix_push (r, 100, 110);
  remix_finish (r, 10);
  remix_expect (r, 100, 110, G_MAXUINT);
}

/* New input size mid-stream: frames before and after keep their sizes. */
static void
caps_change_mid_stream (Remix * r)
{
  guint i;

  gst_harness_set_sink_caps_str (r->h, "video/x-raw,format=RGBA");
  remix_push (r, 0, 5);
  gst_harness_set_src_caps_str (r->h,
      "video/x-raw,format=RGBA,width=32,height=24,framerate=30/1");
  for (i = 5; i < 10; i++)
    gst_harness_push (r->h, make_frame (i, 32, 24));
  remix_finish (r, 10);
  for (i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (r->h);
    gint w = i < 5 ? WIDTH : 32, hh = i < 5 ? HEIGHT : 24;
    fail_unless_equals_int (gst_buffer_get_size (out), w * hh * 4);
    gst_buffer_unref (out);
  }
}

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
static void
offline_transition_and_stats (Remix * r)
{
  GstStructure *stats;
  GstMessage *msg;
  guint i, completed = 0, requests = 0, succeeded = 0;
  guint8 last = 0;
  gint64 spent = 0;

  g_object_set (r->h->element, "transition-duration", FRAME_TIME (5), NULL);
  remix_push (r, 0, 25);
  remix_finish (r, 25);

  for (i = 0; i < 25; i++) {
    GstBuffer *out = gst_harness_pull (r->h);
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
  while (completed < 2 && (msg = gst_bus_timed_pop_filtered (r->bus,
              10 * GST_SECOND, GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "completed"))
      completed++;
    gst_message_unref (msg);
  }
  fail_unless_equals_int (completed, 2);
  g_object_get (r->h->element, "stats", &stats, NULL);
  gst_structure_get_uint (stats, "requests", &requests);
  gst_structure_get_uint (stats, "succeeded", &succeeded);
  gst_structure_get_int64 (stats, "spent-cents", &spent);
  fail_unless_equals_int (requests, 2);
  fail_unless_equals_int (succeeded, 2);
  fail_unless_equals_int (spent, 10);
  gst_structure_free (stats);
}

/* max-requests=1: the second pick is refused with a warning, its frames
 * keep showing the first result, and nothing is lost. */
static void
offline_spending_guard (Remix * r)
{
  gchar *text;

  g_object_set (r->h->element, "max-requests", 1, NULL);
  remix_push (r, 0, 30);
  remix_finish (r, 30);
  remix_expect (r, 0, 30, G_MAXUINT);
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 1);
  text = element_test_pop_warning (r->bus);
  fail_unless (text != NULL && strstr (text, "max-requests (1)") != NULL,
      "got: %s", text);
  g_free (text);
}

/* A prompt set while PLAYING applies from the next picked frame on. */
static void
prompt_change_applies_to_next_pick (Remix * r)
{
  JsonObject *stats;
  JsonArray *tasks;

  remix_attach (r, "offline", NULL, 1, CAPS, CAPS);
  remix_push (r, 0, 10);
  g_object_set (r->h->element, "prompt", "a new look", NULL);
  remix_push (r, 10, 30);
  remix_finish (r, 30);

  stats = imagegen_test_emulator_stats (r->emu);
  tasks = json_object_get_array_member (stats, "tasks");
  fail_unless_equals_int (json_array_get_length (tasks), 2);
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (tasks, 0), "prompt"), "watercolour");
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (tasks, 1), "prompt"), "a new look");
  json_object_unref (stats);
}

/* A request whose task never finishes holds the first frame, and the
 * queue fills behind it.  Going to @state still returns at once, cancels
 * the request and sends nothing more: the emulator's records show the
 * task unfinished and no poll after the state change returned. */
static void
stop_during_stuck_request (Remix * r, GstState state)
{
  gchar *description = g_strdup_printf ("videotestsrc ! "
      "video/x-raw,width=64,height=48 ! imagegenremix mode=offline "
      "prompt=watercolour api-key=k base-url=%s poll-interval=20 "
      "max-queue-frames=4 ! fakesink",
      imagegen_test_emulator_get_base_url (r->emu));
  GstElement *pipeline = gst_parse_launch (description, NULL);
  JsonObject *task;
  const gchar *status;
  gint64 polls;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* the task exists and is being polled: the request is in flight */
  wait_polled (r->emu, 2);

  fail_unless_equals_int (gst_element_set_state (pipeline, state),
      GST_STATE_CHANGE_SUCCESS);
  task = first_task (r->emu);
  polls = json_object_get_int_member (task, "polls");
  status = json_object_get_string_member (task, "status");
  fail_unless (g_str_equal (status, "pending")
      || g_str_equal (status, "processing"), "task %s", status);
  json_object_unref (task);

  /* the client is gone with the state change: nothing can come later */
  g_usleep (300 * 1000);
  task = first_task (r->emu);
  fail_unless_equals_int (json_object_get_int_member (task, "polls"), polls);
  json_object_unref (task);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_free (description);
}

static void
null_during_stuck_request (Remix * r)
{
  stop_during_stuck_request (r, GST_STATE_NULL);
}

static void
ready_during_stuck_request (Remix * r)
{
  stop_during_stuck_request (r, GST_STATE_READY);
}

/* four patches, one per quadrant: black, RGB 20, mid grey, a colour */
static const guint8 patches[4][3] = {
  {0, 0, 0}, {20, 20, 20}, {128, 128, 128}, {200, 100, 50}
};

#define COLOUR_TOLERANCE 6

static void
paint_patches (gint x, gint y, guint8 rgb[3], gpointer data)
{
  memcpy (rgb, patches[(y >= HEIGHT / 2) * 2 + (x >= WIDTH / 2)], 3);
}

/* An I420 harness of @colorimetry in, @out_caps out (NULL: the same);
 * @info describes the input, @rgba_info an RGBA frame of its size. */
static void
attach_i420 (Remix * r, const gchar * colorimetry, const gchar * out_caps,
    GstVideoInfo * info, GstVideoInfo * rgba_info)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,"
      "height=%d,framerate=30/1,colorimetry=%s", WIDTH, HEIGHT, colorimetry);
  GstCaps *in_caps = gst_caps_from_string (caps);

  remix_attach (r, "offline", NULL, 4, caps, out_caps ? out_caps : caps);
  fail_unless (gst_video_info_from_caps (info, in_caps));
  gst_caps_unref (in_caps);
  gst_video_info_set_format (rgba_info, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT);
  GST_VIDEO_INFO_FPS_N (rgba_info) = FPS;
  g_free (caps);
}

/* @rgba converted to @info (taken), as frame 0. */
static GstBuffer *
first_frame_as (GstBuffer * rgba, const GstVideoInfo * rgba_info,
    const GstVideoInfo * info)
{
  GstBuffer *in = element_test_convert (rgba, rgba_info, info);

  gst_buffer_unref (rgba);
  GST_BUFFER_PTS (in) = 0;
  GST_BUFFER_DURATION (in) = FRAME_TIME (1);
  return in;
}

/* I420 frames of @colorimetry in and out: the service gets the colours
 * the viewer sees (full range), and the inverted result is placed back in
 * the output's range and matrix. */
static void
check_colorimetry (Remix * r, const gchar * colorimetry, guint8 black_luma)
{
  GstVideoInfo rgba_info, yuv_info;
  GstBuffer *yuv, *out, *out_rgba;
  GstMapInfo map;
  guint8 y0;
  gint q, c;

  attach_i420 (r, colorimetry, NULL, &yuv_info, &rgba_info);
  yuv = first_frame_as (element_test_painted_frame (WIDTH, HEIGHT,
          paint_patches, NULL), &rgba_info, &yuv_info);
  /* the input really is in that range: black's luma */
  gst_buffer_extract (yuv, 0, &y0, 1);
  fail_unless (ABS (y0 - black_luma) <= 1, "%s: black is Y %u", colorimetry,
      y0);

  out = remix_one (r, yuv);
  out_rgba = element_test_convert (out, &yuv_info, &rgba_info);
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
  remix_detach (r);
}

/* SD I420 from decodebin is limited-range BT.601: black is Y 16, and must
 * reach the service as RGB 0 (not 16); the same for BT.709 and full range. */
static void
colorimetry_round_trip (Remix * r)
{
  check_colorimetry (r, "bt601", 16);
  check_colorimetry (r, "bt709", 16);
  check_colorimetry (r, "1:4:0:0", 0);
}

/* One grey frame of code value @in_code in I420 of @in_colorimetry; the
 * output (RGBA, or I420 of @out_colorimetry) read back as code values
 * (GstVideoConverter keeps them across transfer functions).  The emulator
 * answers 255 - the uploaded picture. */
static guint8
transfer_round_trip (Remix * r, const gchar * in_colorimetry,
    const gchar * out_caps_str, guint8 in_code)
{
  GstVideoInfo rgba_info, in_info, out_info;
  GstBuffer *rgba, *out, *out_rgba;
  GstCaps *out_caps;
  GstMapInfo map;
  guint8 got;

  attach_i420 (r, in_colorimetry, out_caps_str, &in_info, &rgba_info);
  rgba = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgba_info),
      NULL);
  gst_buffer_memset (rgba, 0, in_code, GST_VIDEO_INFO_SIZE (&rgba_info));
  out = remix_one (r, first_frame_as (rgba, &rgba_info, &in_info));

  out_caps = gst_pad_get_current_caps (r->h->sinkpad);
  fail_unless (gst_video_info_from_caps (&out_info, out_caps));
  gst_caps_unref (out_caps);
  out_rgba = element_test_convert (out, &out_info, &rgba_info);
  gst_buffer_map (out_rgba, &map, GST_MAP_READ);
  got = map.data[4 * (HEIGHT / 2 * WIDTH + WIDTH / 2)];
  gst_buffer_unmap (out_rgba, &map);
  gst_buffer_unref (out_rgba);
  gst_buffer_unref (out);
  remix_detach (r);
  return got;
}

/* HDR and linear frames reach the service as a viewer sees them: HDR
 * reference white (203 cd/m², BT.2408: PQ code 0.58, HLG 0.75) as near
 * white, not as a dull grey; linear light as sRGB.  Results placed into
 * HDR output put SDR white at the reference white, not at 10000 cd/m². */
static void
transfer_functions (Remix * r)
{
  guint8 got;

  /* PQ code 148 (203 cd/m²): uploaded >= 230, so the remix is <= 25;
   * without the mapping it is uploaded as 148 and comes back as 107 */
  got = transfer_round_trip (r, "bt2100-pq", CAPS, 148);
  fail_unless (got <= 25, "PQ reference white came back as %u", got);
  got = transfer_round_trip (r, "bt2100-hlg", CAPS, 191);
  fail_unless (got <= 25, "HLG reference white came back as %u", got);
  /* linear 0.5 is sRGB 188: the remix is 67 (±6) */
  got = transfer_round_trip (r, "1:4:1:1", CAPS, 128);
  fail_unless (ABS (got - 67) <= 6, "linear 0.5 came back as %u", got);
  /* PQ black uploads as black; its white remix, placed into PQ output,
   * is the reference white (code 148 ±8), not PQ's peak (255) */
  got = transfer_round_trip (r, "bt2100-pq", "video/x-raw,format=I420,"
      "width=64,height=48,framerate=30/1,colorimetry=bt2100-pq", 0);
  fail_unless (ABS (got - 148) <= 8, "a white result in PQ output is %u",
      got);
  /* SDR curves are shown as they are: BT.709 148 comes back as 107 */
  got = transfer_round_trip (r, "bt709", CAPS, 148);
  fail_unless (ABS (got - 107) <= COLOUR_TOLERANCE, "BT.709 148 came back "
      "as %u", got);
}

/* Pushes one frame of frame 0's colour (@width x @height at @par) and checks
 * that every edge pixel of the @out_width x @out_height (@out_par) output
 * shows its remix: no black bars. */
static void
check_edges_remixed_par (Remix * r, gint width, gint height,
    const gchar * par, gint out_width, gint out_height, const gchar * out_par)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=RGBA,width=%d,"
      "height=%d,framerate=30/1,pixel-aspect-ratio=%s", width, height, par);
  gchar *out_caps = g_strdup_printf ("video/x-raw,format=RGBA,width=%d,"
      "height=%d,framerate=30/1,pixel-aspect-ratio=%s", out_width, out_height,
      out_par);
  GstBuffer *out;
  GstMapInfo map;
  guint8 rgb[3];
  gint x, y, c;

  remix_attach (r, "offline", NULL, 4, caps, out_caps);
  out = remix_one (r, make_frame (0, width, height));
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
  remix_detach (r);
}

/* The service answers sizes in multiples of 16, so a result is a few pixels
 * off the frame's shape: with the default scale-mode (fit) that must not
 * draw thin black bars.  Every edge pixel shows the remix. */
static void
no_thin_borders (Remix * r)
{
  check_edges_remixed_par (r, 1920, 1080, "1/1", 1920, 1080, "1/1");
  check_edges_remixed_par (r, 640, 480, "1/1", 640, 480, "1/1");
}

/* 60 frames without timestamps at 30/1, interval 1 s: picked by count
 * (frames 0 and 30, two requests, not 60), and one warning says so. */
static void
untimed_frames_picked_by_count (Remix * r)
{
  gchar *text;
  guint i;

  g_object_set (r->h->element, "interval", GST_SECOND, NULL);
  for (i = 0; i < 60; i++) {
    GstBuffer *buf = make_frame (i, WIDTH, HEIGHT);
    GST_BUFFER_PTS (buf) = GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
    fail_unless_equals_int (gst_harness_push (r->h, buf), GST_FLOW_OK);
  }
  remix_finish (r, 60);
  for (i = 0; i < 60; i++) {
    GstBuffer *out = gst_harness_pull (r->h);
    fail_unless (shows_frame (out, i - i % 30, TRUE, WIDTH, HEIGHT),
        "frame %u does not show the remix of frame %u", i, i - i % 30);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 2);

  text = element_test_pop_warning (r->bus);
  fail_unless (text != NULL, "no warning about the missing timestamps");
  fail_unless (strstr (text, "no timestamps") != NULL, "got: %s", text);
  fail_unless (strstr (text, "frame count") != NULL, "got: %s", text);
  g_free (text);
  text = element_test_pop_warning (r->bus);
  fail_unless (text == NULL, "a second warning: %s", text);
}

/* Interleaved frames whose fields differ (the top field frame 0's colour,
 * the bottom field frame 20's): remixed, not passed through, and what is
 * uploaded is one field line-doubled, so the result is 255 - the top
 * field's colour, with no combing. */
static void
interlaced_frames_deinterlaced (Remix * r)
{
  const gchar *caps = CAPS ",interlace-mode=interleaved";
  GstBuffer *buf, *bottom, *out;
  GstMapInfo map, bmap;
  gchar *text;
  gint y;

  remix_attach (r, "offline", NULL, 4, caps, caps);
  buf = make_frame (0, WIDTH, HEIGHT);
  bottom = make_frame (20, WIDTH, HEIGHT);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_buffer_map (bottom, &bmap, GST_MAP_READ);
  for (y = 1; y < HEIGHT; y += 2)
    memcpy (map.data + 4 * WIDTH * y, bmap.data + 4 * WIDTH * y, 4 * WIDTH);
  gst_buffer_unmap (bottom, &bmap);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (bottom);

  out = remix_one (r, buf);
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
  fail_unless_equals_int (imagegen_test_emulator_count (r->emu,
          "create_remix"), 1);
  text = element_test_pop_warning (r->bus);
  fail_unless (text == NULL, "unexpected warning: %s", text);
}

/* 96x72 frames of 4:3 pixels are 16:9 pictures (as 1440x1080 HDV): the
 * upload is 16:9 (aspect-ratio stays auto), so the result is 16:9 and fills
 * a square-pixel 128x72 frame; placed back into 4:3 pixels it fills the
 * frame too.  A squashed 4:3 upload would come back 4:3: pillarboxed in
 * the first, letterboxed in the second. */
static void
pixel_aspect_ratio (Remix * r)
{
  check_edges_remixed_par (r, 96, 72, "4/3", 128, 72, "1/1");
  check_edges_remixed_par (r, 96, 72, "4/3", 96, 72, "4/3");
}

/* True, and *@data too, at the first frame that shows a remix. */
static gboolean
shows_a_remix (Remix * r, GstBuffer * out, guint i, gpointer data)
{
  gboolean *shown = data;

  *shown = shows_some_remix (out, i);
  return *shown;
}

/* Every frame keeps the remix; true at the first warning, the 422's. */
static gboolean
keeps_remix_until_warning (Remix * r, GstBuffer * out, guint i, gpointer data)
{
  gchar **warning = data;

  fail_unless (shows_some_remix (out, i), "frame %u lost the remix", i);
  element_test_drain_bus (r->bus, warning);
  return *warning != NULL;
}

/* Live remix: a prompt or aspect ratio the service would refuse, set while
 * PLAYING, is refused with a warning naming the property and the valid
 * values (the last good value stays); a 422 the service answers to a
 * change made while PLAYING is a warning, and frames keep flowing. */
static void
live_runtime_typo_goes_on (Remix * r)
{
  gchar *text = NULL;
  gboolean shown = FALSE;
  guint i;

  gst_harness_use_testclock (r->h);
  i = remix_live (r, 0, 300, shows_a_remix, &shown);
  fail_unless (shown, "no result ever showed");

  element_test_expect_refused (r->h->element, r->bus, "prompt", "ab",
      "\"prompt\"", "watercolour");
  element_test_expect_refused (r->h->element, r->bus, "model",
      "flux-2-max-remix-imag", "Unknown model \"flux-2-max-remix-imag\" for "
      "imagegenremix; did you mean flux-2-max-remix-image",
      "flux-2-pro-remix-image");

  /* the change first: a 422 may answer a request sent before it */
  g_object_set (r->h->element, "aspect-ratio", "16:9", NULL);
  fail_unless (imagegen_test_emulator_fail (r->emu, "create:422:1"));
  i = remix_live (r, i, 600, keeps_remix_until_warning, &text);
  fail_unless (text != NULL, "no warning for the 422");
  fail_unless (strstr (text, "422") != NULL, "got: %s", text);
  /* and the stream goes on */
  fail_unless_equals_int (gst_harness_push (r->h, make_frame (i, WIDTH,
              HEIGHT)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (r->h));
  fail_if (gst_bus_pop_filtered (r->bus, GST_MESSAGE_ERROR) != NULL);
  g_free (text);
}

/* Live remix, refused key: one failure, one error, however many frames
 * still arrive after it (a tee or an application may keep pushing); the
 * error says what failed. */
static void
live_invalid_key_one_error (Remix * r)
{
  GstMessage *msg;
  GstFlowReturn ret = GST_FLOW_OK;
  guint i, errors = 0, after = 0;

  gst_harness_use_testclock (r->h);
  for (i = 0; i < 300 && after < 10; i++) {
    ret = gst_harness_push (r->h, make_frame (i, WIDTH, HEIGHT));
    if (ret == GST_FLOW_ERROR)
      after++;
    else
      gst_buffer_unref (gst_harness_pull (r->h));
    g_usleep (20 * 1000);
  }
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  while ((msg = gst_bus_pop_filtered (r->bus, GST_MESSAGE_ERROR)) != NULL) {
    GError *err;
    gst_message_parse_error (msg, &err, NULL);
    fail_unless (strstr (err->message, "invalid API key (HTTP 401)") != NULL,
        "got: %s", err->message);
    g_error_free (err);
    gst_message_unref (msg);
    errors++;
  }
  fail_unless_equals_int (errors, 1);
}

/* 40000x40000 caps: refused at negotiation with an error that names the
 * frame-size limit, before any frame memory. */
static void
oversized_caps_refused (Remix * r)
{
  const gchar *huge =
      "video/x-raw,format=RGBA,width=40000,height=40000,framerate=30/1";
  gchar *text;

  gst_harness_set_sink_caps_str (r->h, huge);
  gst_harness_set_src_caps_str (r->h, huge);
  /* a stand-in buffer: the caps are refused before it is looked at */
  fail_if (gst_harness_push (r->h, gst_buffer_new_allocate (NULL, 16,
              NULL)) == GST_FLOW_OK);
  text = element_test_pop_error (r->bus);
  fail_unless (strstr (text, "40000x40000") != NULL
      && strstr (text, "frame-size limit") != NULL
      && strstr (text, "max-pixels") != NULL, "got: %s", text);
  g_free (text);
}

/* A reference file that is not an image is refused when the pipeline
 * starts, naming the file, before any request is paid for. */
static void
reference_not_an_image (Remix * r)
{
  gchar *ref_path = g_build_filename (g_get_tmp_dir (),
      "imagegen-ref-notes.txt", NULL);
  gchar *description, *text;
  GstElement *pipeline;

  fail_unless (g_file_set_contents (ref_path, "just some notes\n", -1, NULL));
  description = g_strdup_printf ("videotestsrc num-buffers=5 ! "
      "video/x-raw,width=64,height=48 ! imagegenremix prompt=watercolour "
      "api-key=k base-url=%s reference-images=\"<%s>\" ! fakesink",
      imagegen_test_emulator_get_base_url (r->emu), ref_path);
  pipeline = gst_parse_launch (description, NULL);
  fail_unless (pipeline != NULL);
  text = element_test_start_error (pipeline);
  gst_object_unref (pipeline);
  fail_unless (strstr (text, ref_path) != NULL
      && strstr (text, "not a PNG, JPEG or WebP image") != NULL,
      "got: %s", text);
  nothing_sent (r);

  g_unlink (ref_path);
  g_free (ref_path);
  g_free (description);
  g_free (text);
}

/* The tests: each name, body, the harness' mode (NULL: the body makes its
 * own, or none) and the emulator's options. */
typedef struct
{
  const gchar *name;
  void (*run) (Remix * r);
  const gchar *mode;
  const gchar *args[6];
} RemixCase;

#define LATENCY(ms) "--latency", #ms

static const RemixCase cases[] = {
  {"test_offline_every_frame_in_order", offline_every_frame_in_order,
      "offline", {LATENCY (300)}},
  {"test_live_never_waits", live_never_waits, "live", {LATENCY (300)}},
  {"test_failed_request_warns_and_goes_on", failed_request_warns_and_goes_on,
      NULL, {LATENCY (300), "--fail", "task:failed"}},
  {"test_too_many_reference_images", too_many_reference_images, NULL, {NULL}},
  {"test_max_with_unlisted_ratio_refused_at_start",
      max_with_unlisted_ratio_refused_at_start, NULL, {NULL}},
  /* the request before the flush never finishes */
  {"test_flush_drops_stale_results", flush_drops_stale_results, "offline",
      {LATENCY (200), "--fail", "task:stuck:1"}},
  {"test_caps_change_mid_stream", caps_change_mid_stream, "offline",
      {LATENCY (200)}},
  {"test_offline_transition_and_stats", offline_transition_and_stats,
      "offline", {LATENCY (200)}},
  {"test_offline_spending_guard", offline_spending_guard, "offline",
      {LATENCY (200)}},
  {"test_prompt_change_applies_to_next_pick",
      prompt_change_applies_to_next_pick, NULL, {LATENCY (100)}},
  {"test_null_during_stuck_request", null_during_stuck_request, NULL,
      {"--fail", "task:stuck"}},
  {"test_ready_during_stuck_request", ready_during_stuck_request, NULL,
      {"--fail", "task:stuck"}},
  {"test_colorimetry_round_trip", colorimetry_round_trip, NULL,
      {LATENCY (50)}},
  {"test_transfer_functions", transfer_functions, NULL, {LATENCY (50)}},
  {"test_no_thin_borders", no_thin_borders, NULL, {LATENCY (50)}},
  {"test_untimed_frames_picked_by_count", untimed_frames_picked_by_count,
      "offline", {LATENCY (50)}},
  {"test_interlaced_frames_deinterlaced", interlaced_frames_deinterlaced,
      NULL, {LATENCY (50)}},
  {"test_pixel_aspect_ratio", pixel_aspect_ratio, NULL, {LATENCY (50)}},
  {"test_live_runtime_typo_goes_on", live_runtime_typo_goes_on, "live",
      {LATENCY (100)}},
  {"test_live_invalid_key_one_error", live_invalid_key_one_error, "live",
      {LATENCY (100), "--require-key", "right"}},
  {"test_oversized_caps_refused", oversized_caps_refused, "offline",
      {LATENCY (50)}},
  {"test_reference_not_an_image", reference_not_an_image, NULL,
      {LATENCY (50)}},
};

/* Case __i__ with its emulator and, when it names a mode, its harness. */
GST_START_TEST (remix_case)
{
  const RemixCase *c = &cases[__i__];
  Remix r = { imagegen_test_emulator_start (c->args), NULL, NULL };

  if (c->mode != NULL)
    remix_attach (&r, c->mode, NULL, 4, CAPS, CAPS);
  c->run (&r);
  if (r.h != NULL)
    remix_detach (&r);
  imagegen_test_emulator_stop (r.emu);
}

GST_END_TEST;

static Suite *
imagegenremix_suite (void)
{
  Suite *s = suite_create ("imagegenremix");
  TCase *tc = tcase_create ("general");
  guint i;

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 180);
  /* one check test per row, by its name: GST_CHECKS picks among them */
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    _tcase_add_test (tc, remix_case, cases[i].name, 0, 0, i, i + 1);
  return s;
}

GST_CHECK_MAIN (imagegenremix);
