/* gst-imagegen: live imagegensrc with a test clock, against the emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <gst/video/video.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define PROMPT_A "a lighthouse at dusk, oil painting"
#define PROMPT_B "a field of sunflowers at noon"
#define CAPS "video/x-raw,format=RGBA,width=64,height=64,framerate=10/1"
#define FRAME (GST_SECOND / 10)
#define MAX_FRAMES 400

typedef struct
{
  ElementTestHarness e;
  guint64 n;                    /* frames pulled */
  guint completed;              /* "completed" messages seen */
  gchar *warning;
} Live;

static Live *
live_new (const gchar * const *emu_args, const gchar * prompt)
{
  Live *l = g_new0 (Live, 1);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);

  g_object_set (src, "is-live", TRUE, "prompt", prompt, "poll-interval", 50,
      "poll-max-interval", 100, NULL);
  element_test_harness_start (&l->e, emu_args, src, "sink", "src");
  gst_harness_set_sink_caps_str (l->e.h, CAPS);
  return l;
}

static void
live_free (Live * l)
{
  element_test_harness_stop (&l->e);
  g_free (l->warning);
  g_free (l);
}

/* Reads the bus: counts "completed" task messages, keeps the first
 * warning.  Returns the number of completed messages so far. */
static guint
live_poll_bus (Live * l)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (l->e.bus)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "completed"))
      l->completed++;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING && l->warning == NULL) {
      GError *err;
      gst_message_parse_warning (msg, &err, NULL);
      l->warning = g_strdup (err->message);
      g_error_free (err);
    }
    gst_message_unref (msg);
  }
  return l->completed;
}

/* Lets the next frame out, checks its timestamp, returns it.  The real
 * time sleep lets requests progress while the test clock holds frames. */
static GstBuffer *
live_next (Live * l)
{
  GstBuffer *buf;

  g_usleep (10 * 1000);
  fail_unless (gst_harness_crank_single_clock_wait (l->e.h));
  buf = gst_harness_pull (l->e.h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), l->n * FRAME);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), FRAME);
  l->n++;
  return buf;
}

static void
pixel (GstBuffer * buf, guint8 px[4])
{
  gst_buffer_extract (buf, 0, px, 4);
}

static gboolean
shows (GstBuffer * buf, const gchar * prompt)
{
  guint8 want[3], got[4];
  gint c;

  element_test_prompt_colour (prompt, 0.0, want);
  pixel (buf, got);
  for (c = 0; c < 3; c++)
    if (ABS ((gint) got[c] - (gint) want[c]) > 6)
      return FALSE;
  return got[3] == 255;
}

static gboolean
is_transparent (GstBuffer * buf)
{
  guint8 px[4];

  pixel (buf, px);
  return px[3] == 0;
}

/* Frames until @prompt's image shows; fails if it never does. */
static void
run_until_shown (Live * l, const gchar * prompt)
{
  guint i;

  for (i = 0; i < MAX_FRAMES; i++) {
    GstBuffer *buf = live_next (l);
    gboolean done = shows (buf, prompt);
    gst_buffer_unref (buf);
    if (done)
      return;
  }
  fail ("%s never showed", prompt);
}

static const gchar *latency_500[] = { "--latency", "500", NULL };

/* Frames flow at the framerate from the first one, transparent until the
 * image arrives; the first frame made after the "completed" message shows
 * it (the message is posted once the image is in place). */
