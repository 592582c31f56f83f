/* gst-imagegen client: every error class says what happened.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static ImagegenResult *
run (TestFixture * f, const gchar * prompt, const gchar * aspect_ratio)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      prompt);

  req->aspect_ratio = g_strdup (aspect_ratio);
  return test_run_job (f->client, req, f->w);
}

static void
wrong_key (ImagegenClientConfig * config)
{
  g_free (config->api_key);
  config->api_key = g_strdup ("wrong-key-abcdef");
}

static void
test_auth (void)
{
  const gchar *args[] = { "--require-key", "right-key-123456", NULL };
  const ImagegenClientErrorDetails *details;
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  wrong_key (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH);
  g_assert_cmpstr (r->error->message, ==,
      "invalid API key (HTTP 401): Invalid API key");
  g_assert_null (strstr (r->error->message, "wrong-key"));
  g_assert_null (r->image);
  g_assert_null (r->task_id);
  g_assert_cmpuint (r->retries, ==, 0);
  /* what an application can act on without parsing the sentence */
  details = imagegen_client_error_get_details (r->error);
  g_assert_cmpuint (details->http_status, ==, 401);
  g_assert_cmpstr (details->model, ==, TEST_T2I_MODEL);
  g_assert_null (details->task_id);
  g_assert_cmpuint (details->retries, ==, 0);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, "wrong-key"), ==, 0);
  test_fixture_stop (&f);
}

static void
test_credits (void)
{
  const gchar *args[] = { "--credits", "0", NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_CREDITS);
  g_assert_true (g_str_has_prefix (r->error->message,
          "insufficient credits (HTTP 402)"));
  test_fixture_stop (&f);
}

static void
test_validation (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  r = run (&f, "ab", "5:7");
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_VALIDATION);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message,
          "request rejected (HTTP 422): "));
  g_assert_nonnull (strstr (r->error->message, "prompt "));
  g_assert_nonnull (strstr (r->error->message, "aspect_ratio "));
  test_fixture_stop (&f);
}

static void
test_moderated (void)
{
  const gchar *args[] = { "--fail", "task:moderated", NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *tail = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "something questionable", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_MODERATED);
  g_assert_nonnull (r->task_id);
  g_assert_true (g_str_has_prefix (r->error->message,
          "content moderated: Content policy violation"));
  tail = g_strdup_printf ("(task %s)", r->task_id);
  g_assert_true (g_str_has_suffix (r->error->message, tail));
  g_assert_cmpint (r->cost_nanocents, ==, 0);
  g_assert_cmpstr (imagegen_client_error_get_details (r->error)->task_id, ==,
      r->task_id);
  g_assert_cmpuint (imagegen_client_error_get_details (r->error)->http_status,
      ==, 0);
  test_fixture_stop (&f);
}

static void
test_task_failed (void)
{
  const gchar *args[] = { "--fail", "task:failed", NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *expected = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TASK_FAILED);
  expected = g_strdup_printf ("task failed: Generation failed "
      "(task %s)", r->task_id);
  g_assert_cmpstr (r->error->message, ==, expected);
  g_assert_cmpint (r->cost_nanocents, ==, 0);
  test_fixture_stop (&f);
}

static void
short_job_timeout (ImagegenClientConfig * config)
{
  config->job_timeout_s = 2;
}

