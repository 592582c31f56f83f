/* gst-imagegen client: a create answered 429 is back-pressure, not a
 * failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static ImagegenRequest *
t2i_request (void)
{
  return imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      TEST_T2I_MODEL, "a queue of umbrellas in the rain");
}

/* Creates the emulator logged, and the t_us of the @n-th one (from 0). */
static guint
log_creates (TestFixture * f, guint n, gint64 * t_us)
{
  g_autoptr (GPtrArray) lines = imagegen_test_read_log (f->fx.log);
  guint i, count = 0;

  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (!imagegen_test_log_is (l, "POST", TEST_CREATE_PREFIX))
      continue;
    if (count++ == n && t_us)
      *t_us = json_object_get_int_member (l, "t_us");
  }
  return count;
}

static void
wait_held (TestFixture * f, guint n)
{
  gint64 end = g_get_monotonic_time () + 300 * G_TIME_SPAN_SECOND;

  while (imagegen_client_get_rate_limited (f->client) < n
      && g_get_monotonic_time () < end)
    g_usleep (5 * 1000);
  g_assert_cmpuint (imagegen_client_get_rate_limited (f->client), >=, n);
}

/* One active task allowed, eight jobs, four in flight: the 429s slow the
 * client down; every job succeeds and each task is paid once. */
static void
test_max_active (void)
{
  g_autoptr (ImagegenRequest) req = t2i_request ();
  TestFixture f;
  guint i, min_limit = G_MAXUINT;

  test_fixture_start (&f, TRUE, (const gchar *[]) { "--max-active", "1",
        "--latency", "200", NULL }, NULL);
  f.config.max_in_flight = 4;
  test_fixture_client (&f);
  g_assert_cmpuint (imagegen_client_get_in_flight_limit (f.client), ==, 4);

  for (i = 0; i < 8; i++)
    imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb,
        f.w);
  while (test_waiter_count (f.w) < 8) {
    min_limit = MIN (min_limit, imagegen_client_get_in_flight_limit (f.client));
    g_usleep (5 * 1000);
  }
  for (i = 0; i < 8; i++) {
    g_autoptr (ImagegenResult) r = test_waiter_pop (f.w);

    g_assert_no_error (r->error);
    g_assert_nonnull (r->image);
    g_assert_cmpint (r->cost_nanocents, ==,
        5 * IMAGEGEN_NANOCENTS_PER_CENT);
  }

  g_test_message ("%u holds, in-flight limit down to %u, %" G_GINT64_FORMAT
      " creates", imagegen_client_get_rate_limited (f.client), min_limit,
      imagegen_test_emulator_count (f.fx.emu, "create_text_to_image"));
  g_assert_cmpint (imagegen_test_emulator_stat (f.fx.emu, "tasks_created"), ==,
      8);
  g_assert_cmpint (imagegen_test_emulator_stat (f.fx.emu, "charged_cents"), ==,
      8 * 5);
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu,
          "create_text_to_image"), >, 8);
  g_assert_cmpuint (imagegen_client_get_rate_limited (f.client), ==,
      imagegen_test_emulator_count (f.fx.emu, "create_text_to_image") - 8);
  g_assert_cmpuint (min_limit, <, 4);
  g_assert_cmpuint (imagegen_client_get_in_flight_limit (f.client), >=, 1);
  g_assert_cmpuint (imagegen_client_get_in_flight_limit (f.client), <=, 4);
  test_fixture_stop (&f);
}

/* A held remix keeps its upload. */
static void
test_upload_kept (void)
{
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GBytes) png = test_make_png (16, 16);
  TestFixture f;

  test_fixture_start (&f, TRUE, (const gchar *[]) { "--latency", "100",
        "--fail", "create:429@1:2", NULL }, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  r = test_run_job (f.client, req, f.w);
  g_assert_no_error (r->error);
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu, "files"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu, "create_remix"), ==,
      3);
  test_fixture_stop (&f);
}

/* A held job is cancelled at once and sends nothing more. */
static void
test_cancel_held (void)
{
  g_autoptr (ImagegenRequest) req = t2i_request ();
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  TestFixture f;
  gint64 creates, cancelled_at, t_last = 0;

  test_fixture_start (&f, TRUE, (const gchar *[]) { "--latency", "100",
        "--fail", "create:429@2:*", NULL }, NULL);
  test_fixture_client (&f);
  imagegen_client_submit (f.client, req, cancellable, NULL,
      test_waiter_done_cb, f.w);
  wait_held (&f, 1);

  creates = imagegen_test_emulator_count (f.fx.emu, "create_text_to_image");
  cancelled_at = g_get_real_time ();
  g_cancellable_cancel (cancellable);
  r = test_waiter_pop (f.w);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (imagegen_client_get_jobs_pending (f.client), ==, 0);

  /* Past the Retry-After: no create came. */
  g_usleep (2500 * 1000);
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu,
          "create_text_to_image"), ==, creates);
  g_assert_cmpuint (log_creates (&f, creates - 1, &t_last), ==, creates);
  g_assert_cmpint (t_last, <, cancelled_at);
  test_fixture_stop (&f);
}

