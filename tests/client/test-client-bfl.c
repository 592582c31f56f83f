/* gst-imagegen client: Black Forest Labs direct against the emulator —
 * x-key, frames inline, exact sizes, polling_url, their errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-errors.h"
#include "imagegen-http.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"

#include <string.h>

/* The emulator's tasks take 200 ms; the client speaks BFL, with a
 * rate-limit timeout of @timeout_s (0: the default). */
static void
fixture_start (TestFixture * f, const gchar * const *extra, guint timeout_s)
{
  static const gchar *slow[] = { "--latency", "200", NULL };

  test_fixture_start (f, TRUE, slow, extra);
  f->config.provider = IMAGEGEN_PROVIDER_BFL;
  if (timeout_s)
    f->config.rate_limit_timeout_s = timeout_s;
  test_fixture_client (f);
}

/* A result's size (JPEG, their default, or PNG). */
static void
image_size (GBytes * image, guint * width, guint * height)
{
  g_assert_true (test_image_size (image, width, height));
}

/* The emulator's record of its only task. */
static JsonObject *
only_task (JsonObject * stats)
{
  JsonArray *tasks = json_object_get_array_member (stats, "tasks");

  g_assert_cmpuint (json_array_get_length (tasks), ==, 1);
  return json_array_get_object_element (tasks, 0);
}

/* klein edits a frame sent inline: no upload, exact size, the x-key on
 * the submit and every poll. */
static void
test_klein_remix_inline (void)
{
  const gchar *args[] = { "--require-key", TEST_KEY, NULL };
  g_autoptr (GBytes) png = test_make_png (200, 120);
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  JsonObject *task;
  guint width, height, i, polls = 0;
  TestFixture f;

  fixture_start (&f, args, 0);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "flux-2-klein-4b",
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  req->width = 320;
  req->height = 192;
  req->seed = 42;
  r = test_run_job (f.client, req, f.w);
  g_assert_no_error (r->error);
  image_size (r->image, &width, &height);
  g_assert_cmpuint (width, ==, 320);
  g_assert_cmpuint (height, ==, 192);
  /* klein 4B: 1.4 for the first output MP + 0.1 per input MP (0.024):
   * 1.4024 credits, kept exact (2 cents only where it is shown) */
  g_assert_cmpint (r->cost_nanocents, ==, 1402400000);
  g_assert_cmpint (imagegen_cents_shown (r->cost_nanocents), ==, 2);

  stats = imagegen_test_emulator_stats (f.fx.emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats, "files"),
      ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "files_prepare"), ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "bfl_create"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_remix"), ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "auth_failures"),
      ==, 0);
  task = only_task (stats);
  g_assert_cmpstr (json_object_get_string_member (task, "provider"), ==,
      "bfl");
  g_assert_cmpstr (json_object_get_string_member (task, "inputs"), ==,
      "input_image");
  g_assert_cmpint (json_object_get_int_member (task, "inline_inputs"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (task, "width"), ==, 320);

  /* the submit went to /v1/<model>; every poll to the polling_url */
  lines = imagegen_test_read_log (f.fx.log);
  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (imagegen_test_log_is (l, "POST", "/v1/"))
      g_assert_cmpstr (json_object_get_string_member (l, "path"), ==,
          "/v1/flux-2-klein-4b");
    if (imagegen_test_log_is (l, "GET", "/v1/get_result")) {
      polls++;
      g_assert_cmpstr (json_object_get_string_member (l, "auth"), ==, "ok");
      g_assert_cmpstr (json_object_get_string_member (l, "task_id"), ==,
          r->task_id);
    }
  }
  g_assert_cmpuint (polls, ==, r->polls);
  g_assert_cmpuint (polls, >=, 1);
  test_fixture_stop (&f);
}

/* ---- one job each: BFL's sizes, costs and errors ---- */

static void
speak_bfl (ImagegenClientConfig * config)
{
  config->provider = IMAGEGEN_PROVIDER_BFL;
}

/* The cost is the submit answer's. */
static void
exact_size_charged (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_autoptr (JsonObject) stats = imagegen_test_emulator_stats (f->fx.emu);
  guint width, height;

  image_size (r->image, &width, &height);
  g_assert_cmpuint (width, ==, 1024);
  g_assert_cmpuint (height, ==, 768);
  /* pro: 3 for the first output MP; 0.79 MP is 3 */
  g_assert_cmpint (r->cost_nanocents, ==,
      3 * IMAGEGEN_NANOCENTS_PER_CENT);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "charged_cents"),
      ==, 3);
  g_assert_cmpstr (json_object_get_string_member (only_task (stats),
          "inputs"), ==, "");
}

/* moderated requests are not charged */
static void
not_charged (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_cmpint (r->cost_nanocents, ==, 0);
}

