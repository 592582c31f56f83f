/* gst-imagegen client: retries, backoff and idempotent creates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static ImagegenResult *
run_one (ImagegenTestEmulator * emu, ImagegenClientConfig * config)
{
  return test_run_config (config, NULL);
}

/* Microseconds between the @first and the next @method request on
 * @path_prefix, as the server saw them: what a wait before a retry looks
 * like from the other end. */
static gint64
server_gap_us (ImagegenTestEmulator * emu, const gchar * method,
    const gchar * path_prefix, guint first)
{
  g_autoptr (GPtrArray) log = imagegen_test_emulator_read_log (emu);
  gint64 a = imagegen_test_log_request_time (log, method, path_prefix, first);
  gint64 b = imagegen_test_log_request_time (log, method, path_prefix,
      first + 1);

  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, 0);
  return b - a;
}

/* The server logs an answer before sending it and the next request after
 * it arrives, so a wait of N ms shows as at least N ms; one millisecond is
 * left for the client's monotonic and the server's real-time clocks. */
#define CLOCKS_SLACK_US 1000

static void
test_retry_after (void)
{
  const gchar *args[] = { "--fail", "create:429@1", NULL };
  g_autoptr (ImagegenTestEmulator) emu =
      imagegen_test_emulator_start_with_log (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  /* Backoff alone would retry after 50-75 ms. */
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  /* Retry-After: 1 honoured, per the server's log */
  g_assert_cmpint (server_gap_us (emu, "POST", "/api/v1/flux_2/", 0), >=,
      1000 * 1000 - CLOCKS_SLACK_US);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), ==, 2);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "tasks_created"),
      ==, 1);
  imagegen_client_config_clear (&config);
}

static void
test_retry_after_date (void)
{
  const gchar *args[] = { "--fail", "create:429@date", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  imagegen_client_config_clear (&config);
}

static void
test_server_error_create (void)
{
  const gchar *args[] = { "--fail", "create:500", NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start_with_log (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  ImagegenClientConfig config;
  const gchar *key = NULL;
  guint i, creates = 0;

  test_config_init (&config, emu);
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), ==, 2);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "tasks_created"),
      ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "charged_cents"),
      ==, r->cost_cents);

  /* Both tries carried the same Idempotency-Key. */
  lines = imagegen_test_emulator_read_log (emu);
  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (g_strcmp0 (json_object_get_string_member_with_default (l, "path",
                NULL), "/api/v1/flux_2/text_to_image") != 0)
      continue;
    creates++;
    g_assert_true (json_object_has_member (l, "idempotency_key"));
    if (key == NULL)
      key = json_object_get_string_member (l, "idempotency_key");
    else
      g_assert_cmpstr (key, ==, json_object_get_string_member (l,
              "idempotency_key"));
  }
  g_assert_cmpuint (creates, ==, 2);

  imagegen_test_emulator_stop (emu);
  imagegen_client_config_clear (&config);
}

static ImagegenResult *
run_with (const gchar * const *args, guint max_retries)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  ImagegenClientConfig config;
  ImagegenResult *r;

  test_config_init (&config, emu);
  config.max_retries = max_retries;
  r = run_one (emu, &config);
  imagegen_client_config_clear (&config);
  return r;
}

/* A fault that never stops: the retries run out and the error says so. */
static void
check_exhausted (const gchar * spec, guint max_retries, gint code,
    const gchar * message)
{
  const gchar *args[] = { "--latency", "100", "--fail", spec, NULL };
  g_autoptr (ImagegenResult) r = run_with (args, max_retries);

  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, code);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message, message));
  g_assert_cmpuint (r->retries, ==, max_retries);
  g_assert_null (r->image);
}

static void
test_server_error_exhausted (void)
{
  check_exhausted ("create:503:*", 2, IMAGEGEN_CLIENT_ERROR_SERVER,
      "server error (HTTP 503) after 2 retries");
}

static void
test_rate_limited_exhausted (void)
{
  check_exhausted ("create:429:*", 3, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
      "rate limited (HTTP 429) after 3 retries");
}

static void
test_connection_reset (void)
{
  /* The create is the client's first request, on a fresh connection:
   * libsoup itself silently re-sends requests whose reused keep-alive
   * connection was closed, so a reset there would not reach us. */
  const gchar *args[] = { "--fail", "create:reset", "--fail", "download:500",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 2);
  g_assert_nonnull (r->image);
  imagegen_client_config_clear (&config);
}

