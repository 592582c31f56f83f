/* gst-imagegen: both elements with Black Forest Labs direct, against the
 * emulator's /v1/ side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"
#include "imagegen-client.h"

#define KEY "bfl-test-key-42"
#define TOLERANCE 12

static const guint8 frame_rgb[3] = { 60, 190, 90 };

static JsonObject *
only_task (JsonObject * stats)
{
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");

  fail_unless_equals_int (json_array_get_length (tasks), 1);
  return json_array_get_object_element (tasks, 0);
}

/* The emulator's one task: no upload, @inputs sent, @n_inline of them
 * inline. */
static JsonObject *
inline_task (JsonObject * stats, const gchar * inputs, gint n_inline)
{
  JsonObject *task;

  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "files"), 0);
  task = only_task (stats);
  fail_unless_equals_string (json_object_get_string_member (task, "inputs"),
      inputs);
  fail_unless_equals_int (json_object_get_int_member (task, "inline_inputs"),
      n_inline);
  return task;
}

/* An offline klein imagegenremix, with @references (may be NULL). */
static GstElement *
klein_element (ImagegenTestEmulator * emu, gchar ** references)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  element_test_point_at (remix, emu);
  g_object_set (remix, "prompt", "invert the colours", "model",
      "flux-2-klein-4b", "api-key", KEY, "poll-interval", 50, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "offline");
  if (references != NULL)
    g_object_set (remix, "reference-images", references, NULL);
  return remix;
}

/* klein_element() in a harness, for 640x360 RGBA frames. */
static GstHarness *
klein_remix (ImagegenTestEmulator * emu, gchar ** references)
{
  const gchar *caps = "video/x-raw,format=RGBA,width=640,height=360,"
      "framerate=30/1";
  GstElement *remix = klein_element (emu, references);
  GstHarness *h;

  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_sink_caps_str (h, caps);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* @n copies of a local reference image (a JPEG header is all the element
 * checks; the emulator decodes only the first input) in @dir; free with
 * g_strfreev(). */
static gchar **
make_references (const gchar * dir, guint n)
{
  const guint8 fake_jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I',
    'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0, 17, 8, 0, 8, 0, 8, 3,
    1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9
  };
  gchar *path = g_build_filename (dir, "ref.jpg", NULL);
  gchar **refs = g_new0 (gchar *, n + 1);
  guint i;

  fail_unless (g_file_set_contents (path, (const gchar *) fake_jpeg,
          sizeof (fake_jpeg), NULL));
  for (i = 0; i < n; i++)
    refs[i] = g_strdup (path);
  g_free (path);
  return refs;
}

/* klein through imagegenremix: the frame goes inline (no upload), the
 * output frame's shape is asked for exactly, and every edge pixel of the
 * output is the emulator's remix of the input (inverted): no bars. */
