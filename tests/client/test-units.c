/* gst-imagegen client: unit tests without any network.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"
#include "imagegen-errors.h"
#include "imagegen-http.h"
#include "imagegen-image-type.h"
#include "imagegen-poll-schedule.h"
#include "imagegen-provider.h"
#include "imagegen-retry.h"
#include "imagegen-transport.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

#define MS 1000                 /* microseconds */

/* Simulates polling a task that completes at @done_ms; returns the number
 * of polls and the time the completion was seen. */
static guint
simulate (ImagegenPollSchedule * s, const gchar * model, gint64 done_ms,
    gint64 * seen_ms)
{
  gint64 t = 0;
  guint polls = 0;

  for (;;) {
    t += imagegen_poll_schedule_next_delay_ms (s, model, t * MS);
    polls++;
    if (t >= done_ms)
      break;
    g_assert_cmpuint (polls, <, 1000);
  }
  *seen_ms = t;
  return polls;
}

static void
test_poll_no_history (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (150, 2000);
  gint64 t = 0, prior_min, prior_max, start, end;
  guint prev = 0, d, i, in_window = 0;

  /* A model without a prior of its own gets the default one. */
  imagegen_poll_schedule_prior ("m", &prior_min, &prior_max);
  g_assert_cmpint (prior_min, >, 0);
  g_assert_cmpint (prior_max, >, prior_min);
  start = prior_min * 95 / 100 / MS;
  end = prior_max * 105 / 100 / MS;

  /* First poll after poll_min, then x1.5 growth until the prior's start,
   * which one poll lands on; dense polls through its window; past it,
   * x1.5 growth again up to poll_max. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==, 150);
  for (i = 0; i < 200 && t < end + 20000; i++) {
    d = imagegen_poll_schedule_next_delay_ms (s, "m", t * MS);
    g_assert_cmpuint (d, >=, 150);
    g_assert_cmpuint (d, <=, 2000);
    if (t + 150 < start) {
      if (t + d != start && prev)
        g_assert_cmpuint (d, >=, MIN (prev * 3 / 2 - 2, 2000));
      g_assert_cmpint (t + d, <=, start);
    } else if (t < end) {
      /* sqrt (2 * 22 ms * time left): denser towards the end */
      g_assert_cmpuint (d, <=, MAX (150, (guint) sqrt (44.0 * (end - t)) + 1));
      in_window++;
    }
    prev = d;
    t += d;
  }
  g_assert_cmpuint (in_window, >, 5);
  g_assert_cmpuint (prev, ==, 2000);
  /* Other models are not affected by history. */
  imagegen_poll_schedule_observe (s, "other", 4900 * MS, 5000 * MS);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==, 150);
  imagegen_poll_schedule_free (s);
}

