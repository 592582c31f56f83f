/* gst-imagegen client: whole jobs against the emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-poll-memory.h"

#include <glib/gstdio.h>

#include <string.h>

/* The @nth result download in the emulator's log @log came after the
 * server completed the task, by the server's own log and clock (the
 * client's clock cannot tell how long the server took). */
static void
assert_downloads_after_completion (const gchar * log,
    const ImagegenResult * r, guint nth)
{
  g_autoptr (GPtrArray) lines = imagegen_test_read_log (log);
  gint64 completed = 0, download = 0;
  guint i;

  for (i = 0; i < lines->len && download == 0; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (g_strcmp0 (json_object_get_string_member_with_default (l, "event",
                NULL), "task_completed") == 0
        && g_strcmp0 (json_object_get_string_member_with_default (l,
                "task_id", NULL), r->task_id) == 0)
      completed = json_object_get_int_member (l, "t_us");
    else if (imagegen_test_log_is (l, "GET", "/emulator/results/")
        && nth-- == 0)
      download = json_object_get_int_member (l, "t_us");
  }
  g_assert_cmpint (completed, >, 0);
  g_assert_cmpint (download, >=, completed);
}

static void
test_text_to_image (void)
{
  const gchar *args[] = { "--latency", "300", NULL };
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;

  test_fixture_start (&f, TRUE, args, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "a red fox in the snow");
  req->aspect_ratio = g_strdup ("16:9");
  r = test_run_job (f.client, req, f.w);

  g_assert_no_error (r->error);
  g_assert_nonnull (r->task_id);
  g_assert_cmpstr (r->model, ==, TEST_T2I_MODEL);
  g_assert_nonnull (r->image);
  g_assert_true (test_is_png (r->image) || test_is_jpeg (r->image));
  g_assert_nonnull (r->content_type);
  g_assert_true (g_str_has_prefix (r->image_url, "http"));
  g_assert_cmpint (r->cost_nanocents, ==,
      5 * IMAGEGEN_NANOCENTS_PER_CENT);
  g_assert_cmpuint (r->polls, >, 0);
  g_assert_cmpuint (r->retries, ==, 0);
  g_assert_cmpint (r->submitted_us, <=, r->started_us);
  g_assert_cmpint (r->started_us, <, r->created_us);
  g_assert_cmpint (r->created_us, <, r->completed_us);
  g_assert_cmpint (r->completed_us, <, r->downloaded_us);
  /* The task takes 300 ms on the emulator. */
  g_assert_cmpint (test_task_duration_us (f.fx.emu, r->task_id), >=,
      290 * 1000);
  assert_downloads_after_completion (f.fx.log, r, 0);
  g_assert_cmpuint (test_waiter_count_events (f.w, "submitted"), ==, 1);
  g_assert_cmpuint (test_waiter_count_events (f.w, "completed"), ==, 1);
  g_assert_cmpuint (imagegen_client_get_jobs_pending (f.client), ==, 0);

  imagegen_test_assert_requests (f.fx.emu, "create_text_to_image", 1, "get_task",
      (gint) r->polls, "download", 1, "files", 0, NULL);
  /* the key never goes to the result's URL */
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 1, "charged_cents",
      (gint) imagegen_cents_shown (r->cost_nanocents), "download_requests_with_authorization", 0, NULL);
  test_fixture_stop (&f);
}

static void
test_remix (void)
{
  const gchar *args[] = { "--latency", "200", NULL };
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GBytes) png = test_make_png (32, 24);

  test_fixture_start (&f, FALSE, args, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "make it look like a watercolour");
  imagegen_request_add_source_image (req, png);
  r = test_run_job (f.client, req, f.w);

  g_assert_no_error (r->error);
  g_assert_nonnull (r->image);
  g_assert_true (test_is_png (r->image) || test_is_jpeg (r->image));
  g_assert_cmpint (r->cost_nanocents, ==,
      5 * IMAGEGEN_NANOCENTS_PER_CENT);
  g_assert_cmpuint (r->polls, >, 0);

  imagegen_test_assert_requests (f.fx.emu, "files", 1, "create_remix", 1, "get_task",
      (gint) r->polls, "download", 1, NULL);
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 1, "charged_cents", 5,
      "download_requests_with_authorization", 0, NULL);
  test_fixture_stop (&f);
}