/* A 429's retry_after is in its body: the job waits that long, then
 * goes through. */
static void
held_for_retry_after (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpuint (imagegen_client_get_rate_limited (f->client), ==, 1);
  /* 1 s from the body; without it the backoff would be 50-200 ms */
  g_assert_cmpuint (test_waiter_count_log (f->w, IMAGEGEN_LOG_INFO,
          "create rate limited (HTTP 429): job held 1000 ms"), ==, 1);
}

static void
key_not_in_message (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_null (strstr (r->error->message, TEST_KEY));
}

/* result.sample is on another origin: fetched without the key. */
static void
key_not_sent_to_result_host (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  test_check_assets_origin (c, f, r);
  /* klein 9B: 1.5 credits for the first output MP, kept exact */
  g_assert_cmpint (r->cost_nanocents, ==, 1500000000);
}

/* The emulator's tasks take 200 ms; the client speaks BFL. */
#define SLOW "--latency", "200"
#define KITE(m, w, h) .model = (m), .width = (w), .height = (h), \
    .prompt = "a lighthouse at dusk"
#define BFL(m, w, h) .tweak = speak_bfl, KITE (m, w, h)

static const TestJobCase cases[] = {
  {.path = "/client/bfl/text-to-image",.args = {SLOW},
      BFL ("flux-2-pro", 1024, 768),.ok = TRUE,.check = exact_size_charged},
  {.path = "/client/bfl/moderated",.args = {SLOW, "--fail", "task:moderated"},
        BFL ("flux-2-klein-4b", 512, 512),
        .code = IMAGEGEN_CLIENT_ERROR_MODERATED,
        .exact = "content moderated: the result was flagged by the "
        "provider's moderation (Content Moderated) (task %s)",
      .check = not_charged},
  {.path = "/client/bfl/insufficient-credits",.args = {SLOW, "--credits",
              "0"}, BFL ("flux-2-pro", 1024, 1024),
        .code = IMAGEGEN_CLIENT_ERROR_CREDITS,
      .exact = "insufficient credits (HTTP 402): Insufficient credits"},
  {.path = "/client/bfl/rate-limited-then-admitted",.args = {SLOW, "--fail",
              "create:429@1:1"}, BFL ("flux-2-klein-4b", 256, 256),
      .ok = TRUE,.check = held_for_retry_after},
  {.path = "/client/bfl/rate-limited",.args = {SLOW, "--fail",
              "create:429@1:*"}, BFL ("flux-2-klein-4b", 256, 256),
        .rate_limit_timeout_s = 2,
        .code = IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
      .exact = "rate limited (HTTP 429): no task admitted for 2 s"},
  /* their 422 lists fields; the sentence names them */
  {.path = "/client/bfl/validation",.args = {SLOW},
        BFL ("flux-2-pro", 1000, 512),
        .code = IMAGEGEN_CLIENT_ERROR_VALIDATION,
      .exact = "request rejected (HTTP 422): width: Must be a multiple of 16"},
  {.path = "/client/bfl/wrong-key",.args = {SLOW, "--require-key",
              "right-key-123456"}, BFL ("flux-2-pro", 512, 512),
        .code = IMAGEGEN_CLIENT_ERROR_AUTH,
        .exact = "invalid API key (HTTP 401): Invalid x-key",
      .check = key_not_in_message},
  {.path = "/client/bfl/key-not-sent-to-result-host",.args = {SLOW,
              "--assets-port", "0"}, BFL ("flux-2-klein-9b", 256, 256),
      .ok = TRUE,.check = key_not_sent_to_result_host},
};

/* Every Black Forest Labs row of the model table, served by the emulator
 * from the same row: text to image, an edit with as many inline images as
 * the row takes, and one more refused with the row's limit. */
static void
test_every_row (void)
{
  TestFixture f;

  fixture_start (&f, NULL, 0);
  /* ten models (two previews, three FLUX 3), each text to image and
   * edit */
  g_assert_cmpuint (test_run_every_row (f.client, f.w, "bfl", 256, 256), ==,
      20);
  test_fixture_stop (&f);
}

/* A flex-only field sent to klein: the emulator refuses it from the row. */
static void
test_flex_field_on_klein (void)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "flux-2-klein-4b", "a lighthouse at dusk");
  g_autoptr (ImagegenResult) r = NULL;
  TestFixture f;

  fixture_start (&f, NULL, 0);
  req->width = req->height = 256;
  req->steps = 20;
  r = test_run_job (f.client, req, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_VALIDATION);
  g_assert_cmpstr (r->error->message, ==,
      "request rejected (HTTP 422): steps: Is not permitted");
  test_fixture_stop (&f);
}

