/* gst-imagegen: imagegentextsrc with a test clock, against the emulator:
 * prompts from subparse (an SRT rundown) and from a burst of texts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define CAPS "video/x-raw,format=RGBA,width=64,height=64,framerate=10/1"
#define FRAME (GST_SECOND / 10)
#define TEMPLATE "{text}, flat vector illustration"

static const gchar *latency_200[] = { "--latency", "200", NULL };

typedef struct
{
  ElementTestHarness e;
  guint64 n;
} Text;

static Text *
text_new_full (const gchar * const *emu_args, const gchar * text_caps,
    GstClockTime min_interval, const gchar * model)
{
  Text *t = g_new0 (Text, 1);
  GstElement *src = gst_element_factory_make ("imagegentextsrc", NULL);

  g_object_set (src, "poll-interval", 50, "prompt-template", TEMPLATE,
      "min-prompt-interval", min_interval, NULL);
  if (model != NULL)
    g_object_set (src, "model", model, "prompt-template", "{text}", NULL);
  element_test_harness_start (&t->e, emu_args, src, "text", "src");
  gst_harness_set_sink_caps_str (t->e.h, CAPS);
  /* the harness plays an element with a sink pad at once; PAUSED, a live
   * source makes no frame and the text pad takes texts */
  fail_unless_equals_int (gst_element_set_state (t->e.h->element,
          GST_STATE_PAUSED), GST_STATE_CHANGE_NO_PREROLL);
  gst_harness_set_src_caps_str (t->e.h, text_caps);
  return t;
}

static Text *
text_new (const gchar * text_caps, GstClockTime min_interval)
{
  return text_new_full (latency_200, text_caps, min_interval, NULL);
}

static void
text_free (Text * t)
{
  element_test_harness_stop (&t->e);
  g_free (t);
}

static guint
requests (Text * t)
{
  GstStructure *stats;
  guint n = 0;

  g_object_get (t->e.h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "requests", &n));
  gst_structure_free (stats);
  return n;
}

/* Lets the next frame out; returns its PTS. */
static GstClockTime
next_frame (Text * t)
{
  GstBuffer *buf;
  GstClockTime pts;

  fail_unless (gst_harness_crank_single_clock_wait (t->e.h));
  buf = gst_harness_pull (t->e.h);
  pts = GST_BUFFER_PTS (buf);
  fail_unless_equals_uint64 (pts, t->n * FRAME);
  gst_buffer_unref (buf);
  t->n++;
  return pts;
}

/* Blocks until @n "submitted" task messages came; fails on an error or a
 * warning. */
static void
wait_submitted (Text * t, guint n)
{
  guint seen = 0;

  while (seen < n) {
    GstMessage *msg = gst_bus_timed_pop_filtered (t->e.bus, 60 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
    const GstStructure *s;

    fail_unless (msg != NULL, "only %u of %u requests submitted", seen, n);
    fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT,
        "%" GST_PTR_FORMAT, msg);
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "submitted"))
      seen++;
    gst_message_unref (msg);
  }
}

/* The prompts of the emulator's tasks. */
static gchar **
task_prompts (Text * t)
{
  JsonObject *stats = imagegen_test_emulator_stats (t->e.emu);
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");
  guint i, n = json_array_get_length (tasks);
  gchar **prompts = g_new0 (gchar *, n + 1);

  for (i = 0; i < n; i++)
    prompts[i] = g_strdup (json_object_get_string_member
        (json_array_get_object_element (tasks, i), "prompt"));
  json_object_unref (stats);
  return prompts;
}

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar **) a, *(const gchar **) b);
}

static void
check_prompts (Text * t, const gchar ** want, guint n)
{
  gchar **got = task_prompts (t);
  guint i;

  qsort (got, g_strv_length (got), sizeof (gchar *), cmp_strings);
  fail_unless_equals_int (g_strv_length (got), n);
  for (i = 0; i < n; i++)
    fail_unless_equals_string (got[i], want[i]);
  g_strfreev (got);
}

