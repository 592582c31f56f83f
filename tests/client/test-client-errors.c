/* gst-imagegen client: every error class says what happened.
 *
 * Most tests are a row of one table (TestJobCase): the emulator's faults,
 * a tweak of the config, the error class and the sentence the one job
 * must end with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static void
wrong_key (ImagegenClientConfig * config)
{
  g_free (config->api_key);
  config->api_key = g_strdup ("wrong-key-abcdef");
}

/* The key never shows; what an application can act on without parsing
 * the sentence is in the details. */
static void
auth_checks (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  const ImagegenClientErrorDetails *details;

  g_assert_null (strstr (r->error->message, "wrong-key"));
  g_assert_null (r->image);
  g_assert_null (r->task_id);
  g_assert_cmpuint (r->retries, ==, 0);
  details = imagegen_client_error_get_details (r->error);
  g_assert_cmpuint (details->http_status, ==, 401);
  g_assert_cmpstr (details->model, ==, TEST_T2I_MODEL);
  g_assert_null (details->task_id);
  g_assert_cmpuint (details->retries, ==, 0);
  g_assert_cmpuint (test_waiter_count_log (f->w, -1, "wrong-key"), ==, 0);
}

static void
moderated_checks (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_autofree gchar *tail = NULL;

  g_assert_nonnull (r->task_id);
  tail = g_strdup_printf ("(task %s)", r->task_id);
  g_assert_true (g_str_has_suffix (r->error->message, tail));
  g_assert_cmpint (r->cost_nanocents, ==, 0);
  g_assert_cmpstr (imagegen_client_error_get_details (r->error)->task_id, ==,
      r->task_id);
  g_assert_cmpuint (imagegen_client_error_get_details (r->error)->http_status,
      ==, 0);
}

static void
not_charged (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_cmpint (r->cost_nanocents, ==, 0);
}

static void
polled_more_than_once (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpuint (r->polls, >, 1);
}

static void
names_its_task (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_nonnull (r->task_id);
  g_assert_nonnull (strstr (r->error->message, r->task_id));
}

static void
no_image (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_null (r->image);
}

static void
tiny_download_limit (ImagegenClientConfig * config)
{
  config->max_download_bytes = 64;
}


/* An unknown status is logged once. */
static void
unknown_status_logged (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpuint (r->polls, >, 1);
  g_assert_cmpuint (test_waiter_count_log (f->w, IMAGEGEN_LOG_WARNING,
          "unknown status \"exploded\""), ==, 1);
}

#define LATENCY_100 "--latency", "100", "--fail"
#define WAITING "timed out after 2 s waiting for task %s"