GST_START_TEST (test_remix_klein_inline_exact_size)
{
  const gchar *args[] = { "--latency", "50", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = klein_remix (emu, NULL);
  GstBuffer *out;
  GstMapInfo map;
  JsonObject *stats, *task;
  gint x, y, c;

  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (640,
              360, frame_rgb)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  fail_unless_equals_int (gst_buffer_get_size (out), 640 * 360 * 4);
  gst_buffer_map (out, &map, GST_MAP_READ);
  for (y = 0; y < 360; y++)
    for (x = 0; x < 640; x++) {
      if (x != 0 && x != 639 && y != 0 && y != 359 && x != 320)
        continue;
      for (c = 0; c < 3; c++) {
        gint got = map.data[4 * (y * 640 + x) + c];
        fail_unless (ABS (got - (255 - frame_rgb[c])) <= TOLERANCE,
            "pixel (%d,%d) channel %d is %d, want %d (the remix)", x, y, c,
            got, 255 - frame_rgb[c]);
      }
    }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "create_remix"), 0);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "bfl_create"), 1);
  task = inline_task (stats, "input_image", 1);
  fail_unless_equals_string (json_object_get_string_member (task, "model"),
      "flux-2-klein-4b");
  /* 640 x 360 in multiples of 16, within 0.5 % of its shape */
  fail_unless_equals_int (json_object_get_int_member (task, "width"), 656);
  fail_unless_equals_int (json_object_get_int_member (task, "height"), 368);
  json_object_unref (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A klein remix with @n_refs references (and coherence=previous-result
 * when @coherent) fails to start with @message. */
static void
refused_at_start (ImagegenTestEmulator * emu, const gchar * dir, guint n_refs,
    gboolean coherent, const gchar * message)
{
  gchar **refs = make_references (dir, n_refs);
  GstElement *remix = klein_element (emu, refs);
  gchar *text;

  g_strfreev (refs);
  if (coherent)
    gst_util_set_object_arg (G_OBJECT (remix), "coherence",
        "previous-result");
  text = element_test_start_error (remix);
  fail_unless_equals_string (text, message);
  g_free (text);
  gst_object_unref (remix);
}

/* A local reference image goes inline too, as input_image_2, read once;
 * klein takes 4 images in all, so 4 references are refused at start, and
 * so are 3 with coherence's previous result (never sent to be refused). */
GST_START_TEST (test_remix_klein_references)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *dir = g_dir_make_tmp ("imagegen-bfl-XXXXXX", NULL);
  gchar *ref = g_build_filename (dir, "ref.jpg", NULL);
  gchar **refs;
  GstHarness *h;
  JsonObject *stats;

  refs = make_references (dir, 1);
  h = klein_remix (emu, refs);
  g_strfreev (refs);
  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (640,
              360, frame_rgb)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  gst_buffer_unref (gst_harness_pull (h));
  gst_harness_teardown (h);
  stats = imagegen_test_emulator_stats (emu);
  inline_task (stats, "input_image input_image_2", 2);
  json_object_unref (stats);

  /* four references, or three with the previous result: five in all */
  refused_at_start (emu, dir, 4, FALSE, "Model flux-2-klein-4b takes at "
      "most 4 source image(s) per request, but each request would carry 5: "
      "the frame, 4 reference image(s).");
  refused_at_start (emu, dir, 3, TRUE, "Model flux-2-klein-4b takes at most "
      "4 source image(s) per request, but each request would carry 5: the "
      "frame, 3 reference image(s) and the previous result "
      "(coherence=previous-result).");
  imagegen_test_assert_requests (emu, "bfl_create", 1, NULL);

  g_unlink (ref);
  g_rmdir (dir);
  g_free (ref);
  g_free (dir);
}

GST_END_TEST;

/* Runs @src into a fakesink until EOS or an error; returns the error text
 * and the last caps. */
static gchar *
run_src (GstElement * src, GstCaps ** caps)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gchar *text = NULL;

  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  fail_unless (msg != NULL, "neither EOS nor an error");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err;

    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
  }
  gst_message_unref (msg);
  if (caps)
    *caps = gst_pad_get_current_caps (pad);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pad);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return text;
}

static GstElement *
bfl_src (ImagegenTestEmulator * emu, const gchar * model)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);

  g_object_set (src, "prompt", "a lighthouse at dusk", "model", model,
      "base-url", imagegen_test_emulator_get_base_url (emu), "poll-interval",
      50, "num-images", 1, NULL);
  return src;
}

/* Text to image: provider from the model id, key from BFL_API_KEY, the
 * aspect ratio's size asked for exactly and delivered as is. */