/* imagegen_client_free() does not wait for a hold timer. */
static void
test_free_held (void)
{
  g_autoptr (ImagegenRequest) req = t2i_request ();
  g_autoptr (ImagegenResult) r = NULL;
  TestFixture f;

  /* Held for a day, with no give-up before that: only the free itself can
   * end the job, so a free that waited out the hold would hang the test
   * (and its meson timeout fails it) instead of answering "cancelled". */
  test_fixture_start (&f, TRUE, (const gchar *[]) { "--fail",
        "create:429@86400:*", NULL }, NULL);
  f.config.rate_limit_timeout_s = 2 * 86400;
  test_fixture_client (&f);
  imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb, f.w);
  wait_held (&f, 1);

  imagegen_client_free (f.client);
  f.client = NULL;
  r = test_waiter_pop (f.w);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (log_creates (&f, 0, NULL), ==, 1);
  test_fixture_stop (&f);
}

/* ---- one job each ---- */

static void
no_retries (ImagegenClientConfig * config)
{
  config->max_retries = 0;
}

/* Holds use up no retries: max_retries 0, three 429s, still a result. */
static void
held_three_times (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_cmpuint (imagegen_client_get_rate_limited (f->client), ==, 3);
  imagegen_test_assert_requests (f->fx.emu, "create_text_to_image", 4, NULL);
  imagegen_test_assert_stats (f->fx.emu, "tasks_created", 1, NULL);
}

/* Nothing was created or paid. */
static void
nothing_paid (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_null (r->task_id);
  imagegen_test_assert_stats (f->fx.emu, "tasks_created", 0, "charged_cents", 0,
      NULL);
}

/* Held through its Retry-After: one create only. */
static void
held_through_retry_after (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  nothing_paid (c, f, r);
  imagegen_test_assert_requests (f->fx.emu, "create_text_to_image", 1, NULL);
}

static void
asked_again (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  nothing_paid (c, f, r);
  g_assert_cmpint (imagegen_test_emulator_count (f->fx.emu,
          "create_text_to_image"), >=, 2);
}

#define UMBRELLAS .prompt = "a queue of umbrellas in the rain"

static const TestJobCase cases[] = {
  {.path = "/client/rate-limits/no-retries-used",.args = {"--latency", "100",
            "--fail", "create:429@1:3"}, UMBRELLAS,.tweak = no_retries,
      .ok = TRUE, TEST_RETRIES (0),.check = held_three_times},
  /* but the job timeout is a promise: a job held longer than
   * job_timeout_s (a Retry-After of 30 s, rate_limit_timeout_s 60) fails
   * at its job timeout, with the 429s named.  The client's own wait: no
   * earlier than the job timeout (the old code could only end it through
   * the 60 s without admission, or after the 30 s Retry-After; the hang
   * guard is the test's own timeout). */
  {.path = "/client/rate-limits/deadline-kept",.args = {"--latency", "100",
            "--fail", "create:429@30:*"}, UMBRELLAS,.job_timeout_s = 2,
        .code = IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        .contains = {"HTTP 429", "job timeout of 2 s"},.min_wait_ms = 2000,
      .check = held_through_retry_after},
  /* 429s for good still end, once no create was admitted for
   * rate_limit_timeout_s (the client's own wait) */
  {.path = "/client/rate-limits/persistent",.args = {"--fail",
            "create:429@1:*"}, UMBRELLAS,.rate_limit_timeout_s = 2,
        .code = IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        .contains = {"429", "2 s"},.min_wait_ms = 2000,
      .check = asked_again},
};

int
main (int argc, char **argv)
{
  return test_run_with_cases (&argc, &argv, cases, G_N_ELEMENTS (cases),
      "/client/rate-limits/max-active", test_max_active,
      "/client/rate-limits/upload-kept", test_upload_kept,
      "/client/rate-limits/cancel-held", test_cancel_held,
      "/client/rate-limits/free-held", test_free_held, NULL);
}
