/* gst-imagegen: imagegensrc against imagegen-emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <libsoup/soup.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define PROMPT_A "a lighthouse at dusk, oil painting"
#define PROMPT_B "a field of sunflowers at noon"

static const gchar *fast[] = { "--latency", "200", NULL };

static GstHarness *
harness_for (ImagegenTestEmulator * emu, const gchar * prompt,
    const gchar * sink_caps)
{
  GstHarness *h = gst_harness_new ("imagegensrc");

  element_test_point_at (h->element, emu);
  g_object_set (h->element, "prompt", prompt, "poll-interval", 50, NULL);
  gst_harness_set_sink_caps_str (h, sink_caps);
  return h;
}

static void
expected_corner (const gchar * prompt, guint8 rgb[3])
{
  element_test_prompt_colour (prompt, 0.0, rgb);
}

static GstBuffer *
pull_rgba (GstHarness * h, GstVideoInfo * info)
{
  GstBuffer *buf = gst_harness_pull (h);
  GstCaps *caps;

  fail_unless (buf != NULL);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (caps != NULL);
  fail_unless (gst_video_info_from_caps (info, caps));
  gst_caps_unref (caps);
  return buf;
}

GST_START_TEST (test_prompt_decides_pixels)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  const gchar *prompts[] = { PROMPT_A, PROMPT_B };
  guint8 corners[2][4];
  gint i;

  for (i = 0; i < 2; i++) {
    GstHarness *h = harness_for (emu, prompts[i],
        "video/x-raw,format=RGBA,width=128,height=128");
    GstVideoInfo info;
    GstBuffer *buf;
    guint8 expected[3];

    gst_harness_play (h);
    buf = pull_rgba (h, &info);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), 128);
    gst_buffer_extract (buf, 0, corners[i], 4);
    expected_corner (prompts[i], expected);
    element_test_assert_near (corners[i], expected, 8);
    gst_buffer_unref (buf);
    gst_harness_teardown (h);
  }
  fail_if (memcmp (corners[0], corners[1], 3) == 0,
      "two prompts gave the same picture");
}

GST_END_TEST;

static void
check_negotiated (ImagegenTestEmulator * emu, const gchar * format,
    gint width, gint height)
{
  gchar *caps_str = g_strdup_printf ("video/x-raw,format=%s,width=%d,"
      "height=%d", format, width, height);
  GstHarness *h = harness_for (emu, PROMPT_A, caps_str);
  GstVideoInfo info;
  GstBuffer *buf;

  gst_harness_play (h);
  buf = pull_rgba (h, &info);
  fail_unless_equals_string (gst_video_format_to_string
      (GST_VIDEO_INFO_FORMAT (&info)), format);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), width);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), height);
  fail_unless_equals_int (gst_buffer_get_size (buf),
      GST_VIDEO_INFO_SIZE (&info));
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  g_free (caps_str);
}

GST_START_TEST (test_negotiated_size_and_format)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);

  check_negotiated (emu, "RGBA", 320, 240);
  check_negotiated (emu, "I420", 160, 90);
  check_negotiated (emu, "BGRx", 64, 48);
}

GST_END_TEST;

/* A square image fitted into 4:3 gets black bars left and right; filled, it
 * loses its top and bottom eighths; stretched, it keeps its corners. */
GST_START_TEST (test_scale_modes)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  const gchar *modes[] = { "fit", "fill", "stretch" };
  guint8 expected[3], expected_fill_top[3];
  gint i;

  expected_corner (PROMPT_A, expected);
  element_test_prompt_colour (PROMPT_A, 0.125, expected_fill_top);
  for (i = 0; i < 3; i++) {
    GstHarness *h = harness_for (emu, PROMPT_A,
        "video/x-raw,format=RGBA,width=400,height=300");
    GstVideoInfo info;
    GstMapInfo map;
    GstBuffer *buf;

    gst_util_set_object_arg (G_OBJECT (h->element), "scale-mode", modes[i]);
    gst_harness_play (h);
    buf = pull_rgba (h, &info);
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    if (i == 0) {
      const guint8 black[3] = { 0, 0, 0 };
      element_test_assert_near (map.data + 150 * info.stride[0] + 4 * 10, black,
          0);
      /* the picture's own top-left corner starts at x = 50 */
      element_test_assert_near (map.data + 4 * 52, expected, 10);
    } else if (i == 1) {
      element_test_assert_near (map.data + 4, expected_fill_top, 3);
    } else {
      element_test_assert_near (map.data + 4, expected, 3);
    }
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

static GBytes *
http_get (const gchar * url)
{
  SoupSession *session = soup_session_new ();
  SoupMessage *msg = soup_message_new ("GET", url);
  GBytes *body = soup_session_send_and_read (session, msg, NULL, NULL);

  fail_unless_equals_int (soup_message_get_status (msg), 200);
  g_object_unref (msg);
  g_object_unref (session);
  return body;
}

static gchar *
first_task_id (ImagegenTestEmulator * emu)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");
  gchar *id;

  fail_unless (json_array_get_length (tasks) >= 1);
  id = g_strdup (json_object_get_string_member (json_array_get_object_element
          (tasks, 0), "id"));
  json_object_unref (stats);
  return id;
}