GST_START_TEST (test_src_text_to_image)
{
  const gchar *args[] = { "--latency", "50", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = bfl_src (emu, "flux-2-pro");
  GstCaps *caps = NULL;
  GstStructure *s;
  JsonObject *stats, *task;
  gchar *text;
  gint width = 0, height = 0;

  g_setenv ("BFL_API_KEY", KEY, TRUE);
  g_setenv ("RUNAPI_API_KEY", "not-this-one", TRUE);
  g_object_set (src, "aspect-ratio", "16:9", "seed", (gint64) 7, NULL);
  text = run_src (src, &caps);
  g_unsetenv ("BFL_API_KEY");
  g_unsetenv ("RUNAPI_API_KEY");
  fail_unless (text == NULL, "error: %s", text);
  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (s, "width", &width));
  fail_unless (gst_structure_get_int (s, "height", &height));
  fail_unless_equals_int (width, 1360);
  fail_unless_equals_int (height, 768);
  gst_caps_unref (caps);

  imagegen_test_assert_requests (emu, "bfl_create", 1, "create_text_to_image",
      0, NULL);
  imagegen_test_assert_stats (emu, "auth_failures", 0, NULL);
  stats = imagegen_test_emulator_stats (emu);
  task = only_task (stats);
  fail_unless_equals_int (json_object_get_int_member (task, "width"), 1360);
  fail_unless_equals_int (json_object_get_int_member (task, "height"), 768);
  fail_unless_equals_string (json_object_get_string_member (task,
          "bfl_status"), "Ready");
  json_object_unref (stats);
}

GST_END_TEST;

/* flex takes steps and guidance; provider=bfl with a RunAPI id is refused
 * before anything is sent, naming the valid ids. */
GST_START_TEST (test_src_flex_and_refusals)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = bfl_src (emu, "flux-2-flex");
  gchar *text;

  g_object_set (src, "api-key", KEY, "steps", 20, "guidance", 4.5, NULL);
  text = run_src (src, NULL);
  fail_unless (text == NULL, "error: %s", text);

  src = bfl_src (emu, "flux-2-pro");
  g_object_set (src, "api-key", KEY, "steps", 20, NULL);
  text = run_src (src, NULL);
  fail_unless_equals_string (text, "The steps and guidance properties are "
      "for flux-2-flex only, not flux-2-pro.");
  g_free (text);

  src = bfl_src (emu, "flux-2-pro-text-to-image");
  g_object_set (src, "api-key", KEY, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "provider", "bfl");
  text = run_src (src, NULL);
  fail_unless_equals_string (text, "Model \"flux-2-pro-text-to-image\" "
      "is not served by Black Forest Labs; did you mean flux-2-pro? Every "
      "id is in docs/models.md and gst-inspect-1.0 imagegensrc.");
  g_free (text);

  src = bfl_src (emu, "flux-2-klein-4b");
  g_unsetenv ("BFL_API_KEY");
  text = run_src (src, NULL);
  fail_unless_equals_string (text, "No API key: set the api-key or "
      "api-key-file property or the BFL_API_KEY environment variable.");
  g_free (text);

  imagegen_test_assert_requests (emu, "bfl_create", 1, NULL);
}

GST_END_TEST;

/* The emulator's own record of task @id: its cost, in nanocents. */
static gint64
emulator_task_cost (JsonObject * stats, const gchar * id)
{
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");
  guint i;

  for (i = 0; i < json_array_get_length (tasks); i++) {
    JsonObject *task = json_array_get_object_element (tasks, i);

    if (g_str_equal (json_object_get_string_member (task, "id"), id))
      return imagegen_nanocents (json_object_get_double_member (task,
              "cost"));
  }
  fail ("the emulator has no task %s", id);
  return -1;
}

/* pro at 16:9 is 1360 x 768, 1.04448 MP: 3 + 0.04448 x 1.5 = 3.06672
 * credits an image.  max-cost=10 admits three (9.20016) and refuses the
 * fourth; the totals and each task's cost-credits are the emulator's
 * figures exactly, spent-cents their sum rounded up once. */
