/* gst-imagegen client: cancellation and shutdown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static void
test_cancel_while_polling (void)
{
  const gchar *args[] = { "--latency", "3000", NULL };
  TestFixture f;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  gint64 before, after;

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "a slow sunrise");
  imagegen_client_submit (f.client, req, cancellable, test_waiter_event_cb,
      test_waiter_done_cb, f.w);

  imagegen_test_emulator_wait_count (f.fx.emu, "get_task", 1);
  g_cancellable_cancel (cancellable);
  r = test_waiter_pop (f.w);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (r->task_id);
  g_assert_null (r->image);
  g_assert_cmpuint (r->polls, >=, 1);
  g_assert_cmpuint (imagegen_client_get_jobs_pending (f.client), ==, 0);

  /* Polling stopped for good. */
  before = imagegen_test_emulator_count (f.fx.emu, "get_task");
  g_usleep (G_USEC_PER_SEC);
  after = imagegen_test_emulator_count (f.fx.emu, "get_task");
  g_assert_cmpint (before, ==, after);
  g_assert_cmpuint (test_waiter_count (f.w), ==, 0);

  test_fixture_stop (&f);
}

static void
test_cancel_before_start (void)
{
  TestFixture f;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "never sent");
  g_cancellable_cancel (cancellable);
  imagegen_client_submit (f.client, req, cancellable, test_waiter_event_cb,
      test_waiter_done_cb, f.w);
  r = test_waiter_pop (f.w);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r->task_id);
  g_assert_cmpint (r->started_us, ==, 0);

  imagegen_test_assert_requests (f.fx.emu, "create_text_to_image", 0, NULL);

  test_fixture_stop (&f);
}

/* A job cancelled while it waits in the queue reports at once, before the
 * job ahead of it finishes. */
static void
test_cancel_queued (void)
{
  const gchar *args[] = { "--latency", "1000", NULL };
  TestFixture f;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) queued = NULL;
  g_autoptr (ImagegenResult) running = NULL;

  test_fixture_start (&f, FALSE, args, NULL);
  f.config.max_in_flight = 1;
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "first in line");
  imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb, f.w);
  imagegen_client_submit (f.client, req, cancellable, NULL,
      test_waiter_done_cb, f.w);
  imagegen_test_emulator_wait_count (f.fx.emu, "create_text_to_image", 1);
  g_cancellable_cancel (cancellable);

  /* The queued job reports first, the running one only when done. */
  queued = test_waiter_pop (f.w);
  g_assert_error (queued->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (queued->started_us, ==, 0);
  running = test_waiter_pop (f.w);
  g_assert_no_error (running->error);

  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 1, NULL);

  test_fixture_stop (&f);
}

/* Cancelling from another thread while the job runs, many times over, to
 * shake out races between the handler and the job's own end. */
static void
test_cancel_race (void)
{
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  guint i, n = 20, cancelled = 0;

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "racing");

  for (i = 0; i < n; i++) {
    g_autoptr (GCancellable) c = g_cancellable_new ();
    g_autoptr (ImagegenResult) r = NULL;

    imagegen_client_submit (f.client, req, c, NULL, test_waiter_done_cb, f.w);
    g_usleep (g_random_int_range (0, 20000));
    g_cancellable_cancel (c);
    r = test_waiter_pop (f.w);
    if (r->error)
      cancelled++;
  }
  g_test_message ("%u of %u cancelled", cancelled, n);
  g_assert_cmpuint (test_waiter_count (f.w), ==, 0);

  test_fixture_stop (&f);
}

static void
count_done_cb (ImagegenResult * result, gpointer user_data)
{
  gint *cancelled = user_data;

  if (g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_atomic_int_inc (cancelled);
  imagegen_result_free (result);
}

static void
test_free_in_flight (void)
{
  const gchar *args[] = { "--latency", "5000", NULL };
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (GBytes) png = test_make_png (8, 8);
  gint cancelled = 0;
  guint i;

  test_fixture_start (&f, FALSE, args, NULL);
  f.config.max_in_flight = 2;
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "shut down while working");
  imagegen_request_add_source_image (req, png);
  for (i = 0; i < 4; i++)
    imagegen_client_submit (f.client, req, NULL, NULL, count_done_cb,
        &cancelled);
  imagegen_test_emulator_wait_count (f.fx.emu, "get_task", 1);

  /* Two polling, two queued: all four report before free returns. */
  g_clear_pointer (&f.client, imagegen_client_free);
  g_assert_cmpint (g_atomic_int_get (&cancelled), ==, 4);
  test_fixture_stop (&f);
}

static void
test_free_idle (void)
{
  ImagegenClientConfig config;
  ImagegenClient *client;
  gint cancelled = 0;
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "submitted and freed at once");

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  /* Never reached: the job is cancelled first or fails to connect. */
  config.base_url = g_strdup ("http://127.0.0.1:9");
  client = imagegen_client_new (&config);
  imagegen_client_free (client);

  client = imagegen_client_new (&config);
  imagegen_client_submit (client, req, NULL, NULL, count_done_cb, &cancelled);
  imagegen_client_free (client);
  g_assert_cmpint (g_atomic_int_get (&cancelled), ==, 1);
  imagegen_client_config_clear (&config);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/cancel/while-polling",
      test_cancel_while_polling, "/client/cancel/before-start",
      test_cancel_before_start, "/client/cancel/queued", test_cancel_queued,
      "/client/cancel/race", test_cancel_race, "/client/cancel/free-in-flight",
      test_free_in_flight, "/client/cancel/free-idle", test_free_idle, NULL);
}
