/* gst-imagegen: both elements with fal's queue API, against the
 * emulator's fal side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define KEY_ID "fal-id"
#define KEY_SECRET "fal-secret-42"
#define KEY KEY_ID ":" KEY_SECRET
#define PROMPT "a lighthouse at dusk"
#define TOLERANCE 12

static const guint8 frame_rgb[3] = { 60, 190, 90 };

/* The emulator's base URL, which also stands for all of fal's hosts. */
static gchar *
fal_base_url (ImagegenTestEmulator * emu)
{
  return g_strdup (imagegen_test_emulator_get_base_url (emu));
}

static JsonObject *
only_task (JsonObject * stats)
{
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");

  fail_unless_equals_int (json_array_get_length (tasks), 1);
  return json_array_get_object_element (tasks, 0);
}

/* The emulator's only request was fal's, of @model at @width x @height. */
static void
assert_only_task (ImagegenTestEmulator * emu, const gchar * model,
    gint width, gint height)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  JsonObject *task = only_task (stats);

  fail_unless_equals_string (json_object_get_string_member (task,
          "provider"), "fal");
  fail_unless_equals_string (json_object_get_string_member (task, "model"),
      model);
  fail_unless_equals_int (json_object_get_int_member (task, "width"), width);
  fail_unless_equals_int (json_object_get_int_member (task, "height"),
      height);
  json_object_unref (stats);
}

/* Text to image: provider from the model id, the key from FAL_KEY_ID and
 * FAL_KEY_SECRET, the size downstream fixes asked for exactly; the
 * picture is the emulator's drawing of the prompt. */
GST_START_TEST (test_src_prompt_pixels)
{
  const gchar *args[] = { "--latency", "100", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autofree gchar *base = fal_base_url (emu);
  GstElement *pipeline = gst_parse_launch ("imagegensrc name=src num-images=1 "
      "! video/x-raw,format=RGBA,width=320,height=240 ! appsink name=sink",
      NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstSample *sample;
  GstMapInfo map;
  guint8 rgb[3];

  g_setenv ("FAL_KEY_ID", KEY_ID, TRUE);
  g_setenv ("FAL_KEY_SECRET", KEY_SECRET, TRUE);
  g_setenv ("RUNAPI_API_KEY", "not-this-one", TRUE);
  g_object_set (src, "prompt", PROMPT, "model", "fal-ai/flux-2/klein/4b",
      "base-url", base, "poll-interval", 50, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
      60 * GST_SECOND);
  fail_unless (sample != NULL, "no image");
  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  fail_unless_equals_int (map.size, 320 * 240 * 4);
  /* the left edge halfway down: the prompt's gradient colour */
  element_test_prompt_colour (PROMPT, 0.5, rgb);
  element_test_assert_near (map.data + 4 * (120 * 320 + 2), rgb, TOLERANCE);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_unsetenv ("FAL_KEY_ID");
  g_unsetenv ("FAL_KEY_SECRET");
  g_unsetenv ("RUNAPI_API_KEY");

  assert_only_task (emu, "fal-ai/flux-2/klein/4b", 320, 240);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "fal_result"),
      1);
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "auth_failures"),
      0);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* An offline klein edit imagegenremix in a harness, 640x360 RGBA. */
static GstHarness *
klein_remix (ImagegenTestEmulator * emu, const gchar * model)
{
  const gchar *caps = "video/x-raw,format=RGBA,width=640,height=360,"
      "framerate=30/1";
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  g_autofree gchar *base = fal_base_url (emu);
  GstHarness *h;

  g_object_set (remix, "prompt", "invert the colours", "model", model,
      "api-key", KEY, "base-url", base, "poll-interval", 50, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "offline");
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_sink_caps_str (h, caps);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* Offline remix: the frame goes as a data: URI, the output frame's shape
 * is asked for, and the output is the emulator's remix of the frame
 * (inverted) to its edges. */
GST_START_TEST (test_remix_offline_frame_pixels)
{
  const gchar *args[] = { "--latency", "100", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = klein_remix (emu, "fal-ai/flux-2/klein/4b/edit");
  const guint8 inverted[3] = { 255 - frame_rgb[0], 255 - frame_rgb[1],
    255 - frame_rgb[2]
  };
  GstBuffer *out;
  GstMapInfo map;

  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (640,
              360, frame_rgb)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  gst_buffer_map (out, &map, GST_MAP_READ);
  fail_unless_equals_int (map.size, 640 * 360 * 4);
  element_test_assert_near (map.data, inverted, TOLERANCE);
  element_test_assert_near (map.data + 4 * (359 * 640 + 639), inverted,
      TOLERANCE);
  element_test_assert_near (map.data + 4 * (180 * 640 + 320), inverted,
      TOLERANCE);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  /* the frame's shape in multiples of 16, no upload */
  assert_only_task (emu, "fal-ai/flux-2/klein/4b/edit", 656, 368);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "files"), 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* NULL while a request runs: fal is asked to cancel it. */
GST_START_TEST (test_remix_null_cancels)
{
  const gchar *args[] = { "--latency", "30000", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = klein_remix (emu, "fal-ai/flux-2/klein/4b/edit");
  JsonObject *stats = NULL;
  guint i;

  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (640,
              360, frame_rgb)), GST_FLOW_OK);
  /* the request is with the emulator once it counts a task */
  for (i = 0; i < 1000; i++) {
    g_clear_pointer (&stats, json_object_unref);
    stats = imagegen_test_emulator_stats (emu);
    if (imagegen_test_emulator_stats_requests (stats, "fal_tasks") == 1)
      break;
    g_usleep (20000);
  }
  g_clear_pointer (&stats, json_object_unref);
  gst_harness_teardown (h);
  /* the cancel may still be on its way */
  for (i = 0; i < 500; i++) {
    g_clear_pointer (&stats, json_object_unref);
    stats = imagegen_test_emulator_stats (emu);
    if (imagegen_test_emulator_stats_requests (stats, "fal_cancel") > 0)
      break;
    g_usleep (20000);
  }
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "fal_cancel"), 1);
  fail_unless (json_object_get_boolean_member (only_task (stats),
          "cancelled"));
  json_object_unref (stats);
}