/* Upload-only jobs give back the Files API URLs, for later requests. */
static void
test_upload_only (void)
{
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GBytes) png = test_make_png (16, 16);

  test_fixture_start (&f, FALSE, NULL, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_UPLOAD, NULL, NULL);
  imagegen_request_add_source_image (req, png);
  imagegen_request_add_source_url (req, "https://example.com/ref.jpg");
  r = test_run_job (f.client, req, f.w);

  g_assert_no_error (r->error);
  g_assert_nonnull (r->uploaded_urls);
  g_assert_cmpuint (r->uploaded_urls->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (r->uploaded_urls, 0),
          "http"));
  g_assert_cmpstr (g_ptr_array_index (r->uploaded_urls, 1), ==,
      "https://example.com/ref.jpg");
  g_assert_null (r->image);

  imagegen_test_assert_requests (f.fx.emu, "files", 1, NULL);
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 0, NULL);
  test_fixture_stop (&f);
}

static void
test_concurrent (void)
{
  const gchar *args[] = { "--latency", "500", NULL };
  TestFixture f;
  guint i;

  test_fixture_start (&f, FALSE, args, NULL);
  f.config.max_in_flight = 2;
  test_fixture_client (&f);

  for (i = 0; i < 3; i++) {
    g_autofree gchar *prompt = g_strdup_printf ("picture number %u", i);
    g_autoptr (ImagegenRequest) req =
        imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
        prompt);

    imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb,
        f.w);
  }
  g_assert_cmpuint (imagegen_client_get_jobs_pending (f.client), >, 0);

  for (i = 0; i < 3; i++) {
    g_autoptr (ImagegenResult) r = test_waiter_pop (f.w);

    g_assert_no_error (r->error);
    g_assert_nonnull (r->image);
  }
  g_assert_cmpuint (imagegen_client_get_jobs_pending (f.client), ==, 0);
  imagegen_test_assert_stats (f.fx.emu, "tasks_created", 3, "tasks_completed", 3,
      NULL);
  test_fixture_stop (&f);
}

/* A second job of the same model polls on the learned schedule. */
static void
test_learned_schedule (void)
{
  const gchar *args[] = { "--latency", "1500", NULL };
  TestFixture f;
  g_autoptr (ImagegenRequest) req = NULL;
  guint i, polls[3];

  test_fixture_start (&f, TRUE, args, NULL);
  test_fixture_client (&f);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      "a lighthouse at dusk");

  for (i = 0; i < 3; i++) {
    g_autoptr (ImagegenResult) r = test_run_job (f.client, req, f.w);

    g_assert_no_error (r->error);
    g_assert_cmpint (test_task_duration_us (f.fx.emu, r->task_id), >=,
        1490 * 1000);
    assert_downloads_after_completion (f.fx.log, r, i);
    polls[i] = r->polls;
    g_test_message ("job %u: %u polls, seen %" G_GINT64_FORMAT " ms after "
        "create", i, r->polls, (r->completed_us - r->created_us) / 1000);
  }
  /* Without history: 150, 225, 337, 506 ms… (5 polls to pass 1.5 s).
   * Learned: a long sleep then a few dense polls. */
  g_assert_cmpuint (polls[2], <=, polls[0] + 3);
  test_fixture_stop (&f);
}

/* One job of TEST_T2I_MODEL by a fresh client; returns the polls the
 * emulator counted for its task. */
static gint64
run_one_client (ImagegenTestEmulator * emu, const gchar * prompt)
{
  ImagegenClientConfig config;
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      prompt);
  g_autoptr (ImagegenResult) r = NULL;
  gint64 polls;

  test_config_init (&config, emu);
  /* a learned window is reached in one sleep */
  config.poll_max_ms = 10000;
  r = test_run_config (&config, req);
  g_assert_no_error (r->error);
  polls = test_task_polls (emu, r->task_id);
  g_test_message ("%s: %" G_GINT64_FORMAT " polls", prompt, polls);
  g_assert_cmpint (polls, >, 0);
  imagegen_client_config_clear (&config);
  return polls;
}

/* What one client learned, a new client (as in the next process) starts
 * with: the poll history is kept in IMAGEGEN_POLL_CACHE's directory. */