GST_START_TEST (test_live_frames_before_and_after_image)
{
  Live *l = live_new (latency_500, PROMPT_A);
  gboolean seen = FALSE;
  guint i, frames_after = 0;

  gst_harness_play (l->e.h);
  for (i = 0; i < MAX_FRAMES && frames_after < 3; i++) {
    GstBuffer *buf = live_next (l);

    if (!seen) {
      fail_unless (is_transparent (buf) || shows (buf, PROMPT_A),
          "frame %u is neither the placeholder nor the image", i);
      /* the next frame is made once its clock wait is pending */
      gst_test_clock_wait_for_next_pending_id (l->e.clock, NULL);
      seen = live_poll_bus (l) > 0;
      if (seen)
        GST_INFO ("image arrived after frame %u", i);
    } else {
      /* frame i+1 may have been made just before the arrival, i+2 not */
      if (frames_after > 0)
        fail_unless (shows (buf, PROMPT_A), "frame %u misses the image", i);
      frames_after++;
    }
    gst_buffer_unref (buf);
  }
  fail_unless (seen, "the image never arrived");
  fail_unless (i > 3, "frames must flow before the image arrives");
  live_free (l);
}

GST_END_TEST;

GST_START_TEST (test_live_latency_query)
{
  Live *l = live_new (latency_500, PROMPT_A);
  GstQuery *q = gst_query_new_latency ();
  GstClockTime min, max;
  gboolean live;
  GstBuffer *buf;

  gst_harness_play (l->e.h);
  buf = live_next (l);
  gst_buffer_unref (buf);
  fail_unless (gst_pad_peer_query (l->e.h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, FRAME);
  fail_unless_equals_uint64 (max, GST_CLOCK_TIME_NONE);
  gst_query_unref (q);
  live_free (l);
}

GST_END_TEST;

/* A new prompt while PLAYING replaces the image; the old one never comes
 * back.  Holding an image pushes the same memory, not a copy. */
GST_START_TEST (test_live_prompt_change_and_hold)
{
  Live *l = live_new (latency_500, PROMPT_A);
  GstBuffer *a, *b;
  guint i;

  gst_harness_play (l->e.h);
  run_until_shown (l, PROMPT_A);

  a = live_next (l);
  b = live_next (l);
  fail_unless (shows (a, PROMPT_A) && shows (b, PROMPT_A));
  fail_unless (gst_buffer_peek_memory (a, 0) == gst_buffer_peek_memory (b, 0),
      "an unchanged frame was copied");
  fail_if (a == b);
  gst_buffer_unref (a);
  gst_buffer_unref (b);

  g_object_set (l->e.h->element, "prompt", PROMPT_B, NULL);
  run_until_shown (l, PROMPT_B);
  for (i = 0; i < 5; i++) {
    GstBuffer *buf = live_next (l);
    fail_unless (shows (buf, PROMPT_B));
    gst_buffer_unref (buf);
  }
  live_free (l);
}

GST_END_TEST;

/* A's download is slow, so B (asked for later) arrives first: A's image,
 * arriving after B's, is dropped and never shown. */
GST_START_TEST (test_live_overtaken_result_dropped)
{
  const gchar *args[] = { "--latency", "500", "--fail", "download:slow:1",
    NULL
  };
  Live *l = live_new (args, PROMPT_A);
  guint i, frames_after_both = 0;

  gst_harness_play (l->e.h);
  gst_buffer_unref (live_next (l));
  /* B is asked for once A's (slow) download has begun */
  while (TRUE) {
    JsonObject *stats = imagegen_test_emulator_stats (l->e.emu);
    gint64 downloads = imagegen_test_emulator_stats_requests (stats,
        "download");

    json_object_unref (stats);
    if (downloads > 0)
      break;
    g_usleep (20 * 1000);
  }
  g_object_set (l->e.h->element, "prompt", PROMPT_B, NULL);

  /* A's download trickles for seconds */
  for (i = 0; i < 5 * MAX_FRAMES && frames_after_both < 5; i++) {
    GstBuffer *buf = live_next (l);
    fail_if (shows (buf, PROMPT_A), "frame %u shows the overtaken image", i);
    gst_buffer_unref (buf);
    if (live_poll_bus (l) >= 2)
      frames_after_both++;
  }
  fail_unless_equals_int (l->completed, 2);
  live_free (l);
}

GST_END_TEST;

static guint8
green (GstBuffer * buf)
{
  guint8 px[4];
  pixel (buf, px);
  return px[1];
}

/* With a transition, frames between A and B are in between and move
 * monotonically towards B; without, B cuts in. */
static void
check_transition (guint transition_frames)
{
  Live *l = live_new (latency_500, PROMPT_A);
  guint8 a[3], b[3], last;
  guint i, between = 0;

  g_object_set (l->e.h->element, "transition-duration",
      (guint64) transition_frames * FRAME, NULL);
  element_test_prompt_colour (PROMPT_A, 0.0, a);
  element_test_prompt_colour (PROMPT_B, 0.0, b);
  /* the test relies on green going down from A to B */
  fail_unless (a[1] > b[1] + 20);

  gst_harness_play (l->e.h);
  run_until_shown (l, PROMPT_A);
  g_object_set (l->e.h->element, "prompt", PROMPT_B, NULL);

  last = a[1];
  for (i = 0; i < MAX_FRAMES; i++) {
    GstBuffer *buf = live_next (l);
    guint8 g = green (buf);
    gboolean done = shows (buf, PROMPT_B);

    gst_buffer_unref (buf);
    fail_unless (g <= last + 1, "frame %u went back towards A", i);
    last = g;
    if (done)
      break;
    if (g < a[1] - 2)
      between++;
  }
  fail_unless (i < MAX_FRAMES, "B never showed");
  if (transition_frames == 0) {
    fail_unless_equals_int (between, 0);
  } else {
    fail_unless (between >= transition_frames - 2
        && between <= transition_frames,
        "%u frames in between for a %u-frame transition", between,
        transition_frames);
  }
  live_free (l);
}

GST_START_TEST (test_live_cross_fade)
{
  check_transition (6);
}

GST_END_TEST;

GST_START_TEST (test_live_cut)
{
  check_transition (0);
}

GST_END_TEST;

/* The first image fades in from the transparent placeholder like any
 * other: over 4 frames, the second one is half of each (a frame shows
 * the mix at its end).  Frames are let out only once the image is in. */
GST_START_TEST (test_live_first_image_fades_in)
{
  Live *l = live_new (latency_500, PROMPT_A);
  guint8 want[3], px[4];
  GstBuffer *buf;
  gint c;

  g_object_set (l->e.h->element, "transition-duration",
      (guint64) 4 * FRAME, NULL);
  element_test_prompt_colour (PROMPT_A, 0.0, want);
  gst_harness_play (l->e.h);
  element_test_wait_completed (l->e.bus, 1);
  /* frames made before the image came show the placeholder */
  do {
    fail_unless (gst_harness_crank_single_clock_wait (l->e.h));
    buf = gst_harness_pull (l->e.h);
    pixel (buf, px);
    gst_buffer_unref (buf);
  } while (px[3] == 0);
  /* the fade's first frame: a quarter */
  fail_unless (ABS ((gint) px[3] - 64) <= 1, "alpha %u", px[3]);
  fail_unless (gst_harness_crank_single_clock_wait (l->e.h));
  buf = gst_harness_pull (l->e.h);
  pixel (buf, px);
  gst_buffer_unref (buf);
  for (c = 0; c < 3; c++)
    fail_unless (ABS ((gint) px[c] - want[c] / 2) <= 4,
        "component %d: %u, want about %u", c, px[c], want[c] / 2);
  fail_unless (ABS ((gint) px[3] - 128) <= 1, "alpha %u", px[3]);
  /* and two frames later, all of the image */
  fail_unless (gst_harness_crank_single_clock_wait (l->e.h));
  gst_buffer_unref (gst_harness_pull (l->e.h));
  fail_unless (gst_harness_crank_single_clock_wait (l->e.h));
  buf = gst_harness_pull (l->e.h);
  fail_unless (shows (buf, PROMPT_A));
  gst_buffer_unref (buf);
  live_free (l);
}

GST_END_TEST;

static const GstStructure *
find_task_message (GList * messages, const gchar * event)
{
  GList *it;

  for (it = messages; it; it = it->next) {
    const GstStructure *s = gst_message_get_structure (it->data);
    if (s && gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), event))
      return s;
  }
  return NULL;
}

