/* gst-imagegen client: every error class says what happened.
 *
 * Most tests are a row of one table: the emulator's faults, a tweak of the
 * config, the error class and the sentence the one job must end with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

typedef struct _ErrorCase ErrorCase;

struct _ErrorCase
{
  const gchar *path;
  const gchar *args[6];         /* the emulator's */
  void (*tweak) (ImagegenClientConfig * config);        /* or NULL */
  const gchar *prompt;          /* NULL: "a quiet harbour" */
  const gchar *aspect_ratio;
  ImagegenClientError code;
  const gchar *prefix;          /* the message starts so (or NULL) */
  const gchar *exact;           /* the message, %s the task id (or NULL) */
  const gchar *contains[2];     /* in the message too */
  gint64 min_wait_ms;           /* the client's own deliberate wait */
  void (*check) (const ErrorCase * c, TestFixture * f, ImagegenResult * r);
};

static void
error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  TestFixture f;
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL,
      c->prompt ? c->prompt : "a quiet harbour");
  g_autoptr (ImagegenResult) r = NULL;
  guint i;

  test_fixture_start (&f, FALSE, c->args, NULL);
  if (c->tweak != NULL)
    c->tweak (&f.config);
  test_fixture_client (&f);
  req->aspect_ratio = g_strdup (c->aspect_ratio);
  r = test_run_job (f.client, req, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, (gint) c->code);
  g_test_message ("%s", r->error->message);
  if (c->prefix != NULL)
    g_assert_true (g_str_has_prefix (r->error->message, c->prefix));
  if (c->exact != NULL) {
    g_autofree gchar *expected = g_strdup_printf (c->exact, r->task_id);
    g_assert_cmpstr (r->error->message, ==, expected);
  }
  for (i = 0; i < G_N_ELEMENTS (c->contains) && c->contains[i]; i++)
    g_assert_nonnull (strstr (r->error->message, c->contains[i]));
  if (c->min_wait_ms > 0)
    g_assert_cmpint (g_get_monotonic_time () - r->started_us, >=,
        c->min_wait_ms * 1000);
  if (c->check != NULL)
    c->check (c, &f, r);
  test_fixture_stop (&f);
}

static void
wrong_key (ImagegenClientConfig * config)
{
  g_free (config->api_key);
  config->api_key = g_strdup ("wrong-key-abcdef");
}

/* The key never shows; what an application can act on without parsing
 * the sentence is in the details. */