static void
test_truncated_download (void)
{
  const gchar *args[] = { "--fail", "download:truncate", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  g_assert_true (test_is_png (r->image) || test_is_jpeg (r->image));
  imagegen_client_config_clear (&config);
}

/* A poll the server never answers runs into request-timeout and is
 * retried. */
static void
test_hang (void)
{
  const gchar *args[] = { "--fail", "poll:hang", NULL };
  g_autoptr (ImagegenTestEmulator) emu =
      imagegen_test_emulator_start_with_log (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  config.request_timeout_s = 1;
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  /* the hung poll was given up after request-timeout, per the server */
  g_assert_cmpint (server_gap_us (emu, "GET", "/api/v1/flux_2/", 0), >=,
      1000 * 1000 - CLOCKS_SLACK_US);
  imagegen_client_config_clear (&config);
}

static void
test_upload_retry (void)
{
  const gchar *args[] = { "--fail", "upload:502", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (GBytes) png = test_make_png (16, 16);
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;
  ImagegenClient *client;
  TestWaiter *w = test_waiter_new ();

  test_config_init (&config, emu);
  client = imagegen_client_new (&config);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  r = test_run_job (client, req, w);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats, "files"),
      ==, 2);
  imagegen_client_free (client);
  test_waiter_free (w);
  imagegen_client_config_clear (&config);
}

static void
test_poll_502 (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "poll:502", NULL };
  g_autoptr (ImagegenResult) r = run_with (args, 3);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
}

static void
test_download_500 (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "download:500", NULL };
  g_autoptr (ImagegenResult) r = run_with (args, 3);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  g_assert_true (test_is_png (r->image));
}

/* A JSON answer cut mid-body (full Content-Length, half the bytes, then
 * the connection closes) is a transport fault: retried. */
static void
test_truncated_json (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "poll:truncate",
    NULL
  };
  g_autoptr (ImagegenResult) r = run_with (args, 3);

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
}

static void
test_truncated_exhausted (void)
{
  check_exhausted ("download:truncate:*", 2, IMAGEGEN_CLIENT_ERROR_NETWORK,
      "network error after 2 retries");
}

/* A server that never answers: every try runs into request-timeout, then
 * a clear error, long before the job timeout. */
static void
test_hang_exhausted (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "poll:hang:*", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  config.request_timeout_s = 1;
  config.max_retries = 1;
  r = run_one (emu, &config);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_NETWORK);
  g_test_message ("%s", r->error->message);
  g_assert_cmpuint (r->retries, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - r->created_us, >=,
      1900 * 1000);
  imagegen_client_config_clear (&config);
}

/* Retry-After: 0 does not make the retry immediate: backoff is a floor. */
static void
test_retry_after_zero (void)
{
  const gchar *args[] = { "--latency", "100", "--fail", "create:429@0", NULL };
  g_autoptr (ImagegenTestEmulator) emu =
      imagegen_test_emulator_start_with_log (args);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  config.retry_base_ms = 400;
  config.retry_max_ms = 1000;
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  g_assert_cmpint (server_gap_us (emu, "POST", "/api/v1/flux_2/", 0), >=,
      400 * 1000 - CLOCKS_SLACK_US);
  imagegen_client_config_clear (&config);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/retries/retry-after", test_retry_after);
  g_test_add_func ("/client/retries/retry-after-date", test_retry_after_date);
  g_test_add_func ("/client/retries/server-error-create",
      test_server_error_create);
  g_test_add_func ("/client/retries/server-error-exhausted",
      test_server_error_exhausted);
  g_test_add_func ("/client/retries/rate-limited-exhausted",
      test_rate_limited_exhausted);
  g_test_add_func ("/client/retries/connection-reset", test_connection_reset);
  g_test_add_func ("/client/retries/truncated-download",
      test_truncated_download);
  g_test_add_func ("/client/retries/upload", test_upload_retry);
  g_test_add_func ("/client/retries/hang", test_hang);
  g_test_add_func ("/client/retries/hang-exhausted", test_hang_exhausted);
  g_test_add_func ("/client/retries/poll-502", test_poll_502);
  g_test_add_func ("/client/retries/download-500", test_download_500);
  g_test_add_func ("/client/retries/truncated-json", test_truncated_json);
  g_test_add_func ("/client/retries/truncated-exhausted",
      test_truncated_exhausted);
  g_test_add_func ("/client/retries/retry-after-zero", test_retry_after_zero);
  return g_test_run ();
}