static const TestJobCase cases[] = {
  {.path = "/client/errors/auth",.args = {"--require-key",
              "right-key-123456"},.tweak = wrong_key,
        .code = IMAGEGEN_CLIENT_ERROR_AUTH,
        .exact = "invalid API key (HTTP 401): Invalid API key",
      .check = auth_checks},
  {.path = "/client/errors/credits",.args = {"--credits", "0"},
        .code = IMAGEGEN_CLIENT_ERROR_CREDITS,
      .prefix = "insufficient credits (HTTP 402)"},
  {.path = "/client/errors/validation",.prompt = "ab",.aspect_ratio = "5:7",
        .code = IMAGEGEN_CLIENT_ERROR_VALIDATION,
        .prefix = "request rejected (HTTP 422): ",
      .contains = {"prompt ", "aspect_ratio "}},
  {.path = "/client/errors/moderated",.args = {"--fail", "task:moderated"},
        .prompt = "something questionable",
        .code = IMAGEGEN_CLIENT_ERROR_MODERATED,
        .prefix = "content moderated: Content policy violation",
      .check = moderated_checks},
  {.path = "/client/errors/task-failed",.args = {"--fail", "task:failed"},
        .code = IMAGEGEN_CLIENT_ERROR_TASK_FAILED,
        .exact = "task failed: Generation failed (task %s)",
      .check = not_charged},
  {.path = "/client/errors/timeout",.args = {"--fail", "task:stuck"},
        .job_timeout_s = 2,.code = IMAGEGEN_CLIENT_ERROR_TIMEOUT,
      .exact = WAITING,.min_wait_ms = 1900,.check = polled_more_than_once},
  /* a job timeout reached while polls are retried names the last cause */
  {.path = "/client/errors/timeout-names-last-cause/429",.args = {"--fail",
              "poll:429:*"},.job_timeout_s = 2,.max_retries = 20,
        .code = IMAGEGEN_CLIENT_ERROR_TIMEOUT,
      .exact = WAITING " (last: rate limited (HTTP 429))"},
  {.path = "/client/errors/timeout-names-last-cause/503",.args = {"--fail",
              "poll:503:*"},.job_timeout_s = 2,.max_retries = 20,
        .code = IMAGEGEN_CLIENT_ERROR_TIMEOUT,
      .exact = WAITING " (last: server error (HTTP 503))"},
  {.path = "/client/errors/bad-json",.args = {"--fail", "poll:badjson"},
      .code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,.check = names_its_task},
  /* answers of the wrong shape, or not JSON, or not an image, are
   * protocol errors that say what is wrong */
  {.path = "/client/errors/bad-json-create",.args = {LATENCY_100,
              "create:badjson"},.code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
      .check = no_image},
  {.path = "/client/errors/not-image",.args = {LATENCY_100,
              "download:notimage"},.code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
      .check = no_image},
  {.path = "/client/errors/too-large",.tweak = tiny_download_limit,
      .code = IMAGEGEN_CLIENT_ERROR_TOO_LARGE},
  /* a body that keeps coming, one byte a second, never trips the idle
   * timeout: the job timeout bounds it */
  {.path = "/client/errors/slow-body",.args = {LATENCY_100,
              "download:trickle"},.job_timeout_s = 3,.request_timeout_s = 2,
        .code = IMAGEGEN_CLIENT_ERROR_TIMEOUT,
        .exact = "timed out after 3 s downloading the result of task %s",
      .min_wait_ms = 2900,.check = no_image},
  {.path = "/client/errors/wrongshape-noid",.args = {LATENCY_100,
              "create:wrongshape-noid"},.code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "malformed create answer: no task id",
      .check = no_image},
  {.path = "/client/errors/wrongshape-array",.args = {LATENCY_100,
              "create:wrongshape-array"},
        .code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "malformed create answer: not a JSON object",
      .check = no_image},
  {.path = "/client/errors/wrongshape-numbers",.args = {LATENCY_100,
              "poll:wrongshape-numbers"},
        .code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "malformed task answer: \"status\" is not a string",
      .check = no_image},
  {.path = "/client/errors/wrongshape-noimages",.args = {LATENCY_100,
              "poll:wrongshape-noimages"},
        .code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "task completed without any image URL",.check = no_image},
  /* as the JS and Go SDKs: a status we do not know means still running,
   * bounded by the job timeout */
  {.path = "/client/errors/unknown-status-forever",.args = {"--latency",
              "300", "--fail", "poll:unknownstatus:*"},
        .job_timeout_s = 2,.code = IMAGEGEN_CLIENT_ERROR_TIMEOUT,
      .exact = WAITING,.check = unknown_status_logged},
  /* result URLs are temporary: an expired one answers 403 or 404 */
  {.path = "/client/errors/result-404",.args = {LATENCY_100,
              "download:404"},.code = IMAGEGEN_CLIENT_ERROR_NOT_FOUND,
        TEST_RETRIES (0),
        .prefix = "result download failed: not found (HTTP 404)",
      .contains = {"may have expired"}},
  {.path = "/client/errors/result-403",.args = {LATENCY_100,
              "download:403"},.code = IMAGEGEN_CLIENT_ERROR_FORBIDDEN,
        TEST_RETRIES (0),
        .prefix = "result download failed: access denied (HTTP 403)",
      .contains = {"may have expired"}},
};


/* An unknown status once: the job goes on and succeeds, and the log says
 * so once. */
static void
test_unknown_status (void)
{
  const gchar *args[] = { "--latency", "300", "--fail", "poll:unknownstatus",
    NULL
  };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  f.config.job_timeout_s = 2;
  r = test_run_config (&f.config, NULL);
  g_assert_no_error (r->error);
  g_assert_nonnull (r->image);
  unknown_status_logged (NULL, &f, r);
  test_fixture_stop (&f);
}

static void
test_invalid_argument (void)
{
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "no source");
  r = test_run_job (f.client, req, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu, "create_remix"),
      ==, 0);
  test_fixture_stop (&f);
}

/* A job against @base_url, where no emulator answers, with @max_retries:
 * a network error. */
static ImagegenResult *
run_unreachable (gchar * base_url, guint max_retries)
{
  ImagegenClientConfig config;
  ImagegenResult *r;

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  config.base_url = base_url;
  config.api_key = g_strdup (TEST_KEY);
  config.max_retries = max_retries;
  config.retry_base_ms = 20;
  r = test_run_config (&config, NULL);
  imagegen_client_config_clear (&config);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_NETWORK);
  g_test_message ("%s", r->error->message);
  return r;
}

static void
test_network_refused (void)
{
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  guint port;

  /* A port nobody listens on: bind, read the port, close. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  addr = g_inet_socket_address_new (lo, 0);
  g_assert_true (g_socket_bind (sock, addr, TRUE, NULL));
  g_clear_object (&addr);
  addr = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
  g_socket_close (sock, NULL);

  r = run_unreachable (g_strdup_printf ("http://127.0.0.1:%u", port), 2);
  g_assert_true (g_str_has_prefix (r->error->message, "network error"));
  g_assert_cmpuint (r->retries, ==, 2);
}

/* .invalid never resolves (RFC 6761), so no query leaves for real. */
static void
test_dns_failure (void)
{
  g_autoptr (ImagegenResult) r =
      run_unreachable (g_strdup ("https://imagegen-does-not-exist.invalid"),
      1);

  g_assert_nonnull (strstr (r->error->message,
          "imagegen-does-not-exist.invalid"));
  g_assert_null (r->task_id);
}

int
main (int argc, char **argv)
{
  return test_run_with_cases (&argc, &argv, cases, G_N_ELEMENTS (cases),
      "/client/errors/unknown-status", test_unknown_status,
      "/client/errors/invalid-argument", test_invalid_argument,
      "/client/errors/network", test_network_refused, "/client/errors/dns",
      test_dns_failure, NULL);
}