GST_END_TEST;

#define REALTIME "fal-ai/flux-2/klein/realtime"
#define REALTIME_REFUSED(what) "Model " REALTIME " streams over fal's " \
  "realtime WebSocket, which imagegenremix uses in mode=live and " \
  "mode=aligned only; for " what " pick one of fal's queue models " \
  "(docs/providers.md)."

/* The realtime id is refused at start by the elements and the mode that
 * do not stream frames, in one sentence each; imagegenremix live and
 * aligned take it; nothing is sent. */
GST_START_TEST (test_realtime_refused)
{
  const gchar *args[] = { "--latency", "100", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autofree gchar *base = fal_base_url (emu);
  const struct
  {
    const gchar *element, *mode, *want;
  } cases[] = {
    {"imagegensrc", NULL, REALTIME_REFUSED ("still images")},
    {"imagegentextsrc", NULL, REALTIME_REFUSED ("still images")},
    {"imagegenremix", "offline", REALTIME_REFUSED ("files")},
    {"imagegenremix", "live", NULL},
    {"imagegenremix", "aligned", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *element = gst_element_factory_make (cases[i].element, NULL);
    gchar *text;

    g_object_set (element, "prompt", PROMPT, "model", REALTIME, "api-key",
        KEY, "base-url", base, NULL);
    if (cases[i].mode != NULL)
      gst_util_set_object_arg (G_OBJECT (element), "mode", cases[i].mode);
    if (cases[i].want != NULL) {
      text = element_test_start_error (element);
      fail_unless_equals_string (text, cases[i].want);
      g_free (text);
    } else {
      fail_if (gst_element_set_state (element, GST_STATE_PAUSED) ==
          GST_STATE_CHANGE_FAILURE, "%s mode=%s refused", cases[i].element,
          cases[i].mode);
      gst_element_set_state (element, GST_STATE_NULL);
    }
    gst_object_unref (element);
  }
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "fal_submit"),
      0);
}

GST_END_TEST;

/* mode=auto on a stream that is not live comes out offline at the first
 * frame: refused there with the same sentence, the frame not sent. */
GST_START_TEST (test_realtime_refused_auto_offline)
{
  const gchar *args[] = { "--latency", "100", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  const gchar *caps = "video/x-raw,format=RGBA,width=640,height=360,"
      "framerate=30/1";
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  g_autofree gchar *base = fal_base_url (emu);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  gchar *text;

  g_object_set (remix, "prompt", PROMPT, "model", REALTIME, "api-key", KEY,
      "base-url", base, NULL);
  gst_element_set_bus (remix, bus);
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_live (h, FALSE);
  gst_harness_set_sink_caps_str (h, caps);
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (640,
              360, frame_rgb)), GST_FLOW_ERROR);
  text = element_test_pop_error (bus);
  fail_unless_equals_string (text, REALTIME_REFUSED ("files"));
  g_free (text);
  /* a message still queued would hold the element, which holds the bus */
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "fal_submit"),
      0);
}

GST_END_TEST;

static Suite *
imagegen_fal_suite (void)
{
  return element_test_suite ("imagegen-fal", 120,
      ELEMENT_TEST (test_src_prompt_pixels),
      ELEMENT_TEST (test_remix_offline_frame_pixels),
      ELEMENT_TEST (test_remix_null_cancels),
      ELEMENT_TEST (test_realtime_refused),
      ELEMENT_TEST (test_realtime_refused_auto_offline), NULL);
}

GST_CHECK_MAIN (imagegen_fal);