static void
test_timeout (void)
{
  const gchar *args[] = { "--fail", "task:stuck", NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *expected = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  short_job_timeout (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TIMEOUT);
  expected = g_strdup_printf ("timed out after 2 s waiting for task %s",
      r->task_id);
  g_assert_cmpstr (r->error->message, ==, expected);
  g_assert_cmpint (g_get_monotonic_time () - r->started_us, >=,
      1900 * 1000);
  g_assert_cmpuint (r->polls, >, 1);
  test_fixture_stop (&f);
}

static void
short_job_timeout_many_retries (ImagegenClientConfig * config)
{
  config->job_timeout_s = 2;
  config->max_retries = 20;
}

/* A job timeout reached while polls are retried names the last cause. */
static void
check_timeout_names_cause (const gchar * fault, const gchar * cause)
{
  const gchar *args[] = { "--fail", fault, NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *expected = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  short_job_timeout_many_retries (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TIMEOUT);
  expected = g_strdup_printf ("timed out after 2 s waiting for task %s "
      "(last: %s)", r->task_id, cause);
  g_assert_cmpstr (r->error->message, ==, expected);
  test_fixture_stop (&f);
}

static void
test_timeout_names_last_cause (void)
{
  check_timeout_names_cause ("poll:429:*", "rate limited (HTTP 429)");
  check_timeout_names_cause ("poll:503:*", "server error (HTTP 503)");
}

static void
test_bad_json (void)
{
  const gchar *args[] = { "--fail", "poll:badjson", NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_test_message ("%s", r->error->message);
  g_assert_nonnull (r->task_id);
  g_assert_nonnull (strstr (r->error->message, r->task_id));
  test_fixture_stop (&f);
}

/* Answers of the wrong shape, or not JSON, or not an image, are protocol
 * errors that say what is wrong (@message: the start of it, if given). */
static void
check_protocol_fault (const gchar * spec, const gchar * message)
{
  const gchar *args[] = { "--latency", "100", "--fail", spec, NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_test_message ("%s", r->error->message);
  if (message != NULL)
    g_assert_true (g_str_has_prefix (r->error->message, message));
  g_assert_null (r->image);
  test_fixture_stop (&f);
}

static void
test_bad_json_create (void)
{
  check_protocol_fault ("create:badjson", NULL);
}

static void
test_not_image (void)
{
  check_protocol_fault ("download:notimage", NULL);
}

static void
tiny_download_limit (ImagegenClientConfig * config)
{
  config->max_download_bytes = 64;
}

static void
test_too_large (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, NULL, NULL);
  tiny_download_limit (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TOO_LARGE);
  g_test_message ("%s", r->error->message);
  test_fixture_stop (&f);
}

static void
test_invalid_argument (void)
{
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "no source");
  r = test_run_job (f.client, req, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  stats = imagegen_test_emulator_stats (f.fx.emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_remix"), ==, 0);
  test_fixture_stop (&f);
}

static void
test_network_refused (void)
{
  ImagegenClientConfig config;
  ImagegenClient *client;
  TestWaiter *w = test_waiter_new ();
  g_autoptr (ImagegenRequest) req = NULL;
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

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  config.base_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  config.api_key = g_strdup (TEST_KEY);
  config.max_retries = 2;
  config.retry_base_ms = 20;
  client = imagegen_client_new (&config);

  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "a quiet harbour");
  r = test_run_job (client, req, w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_NETWORK);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message, "network error"));
  g_assert_cmpuint (r->retries, ==, 2);

  imagegen_client_free (client);
  imagegen_client_config_clear (&config);
  test_waiter_free (w);
}

/* A body that keeps coming, one byte a second, never trips the idle
 * timeout: the job timeout bounds it. */
static void
trickle_job_timeout (ImagegenClientConfig * config)
{
  config->job_timeout_s = 3;
  config->request_timeout_s = 2;
}

static void
test_slow_body (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "download:trickle",
    NULL
  };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *expected = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  trickle_job_timeout (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TIMEOUT);
  expected = g_strdup_printf ("timed out after 3 s downloading the result of "
      "task %s", r->task_id);
  g_assert_cmpstr (r->error->message, ==, expected);
  g_assert_cmpint (g_get_monotonic_time () - r->started_us, >=,
      2900 * 1000);
  g_assert_null (r->image);
  test_fixture_stop (&f);
}

static void
test_wrongshape_noid (void)
{
  check_protocol_fault ("create:wrongshape-noid",
      "malformed create answer: no task id");
}

static void
test_wrongshape_array (void)
{
  check_protocol_fault ("create:wrongshape-array",
      "malformed create answer: not a JSON object");
}

static void
test_wrongshape_numbers (void)
{
  check_protocol_fault ("poll:wrongshape-numbers",
      "malformed task answer: \"status\" is not a string");
}

static void
test_wrongshape_noimages (void)
{
  check_protocol_fault ("poll:wrongshape-noimages",
      "task completed without any image URL");
}