GST_START_TEST (test_png_passthrough_is_untouched)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  GstHarness *h = harness_for (emu, PROMPT_A, "image/png");
  GstBuffer *buf;
  GBytes *served;
  gchar *id, *url;
  GstMapInfo map;

  gst_harness_play (h);
  buf = gst_harness_pull (h);
  id = first_task_id (emu);
  url = g_strdup_printf ("%s/emulator/results/%s.png",
      imagegen_test_emulator_get_base_url (emu), id);
  served = http_get (url);

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, g_bytes_get_size (served));
  fail_unless (memcmp (map.data, g_bytes_get_data (served, NULL),
          map.size) == 0, "passthrough bytes differ from the served image");
  gst_buffer_unmap (buf, &map);

  gst_buffer_unref (buf);
  g_bytes_unref (served);
  g_free (url);
  g_free (id);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_eos_after_num_images)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  GstHarness *h = harness_for (emu, PROMPT_A,
      "video/x-raw,format=RGBA,width=32,height=32,framerate=2/1");
  JsonObject *stats;
  GstEvent *ev;
  gint i;

  g_object_set (h->element, "num-images", 3, NULL);
  gst_harness_play (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *buf = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), i * GST_SECOND / 2);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), GST_SECOND / 2);
    gst_buffer_unref (buf);
  }
  do {
    ev = gst_harness_pull_event (h);
    fail_unless (ev != NULL);
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS) {
      gst_event_unref (ev);
      break;
    }
    gst_event_unref (ev);
  } while (TRUE);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), 3);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "download"), 3);
  json_object_unref (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Pulls everything up to EOS; returns how many buffers came. */
static guint
buffers_until_eos (GstHarness * h)
{
  guint n = 0;

  while (TRUE) {
    GstEvent *ev = gst_harness_pull_event (h);
    gboolean eos;

    fail_unless (ev != NULL, "no EOS");
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
    if (eos)
      break;
  }
  while (gst_harness_buffers_in_queue (h) > 0) {
    gst_buffer_unref (gst_harness_pull (h));
    n++;
  }
  return n;
}

/* The guard ends the stream early; num-images stays what the user set. */
GST_START_TEST (test_guard_keeps_num_images)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  GstHarness *h = harness_for (emu, PROMPT_A,
      "video/x-raw,format=RGBA,width=32,height=32,framerate=2/1");
  guint num_images;

  g_object_set (h->element, "num-images", 5, "max-requests", 2, NULL);
  gst_harness_play (h);
  fail_unless_equals_int (buffers_until_eos (h), 2);
  g_object_get (h->element, "num-images", &num_images, NULL);
  fail_unless_equals_int (num_images, 5);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* An account that allows one active task: the creates answered 429 wait
 * at the gate, every image comes, each task is paid once. */
GST_START_TEST (test_one_active_task_account)
{
  const gchar *args[] = { "--latency", "200", "--max-active", "1", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = harness_for (emu, PROMPT_A,
      "video/x-raw,format=RGBA,width=32,height=32,framerate=2/1");
  GstStructure *stats;
  JsonObject *emu_stats;
  guint limit, held, failed;

  g_object_set (h->element, "num-images", 8, "max-in-flight", 4, NULL);
  gst_harness_play (h);
  fail_unless_equals_int (buffers_until_eos (h), 8);

  emu_stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (emu_stats,
          "tasks_created"), 8);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (emu_stats,
          "charged_cents"), 8 * 5);
  fail_unless (imagegen_test_emulator_stats_requests (emu_stats,
          "create_text_to_image") > 8, "no create was answered 429");
  json_object_unref (emu_stats);

  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get (stats, "in-flight-limit", G_TYPE_UINT,
          &limit, "rate-limited", G_TYPE_UINT, &held, "failed", G_TYPE_UINT,
          &failed, NULL));
  fail_unless (held > 0);
  fail_unless (limit < 4, "the in-flight limit stayed at %u", limit);
  fail_unless_equals_int (failed, 0);
  gst_structure_free (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Runs a pipeline to its first error or EOS; returns the error text. */
static gchar *
run_until_error (GstElement * src, GstStateChangeReturn * state_ret)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gchar *text = NULL;

  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  *state_ret = gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  if (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err;
    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
  }
  g_clear_pointer (&msg, gst_message_unref);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return text;
}

