/* gst-imagegen client: retries, backoff and idempotent creates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

static ImagegenResult *
run_one (ImagegenTestEmulator * emu, ImagegenClientConfig * config)
{
  return test_run_config (config, NULL);
}

/* A create answered 429 is held, not retried, and sent again once
 * @spec's Retry-After (and, as a floor, the backoff from @retry_base_ms)
 * has passed: at least @min_gap_us apart as the server logged them. */
static void
check_held_create (const gchar * spec, guint retry_base_ms, gint64 min_gap_us)
{
  g_autofree gchar *log = imagegen_test_log_new ();
  const gchar *args[] = { "--latency", "100", "--fail", spec, "--log", log,
    NULL
  };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  ImagegenClientConfig config;
  gint64 t_429 = 0, t_next = 0;
  guint i;

  test_config_init (&config, emu);
  config.retry_base_ms = retry_base_ms;
  config.retry_max_ms = MAX (retry_base_ms, config.retry_max_ms);
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 0);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), ==, 2);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "tasks_created"),
      ==, 1);
  imagegen_test_emulator_stop (emu);

  lines = imagegen_test_read_log (log);
  for (i = 0; i < lines->len && t_next == 0; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (!imagegen_test_log_is (l, "POST", TEST_CREATE_PREFIX))
      continue;
    if (t_429 == 0) {
      g_assert_cmpint (json_object_get_int_member (l, "status"), ==, 429);
      t_429 = json_object_get_int_member (l, "t_us");
    } else {
      t_next = json_object_get_int_member (l, "t_us");
    }
  }
  g_assert_cmpint (t_next - t_429, >=, min_gap_us);

  imagegen_test_log_remove (log);
  imagegen_client_config_clear (&config);
}

static void
test_retry_after (void)
{
  /* Backoff alone would wait 50-75 ms. */
  check_held_create ("create:429@1", 50, 1000 * 1000);
}

static void
test_retry_after_date (void)
{
  /* The date is at least 1 s ahead, in whole seconds. */
  check_held_create ("create:429@date", 50, 999 * 1000);
}

static void
test_server_error_create (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("imagegen-test-XXXXXX", NULL);
  g_autofree gchar *log = g_build_filename (dir, "requests.log", NULL);
  const gchar *args[] = { "--fail", "create:500", "--log", log, NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
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
      ==, imagegen_cents_shown (r->cost_nanocents));
  imagegen_test_emulator_stop (emu);

  /* Both tries carried the same Idempotency-Key. */
  lines = imagegen_test_read_log (log);
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

  g_unlink (log);
  g_rmdir (dir);
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

/* Only a create's 429 holds the job (test-client-rate-limits.c); on other
 * requests it is retried. */
static void
test_rate_limited_exhausted (void)
{
  check_exhausted ("poll:429:*", 3, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
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
  g_autofree gchar *log = imagegen_test_log_new ();
  const gchar *args[] = { "--fail", "poll:hang", "--log", log, NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  ImagegenClientConfig config;
  gint64 t_hung = 0, t_next = 0;
  guint i;

  test_config_init (&config, emu);
  config.request_timeout_s = 1;
  r = run_one (emu, &config);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  imagegen_test_emulator_stop (emu);

  /* The next poll came a request timeout after the hung one arrived. */
  lines = imagegen_test_read_log (log);
  for (i = 0; i < lines->len && t_next == 0; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (!imagegen_test_log_is (l, "GET", TEST_CREATE_PREFIX))
      continue;
    if (json_object_has_member (l, "fault"))
      t_hung = json_object_get_int_member (l, "t_us");
    else if (t_hung)
      t_next = json_object_get_int_member (l, "t_us");
  }
  g_assert_cmpint (t_hung, >, 0);
  g_assert_cmpint (t_next - t_hung, >=, 900 * 1000);

  imagegen_test_log_remove (log);
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

/* Retry-After: 0 does not make the next create immediate: backoff is a
 * floor. */
static void
test_retry_after_zero (void)
{
  check_held_create ("create:429@0", 400, 400 * 1000);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/retries/retry-after",
      test_retry_after, "/client/retries/retry-after-date",
      test_retry_after_date, "/client/retries/server-error-create",
      test_server_error_create, "/client/retries/server-error-exhausted",
      test_server_error_exhausted, "/client/retries/rate-limited-exhausted",
      test_rate_limited_exhausted, "/client/retries/connection-reset",
      test_connection_reset, "/client/retries/truncated-download",
      test_truncated_download, "/client/retries/upload", test_upload_retry,
      "/client/retries/hang", test_hang, "/client/retries/hang-exhausted",
      test_hang_exhausted, "/client/retries/poll-502", test_poll_502,
      "/client/retries/download-500", test_download_500,
      "/client/retries/truncated-json", test_truncated_json,
      "/client/retries/truncated-exhausted", test_truncated_exhausted,
      "/client/retries/retry-after-zero", test_retry_after_zero, NULL);
}