/* Where the key may go: the API origin, and https hosts of their domain
 * when the API is one of them. */
static void
test_key_allowed (void)
{
  ImagegenHttp http = {.key_domain = "bfl.ai" };
  const struct
  {
    const gchar *base, *url;
    gboolean allowed;
  } cases[] = {
    {"https://api.bfl.ai", "https://api.bfl.ai/v1/get_result?id=1", TRUE},
    {"https://api.bfl.ai", "https://api.eu2.bfl.ai/v1/get_result?id=1", TRUE},
    {"https://api.eu.bfl.ai", "https://api.us1.bfl.ai/v1/x", TRUE},
    {"https://api.bfl.ai", "http://api.eu2.bfl.ai/v1/x", FALSE},
    {"https://api.bfl.ai", "https://delivery.example/sample.jpg", FALSE},
    {"https://api.bfl.ai", "https://evilbfl.ai/v1/x", FALSE},
    {"https://api.bfl.ai", "https://bfl.ai.example/v1/x", FALSE},
    {"http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/get_result", TRUE},
    {"http://127.0.0.1:8000", "http://127.0.0.1:8001/v1/get_result", FALSE},
    {"http://127.0.0.1:8000", "https://api.bfl.ai/v1/get_result", FALSE},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GUri *uri = g_uri_parse (cases[i].url, G_URI_FLAGS_NONE, NULL);

    http.base_uri = g_uri_parse (cases[i].base, G_URI_FLAGS_NONE, NULL);
    g_assert_cmpint (imagegen_http_key_allowed (&http, uri), ==,
        cases[i].allowed);
    g_uri_unref (uri);
    g_uri_unref (http.base_uri);
  }
}

/* Every status word of theirs, read as the client acts on it. */
static void
test_status_words (void)
{
  const struct
  {
    const gchar *json;
    ImagegenTaskState state;
    const gchar *error;         /* the job's error text, or NULL */
  } cases[] = {
    {"{\"id\":\"t\",\"status\":\"Pending\",\"progress\":0.3}",
        IMAGEGEN_TASK_PENDING, NULL},
    /* FLUX 3: expanding the prompt, then drawing */
    {"{\"id\":\"t\",\"status\":\"Reasoning\"}", IMAGEGEN_TASK_PENDING,
        NULL},
    {"{\"id\":\"t\",\"status\":\"Generating\",\"progress\":0.5}",
        IMAGEGEN_TASK_PENDING, NULL},
    {"{\"id\":\"t\",\"status\":\"Ready\",\"result\":{\"sample\":"
          "\"https://delivery.example/s.jpg\"}}", IMAGEGEN_TASK_COMPLETED,
        NULL},
    {"{\"id\":\"t\",\"status\":\"Content Moderated\"}",
          IMAGEGEN_TASK_FAILED,
        "content moderated: the result was flagged by the provider's "
          "moderation (Content Moderated)"},
    {"{\"id\":\"t\",\"status\":\"Request Moderated\",\"details\":"
          "{\"Moderation Reasons\":[\"x\"]}}", IMAGEGEN_TASK_FAILED,
        "content moderated: the prompt or input image was flagged by the "
          "provider's moderation (Request Moderated): {\"Moderation "
          "Reasons\":[\"x\"]}"},
    {"{\"id\":\"t\",\"status\":\"Error\"}", IMAGEGEN_TASK_FAILED,
        "task failed: Error"},
    {"{\"id\":\"t\",\"status\":\"Task not found\"}",
          IMAGEGEN_TASK_FAILED,
        "task failed: the provider has no such task (Task not found)"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    ImagegenTaskInfo info = {.charged_nanocents = -1 };
    GError *error = NULL;

    g_assert_true (json_parser_load_from_data (parser, cases[i].json, -1,
            NULL));
    g_assert_true (imagegen_provider_bfl.parse_task (json_parser_get_root
            (parser), &info, &error));
    g_assert_no_error (error);
    g_assert_cmpint (info.state, ==, cases[i].state);
    g_assert_false (info.status_unknown);
    if (cases[i].error) {
      error = imagegen_error_new_for_failed_task (info.error_message);
      g_assert_cmpstr (error->message, ==, cases[i].error);
      g_clear_error (&error);
    }
    imagegen_task_info_clear (&info);
  }
}

int
main (int argc, char **argv)
{
  return test_run_with_cases (&argc, &argv, cases, G_N_ELEMENTS (cases),
      "/client/bfl/klein-remix-inline", test_klein_remix_inline,
      "/client/bfl/key-allowed", test_key_allowed, "/client/bfl/every-row",
      test_every_row, "/client/bfl/flex-field-on-klein",
      test_flex_field_on_klein, "/client/bfl/status-words", test_status_words,
      NULL);
}