GST_START_TEST (test_missing_key_fails_state_change)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  gchar *text;

  g_unsetenv ("RUNAPI_API_KEY");
  g_object_set (src, "prompt", PROMPT_A, "base-url", "http://127.0.0.1:9",
      NULL);
  text = run_until_error (src, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text != NULL);
  fail_unless (strstr (text, "No API key") != NULL, "got: %s", text);
  fail_unless (strstr (text, "RUNAPI_API_KEY") != NULL, "got: %s", text);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_missing_prompt_fails_state_change)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  gchar *text;

  g_object_set (src, "api-key", "k", "base-url", "http://127.0.0.1:9", NULL);
  text = run_until_error (src, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text && strstr (text, "No prompt") != NULL, "got: %s", text);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_invalid_key_is_an_error)
{
  const gchar *args[] = { "--latency", "200", "--require-key", "right-key",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  JsonObject *stats;
  gchar *text;

  g_object_set (src, "prompt", PROMPT_A, "api-key", "wrong-key", "base-url",
      imagegen_test_emulator_get_base_url (emu), NULL);
  text = run_until_error (src, &ret);
  fail_unless (text != NULL);
  fail_unless (strstr (text, "invalid API key (HTTP 401)") != NULL,
      "got: %s", text);
  fail_if (strstr (text, "wrong-key") != NULL, "the key leaked: %s", text);
  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (stats,
          "tasks_created"), 0);
  json_object_unref (stats);
  g_free (text);
}

GST_END_TEST;

/* The error text of a one-image run against an emulator with @fault. */
static gchar *
error_text_with_fault (const gchar * fault)
{
  const gchar *args[] = { "--latency", "100", "--fail", fault, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  gchar *text;

  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT_A, "poll-interval", 50, NULL);
  text = run_until_error (src, &ret);
  fail_unless (text != NULL);
  return text;
}

GST_START_TEST (test_moderated_is_an_error)
{
  gchar *text = error_text_with_fault ("task:moderated");

  fail_unless (strstr (text, "moderat") != NULL, "got: %s", text);
  g_free (text);
}

GST_END_TEST;

/* NULL while the task is still running: the state change succeeds at once
 * and no request for that task follows it. */
GST_START_TEST (test_null_during_request)
{
  const gchar *args[] = { "--latency", "5000", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  JsonObject *stats;
  gint64 polls_at_null, polls_later, polled = 0;
  gint i;

  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT_A, "poll-interval", 50,
      "poll-max-interval", 100, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < 100 && polled == 0; i++) {
    g_usleep (50 * 1000);
    stats = imagegen_test_emulator_stats (emu);
    polled = imagegen_test_emulator_stats_requests (stats, "get_task");
    json_object_unref (stats);
  }
  fail_unless (polled > 0, "the task was never polled");

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  stats = imagegen_test_emulator_stats (emu);
  polls_at_null = imagegen_test_emulator_stats_requests (stats, "get_task");
  json_object_unref (stats);
  g_usleep (500 * 1000);
  stats = imagegen_test_emulator_stats (emu);
  polls_later = imagegen_test_emulator_stats_requests (stats, "get_task");
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "download"), 0);
  json_object_unref (stats);
  fail_unless_equals_int (polls_later, polls_at_null);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* Plain http to another machine is refused before anything is sent. */
GST_START_TEST (test_plain_http_to_remote_host_refused)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  gchar *text;

  g_object_set (src, "prompt", PROMPT_A, "api-key", "k", "base-url",
      "http://api.example.com", NULL);
  text = run_until_error (src, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text != NULL && strstr (text, "http://") != NULL,
      "got: %s", text);
  g_free (text);
}

GST_END_TEST;

static gchar *
tls_file (const gchar * name)
{
  return g_build_filename (g_getenv ("IMAGEGEN_TEST_DATA"), "tls", name,
      NULL);
}