/* As the JS and Go SDKs: a status we do not know means still running; the
 * job goes on, bounded by the job timeout, and the log says so once. */
static void
check_unknown_status (const gchar * spec, gboolean forever)
{
  const gchar *args[] = { "--latency", "300", "--fail", spec, NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;
  g_autofree gchar *expected = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  short_job_timeout (&f.config);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  if (forever) {
    g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_TIMEOUT);
    expected = g_strdup_printf ("timed out after 2 s waiting for task %s",
        r->task_id);
    g_assert_cmpstr (r->error->message, ==, expected);
  } else {
    g_assert_no_error (r->error);
    g_assert_nonnull (r->image);
  }
  g_assert_cmpuint (r->polls, >, 1);
  g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_WARNING,
          "unknown status \"exploded\""), ==, 1);
  test_fixture_stop (&f);
}

static void
test_unknown_status (void)
{
  check_unknown_status ("poll:unknownstatus", FALSE);
}

static void
test_unknown_status_forever (void)
{
  check_unknown_status ("poll:unknownstatus:*", TRUE);
}

/* Result URLs are temporary: an expired one answers 403 or 404. */
static void
check_result_status (const gchar * spec, ImagegenClientError code,
    const gchar * message)
{
  const gchar *args[] = { "--latency", "100", "--fail", spec, NULL };
  TestFixture f;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  r = run (&f, "a quiet harbour", NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, (gint) code);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message, message));
  g_assert_nonnull (strstr (r->error->message, "may have expired"));
  g_assert_cmpuint (r->retries, ==, 0);
  test_fixture_stop (&f);
}

static void
test_result_404 (void)
{
  check_result_status ("download:404", IMAGEGEN_CLIENT_ERROR_NOT_FOUND,
      "result download failed: not found (HTTP 404)");
}

static void
test_result_403 (void)
{
  check_result_status ("download:403", IMAGEGEN_CLIENT_ERROR_FORBIDDEN,
      "result download failed: access denied (HTTP 403)");
}

/* .invalid never resolves (RFC 6761), so no query leaves for real. */
static void
test_dns_failure (void)
{
  ImagegenClientConfig config;
  ImagegenClient *client;
  TestWaiter *w = test_waiter_new ();
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  config.base_url = g_strdup ("https://imagegen-does-not-exist.invalid");
  config.api_key = g_strdup (TEST_KEY);
  config.max_retries = 1;
  config.retry_base_ms = 20;
  client = imagegen_client_new (&config);

  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "a quiet harbour");
  r = test_run_job (client, req, w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_NETWORK);
  g_test_message ("%s", r->error->message);
  g_assert_nonnull (strstr (r->error->message,
          "imagegen-does-not-exist.invalid"));
  g_assert_null (r->task_id);

  imagegen_client_free (client);
  imagegen_client_config_clear (&config);
  test_waiter_free (w);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/errors/auth", test_auth,
      "/client/errors/credits", test_credits, "/client/errors/validation",
      test_validation, "/client/errors/moderated", test_moderated,
      "/client/errors/task-failed", test_task_failed, "/client/errors/timeout",
      test_timeout, "/client/errors/timeout-names-last-cause",
      test_timeout_names_last_cause, "/client/errors/bad-json", test_bad_json,
      "/client/errors/bad-json-create", test_bad_json_create,
      "/client/errors/not-image", test_not_image, "/client/errors/too-large",
      test_too_large, "/client/errors/invalid-argument", test_invalid_argument,
      "/client/errors/network", test_network_refused,
      "/client/errors/slow-body", test_slow_body,
      "/client/errors/wrongshape-noid", test_wrongshape_noid,
      "/client/errors/wrongshape-array", test_wrongshape_array,
      "/client/errors/wrongshape-numbers", test_wrongshape_numbers,
      "/client/errors/wrongshape-noimages", test_wrongshape_noimages,
      "/client/errors/unknown-status", test_unknown_status,
      "/client/errors/unknown-status-forever", test_unknown_status_forever,
      "/client/errors/result-404", test_result_404, "/client/errors/result-403",
      test_result_403, "/client/errors/dns", test_dns_failure, NULL);
}
