/* gst-imagegen client: retries, backoff and idempotent creates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

/* A create answered 429 is held, not retried, and sent again once
 * @spec's Retry-After (and, as a floor, the backoff from @retry_base_ms)
 * has passed: at least @min_gap_us apart as the server logged them. */
static void
check_held_create (const gchar * spec, guint retry_base_ms, gint64 min_gap_us)
{
  const gchar *args[] = { "--latency", "100", "--fail", spec, NULL };
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  TestFixture f;
  gint64 t_429 = 0, t_next = 0;
  guint i;

  test_fixture_start (&f, TRUE, args, NULL);
  f.config.retry_base_ms = retry_base_ms;
  f.config.retry_max_ms = MAX (retry_base_ms, f.config.retry_max_ms);
  r = test_run_config (&f.config, NULL);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 0);
  imagegen_test_assert_requests (f.fx.emu, "create_text_to_image", 2, NULL);
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 1, NULL);

  lines = imagegen_test_read_log (f.fx.log);
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
  test_fixture_stop (&f);
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
  const gchar *args[] = { "--fail", "create:500", NULL };
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  TestFixture f;
  const gchar *key = NULL;
  guint i, creates = 0;

  test_fixture_start (&f, TRUE, args, NULL);
  r = test_run_config (&f.config, NULL);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  imagegen_test_assert_requests (f.fx.emu, "create_text_to_image", 2, NULL);
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 1, "charged_cents",
      (gint) imagegen_cents_shown (r->cost_nanocents), NULL);

  /* Both tries carried the same Idempotency-Key. */
  lines = imagegen_test_read_log (f.fx.log);
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
  test_fixture_stop (&f);
}

/* A poll the server never answers runs into request-timeout and is
 * retried. */
static void
test_hang (void)
{
  const gchar *args[] = { "--fail", "poll:hang", NULL };
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  TestFixture f;
  gint64 t_hung = 0, t_next = 0;
  guint i;

  test_fixture_start (&f, TRUE, args, NULL);
  f.config.request_timeout_s = 1;
  r = test_run_config (&f.config, NULL);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);

  /* The next poll came a request timeout after the hung one arrived. */
  lines = imagegen_test_read_log (f.fx.log);
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
  test_fixture_stop (&f);
}

static void
test_upload_retry (void)
{
  const gchar *args[] = { "--fail", "upload:502", NULL };
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (GBytes) png = test_make_png (16, 16);
  TestFixture f;

  test_fixture_start (&f, FALSE, args, NULL);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  r = test_run_config (&f.config, req);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 1);
  imagegen_test_assert_requests (f.fx.emu, "files", 2, NULL);
  test_fixture_stop (&f);
}

static void
image_came (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_true (test_is_png (r->image) || test_is_jpeg (r->image));
}

static void
no_image (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_null (r->image);
}

/* A server that never answers: every try runs into request-timeout, then
 * a clear error, long before the job timeout. */
static void
request_timeouts_waited (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpint (g_get_monotonic_time () - r->created_us, >=, 1900 * 1000);
}

#define LATENCY_100 "--latency", "100", "--fail"

/* One job each: a fault retried until it passes, or until the retries run
 * out and the error says so.  Only a create's 429 holds the job
 * (test-client-rate-limits.c); on other requests it is retried. */
static const TestJobCase cases[] = {
  /* The create is the client's first request, on a fresh connection:
   * libsoup itself silently re-sends requests whose reused keep-alive
   * connection was closed, so a reset there would not reach us. */
  {.path = "/client/retries/connection-reset",.args = {"--fail",
              "create:reset", "--fail", "download:500"},.ok = TRUE,
      TEST_RETRIES (2),.check = image_came},
  {.path = "/client/retries/truncated-download",.args = {"--fail",
              "download:truncate"},.ok = TRUE, TEST_RETRIES (1),
      .check = image_came},
  {.path = "/client/retries/poll-502",.args = {LATENCY_100, "poll:502"},
      .max_retries = 3,.ok = TRUE, TEST_RETRIES (1)},
  {.path = "/client/retries/download-500",.args = {LATENCY_100,
              "download:500"},.max_retries = 3,.ok = TRUE, TEST_RETRIES (1),
      .check = image_came},
  /* a JSON answer cut mid-body (full Content-Length, half the bytes, then
   * the connection closes) is a transport fault: retried */
  {.path = "/client/retries/truncated-json",.args = {LATENCY_100,
              "poll:truncate"},.max_retries = 3,.ok = TRUE, TEST_RETRIES (1)},
  {.path = "/client/retries/server-error-exhausted",.args = {LATENCY_100,
              "create:503:*"},.max_retries = 2,
        .code = IMAGEGEN_CLIENT_ERROR_SERVER, TEST_RETRIES (2),
        .prefix = "server error (HTTP 503) after 2 retries",
      .check = no_image},
  {.path = "/client/retries/rate-limited-exhausted",.args = {LATENCY_100,
              "poll:429:*"},.max_retries = 3,
        .code = IMAGEGEN_CLIENT_ERROR_RATE_LIMITED, TEST_RETRIES (3),
        .prefix = "rate limited (HTTP 429) after 3 retries",
      .check = no_image},
  {.path = "/client/retries/truncated-exhausted",.args = {LATENCY_100,
              "download:truncate:*"},.max_retries = 2,
        .code = IMAGEGEN_CLIENT_ERROR_NETWORK, TEST_RETRIES (2),
        .prefix = "network error after 2 retries",.check = no_image},
  {.path = "/client/retries/hang-exhausted",.args = {LATENCY_100,
              "poll:hang:*"},.max_retries = 1,.request_timeout_s = 1,
        .code = IMAGEGEN_CLIENT_ERROR_NETWORK, TEST_RETRIES (1),
      .check = request_timeouts_waited},
};

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
  return test_run_with_cases (&argc, &argv, cases, G_N_ELEMENTS (cases),
      "/client/retries/retry-after", test_retry_after,
      "/client/retries/retry-after-date", test_retry_after_date,
      "/client/retries/retry-after-zero", test_retry_after_zero,
      "/client/retries/server-error-create", test_server_error_create,
      "/client/retries/upload", test_upload_retry, "/client/retries/hang",
      test_hang, NULL);
}