static void
test_poll_memory (void)
{
  const gchar *args[] = { "--latency", "5000", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autofree gchar *dir = g_dir_make_tmp ("poll-cache-XXXXXX", NULL);
  g_autofree gchar *sub = NULL, *file = NULL;
  gint64 cold, warm, off;

  g_assert_nonnull (dir);
  g_setenv ("IMAGEGEN_POLL_CACHE", dir, TRUE);
  /* nothing learned: 1.5x growth from poll_min to the model's prior
   * (2.85 s) takes 7 polls, then it polls through the prior's window
   * every 0.6 s or so */
  cold = run_one_client (emu, "cold");
  g_assert_cmpint (cold, >=, 8);
  sub = imagegen_poll_memory_dir ("runapi",
      imagegen_test_emulator_get_base_url (emu));
  file = g_build_filename (sub, TEST_T2I_MODEL, NULL);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  /* learned: one sleep to just before 5 s, then a few dense polls */
  warm = run_one_client (emu, "warm");
  g_assert_cmpint (warm, <, cold);

  /* memory off: back to the growth from poll_min */
  g_setenv ("IMAGEGEN_POLL_CACHE", "0", TRUE);
  off = run_one_client (emu, "off");
  g_assert_cmpint (off, >, warm);

  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* The images of two prompts through an emulator started with @args. */
static gboolean
two_prompts_same_image (const gchar ** args)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenRequest) a = imagegen_request_new
      (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL, "a red kite");
  g_autoptr (ImagegenRequest) b = imagegen_request_new
      (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL, "a blue whale");
  g_autoptr (ImagegenResult) ra = NULL;
  g_autoptr (ImagegenResult) rb = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  ra = test_run_config (&config, a);
  rb = test_run_config (&config, b);
  g_assert_no_error (ra->error);
  g_assert_no_error (rb->error);
  g_assert_true (test_is_png (ra->image));
  imagegen_client_config_clear (&config);
  return g_bytes_equal (ra->image, rb->image);
}

/* The emulator's --prerendered (benchmarks) serves one image per size,
 * whatever the prompt; without it each prompt draws its own. */
static void
test_prerendered (void)
{
  const gchar *plain[] = { "--latency", "0", NULL };
  const gchar *pre[] = { "--latency", "0", "--prerendered", NULL };

  g_assert_false (two_prompts_same_image (plain));
  g_assert_true (two_prompts_same_image (pre));
}

/* The log hook gets one line per HTTP request (method, URL, status, time,
 * retry, task id) and the job's milestones, never the key. */
static void
test_log_hook (void)
{
  const gchar *args[] = { "--latency", "200", "--fail", "poll:503", NULL };
  TestFixture f;
  TestWaiter *w;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  g_autofree gchar *task = NULL;
  g_autofree gchar *create = NULL;
  gint64 requests;

  test_fixture_start (&f, FALSE, args, NULL);
  w = f.w;
  r = test_run_config (&f.config, NULL);
  g_assert_no_error (r->error);

  stats = imagegen_test_emulator_stats (f.fx.emu);
  requests = imagegen_test_emulator_stats_requests (stats,
      "create_text_to_image") + imagegen_test_emulator_stats_requests (stats,
      "get_task") + imagegen_test_emulator_stats_requests (stats, "download");
  /* every request the server saw has its line, with the task id */
  task = g_strdup_printf ("task %s", r->task_id);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_DEBUG, ", retry "),
      ==, requests);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_DEBUG, task), >=,
      requests);
  create = g_strdup_printf ("POST %s/api/v1/flux_2/text_to_image: HTTP 200",
      imagegen_test_emulator_get_base_url (f.fx.emu));
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_DEBUG, create), ==,
      1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_DEBUG,
          "HTTP 503"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_DEBUG,
          "retry 1 of 3 in"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_INFO,
          "job started"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_INFO, "created"),
      ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_INFO,
          "completed after"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, IMAGEGEN_LOG_INFO,
          "job done"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (w, -1, TEST_KEY), ==, 0);
  test_fixture_stop (&f);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/text-to-image",
      test_text_to_image, "/client/remix", test_remix, "/client/upload-only",
      test_upload_only, "/client/concurrent", test_concurrent,
      "/client/learned-schedule", test_learned_schedule, "/client/log-hook",
      test_log_hook, "/client/poll-memory", test_poll_memory,
      "/client/emulator-prerendered", test_prerendered, NULL);
}