static const gchar srt[] =
    "1\n00:00:01,000 --> 00:00:02,000\n<i>a lighthouse</i> & the sea\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\na field of\nsunflowers\n\n"
    "3\n00:00:05,000 --> 00:00:06,000\na neon city at night\n\n";

/* The cues' times in running time, and how many are due by @pts. */
static const GstClockTime cue_times[] = { GST_SECOND, 3 * GST_SECOND,
  5 * GST_SECOND
};

static guint
cues_due (GstClockTime pts)
{
  guint i, n = 0;

  for (i = 0; i < G_N_ELEMENTS (cue_times); i++)
    if (cue_times[i] <= pts)
      n++;
  return n;
}

/* A 3-cue SRT file through subparse: 3 requests, each at its cue's time
 * (not when subparse delivered it: all at once), with the templated
 * prompts, markup stripped and entities unescaped. */
GST_START_TEST (test_text_srt_rundown)
{
  const gchar *want[] = {
    "a field of sunflowers, flat vector illustration",
    "a lighthouse & the sea, flat vector illustration",
    "a neon city at night, flat vector illustration",
  };
  GstHarness *parse = gst_harness_new ("subparse");
  Text *t = text_new ("text/x-raw,format=pango-markup", GST_SECOND);
  GstBuffer *buf;
  guint n_cues = 0;

  gst_harness_set_src_caps_str (parse, "application/x-subtitle");
  fail_unless_equals_int (gst_harness_push (parse,
          gst_buffer_new_memdup (srt, sizeof (srt) - 1)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (parse, gst_event_new_eos ()));
  while ((buf = gst_harness_try_pull (parse)) != NULL) {
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), cue_times[n_cues]);
    fail_unless_equals_int (gst_harness_push (t->e.h, buf), GST_FLOW_OK);
    n_cues++;
  }
  fail_unless_equals_int (n_cues, 3);

  gst_harness_play (t->e.h);
  while (t->n < 60) {
    GstClockTime pts = next_frame (t);
    guint sent = requests (t);

    /* the next frame may have been made already */
    fail_unless (sent >= cues_due (pts) && sent <= cues_due (pts + FRAME),
        "%u requests by %" GST_TIME_FORMAT, sent, GST_TIME_ARGS (pts));
  }
  fail_unless_equals_int (requests (t), 3);
  wait_submitted (t, 3);
  check_prompts (t, want, 3);
  gst_harness_teardown (parse);
  text_free (t);
}

GST_END_TEST;

/* 50 texts within the minimum interval (at 1.000 s to 1.049 s): the
 * first goes at its time, the newest when the interval has passed, the 48
 * between never. */
GST_START_TEST (test_text_burst)
{
  const gchar *want[] = {
    "text 0, flat vector illustration",
    "text 49, flat vector illustration",
  };
  Text *t = text_new ("text/x-raw,format=utf8", 2 * GST_SECOND);
  guint i;

  for (i = 0; i < 50; i++) {
    gchar *text = g_strdup_printf ("text %u", i);
    GstBuffer *buf = gst_buffer_new_wrapped (text, strlen (text));

    GST_BUFFER_PTS (buf) = GST_SECOND + i * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (t->e.h, buf), GST_FLOW_OK);
  }
  gst_harness_play (t->e.h);
  while (t->n < 40) {
    GstClockTime pts = next_frame (t);
    guint sent = requests (t);

    fail_unless (sent <= 2);
    /* the second one goes two seconds after the first */
    if (pts >= GST_SECOND && pts + FRAME < 3 * GST_SECOND)
      fail_unless_equals_int (sent, 1);
  }
  fail_unless_equals_int (requests (t), 2);
  wait_submitted (t, 2);
  check_prompts (t, want, 2);
  text_free (t);
}

GST_END_TEST;

/* With lead-time 2 s, a text at 3 s is asked for at 1 s; its image, in
 * long before 3 s (the test releases the held task), shows from 3 s on,
 * not before. */