/* A self-signed https service is refused unless its CA is given. */
GST_START_TEST (test_tls_verified_by_default)
{
  gchar *cert = tls_file ("server.pem"), *key = tls_file ("server-key.pem");
  gchar *ca = tls_file ("ca.pem");
  const gchar *args[] = { "--latency", "200", "--tls-cert", cert,
    "--tls-key", key, NULL
  };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  GstStateChangeReturn ret;
  GstElement *src;
  gchar *text;

  src = gst_element_factory_make ("imagegensrc", NULL);
  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT_A, NULL);
  text = run_until_error (src, &ret);
  fail_unless (text != NULL && strstr (text, "TLS certificate not trusted")
      != NULL, "got: %s", text);
  g_free (text);

  src = gst_element_factory_make ("imagegensrc", NULL);
  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT_A, "tls-ca-file", ca, NULL);
  text = run_until_error (src, &ret);
  fail_unless (text == NULL, "with the CA: %s", text);

  imagegen_test_emulator_stop (emu);
  g_free (cert);
  g_free (key);
  g_free (ca);
}

GST_END_TEST;

GST_START_TEST (test_short_prompt_refused)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  gchar *text;

  g_object_set (src, "prompt", "ab", "api-key", "k", "base-url",
      "http://127.0.0.1:9", NULL);
  text = run_until_error (src, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text && strstr (text, "The prompt has 2 characters") != NULL,
      "got: %s", text);
  g_free (text);
}

GST_END_TEST;

/* A model, aspect ratio or resolution the model does not take fails the
 * state change with an error naming the property and the valid values,
 * before anything reaches the service. */
static void
expect_refused_at_start (ImagegenTestEmulator * emu, const gchar * property,
    const gchar * value, const gchar * says)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  JsonObject *stats;
  gchar *text;

  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT_A, NULL);
  if (g_str_equal (property, "model+resolution"))
    g_object_set (src, "model", value, "resolution", "2k", NULL);
  else
    g_object_set (src, property, value, NULL);
  text = run_until_error (src, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text && strstr (text, says) != NULL, "got: %s", text);
  g_free (text);
  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), 0);
  json_object_unref (stats);
}

GST_START_TEST (test_bad_model_values_refused_at_start)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);

  expect_refused_at_start (emu, "model", "flux-2-pro-remix-image",
      "Model \"flux-2-pro-remix-image\" is for imagegenremix, not "
      "imagegensrc; did you mean flux-2-pro-text-to-image");
  expect_refused_at_start (emu, "aspect-ratio", "5:4",
      "Invalid aspect-ratio \"5:4\" for model flux-2-pro-text-to-image; "
      "valid values: 1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3.");
  expect_refused_at_start (emu, "aspect-ratio", "auto",
      "Invalid aspect-ratio \"auto\"");
  expect_refused_at_start (emu, "resolution", "4k",
      "Invalid resolution \"4k\" for model flux-2-pro-text-to-image; "
      "valid values: 1k, 2k.");
  expect_refused_at_start (emu, "model+resolution",
      "flux-2-max-text-to-image", "Invalid resolution \"2k\" for model "
      "flux-2-max-text-to-image; valid values: 1k.");
}

GST_END_TEST;

/* The service answers with bytes that are no image: a clear error. */
GST_START_TEST (test_not_an_image_is_an_error)
{
  gchar *text = error_text_with_fault ("download:notimage:*");

  fail_unless (strstr (text, "Image generation failed") != NULL
      && strstr (text, "image") != NULL, "got: %s", text);
  g_free (text);
}

GST_END_TEST;

/* A base URL copied with the API path (…/api/v1) is refused at start with
 * a sentence that says so, not a 404 from every request. */
GST_START_TEST (test_base_url_with_api_path_refused)
{
  const gchar *urls[] = { "http://127.0.0.1:8099/api/v1",
    "https://runapi.ai/api/v1/"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (urls); i++) {
    GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
    GstStateChangeReturn ret;
    gchar *text;

    g_object_set (src, "prompt", PROMPT_A, "api-key", "k", "base-url",
        urls[i], NULL);
    text = run_until_error (src, &ret);
    fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
    fail_unless (text != NULL
        && strstr (text, "must not contain the API path") != NULL,
        "%s: got: %s", urls[i], text);
    g_free (text);
  }
}

GST_END_TEST;

/* Unconstrained downstream (fakesink takes anything): raw video, as the
 * docs say, not the service's PNG bytes. */