/* Task messages and the stats property carry what a user needs. */
GST_START_TEST (test_live_messages_and_stats)
{
  Live *l = live_new (latency_500, PROMPT_A);
  const GstStructure *submitted, *completed;
  GstStructure *stats;
  GList *messages = NULL;
  GstMessage *msg;
  gdouble server_ms;
  guint polls, requests, succeeded;
  gint cost;
  gint64 spent;

  gst_harness_play (l->e.h);
  run_until_shown (l, PROMPT_A);
  gst_buffer_unref (live_next (l));
  /* "completed" follows the image into place: wait for it if need be */
  while (find_task_message (messages, "completed") == NULL
      && (msg = gst_bus_timed_pop (l->e.bus, 10 * GST_SECOND)) != NULL)
    messages = g_list_append (messages, msg);

  submitted = find_task_message (messages, "submitted");
  completed = find_task_message (messages, "completed");
  fail_unless (submitted != NULL && completed != NULL);
  fail_unless_equals_string (gst_structure_get_string (completed, "task-id"),
      gst_structure_get_string (submitted, "task-id"));
  fail_unless_equals_int (strlen (gst_structure_get_string (completed,
              "task-id")), 36);
  fail_unless_equals_string (gst_structure_get_string (completed, "model"),
      "flux-2-pro-text-to-image");
  fail_unless_equals_string (gst_structure_get_string (completed, "prompt"),
      PROMPT_A);
  fail_unless (gst_structure_get_double (completed, "server-ms", &server_ms));
  fail_unless (server_ms >= 400, "server time %f ms", server_ms);
  fail_unless (gst_structure_has_field (completed, "queued-ms"));
  fail_unless (gst_structure_has_field (completed, "download-ms"));
  fail_unless (gst_structure_has_field (completed, "decode-ms"));
  fail_unless (gst_structure_get_uint (completed, "polls", &polls));
  fail_unless (polls >= 1);
  fail_unless (gst_structure_has_field (completed, "retries"));
  fail_unless (gst_structure_get_int (completed, "cost-cents", &cost));
  fail_unless_equals_int (cost, 5);

  g_object_get (l->e.h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "requests", &requests));
  fail_unless (gst_structure_get_uint (stats, "succeeded", &succeeded));
  fail_unless (gst_structure_get_int64 (stats, "spent-cents", &spent));
  fail_unless_equals_int (requests, 1);
  fail_unless_equals_int (succeeded, 1);
  fail_unless_equals_int (spent, 5);
  gst_structure_free (stats);

  g_list_free_full (messages, (GDestroyNotify) gst_message_unref);
  live_free (l);
}