static void
test_poll_learned (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  gint64 lo, hi, seen;
  guint polls, polls_fixed, i;

  /* a coarse first observation does not widen the range for good */
  imagegen_poll_schedule_observe (s, "m", 2000 * MS, 6500 * MS);
  for (i = 0; i < 20; i++)
    imagegen_poll_schedule_observe (s, "m", (5990 + (i % 5) * 100) * MS,
        (6000 + (i % 5) * 100) * MS);
  g_assert_true (imagegen_poll_schedule_get_range (s, "m", &lo, &hi));
  g_assert_cmpint (lo, ==, 6000 * MS);
  g_assert_cmpint (hi, ==, 6390 * MS);

  /* Before the window (5 % early): long sleeps, never longer than
   * poll_max. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==,
      2000);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          4000 * MS), ==, 1700);
  /* In the window (5700..6709 ms), denser towards its end:
   * sqrt (2 * 22 * time left) */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          5800 * MS), ==, 199);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          6600 * MS), ==, 100);
  /* Later: back off again. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          6900 * MS), >, 100);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          60000 * MS), ==, 2000);

  /* A typical task is seen soon after its completion, with about as many
   * polls as a fixed 2 s interval needs, and far better latency. */
  polls = simulate (s, "m", 6200, &seen);
  g_assert_cmpint (seen - 6200, <=, 200);
  polls_fixed = 6200 / 2000 + 2;    /* at 0, 2, 4, 6, 8 s */
  g_assert_cmpuint (polls, <=, polls_fixed + 4);
  g_test_message ("learned: %u polls, seen %" G_GINT64_FORMAT
      " ms late; fixed 2 s: %u polls, %" G_GINT64_FORMAT " ms late", polls,
      seen - 6200, polls_fixed, (gint64) (polls_fixed - 1) * 2000 - 6200);

  /* An unusually fast task is still seen within poll_max. */
  simulate (s, "m", 1000, &seen);
  g_assert_cmpint (seen - 1000, <=, 2000);

  /* An unusually slow one too, and the polls stay few. */
  polls = simulate (s, "m", 30000, &seen);
  g_assert_cmpint (seen - 30000, <=, 2000);
  g_assert_cmpuint (polls, <, 40);

  /* Only the last 16 tasks count. */
  for (i = 0; i < 16; i++)
    imagegen_poll_schedule_observe (s, "m", 900 * MS, 1000 * MS);
  g_assert_true (imagegen_poll_schedule_get_range (s, "m", &lo, &hi));
  /* constant durations: the windows overlap in 900..1000 */
  g_assert_cmpint (lo, ==, 900 * MS);
  g_assert_cmpint (hi, ==, 1000 * MS);
  imagegen_poll_schedule_free (s);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Tasks spread evenly over 3-8 s, the schedule knowing that window: the
 * mean poll count stays at most 10 and the median lag at most 180 ms
 * (simulated time: arithmetic, not a timing measurement). */
static void
test_poll_spread_window (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  gint64 lags[501], seen;
  guint i, total_polls = 0;

  imagegen_poll_schedule_observe (s, "m", 2950 * MS, 3000 * MS);
  imagegen_poll_schedule_observe (s, "m", 7950 * MS, 8000 * MS);
  for (i = 0; i <= 500; i++) {
    gint64 done = 3000 + i * 10;
    total_polls += simulate (s, "m", done, &seen);
    lags[i] = seen - done;
  }
  qsort (lags, G_N_ELEMENTS (lags), sizeof (gint64), compare_gint64);
  g_test_message ("3-8 s: %.1f polls per task, median lag %" G_GINT64_FORMAT
      " ms", total_polls / 501.0, lags[250]);
  g_assert_cmpfloat (total_polls / 501.0, <=, 10.0);
  g_assert_cmpint (lags[250], <=, 180);
  imagegen_poll_schedule_free (s);
}