GST_START_TEST (test_text_lead_time)
{
  const gchar *held[] = { "--latency", "0", "--fail", "task:held:*", NULL };
  Text *t = text_new_full (held, "text/x-raw,format=utf8", GST_SECOND,
      NULL);
  gchar *text = g_strdup ("a lighthouse at dusk");
  GstBuffer *buf = gst_buffer_new_wrapped (text, strlen (text));
  GstClockTime pts = 0;

  g_object_set (t->e.h->element, "lead-time", 2 * GST_SECOND, NULL);
  GST_BUFFER_PTS (buf) = 3 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (t->e.h, buf), GST_FLOW_OK);
  gst_harness_play (t->e.h);
  while (pts < GST_SECOND) {
    pts = next_frame (t);
    fail_unless (requests (t) <= (pts + FRAME >= GST_SECOND ? 1 : 0));
  }
  fail_unless_equals_int (requests (t), 1);
  wait_submitted (t, 1);
  fail_unless_equals_int (imagegen_test_emulator_release (t->e.emu, 1), 1);
  element_test_wait_completed (t->e.bus, 1);

  while (pts < 3 * GST_SECOND + 2 * FRAME) {
    guint8 px[4];

    fail_unless (gst_harness_crank_single_clock_wait (t->e.h));
    buf = gst_harness_pull (t->e.h);
    pts = GST_BUFFER_PTS (buf);
    gst_buffer_extract (buf, 0, px, 4);
    gst_buffer_unref (buf);
    t->n++;
    /* transparent placeholder before the text's time, the image from it */
    fail_unless_equals_int (px[3], pts >= 3 * GST_SECOND ? 255 : 0);
  }
  text_free (t);
}

GST_END_TEST;

/* Texts change a live picture: is-live=false is refused at start. */
/* How long a text's prompt may be is the model's (the model table's
 * answer): Grok Imagine takes 1 to 5000 characters, so a 2-character
 * text is asked for, and the prompt of an over-long one is not. */
GST_START_TEST (test_text_model_prompt_length)
{
  const gchar *want[] = { "ab" };
  Text *t = text_new_full (latency_200, "text/x-raw,format=utf8", GST_SECOND,
      "grok-imagine-text-to-image");
  gchar *long_text = g_strnfill (5001, 'a');
  GstBuffer *buf = gst_buffer_new_wrapped (g_strdup ("ab"), 2);
  GstMessage *msg;
  GError *err;

  GST_BUFFER_PTS (buf) = GST_SECOND;
  fail_unless_equals_int (gst_harness_push (t->e.h, buf), GST_FLOW_OK);
  /* the long one is refused as it comes */
  buf = gst_buffer_new_wrapped (long_text, 5001);
  GST_BUFFER_PTS (buf) = 2 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (t->e.h, buf), GST_FLOW_OK);
  msg = gst_bus_pop_filtered (t->e.bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_parse_warning (msg, &err, NULL);
  fail_unless (strstr (err->message, "5001 characters; the model takes 1 "
          "to 5000") != NULL, "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_harness_play (t->e.h);
  while (t->n < 25)
    next_frame (t);
  wait_submitted (t, 1);
  check_prompts (t, want, 1);
  fail_unless_equals_int (requests (t), 1);
  text_free (t);
}

GST_END_TEST;

GST_START_TEST (test_text_needs_live)
{
  GstElement *src = gst_element_factory_make ("imagegentextsrc", NULL);
  gchar *text;

  g_object_set (src, "api-key", "test-key", "is-live", FALSE, NULL);
  text = element_test_start_error (src);
  fail_unless (strstr (text, "is-live=true") != NULL, "got: %s", text);
  g_free (text);
  gst_object_unref (src);
}

GST_END_TEST;

static Suite *
imagegensrc_text_suite (void)
{
  return element_test_suite ("imagegensrc-text", 180,
      ELEMENT_TEST (test_text_srt_rundown), ELEMENT_TEST (test_text_burst),
      ELEMENT_TEST (test_text_lead_time), ELEMENT_TEST (test_text_needs_live),
      ELEMENT_TEST (test_text_model_prompt_length), NULL);
}

GST_CHECK_MAIN (imagegensrc_text);