static void
auth_checks (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
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
moderated_checks (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
{
  g_autofree gchar *tail = NULL;

  g_assert_nonnull (r->task_id);
  tail = g_strdup_printf ("(task %s)", r->task_id);
  g_assert_true (g_str_has_suffix (r->error->message, tail));
  g_assert_cmpint (r->cost_cents, ==, 0);
  g_assert_cmpstr (imagegen_client_error_get_details (r->error)->task_id, ==,
      r->task_id);
  g_assert_cmpuint (imagegen_client_error_get_details (r->error)->http_status,
      ==, 0);
}

static void
not_charged (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_cmpint (r->cost_cents, ==, 0);
}

static void
short_job_timeout (ImagegenClientConfig * config)
{
  config->job_timeout_s = 2;
}

static void
polled_more_than_once (const ErrorCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpuint (r->polls, >, 1);
}

static void
short_job_timeout_many_retries (ImagegenClientConfig * config)
{
  config->job_timeout_s = 2;
  config->max_retries = 20;
}

static void
names_its_task (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_nonnull (r->task_id);
  g_assert_nonnull (strstr (r->error->message, r->task_id));
}

static void
no_image (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_null (r->image);
}

static void
tiny_download_limit (ImagegenClientConfig * config)
{
  config->max_download_bytes = 64;
}

/* A body that keeps coming, one byte a second, never trips the idle
 * timeout: the job timeout bounds it. */
static void
trickle_job_timeout (ImagegenClientConfig * config)
{
  config->job_timeout_s = 3;
  config->request_timeout_s = 2;
}

/* An unknown status is logged once. */
static void
unknown_status_logged (const ErrorCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_cmpuint (r->polls, >, 1);
  g_assert_cmpuint (test_waiter_count_log (f->w, IMAGEGEN_LOG_WARNING,
          "unknown status \"exploded\""), ==, 1);
}

static void
not_retried (const ErrorCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_cmpuint (r->retries, ==, 0);
}

#define LATENCY_100 "--latency", "100", "--fail"
#define WAITING "timed out after 2 s waiting for task %s"

static const ErrorCase cases[] = {
  {"/client/errors/auth", {"--require-key", "right-key-123456"}, wrong_key,
        NULL, NULL, IMAGEGEN_CLIENT_ERROR_AUTH, NULL,
      "invalid API key (HTTP 401): Invalid API key", {NULL}, 0, auth_checks},
  {"/client/errors/credits", {"--credits", "0"}, NULL, NULL, NULL,
      IMAGEGEN_CLIENT_ERROR_CREDITS, "insufficient credits (HTTP 402)"},
  {"/client/errors/validation", {NULL}, NULL, "ab", "5:7",
        IMAGEGEN_CLIENT_ERROR_VALIDATION, "request rejected (HTTP 422): ",
      NULL, {"prompt ", "aspect_ratio "}},
  {"/client/errors/moderated", {"--fail", "task:moderated"}, NULL,
        "something questionable", NULL, IMAGEGEN_CLIENT_ERROR_MODERATED,
        "content moderated: Content policy violation", NULL, {NULL}, 0,
      moderated_checks},
  {"/client/errors/task-failed", {"--fail", "task:failed"}, NULL, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_TASK_FAILED, NULL,
      "task failed: Generation failed (task %s)", {NULL}, 0, not_charged},
  {"/client/errors/timeout", {"--fail", "task:stuck"}, short_job_timeout,
        NULL, NULL, IMAGEGEN_CLIENT_ERROR_TIMEOUT, NULL, WAITING, {NULL},
      1900, polled_more_than_once},
  /* a job timeout reached while polls are retried names the last cause */
  {"/client/errors/timeout-names-last-cause/429", {"--fail", "poll:429:*"},
        short_job_timeout_many_retries, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_TIMEOUT, NULL,
      WAITING " (last: rate limited (HTTP 429))"},
  {"/client/errors/timeout-names-last-cause/503", {"--fail", "poll:503:*"},
        short_job_timeout_many_retries, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_TIMEOUT, NULL,
      WAITING " (last: server error (HTTP 503))"},
  {"/client/errors/bad-json", {"--fail", "poll:badjson"}, NULL, NULL, NULL,
      IMAGEGEN_CLIENT_ERROR_PROTOCOL, NULL, NULL, {NULL}, 0, names_its_task},
  /* answers of the wrong shape, or not JSON, or not an image, are
   * protocol errors that say what is wrong */
  {"/client/errors/bad-json-create", {LATENCY_100, "create:badjson"}, NULL,
      NULL, NULL, IMAGEGEN_CLIENT_ERROR_PROTOCOL, NULL, NULL, {NULL}, 0,
      no_image},
  {"/client/errors/not-image", {LATENCY_100, "download:notimage"}, NULL,
        NULL, NULL, IMAGEGEN_CLIENT_ERROR_PROTOCOL, NULL, NULL, {NULL}, 0,
      no_image},
  {"/client/errors/too-large", {NULL}, tiny_download_limit, NULL, NULL,
      IMAGEGEN_CLIENT_ERROR_TOO_LARGE},
  {"/client/errors/slow-body", {LATENCY_100, "download:trickle"},
        trickle_job_timeout, NULL, NULL, IMAGEGEN_CLIENT_ERROR_TIMEOUT, NULL,
        "timed out after 3 s downloading the result of task %s", {NULL},
      2900, no_image},
  {"/client/errors/wrongshape-noid", {LATENCY_100, "create:wrongshape-noid"},
        NULL, NULL, NULL, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
      "malformed create answer: no task id", NULL, {NULL}, 0, no_image},
  {"/client/errors/wrongshape-array", {LATENCY_100,
            "create:wrongshape-array"}, NULL, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed create answer: not a JSON object", NULL, {NULL}, 0,
      no_image},
  {"/client/errors/wrongshape-numbers", {LATENCY_100,
            "poll:wrongshape-numbers"}, NULL, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed task answer: \"status\" is not a string", NULL, {NULL}, 0,
      no_image},
  {"/client/errors/wrongshape-noimages", {LATENCY_100,
            "poll:wrongshape-noimages"}, NULL, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL, "task completed without any image URL",
      NULL, {NULL}, 0, no_image},
  /* as the JS and Go SDKs: a status we do not know means still running,
   * bounded by the job timeout */
  {"/client/errors/unknown-status-forever", {"--latency", "300", "--fail",
            "poll:unknownstatus:*"}, short_job_timeout, NULL, NULL,
        IMAGEGEN_CLIENT_ERROR_TIMEOUT, NULL, WAITING, {NULL}, 0,
      unknown_status_logged},
  /* result URLs are temporary: an expired one answers 403 or 404 */
  {"/client/errors/result-404", {LATENCY_100, "download:404"}, NULL, NULL,
        NULL, IMAGEGEN_CLIENT_ERROR_NOT_FOUND,
        "result download failed: not found (HTTP 404)", NULL,
      {"may have expired"}, 0, not_retried},
  {"/client/errors/result-403", {LATENCY_100, "download:403"}, NULL, NULL,
        NULL, IMAGEGEN_CLIENT_ERROR_FORBIDDEN,
        "result download failed: access denied (HTTP 403)", NULL,
      {"may have expired"}, 0, not_retried},
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
  short_job_timeout (&f.config);
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
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], error_case);
  g_test_add_func ("/client/errors/unknown-status", test_unknown_status);
  g_test_add_func ("/client/errors/invalid-argument", test_invalid_argument);
  g_test_add_func ("/client/errors/network", test_network_refused);
  g_test_add_func ("/client/errors/dns", test_dns_failure);
  return g_test_run ();
}