static void
test_retry_after (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2024, 1, 2, 3, 4, 5);
  guint ms = 0;

  g_assert_true (imagegen_retry_parse_retry_after ("1", now, &ms));
  g_assert_cmpuint (ms, ==, 1000);
  g_assert_true (imagegen_retry_parse_retry_after (" 0 ", now, &ms));
  g_assert_cmpuint (ms, ==, 0);
  g_assert_true (imagegen_retry_parse_retry_after ("100000", now, &ms));
  g_assert_cmpuint (ms, ==, IMAGEGEN_RETRY_AFTER_MAX_MS);
  g_assert_true (imagegen_retry_parse_retry_after
      ("Tue, 02 Jan 2024 03:04:12 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, 7000);
  g_assert_true (imagegen_retry_parse_retry_after
      ("Tue, 02 Jan 2024 03:00:00 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, 0);
  g_assert_false (imagegen_retry_parse_retry_after ("soon", now, &ms));
  g_assert_false (imagegen_retry_parse_retry_after ("", now, &ms));
  g_assert_false (imagegen_retry_parse_retry_after ("5x", now, &ms));
  g_assert_false (imagegen_retry_parse_retry_after (NULL, now, &ms));
}

static void
test_backoff (void)
{
  guint i, d;

  for (i = 0; i < 200; i++) {
    d = imagegen_retry_backoff_ms (500, 8000, 0);
    g_assert_cmpuint (d, >=, 500);
    g_assert_cmpuint (d, <=, 750);
    d = imagegen_retry_backoff_ms (500, 8000, 2);
    g_assert_cmpuint (d, >=, 2000);
    g_assert_cmpuint (d, <=, 3000);
    d = imagegen_retry_backoff_ms (500, 8000, 40);
    g_assert_cmpuint (d, >=, 8000);
    g_assert_cmpuint (d, <=, 12000);
    /* Retry-After is a floor, never a shortcut. */
    d = imagegen_retry_delay_ms (500, 8000, 0, "3");
    g_assert_cmpuint (d, ==, 3000);
    d = imagegen_retry_delay_ms (500, 8000, 0, "0");
    g_assert_cmpuint (d, >=, 500);
    d = imagegen_retry_delay_ms (500, 8000, 2, "junk");
    g_assert_cmpuint (d, >=, 2000);
    g_assert_cmpuint (d, <=, 3000);
  }
  g_assert_true (imagegen_retry_status_is_retryable (429));
  g_assert_true (imagegen_retry_status_is_retryable (503));
  g_assert_false (imagegen_retry_status_is_retryable (422));
  g_assert_false (imagegen_retry_status_is_retryable (200));
}

static JsonNode *
parse (const gchar * json)
{
  g_autoptr (JsonParser) p = json_parser_new ();

  g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
  return json_node_ref (json_parser_get_root (p));
}

static void
test_error_bodies (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  struct
  {
    const gchar *body;
    const gchar *message;
  } cases[] = {
    {"{\"error\":\"Invalid API key\"}", "Invalid API key"},
    {"{\"error\":{\"code\":\"rate_limited\",\"message\":\"Slow down\"}}",
        "Slow down"},
    {"{\"error\":\"Validation failed\",\"errors\":{\"prompt\":"
          "[\"is too short (minimum is 3 characters)\"],"
          "\"aspect_ratio\":[\"is not included in the list\"]}}",
        "prompt is too short (minimum is 3 characters); "
          "aspect_ratio is not included in the list"},
    {"{\"error\":\"Validation failed\",\"errors\":{}}", "Validation failed"},
    {"{\"message\":\"Oops\",\"code\":\"x\"}", "Oops"},
    {"[1,2]", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    JsonNode *root = parse (cases[i].body);
    gchar *m = p->parse_error_body (root);

    g_assert_cmpstr (m, ==, cases[i].message);
    g_free (m);
    json_node_unref (root);
  }
}

static void
test_error_sentences (void)
{
  GError *e;

  e = imagegen_error_new_for_status (401, "Invalid API key", 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH);
  g_assert_cmpstr (e->message, ==, "invalid API key (HTTP 401): Invalid API key");
  g_error_free (e);

  e = imagegen_error_new_for_status (402, NULL, 0);
  g_assert_cmpstr (e->message, ==, "insufficient credits (HTTP 402)");
  g_error_free (e);

  e = imagegen_error_new_for_status (429, NULL, 3);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpstr (e->message, ==, "rate limited (HTTP 429) after 3 retries");
  g_error_free (e);

  e = imagegen_error_new_for_status (503, "No active channel available", 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_SERVER);
  g_assert_cmpstr (e->message, ==,
      "server error (HTTP 503): No active channel available");
  g_error_free (e);

  e = imagegen_error_new_for_status (302, NULL, 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_error_free (e);

  e = imagegen_error_new_for_failed_task
      ("Content policy violation: the request was flagged by moderation");
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_MODERATED);
  imagegen_error_add_task_id (e, "6f1");
  g_assert_cmpstr (e->message, ==, "content moderated: Content policy "
      "violation: the request was flagged by moderation (task 6f1)");
  g_error_free (e);

  e = imagegen_error_new_for_failed_task ("Generation failed: internal error");
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TASK_FAILED);
  g_assert_cmpstr (e->message, ==,
      "task failed: Generation failed: internal error");
  g_error_free (e);

  g_assert_true (imagegen_error_message_is_moderation ("NSFW content"));
  g_assert_true (imagegen_error_message_is_moderation ("Safety check hit"));
  g_assert_false (imagegen_error_message_is_moderation ("out of memory"));

  e = g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH,
      "bad key sk-secret-1 here");
  imagegen_error_redact (e, "sk-secret-1");
  g_assert_null (strstr (e->message, "sk-secret-1"));
  g_error_free (e);

  /* details ride along, through copies */
  e = imagegen_error_new_for_status (503, "busy", 2);
  imagegen_error_set_details (e, "task-7", "flux-2-pro-text-to-image", 3);
  {
    GError *copy = g_error_copy (e);
    const ImagegenClientErrorDetails *d =
        imagegen_client_error_get_details (copy);

    g_assert_cmpuint (d->http_status, ==, 503);
    g_assert_cmpuint (d->retries, ==, 3);
    g_assert_cmpstr (d->task_id, ==, "task-7");
    g_assert_cmpstr (d->model, ==, "flux-2-pro-text-to-image");
    g_error_free (copy);
  }
  g_error_free (e);
  g_assert_cmpstr (imagegen_client_error_code_name
      (IMAGEGEN_CLIENT_ERROR_TIMEOUT), ==, "timeout");
  g_assert_null (imagegen_client_error_get_details (NULL));
}

static void
test_task_parsing (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  ImagegenTaskInfo info = {.charged_cents = -1 };
  GError *error = NULL;
  JsonNode *root;

  root = parse ("{\"id\":\"t1\",\"status\":\"success\",\"images\":[{\"url\":"
      "\"https://cdn.example/a.png\"}],\"billing\":{\"reservation\":null,"
      "\"settlement\":{\"charged_amount_cents\":14}},\"extra\":[1]}");
  g_assert_true (p->parse_task (root, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_COMPLETED);
  g_assert_cmpstr (info.id, ==, "t1");
  g_assert_cmpstr (g_ptr_array_index (info.image_urls, 0), ==,
      "https://cdn.example/a.png");
  g_assert_cmpint (info.charged_cents, ==, 14);
  imagegen_task_info_clear (&info);
  json_node_unref (root);

  root = parse ("{\"id\":\"t1\",\"status\":\"completed\",\"images\":[]}");
  g_assert_false (p->parse_task (root, &info, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
  json_node_unref (root);

  /* unknown: still running, as the JS and Go SDKs take it */
  root = parse ("{\"id\":\"t1\",\"status\":\"queued_somewhere\"}");
  g_assert_true (p->parse_task (root, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_PENDING);
  g_assert_true (info.status_unknown);
  g_assert_cmpstr (info.status, ==, "queued_somewhere");
  imagegen_task_info_clear (&info);
  json_node_unref (root);

  /* the words the SDKs map */
  {
    static const struct
    {
      const gchar *json;
      ImagegenTaskState state;
    } words[] = {
      {"{\"id\":\"t\",\"status\":\"succeeded\",\"images\":[\"https://a/b\"]}",
          IMAGEGEN_TASK_COMPLETED},
      {"{\"id\":\"t\",\"status\":\"finished\",\"images\":[\"https://a/b\"]}",
          IMAGEGEN_TASK_COMPLETED},
      {"{\"id\":\"t\",\"status\":\"cancelled\"}", IMAGEGEN_TASK_FAILED},
      {"{\"id\":\"t\",\"status\":\"canceled\"}", IMAGEGEN_TASK_FAILED},
      {"{\"id\":\"t\",\"status\":\"timeout\"}", IMAGEGEN_TASK_FAILED},
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (words); i++) {
      root = parse (words[i].json);
      g_assert_true (p->parse_task (root, &info, &error));
      g_assert_cmpint (info.state, ==, words[i].state);
      g_assert_false (info.status_unknown);
      imagegen_task_info_clear (&info);
      json_node_unref (root);
    }
  }

  root = parse ("{\"id\":\"t1\",\"status\":\"generate_failed\","
      "\"error\":{\"message\":\"boom\"}}");
  g_assert_true (p->parse_task (root, &info, &error));
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_FAILED);
  g_assert_cmpstr (info.error_message, ==, "boom");
  imagegen_task_info_clear (&info);
  json_node_unref (root);

  root = parse ("{\"status\":\"pending\"}");
  g_assert_false (p->parse_create (root, &info, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
  json_node_unref (root);
}

/* Whatever a server puts in Retry-After: junk is ignored (FALSE), numbers
 * are capped, the past is now. */
static void
test_retry_after_junk (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2024, 1, 2, 3, 4, 5);
  static const gchar *const junk[] = {
    "-5", "-0", "+5", "1.5", "1e3", "0x10", "5 s", "5,6", "\t", "now",
    "Tue, 32 Jan 2024 03:04:12 GMT", "Tue, 02 Foo 2024 03:04:12 GMT",
    "\xff\xfe", "18446744073709551616x",
  };
  guint i, ms;

  for (i = 0; i < G_N_ELEMENTS (junk); i++) {
    ms = 12345;
    g_assert_false (imagegen_retry_parse_retry_after (junk[i], now, &ms));
    g_assert_cmpuint (ms, ==, 12345);
  }

  g_assert_true (imagegen_retry_parse_retry_after ("18446744073709551616",
          now, &ms));
  g_assert_cmpuint (ms, ==, IMAGEGEN_RETRY_AFTER_MAX_MS);
  g_assert_true (imagegen_retry_parse_retry_after
      ("99999999999999999999999999999999", now, &ms));
  g_assert_cmpuint (ms, ==, IMAGEGEN_RETRY_AFTER_MAX_MS);
  g_assert_true (imagegen_retry_parse_retry_after ("4294968", now, &ms));
  g_assert_cmpuint (ms, ==, IMAGEGEN_RETRY_AFTER_MAX_MS);
  g_assert_true (imagegen_retry_parse_retry_after
      ("Thu, 01 Jan 1970 00:00:00 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, 0);
  g_assert_true (imagegen_retry_parse_retry_after
      ("Fri, 31 Dec 9999 23:59:59 GMT", now, &ms));
  g_assert_cmpuint (ms, ==, IMAGEGEN_RETRY_AFTER_MAX_MS);
}

static void
test_loopback (void)
{
  static const struct
  {
    const gchar *url;
    gboolean loopback;
  } cases[] = {
    {"http://127.0.0.1:8080", TRUE},
    {"http://127.1.2.3/", TRUE},
    {"http://localhost", TRUE},
    {"http://LocalHost:9/x", TRUE},
    {"http://[::1]:8080", TRUE},
    {"http://10.0.0.1", FALSE},
    {"http://128.0.0.1", FALSE},
    {"http://runapi.ai", FALSE},
    {"http://127.0.0.1.nip.io", FALSE},
    {"http://localhost.example.com", FALSE},
    {"http://[::2]", FALSE},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GUri) uri = g_uri_parse (cases[i].url, SOUP_HTTP_URI_FLAGS,
        NULL);

    g_assert_nonnull (uri);
    g_assert_cmpint (imagegen_transport_uri_is_loopback (uri), ==,
        cases[i].loopback);
  }
}

static void
test_config_check (void)
{
  ImagegenClientConfig c;
  GError *error = NULL;

  imagegen_client_config_init (&c);
  g_assert_true (imagegen_client_config_check (&c, NULL));
  g_assert_false (c.tls_insecure);
  g_assert_false (c.allow_insecure_http);
  g_assert_null (c.tls_ca_file);

  g_free (c.base_url);
  c.base_url = g_strdup ("ftp://runapi.ai");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_free (c.base_url);
  c.base_url = g_strdup ("http://runapi.ai");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_true (g_str_has_prefix (error->message,
          "refusing plain http:// to runapi.ai"));
  g_clear_error (&error);
  c.allow_insecure_http = TRUE;
  g_assert_true (imagegen_client_config_check (&c, NULL));

  g_free (c.base_url);
  c.base_url = g_strdup ("http://[::1]:9");
  c.allow_insecure_http = FALSE;
  g_assert_true (imagegen_client_config_check (&c, NULL));

  c.tls_ca_file = g_strdup ("/nonexistent/ca.pem");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_true (g_str_has_prefix (error->message, "cannot use TLS CA file"));
  g_clear_error (&error);
  imagegen_client_config_clear (&c);
}

static void
test_prepare_parsing (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  ImagegenUploadTarget t = { 0, };
  GError *error = NULL;
  JsonNode *root;
  gchar *body;

  root = parse ("{\"signed_id\":\"s1\",\"upload_url\":\"https://up.example/"
      "x?sig=1\",\"headers\":{\"Content-MD5\":\"abc\",\"Bad Name\":\"x\","
      "\"X-Num\":5,\"X-CRLF\":\"a\\r\\nInjected: 1\"}}");
  g_assert_true (p->parse_prepare (root, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (t.signed_id, ==, "s1");
  g_assert_cmpstr (t.upload_url, ==, "https://up.example/x?sig=1");
  /* Only well-formed string headers are kept. */
  g_assert_cmpuint (g_strv_length (t.headers), ==, 2);
  g_assert_cmpstr (t.headers[0], ==, "Content-MD5");
  g_assert_cmpstr (t.headers[1], ==, "abc");
  body = p->build_confirm_body (&t);
  g_assert_cmpstr (body, ==, "{\"signed_id\":\"s1\"}");
  g_free (body);
  imagegen_upload_target_clear (&t);
  json_node_unref (root);

  root = parse ("{\"signed_id\":\"s1\",\"upload_url\":\"file:///etc/passwd\"}");
  g_assert_false (p->parse_prepare (root, &t, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  json_node_unref (root);
}

static void
test_create_body (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (GPtrArray) urls = g_ptr_array_new ();
  gchar *body, *path;

  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "flux-2-pro-text-to-image", "a cat");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-2-pro-text-to-image\","
      "\"prompt\":\"a cat\"}");
  g_free (body);
  path = p->create_path (req);
  g_assert_cmpstr (path, ==, "/api/v1/flux_2/text_to_image");
  g_free (path);

  req->endpoint = IMAGEGEN_ENDPOINT_REMIX;
  g_free (req->model);
  req->model = g_strdup ("flux-2-pro-remix-image");
  req->aspect_ratio = g_strdup ("16:9");
  req->resolution = g_strdup ("2k");
  g_ptr_array_add (urls, (gpointer) "https://x/1.jpg");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-2-pro-remix-image\","
      "\"prompt\":\"a cat\",\"aspect_ratio\":\"16:9\","
      "\"output_resolution\":\"2k\","
      "\"source_image_urls\":[\"https://x/1.jpg\"]}");
  g_free (body);
  path = p->poll_path (req, "a/b");
  g_assert_cmpstr (path, ==, "/api/v1/flux_2/remix_image/a%2Fb");
  g_free (path);

  /* Flux Kontext edits through text_to_image with one source_image_url,
   * and takes no resolution: the row decides what is sent */
  g_free (req->model);
  req->model = g_strdup ("flux-kontext-pro");
  req->extra_json = g_strdup ("{\"safety_tolerance\":1}");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-kontext-pro\","
      "\"prompt\":\"a cat\",\"aspect_ratio\":\"16:9\","
      "\"source_image_url\":\"https://x/1.jpg\",\"safety_tolerance\":1}");
  g_free (body);
  path = p->create_path (req);
  g_assert_cmpstr (path, ==, "/api/v1/flux_kontext/text_to_image");
  g_free (path);

  /* no row: the client refuses to build anything */
  g_free (req->model);
  req->model = g_strdup ("m");
  g_assert_null (p->create_path (req));
}

static void
test_origin (void)
{
  g_autoptr (GUri) a = g_uri_parse ("https://runapi.ai", G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) b = g_uri_parse ("https://RUNAPI.ai:443/api/v1/x",
      G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) c = g_uri_parse ("http://runapi.ai/api", G_URI_FLAGS_NONE,
      NULL);
  g_autoptr (GUri) d = g_uri_parse ("https://cdn.runapi.ai/x.png",
      G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) e = g_uri_parse ("https://runapi.ai:8443/x",
      G_URI_FLAGS_NONE, NULL);

  g_assert_true (imagegen_http_same_origin (a, b));
  g_assert_false (imagegen_http_same_origin (a, c));
  g_assert_false (imagegen_http_same_origin (a, d));
  g_assert_false (imagegen_http_same_origin (a, e));
}

static void
test_price (void)
{
  g_assert_cmpint (imagegen_price_cents ("flux-2-pro-text-to-image", NULL),
      ==, 5);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-text-to-image", "2k"),
      ==, 24);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-text-to-image", "1k"),
      ==, 14);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-remix-image", NULL),
      ==, 14);
  g_assert_cmpint (imagegen_price_cents ("flux-2-max-text-to-image", NULL),
      ==, -1);
  /* billing_config variants and per-output prices come from the table */
  g_assert_cmpint (imagegen_price_cents ("gpt-image-2", "4k"), ==, 16);
  g_assert_cmpint (imagegen_price_cents ("ideogram-v3-text-to-image", NULL),
      ==, 7);
  g_assert_cmpint (imagegen_price_cents ("qwen-3-text-to-image", NULL),
      ==, -1);
}

static gint
request_price (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * extra_json)
{
  g_autoptr (ImagegenRequest) req = imagegen_request_new (endpoint, model,
      NULL);

  req->extra_json = g_strdup (extra_json);
  return imagegen_request_price_cents (req);
}

static void
test_price_variants (void)
{
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image",
          "{\"upscale_factor\":8}"), ==, 40);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image",
          "{\"upscale_factor\":2}"), ==, 10);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "seedream-v4-edit",
          "{\"output_count\":3}"), ==, 30);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "gpt-image-1.5", "{\"quality\":\"high\"}"), ==, 22);
  /* 3.5 cents rounds up: the guard never reserves too little */
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "ideogram-v3-text-to-image", "{\"rendering_speed\":\"turbo\"}"),
      ==, 4);
}