GST_START_TEST (test_src_fractional_credits)
{
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = bfl_src (emu, "flux-2-pro");
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstStructure *stats;
  GstMessage *msg;
  JsonObject *emu_stats;
  gchar *warning = NULL;
  gint64 message_sum = 0, emulator_sum = 0, spent_cents = 0;
  gdouble spent_credits = 0;
  guint completed = 0, i;
  gboolean eos = FALSE;

  g_object_set (src, "api-key", KEY, "aspect-ratio", "16:9", "num-images", 5,
      "max-cost", 10, "max-in-flight", 1, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  emu_stats = NULL;
  while (!eos && (msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING |
              GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    GError *err = NULL;
    gdouble credits;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    eos = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING && warning == NULL) {
      gst_message_parse_warning (msg, &err, NULL);
      warning = g_strdup (err->message);
      g_error_free (err);
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "completed")) {
      fail_unless (gst_structure_get_double (s, "cost-credits", &credits));
      completed++;
      message_sum += imagegen_nanocents (credits);
      /* each task's cost is the emulator's figure for it */
      g_clear_pointer (&emu_stats, json_object_unref);
      emu_stats = imagegen_test_emulator_stats (emu);
      fail_unless_equals_int64 (imagegen_nanocents (credits),
          emulator_task_cost (emu_stats, gst_structure_get_string (s,
                  "task-id")));
    }
    gst_message_unref (msg);
  }
  fail_unless (eos, "no EOS");
  g_object_get (src, "stats", &stats, NULL);
  fail_unless (gst_structure_get (stats, "spent-credits", G_TYPE_DOUBLE,
          &spent_credits, "spent-cents", G_TYPE_INT64, &spent_cents, NULL));
  gst_structure_free (stats);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  g_clear_pointer (&emu_stats, json_object_unref);
  emu_stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (emu_stats,
          "tasks_created"), 3);
  for (i = 0; i < 3; i++)
    emulator_sum += imagegen_nanocents (json_object_get_double_member
        (json_array_get_object_element (json_object_get_array_member
                (emu_stats, "tasks"), i), "cost"));
  fail_unless_equals_int (completed, 3);
  fail_unless_equals_int64 (emulator_sum, 3 * G_GINT64_CONSTANT (3066720000));
  fail_unless_equals_int64 (message_sum, emulator_sum);
  fail_unless_equals_int64 (imagegen_nanocents (spent_credits), emulator_sum);
  fail_unless_equals_int64 (spent_cents, 10);
  fail_unless (warning != NULL && strstr (warning, "max-cost (10 cents) "
          "would be passed: 9.20016 cents spent or reserved, the next "
          "request costs 3.06672") != NULL, "warning: %s", warning);
  g_free (warning);
  json_object_unref (emu_stats);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* The emulator's BFL errors reach the bus as the client's sentences. */
static gchar *
error_with (const gchar * option, const gchar * value)
{
  const gchar *args[] = { "--latency", "50", option, value, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = bfl_src (emu, "flux-2-klein-4b");

  g_object_set (src, "api-key", KEY, "retries", 0, NULL);
  return run_src (src, NULL);
}

GST_START_TEST (test_src_errors)
{
  gchar *text = error_with ("--fail", "task:moderated");

  fail_unless (text != NULL && strstr (text, ": content moderated: "
          "the result was flagged by the provider's moderation (Content "
          "Moderated)") != NULL, "got: %s", text);
  g_free (text);

  text = error_with ("--credits", "0");
  fail_unless (text != NULL && strstr (text,
          ": insufficient credits (HTTP 402): Insufficient credits") != NULL,
      "got: %s", text);
  g_free (text);
}

GST_END_TEST;

static Suite *
imagegen_bfl_suite (void)
{
  return element_test_suite ("imagegen-bfl", 120,
      ELEMENT_TEST (test_remix_klein_inline_exact_size),
      ELEMENT_TEST (test_remix_klein_references),
      ELEMENT_TEST (test_src_text_to_image),
      ELEMENT_TEST (test_src_flex_and_refusals), ELEMENT_TEST (test_src_errors),
      ELEMENT_TEST (test_src_fractional_credits), NULL);
}

GST_CHECK_MAIN (imagegen_bfl);