GST_END_TEST;

/* Asks for images one after the other; returns how many requests the
 * emulator saw. */
static gint64
ask_for_images (Live * l, guint n)
{
  guint i, j;

  gst_harness_play (l->e.h);
  for (i = 0; i < n; i++) {
    guint before = live_poll_bus (l);

    if (i > 0)
      g_signal_emit_by_name (l->e.h->element, "generate");
    for (j = 0; j < 60 && live_poll_bus (l) == before && l->warning == NULL;
        j++)
      gst_buffer_unref (live_next (l));
  }
  /* the stream goes on after the guard stopped requests */
  for (i = 0; i < 5; i++) {
    GstBuffer *buf = live_next (l);
    fail_unless (shows (buf, PROMPT_A));
    gst_buffer_unref (buf);
  }
  return imagegen_test_emulator_count (l->e.emu, "create_text_to_image");
}

/* With @property set to @value, three images asked for: two are made,
 * and the warning says @says. */
static void
check_guard (const gchar * property, const gchar * value, const gchar * says)
{
  Live *l = live_new (latency_500, PROMPT_A);

  gst_util_set_object_arg (G_OBJECT (l->e.h->element), property, value);
  fail_unless_equals_int (ask_for_images (l, 3), 2);
  fail_unless (l->warning != NULL);
  fail_unless (strstr (l->warning, says) != NULL, "got: %s", l->warning);
  live_free (l);
}