static void
test_request_copy (void)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "m", "p");
  g_autoptr (ImagegenRequest) copy = NULL;
  g_autoptr (GBytes) img = g_bytes_new_static ("abc", 3);

  imagegen_request_add_source_image (req, img);
  imagegen_request_add_source_url (req, "https://x/y.jpg");
  copy = imagegen_request_copy (req);
  g_assert_cmpuint (copy->source_images->len, ==, 1);
  g_assert_true (g_ptr_array_index (copy->source_images, 0) == img);
  g_assert_cmpstr (g_ptr_array_index (copy->source_urls, 0), ==,
      "https://x/y.jpg");
}

/* One sniffer for the client, the providers and the emulator: a WebP
 * reference is uploaded as image/webp (it used to be called JPEG). */
static void
test_image_type (void)
{
  static const struct
  {
    const gchar *bytes;
    gsize size;
    const gchar *type;
  } cases[] = {
    {"\x89PNG\r\n\x1a\n\0\0", 10, "image/png"},
    {"\xff\xd8\xff\xe0", 4, "image/jpeg"},
    {"RIFF\0\0\0\0WEBPVP8 ", 16, "image/webp"},
    {"GIF89a", 6, "image/gif"},
    {"\x89PNG\r\n", 6, NULL},
    {"<html>", 6, NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GBytes) b = g_bytes_new_static (cases[i].bytes, cases[i].size);

    g_assert_cmpstr (imagegen_image_type_sniff (b), ==, cases[i].type);
    g_assert_cmpstr (imagegen_image_mime_type (b), ==,
        cases[i].type ? cases[i].type : "image/jpeg");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/poll-schedule/no-history", test_poll_no_history);
  g_test_add_func ("/poll-schedule/learned", test_poll_learned);
  g_test_add_func ("/poll-schedule/spread-window", test_poll_spread_window);
  g_test_add_func ("/retry/retry-after", test_retry_after);
  g_test_add_func ("/retry/retry-after-junk", test_retry_after_junk);
  g_test_add_func ("/retry/backoff", test_backoff);
  g_test_add_func ("/transport/loopback", test_loopback);
  g_test_add_func ("/transport/config-check", test_config_check);
  g_test_add_func ("/provider/prepare", test_prepare_parsing);
  g_test_add_func ("/errors/bodies", test_error_bodies);
  g_test_add_func ("/errors/sentences", test_error_sentences);
  g_test_add_func ("/provider/task", test_task_parsing);
  g_test_add_func ("/provider/create-body", test_create_body);
  g_test_add_func ("/http/origin", test_origin);
  g_test_add_func ("/price", test_price);
  g_test_add_func ("/price-variants", test_price_variants);
  g_test_add_func ("/request/copy", test_request_copy);
  g_test_add_func ("/image-type", test_image_type);
  return g_test_run ();
}