GST_START_TEST (test_unconstrained_gets_raw_video)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  gchar *description = g_strdup_printf ("imagegensrc prompt=\"%s\" "
      "api-key=k base-url=%s num-images=1 ! fakesink name=sink", PROMPT_A,
      imagegen_test_emulator_get_base_url (emu));
  GstElement *pipeline = gst_parse_launch (description, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GstCaps *caps;
  gchar *text;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  caps = gst_pad_get_current_caps (pad);
  fail_unless (caps != NULL);
  text = gst_caps_to_string (caps);
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "video/x-raw"), "got %s", text);
  g_free (text);
  gst_caps_unref (caps);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (description);
}

GST_END_TEST;

/* Downstream asking for the encoded type the service did not answer gets
 * it transcoded, never a failure: each of the emulator's result formats
 * into each encoded type, decoded again and checked on the prompt's corner
 * colour (±16: two JPEG generations at most). */
GST_START_TEST (test_encoded_type_transcoded)
{
  const gchar *formats[] = { "png", "jpeg" };
  const gchar *asked[][2] = { {"image/jpeg", "jpegdec"}, {"image/png",
          "pngdec"}
  };
  guint8 expected[3];
  guint f, a;

  expected_corner (PROMPT_A, expected);
  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    const gchar *args[] = { "--latency", "200", "--image-format", formats[f],
      NULL
    };
    g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);

    for (a = 0; a < G_N_ELEMENTS (asked); a++) {
      gchar *description = g_strdup_printf ("imagegensrc prompt=\"%s\" "
          "api-key=k base-url=%s num-images=1 ! %s ! %s ! videoconvert ! "
          "video/x-raw,format=RGBA ! appsink name=sink", PROMPT_A,
          imagegen_test_emulator_get_base_url (emu), asked[a][0],
          asked[a][1]);
      GstElement *pipeline = gst_parse_launch (description, NULL);
      GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
      GstSample *sample;
      GstMapInfo map;

      fail_unless (pipeline != NULL);
      gst_element_set_state (pipeline, GST_STATE_PLAYING);
      g_signal_emit_by_name (sink, "pull-sample", &sample);
      fail_unless (sample != NULL, "%s results asked as %s: no frame",
          formats[f], asked[a][0]);
      fail_unless (gst_buffer_map (gst_sample_get_buffer (sample), &map,
              GST_MAP_READ));
      element_test_assert_near (map.data, expected, 16);
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      gst_sample_unref (sample);
      gst_element_set_state (pipeline, GST_STATE_NULL);
      gst_object_unref (sink);
      gst_object_unref (pipeline);
      g_free (description);
    }
  }
}

GST_END_TEST;

/* num-buffers=1 num-images=8: one image is all the stream can use, so one
 * is requested and paid for (not 4 or 5 running ahead). */
GST_START_TEST (test_num_buffers_limits_requests)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (fast);
  GstHarness *h = harness_for (emu, PROMPT_A,
      "video/x-raw,format=RGBA,width=64,height=64");
  JsonObject *stats;

  g_object_set (h->element, "num-images", 8, "num-buffers", 1, NULL);
  gst_harness_play (h);
  fail_unless_equals_int (buffers_until_eos (h), 1);
  /* anything sent ahead would have been created by now */
  g_usleep (300 * 1000);
  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), 1);
  json_object_unref (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
imagegensrc_suite (void)
{
  return element_test_suite ("imagegensrc", 120,
      ELEMENT_TEST (test_prompt_decides_pixels),
      ELEMENT_TEST (test_negotiated_size_and_format),
      ELEMENT_TEST (test_scale_modes),
      ELEMENT_TEST (test_png_passthrough_is_untouched),
      ELEMENT_TEST (test_encoded_type_transcoded),
      ELEMENT_TEST (test_eos_after_num_images),
      ELEMENT_TEST (test_guard_keeps_num_images),
      ELEMENT_TEST (test_one_active_task_account),
      ELEMENT_TEST (test_missing_key_fails_state_change),
      ELEMENT_TEST (test_missing_prompt_fails_state_change),
      ELEMENT_TEST (test_invalid_key_is_an_error),
      ELEMENT_TEST (test_moderated_is_an_error),
      ELEMENT_TEST (test_null_during_request),
      ELEMENT_TEST (test_plain_http_to_remote_host_refused),
      ELEMENT_TEST (test_tls_verified_by_default),
      ELEMENT_TEST (test_short_prompt_refused),
      ELEMENT_TEST (test_bad_model_values_refused_at_start),
      ELEMENT_TEST (test_not_an_image_is_an_error),
      ELEMENT_TEST (test_base_url_with_api_path_refused),
      ELEMENT_TEST (test_unconstrained_gets_raw_video),
      ELEMENT_TEST (test_num_buffers_limits_requests), NULL);
}

GST_CHECK_MAIN (imagegensrc);
