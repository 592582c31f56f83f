/* gst-imagegen: the engine's one answer per fact, seen from an element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "imagegen-test-emulator.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"

#define CAPS "video/x-raw,format=RGBA,width=64,height=64,framerate=10/1"

static guint
stat_uint (GstElement * element, const gchar * field)
{
  GstStructure *stats;
  guint n = 0;

  g_object_get (element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, field, &n), "no %s", field);
  gst_structure_free (stats);
  return n;
}

/* A prompt changed while live is asked for at the next frame, from the
 * streaming thread: once the frame is out, the request was handed over
 * or found no slot. */
static void
set_prompt_and_pull (GstHarness * h, const gchar * prompt)
{
  g_object_set (h->element, "prompt", prompt, NULL);
  fail_unless (gst_harness_crank_single_clock_wait (h));
  gst_buffer_unref (gst_harness_pull (h));
}

/* One active task allowed and the first one held: every further create
 * is answered 429 and the client halves its limit.  Prompts changed after
 * that are handed
 * over only while fewer requests run than the client's lowered limit, not
 * up to max-in-flight, where they would only wait in its queue. */
GST_START_TEST (test_gate_follows_client_limit)
{
  const gchar *args[] = { "--max-active", "1", "--fail", "task:held:*",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = gst_harness_new ("imagegensrc");
  guint limit, i, waited;

  g_object_set (h->element, "is-live", TRUE, "prompt", "prompt 0",
      "api-key", "test-key", "base-url",
      imagegen_test_emulator_get_base_url (emu), "poll-interval", 50,
      "max-in-flight", 8, NULL);
  gst_harness_set_sink_caps_str (h, CAPS);
  gst_harness_use_testclock (h);
  gst_harness_play (h);

  /* the second request meets the held first one: 429, the limit halves */
  set_prompt_and_pull (h, "prompt 1");
  for (waited = 0; stat_uint (h->element, "rate-limited") == 0; waited++) {
    fail_unless (waited < 3000, "no create was answered 429");
    g_usleep (10 * 1000);
  }
  limit = stat_uint (h->element, "in-flight-limit");
  fail_unless (limit < 8, "the client's limit stayed at %u", limit);
  fail_unless_equals_int (stat_uint (h->element, "in-flight"), 2);

  /* no create is admitted while the first task is held: the limit cannot
   * rise, so nothing may go past it */
  for (i = 2; i < 12; i++) {
    gchar *prompt = g_strdup_printf ("prompt %u", i);

    set_prompt_and_pull (h, prompt);
    g_free (prompt);
    fail_unless (stat_uint (h->element, "in-flight") <= limit,
        "%u requests handed over past the client's limit of %u",
        stat_uint (h->element, "in-flight"), limit);
  }
  fail_unless (stat_uint (h->element, "requests") <= limit);

  gst_harness_teardown (h);
}

GST_END_TEST;

static GstBuffer *
grey_frame (gint width, gint height)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, width * height * 4, NULL);

  gst_buffer_memset (buf, 0, 0x80, width * height * 4);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

/* The spending guard prices a request as the provider's table does:
 * Black Forest Labs' klein, its first output megapixel and the input
 * frame's megapixels (656 x 368 each way), 2 cents rounded up, goes
 * through max-cost 2; it is not refused at an assumed price. */
GST_START_TEST (test_guard_prices_by_provider)
{
  const gchar *caps = "video/x-raw,format=RGBA,width=640,height=360,"
      "framerate=30/1";
  const gchar *args[] = { "--latency", "50", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstHarness *h;
  GstBuffer *out;
  JsonObject *stats;

  g_object_set (remix, "prompt", "invert the colours", "model",
      "flux-2-klein-4b", "api-key", "test-key", "base-url",
      imagegen_test_emulator_get_base_url (emu), "poll-interval", 50,
      "max-cost", 2, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "offline");
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_sink_caps_str (h, caps);
  gst_harness_set_src_caps_str (h, caps);

  fail_unless_equals_int (gst_harness_push (h, grey_frame (640, 360)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  gst_buffer_unref (out);
  fail_unless_equals_int (stat_uint (h->element, "requests"), 1);

  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "bfl_create"), 1);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (stats,
          "charged_cents"), 2);
  json_object_unref (stats);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A model's prompt limits have one answer, per provider, and the check
 * says the same figures. */
GST_START_TEST (test_prompt_limits_one_answer)
{
  ImagegenRequest *req;
  GError *error = NULL;
  guint min, max;
  gchar *expected, *prompt;

  fail_unless_equals_int (imagegen_models_prompt_limits ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro", &min, &max),
      IMAGEGEN_PROMPT_REQUIRED);
  fail_unless (min >= 1);
  /* an id is one provider's: RunAPI's table has no flux-2-pro */
  fail_unless_equals_int (imagegen_models_prompt_limits (NULL,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro", &min, &max),
      IMAGEGEN_PROMPT_UNKNOWN);

  fail_unless_equals_int (imagegen_models_prompt_limits (NULL,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro-text-to-image", &min,
          &max),
      IMAGEGEN_PROMPT_REQUIRED);
  fail_unless (max > 0);
  prompt = g_strnfill (max + 1, 'a');
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "flux-2-pro-text-to-image", prompt);
  fail_if (imagegen_models_check_request (req, 0, &error));
  expected = g_strdup_printf ("The prompt has %u characters; the service "
      "takes %u to %u.", max + 1, min, max);
  fail_unless_equals_string (error->message, expected);
  g_free (expected);
  g_free (prompt);
  g_clear_error (&error);
  imagegen_request_free (req);
}

GST_END_TEST;

static Suite *
engine_facts_suite (void)
{
  Suite *s = suite_create ("engine-facts");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_gate_follows_client_limit);
  tcase_add_test (tc, test_guard_prices_by_provider);
  tcase_add_test (tc, test_prompt_limits_one_answer);
  return s;
}

GST_CHECK_MAIN (engine_facts);