GST_START_TEST (test_live_guard_max_requests)
{
  check_guard ("max-requests", "2", "max-requests (2)");
}

GST_END_TEST;

/* flux-2-pro costs 5 cents: 10 allows two */
GST_START_TEST (test_live_guard_max_cost)
{
  check_guard ("max-cost", "10", "max-cost (10 cents)");
}

GST_END_TEST;

/* PLAYING -> PAUSED -> PLAYING -> NULL with a request in flight, in a real
 * pipeline on the system clock: no deadlock, state changes succeed. */
GST_START_TEST (test_live_pause_resume_stop)
{
  const gchar *args[] = { "--latency", "3000", NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  GstElement *pipeline;
  gchar *desc;
  gint i;

  desc = g_strdup_printf ("imagegensrc is-live=true prompt=\"%s\" "
      "api-key=k base-url=%s poll-interval=50 ! " CAPS " ! fakesink sync=true",
      PROMPT_A, imagegen_test_emulator_get_base_url (emu));
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  for (i = 0; i < 3; i++) {
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    g_usleep (200 * 1000);
    fail_if (gst_element_set_state (pipeline, GST_STATE_PAUSED) ==
        GST_STATE_CHANGE_FAILURE);
    g_usleep (100 * 1000);
  }
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
  g_free (desc);
  imagegen_test_emulator_stop (emu);
}

GST_END_TEST;

/* A failed task in a live stream is a warning: frames keep flowing, and
 * the next request's image shows. */
GST_START_TEST (test_live_failure_warns_and_goes_on)
{
  const gchar *args[] = { "--latency", "300", "--fail", "task:failed", NULL };
  Live *l = live_new (args, PROMPT_A);
  guint i;

  gst_harness_play (l->e.h);
  for (i = 0; i < MAX_FRAMES && l->warning == NULL; i++) {
    GstBuffer *buf = live_next (l);
    fail_unless (is_transparent (buf));
    gst_buffer_unref (buf);
    live_poll_bus (l);
  }
  fail_unless (l->warning != NULL, "no warning");
  fail_unless (strstr (l->warning, "Generation failed") != NULL, "got: %s",
      l->warning);
  g_signal_emit_by_name (l->e.h->element, "generate");
  run_until_shown (l, PROMPT_A);
  live_free (l);
}

GST_END_TEST;

/* A refused key stops the live stream with an error. */
GST_START_TEST (test_live_invalid_key_is_an_error)
{
  const gchar *args[] = { "--latency", "300", "--require-key", "right",
    NULL
  };
  Live *l = live_new (args, PROMPT_A);
  GstFlowReturn ret = GST_FLOW_OK;
  GstMessage *msg;
  GError *err;
  guint i;

  gst_harness_play (l->e.h);
  for (i = 0; i < 10 * MAX_FRAMES; i++) {
    /* frames until the error: a stopped stream waits on no clock */
    g_usleep (10 * 1000);
    msg = gst_bus_pop_filtered (l->e.bus, GST_MESSAGE_ERROR);
    if (msg == NULL) {
      if (gst_test_clock_peek_next_pending_id (l->e.clock, NULL))
        gst_harness_crank_single_clock_wait (l->e.h);
      continue;
    }
    {
      gst_message_parse_error (msg, &err, NULL);
      fail_unless (strstr (err->message, "invalid API key (HTTP 401)") !=
          NULL, "got: %s", err->message);
      g_error_free (err);
      gst_message_unref (msg);
      ret = GST_FLOW_ERROR;
      break;
    }
  }
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  live_free (l);
}

GST_END_TEST;

/* A typo must not stop a live show: prompts, aspect ratios, resolutions
 * and models the service would refuse are refused while PLAYING with the
 * valid values (the last good one stays), and a 422 the service answers
 * to a change made while PLAYING is a warning; the stream goes on, and the
 * next good request shows. */
GST_START_TEST (test_live_runtime_typo_goes_on)
{
  Live *l = live_new (latency_500, PROMPT_A);
  gchar *long_prompt = g_strnfill (5001, 'a');
  gchar *warning = NULL;
  guint i;

  gst_harness_play (l->e.h);
  run_until_shown (l, PROMPT_A);
  live_poll_bus (l);

  element_test_expect_refused (l->e.h->element, l->e.bus, "prompt", "ab",
      "3 to 5000", PROMPT_A);
  element_test_expect_refused (l->e.h->element, l->e.bus, "prompt", "",
      "No prompt", PROMPT_A);
  element_test_expect_refused (l->e.h->element, l->e.bus, "prompt", long_prompt,
      "3 to 5000", PROMPT_A);
  element_test_expect_refused (l->e.h->element, l->e.bus, "aspect-ratio", "5:4",
      "1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3.", "1:1");
  element_test_expect_refused (l->e.h->element, l->e.bus, "aspect-ratio",
      "auto", "1:1, 4:3", "1:1");
  element_test_expect_refused (l->e.h->element, l->e.bus, "resolution", "4k",
      "1k, 2k", "1k");
  element_test_expect_refused (l->e.h->element, l->e.bus, "model",
      "flux-2-pro-remix-image",
      "is for imagegenremix, not imagegensrc; did you mean "
      "flux-2-pro-text-to-image", "flux-2-pro-text-to-image");
  /* max takes 1k only */
  g_object_set (l->e.h->element, "resolution", "2k", NULL);
  element_test_expect_refused (l->e.h->element, l->e.bus, "model",
      "flux-2-max-text-to-image", "resolution", "flux-2-pro-text-to-image");
  g_object_set (l->e.h->element, "resolution", "1k", NULL);

  fail_unless (imagegen_test_emulator_fail (l->e.emu, "create:422:1"));
  g_object_set (l->e.h->element, "prompt", PROMPT_B, NULL);
  for (i = 0; i < MAX_FRAMES && warning == NULL; i++) {
    GstBuffer *buf = live_next (l);
    fail_unless (shows (buf, PROMPT_A), "frame %u lost the image", i);
    gst_buffer_unref (buf);
    element_test_drain_bus (l->e.bus, &warning);
  }
  fail_unless (warning != NULL, "no warning for the 422");
  fail_unless (strstr (warning, "422") != NULL, "got: %s", warning);

  g_signal_emit_by_name (l->e.h->element, "generate");
  run_until_shown (l, PROMPT_B);
  fail_if (gst_bus_pop_filtered (l->e.bus, GST_MESSAGE_ERROR) != NULL);

  g_free (warning);
  g_free (long_prompt);
  live_free (l);
}

GST_END_TEST;

static Suite *
imagegensrc_live_suite (void)
{
  return element_test_suite ("imagegensrc-live", 180,
      ELEMENT_TEST (test_live_frames_before_and_after_image),
      ELEMENT_TEST (test_live_latency_query),
      ELEMENT_TEST (test_live_prompt_change_and_hold),
      ELEMENT_TEST (test_live_overtaken_result_dropped),
      ELEMENT_TEST (test_live_cross_fade), ELEMENT_TEST (test_live_cut),
      ELEMENT_TEST (test_live_first_image_fades_in),
      ELEMENT_TEST (test_live_messages_and_stats),
      ELEMENT_TEST (test_live_guard_max_requests),
      ELEMENT_TEST (test_live_guard_max_cost),
      ELEMENT_TEST (test_live_pause_resume_stop),
      ELEMENT_TEST (test_live_failure_warns_and_goes_on),
      ELEMENT_TEST (test_live_invalid_key_is_an_error),
      ELEMENT_TEST (test_live_runtime_typo_goes_on), NULL);
}

GST_CHECK_MAIN (imagegensrc_live);
