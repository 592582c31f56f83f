/* gst-imagegen client: fal's queue API against the emulator — Key auth,
 * frames as data: URIs, status stream then result, polls when the stream
 * fails, failures reported as COMPLETED, cancel, 429 on submit, and where
 * the key may go.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-fal-models.h"
#include "imagegen-http.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"

#include <string.h>

#define KLEIN "fal-ai/flux-2/klein/4b"
#define KLEIN_EDIT "fal-ai/flux-2/klein/4b/edit"
#define FLUX3 "blackforestlabs/flux-3/text-to-image"
#define FLUX3_EDIT "blackforestlabs/flux-3/edit-image"
#define FLUX31 "fal-ai/flux-3.1-image"

/* The emulator's tasks take @latency ms; the client speaks fal to it (one
 * base URL for all of fal's hosts), key required. */
static void
fixture_start (TestFixture * f, const gchar * latency,
    const gchar * const *extra)
{
  const gchar *args[] = { "--latency", latency, "--require-key", TEST_KEY,
    "--assets-port", "0", NULL
  };

  test_fixture_start (f, TRUE, args, extra);
  f->config.provider = IMAGEGEN_PROVIDER_FAL;
  test_fixture_client (f);
}

/* fixture_start(), then a klein text-to-image job of 256 x 192, the
 * emulator failing as @fault (and @fault2) say (NULL: not at all). */
static ImagegenResult *
run_faulted (TestFixture * f, const gchar * latency, const gchar * fault,
    const gchar * fault2)
{
  const gchar *extra[] = { "--fail", fault, fault2 ? "--fail" : NULL, fault2,
    NULL
  };
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, KLEIN,
      "a lighthouse at dusk");

  fixture_start (f, latency, fault ? extra : NULL);
  req->width = 256;
  req->height = 192;
  return test_run_job (f->client, req, f->w);
}

static gint64
count (TestFixture * f, const gchar * what)
{
  g_autoptr (JsonObject) stats = imagegen_test_emulator_stats (f->fx.emu);

  return imagegen_test_emulator_stats_requests (stats, what);
}

/* The paths of the requests the emulator logged, "METHOD path". */
static gchar *
logged_requests (TestFixture * f)
{
  g_autoptr (GPtrArray) lines = imagegen_test_read_log (f->fx.log);
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (json_object_has_member (l, "path"))
      g_string_append_printf (s, "%s %s auth=%s\n",
          json_object_get_string_member (l, "method"),
          json_object_get_string_member (l, "path"),
          json_object_get_string_member_with_default (l, "auth", "-"));
  }
  return g_string_free (s, FALSE);
}

/* Submit to the full id, the status stream below owner and app, then the
 * result there; the image is the size asked, fetched without the key from
 * the result host. */
static void
test_queue_text_to_image (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = run_faulted (&f, "300", NULL, NULL);
  g_autofree gchar *log = NULL, *want = NULL;
  guint width, height;

  g_assert_no_error (r->error);
  g_assert_true (test_is_png (r->image));       /* klein's default */
  g_assert_true (test_image_size (r->image, &width, &height));
  g_assert_cmpuint (width, ==, 256);
  g_assert_cmpuint (height, ==, 192);
  g_assert_true (g_str_has_prefix (r->image_url,
          imagegen_test_emulator_get_assets_url (f.fx.emu)));

  log = logged_requests (&f);
  want = g_strdup_printf ("POST /" KLEIN " auth=ok\n"
      "GET /fal-ai/flux-2/requests/%s/status/stream auth=ok\n"
      "GET /fal-ai/flux-2/requests/%s auth=ok\n", r->task_id, r->task_id);
  g_assert_true (g_str_has_prefix (log, want));
  /* the stream saw the completion: no poll */
  g_assert_cmpint (count (&f, "fal_status"), ==, 0);
  test_assert_no_key_on_assets (f.fx.emu, 1);
  g_assert_cmpint (imagegen_test_emulator_stat (f.fx.emu, "auth_failures"),
      ==, 0);
  /* klein 9b's price is fal's own; 4b's is a third party's: unknown */
  g_assert_cmpint (r->cost_nanocents, ==, -1);
  test_fixture_stop (&f);
}

/* A frame goes inline as a data: URI in image_urls, no upload; the
 * result is the emulator's remix of it at the size asked. */
static void
test_queue_remix_data_uri (void)
{
  g_autoptr (GBytes) png = test_make_png (200, 120);
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) bodies = NULL;
  JsonObject *body;
  JsonArray *urls;
  guint width, height;
  TestFixture f;

  fixture_start (&f, "100", NULL);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, KLEIN_EDIT,
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  req->width = 320;
  req->height = 192;
  req->seed = 42;
  req->steps = 6;
  r = test_run_job (f.client, req, f.w);
  g_assert_no_error (r->error);
  g_assert_true (test_image_size (r->image, &width, &height));
  g_assert_cmpuint (width, ==, 320);
  g_assert_cmpuint (height, ==, 192);

  bodies = imagegen_test_read_create_bodies (f.fx.log);
  g_assert_cmpuint (bodies->len, ==, 1);
  body = g_ptr_array_index (bodies, 0);
  g_assert_false (json_object_has_member (body, "model"));
  urls = json_object_get_array_member (body, "image_urls");
  g_assert_cmpuint (json_array_get_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (json_array_get_string_element (urls, 0),
          "data:image/png;base64,"));
  g_assert_cmpint (json_object_get_int_member (body, "seed"), ==, 42);
  g_assert_cmpint (json_object_get_int_member (body, "num_inference_steps"),
      ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member
          (body, "image_size"), "width"), ==, 320);
  g_assert_cmpint (count (&f, "files"), ==, 0);
  g_assert_cmpint (count (&f, "fal_storage_initiate"), ==, 0);
  test_fixture_stop (&f);
}

/* 429 on submit: held, submitted again, no request lost; then a status
 * stream that fails leaves the polls to find the completion. */
static void
test_submit_429_and_stream_failure (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = run_faulted (&f, "300", "fal-submit:429@1",
      "fal-stream:500:*");

  g_assert_no_error (r->error);
  g_assert_cmpint (count (&f, "fal_submit"), ==, 2);
  g_assert_cmpint (count (&f, "fal_tasks"), ==, 1);
  g_assert_cmpuint (imagegen_client_get_rate_limited (f.client), ==, 1);
  /* the 500s are retried first, as any */
  g_assert_cmpint (count (&f, "fal_status_stream"), >=, 1);
  g_assert_cmpint (count (&f, "fal_status"), >=, 1);
  g_assert_cmpint (count (&f, "fal_result"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, "status stream ended"),
      ==, 1);
  test_fixture_stop (&f);
}

/* A failed request is COMPLETED with its error: the job fails with it,
 * nothing is downloaded, nothing charged. */
static void
test_failure_reported_as_completed (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = run_faulted (&f, "200", "task:failed", NULL);

  g_assert_nonnull (r->error);
  g_assert_nonnull (strstr (r->error->message,
          "Generation failed (runner_server_error)"));
  g_assert_nonnull (strstr (r->error->message, r->task_id));
  g_assert_cmpint (r->cost_nanocents, ==, 0);
  g_assert_cmpint (count (&f, "fal_result"), ==, 0);
  g_assert_cmpint (count (&f, "download"), ==, 0);
  test_fixture_stop (&f);
}

/* the job's cancellable (the callbacks share the waiter as user data) */
static GCancellable *to_cancel;

static void
cancel_on_submitted (const gchar * event, const ImagegenResult * progress,
    gpointer user_data)
{
  if (g_str_equal (event, "submitted"))
    g_cancellable_cancel (to_cancel);
}

/* A job cancelled while its request runs asks fal to cancel it: one PUT
 * .../cancel, and the emulator's request ends cancelled, unpaid. */
static void
test_cancel (void)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, KLEIN,
      "a lighthouse at dusk");
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  JsonObject *task;
  TestFixture f;
  guint i;

  fixture_start (&f, "20000", NULL);
  to_cancel = cancel;
  imagegen_client_submit (f.client, req, cancel, cancel_on_submitted,
      test_waiter_done_cb, f.w);
  r = test_waiter_pop (f.w);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* the PUT leaves as the job ends; the emulator may not have it yet */
  for (i = 0; i < 500 && count (&f, "fal_cancel") == 0; i++)
    g_usleep (20000);
  g_assert_cmpint (count (&f, "fal_cancel"), ==, 1);
  stats = imagegen_test_emulator_stats (f.fx.emu);
  task = json_array_get_object_element (json_object_get_array_member (stats,
          "tasks"), 0);
  g_assert_true (json_object_get_boolean_member (task, "cancelled"));
  g_assert_cmpstr (json_object_get_string_member (task, "status"), ==,
      "failed");
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "charged_cents"),
      ==, 0);
  test_fixture_stop (&f);
}

/* A wrong key: the one sentence, without the key. */
static void
test_wrong_key (void)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, KLEIN, "a fox");
  g_autoptr (ImagegenResult) r = NULL;
  TestFixture f;

  fixture_start (&f, "100", NULL);
  imagegen_client_free (f.client);
  g_free (f.config.api_key);
  f.config.api_key = g_strdup ("wrong-" TEST_KEY);
  test_fixture_client (&f);
  r = test_run_job (f.client, req, f.w);
  g_assert_nonnull (r->error);
  g_assert_cmpstr (r->error->message, ==,
      "invalid API key (HTTP 401): Unauthorized");
  test_fixture_stop (&f);
}

/* The key reaches no log: neither the client's lines nor the emulator's
 * request log (which records whether a key came, not which). */
static void
test_key_in_no_log (void)
{
  TestFixture f;
  g_autoptr (ImagegenResult) r = run_faulted (&f, "100", NULL, NULL);
  g_autofree gchar *log = NULL;

  g_assert_no_error (r->error);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, ""), >, 0);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, TEST_KEY), ==, 0);
  g_assert_true (g_file_get_contents (f.fx.log, &log, NULL, NULL));
  g_assert_null (strstr (log, TEST_KEY));
  test_fixture_stop (&f);
}

/* May @url carry the key of a client whose base URL is @base? */
static gboolean
key_goes (const gchar * base, const gchar * url)
{
  ImagegenHttp http = {.key_hosts = imagegen_provider_fal.key_hosts };
  GUri *uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  gboolean allowed;

  http.base_uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  allowed = imagegen_http_key_allowed (&http, uri);
  g_uri_unref (http.base_uri);
  g_uri_unref (uri);
  return allowed;
}

/* Where "Authorization: Key" may go: fal's queue, run and REST hosts over
 * https when the API is fal's own; never their CDN or another host; with
 * the emulator's base URL, its origin only. */
static void
test_key_hosts (void)
{
  const gchar *fal = "https://queue.fal.run";
  const gchar *allowed[] = { "https://queue.fal.run/fal-ai/flux-2/requests/x",
    "https://rest.fal.ai/storage/upload/initiate", "https://fal.run/a/b", NULL
  };
  const gchar *refused[] = { "http://rest.fal.ai/tokens/",
    "https://v3.fal.media/files/x.png", "https://storage.example.com/upload",
    "https://evil.fal.run.example.com/", NULL
  };
  guint i;

  for (i = 0; allowed[i] != NULL; i++)
    g_assert_true (key_goes (fal, allowed[i]));
  for (i = 0; refused[i] != NULL; i++)
    g_assert_false (key_goes (fal, refused[i]));
  g_assert_true (key_goes ("http://127.0.0.1:8080",
          "http://127.0.0.1:8080/tokens/"));
  g_assert_false (key_goes ("http://127.0.0.1:8080",
          "https://rest.fal.ai/tokens/"));
}

/* FAL_KEY first, else FAL_KEY_ID and FAL_KEY_SECRET joined, only when
 * both are set. */
static void
test_env_key (void)
{
  gchar *key;

  g_unsetenv ("FAL_KEY");
  g_setenv ("FAL_KEY_ID", "id", TRUE);
  g_unsetenv ("FAL_KEY_SECRET");
  g_assert_null (imagegen_provider_env_key (&imagegen_provider_fal));
  g_setenv ("FAL_KEY_SECRET", "secret", TRUE);
  key = imagegen_provider_env_key (&imagegen_provider_fal);
  g_assert_cmpstr (key, ==, "id:secret");
  g_free (key);
  g_setenv ("FAL_KEY", "whole", TRUE);
  key = imagegen_provider_env_key (&imagegen_provider_fal);
  g_assert_cmpstr (key, ==, "whole");
  g_free (key);
  g_unsetenv ("FAL_KEY");
  g_unsetenv ("FAL_KEY_ID");
  g_unsetenv ("FAL_KEY_SECRET");
  g_assert_cmpint (imagegen_provider_for_model (KLEIN_EDIT), ==,
      IMAGEGEN_PROVIDER_FAL);
  g_assert_cmpint (imagegen_provider_for_model ("flux-2-klein-4b"), ==,
      IMAGEGEN_PROVIDER_BFL);
  g_assert_cmpint (imagegen_provider_for_model ("nano-banana"), ==,
      IMAGEGEN_PROVIDER_RUNAPI);
}

/* Status, result and cancel below owner and app, as fal's clients build
 * them, a namespace kept. */
static void
test_paths (void)
{
  const ImagegenProvider *p = &imagegen_provider_fal;
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, KLEIN_EDIT, "x");
  g_autoptr (ImagegenRequest) wf =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "workflows/me/flow/x",
      "x");
  g_autofree gchar *create = p->create_path (req);
  g_autofree gchar *poll = p->poll_path (req, "id1");
  g_autofree gchar *stream = p->status_stream_path (req, "id1");
  g_autofree gchar *result = p->result_path (req, "id1");
  g_autofree gchar *cancel = p->cancel_path (req, "id1");
  g_autofree gchar *wf_poll = p->poll_path (wf, "id2");

  g_assert_cmpstr (create, ==, "/" KLEIN_EDIT);
  g_assert_cmpstr (poll, ==, "/fal-ai/flux-2/requests/id1/status?logs=0");
  g_assert_cmpstr (stream, ==,
      "/fal-ai/flux-2/requests/id1/status/stream?logs=0");
  g_assert_cmpstr (result, ==, "/fal-ai/flux-2/requests/id1");
  g_assert_cmpstr (cancel, ==, "/fal-ai/flux-2/requests/id1/cancel");
  g_assert_cmpstr (wf_poll, ==, "/workflows/me/flow/requests/id2/status?"
      "logs=0");
  /* one base URL for all of fal's hosts, or fal's own */
  g_free (create);
  create = imagegen_fal_url (NULL, IMAGEGEN_FAL_HOST_REST, "/tokens/");
  g_assert_cmpstr (create, ==, "https://rest.fal.ai/tokens/");
  g_free (create);
  create = imagegen_fal_url ("http://127.0.0.1:9/", IMAGEGEN_FAL_HOST_REST,
      "/tokens/");
  g_assert_cmpstr (create, ==, "http://127.0.0.1:9/tokens/");
}

/* A price asked without a provider is the row of the provider whose id
 * it is: klein 9b's is fal's own (0.6 cents a megapixel, one cent shown),
 * klein 4b's a third party's (unknown). */
static void
test_price_without_provider (void)
{
  g_autoptr (ImagegenRequest) req9 =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "fal-ai/flux-2/klein/9b", "a fox");
  g_autoptr (ImagegenRequest) req4 =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, KLEIN, "a fox");

  g_assert_cmpint (imagegen_request_price_cents (req9), ==, 1);
  g_assert_cmpint (imagegen_request_price_cents (req4), ==, -1);
}

/* Every queue row of fal's in the model table, served by the emulator
 * from the same row: text to image, and an edit with as many frames as the
 * row takes (one more is refused before anything is sent). */
static void
test_every_row (void)
{
  TestFixture f;

  fixture_start (&f, "50", NULL);
  /* klein 4b and 9b and their edits, flex, pro and max edits, schnell,
   * FLUX 3 and its edit, FLUX 3.1 */
  g_assert_cmpuint (test_run_every_row (f.client, f.w, "fal", 256, 128), ==,
      11);
  g_assert_cmpint (count (&f, "fal_tasks"), ==, 11);
  test_fixture_stop (&f);
}

/* A FLUX 3 job on fal through the emulator: submitted to the full id,
 * its status stream and result below @app ("blackforestlabs/flux-3"), as
 * fal's clients build them. */
static ImagegenResult *
run_flux3 (TestFixture * f, ImagegenRequest * req, const gchar * app)
{
  ImagegenResult *r = test_run_job (f->client, req, f->w);
  g_autofree gchar *log = NULL, *want = NULL;

  g_assert_no_error (r->error);
  log = logged_requests (f);
  want = g_strdup_printf ("POST /%s auth=ok\n"
      "GET /%s/requests/%s/status/stream auth=ok\n"
      "GET /%s/requests/%s auth=ok\n", req->model, app, r->task_id, app,
      r->task_id);
  g_assert_nonnull (strstr (log, want));
  return r;
}

/* Each FLUX 3 row on fal: the picture is the 1k tier at the ratio, auto
 * the frame's shape; the frame goes as a data: URI in image_urls. */
static void
test_flux3_rows (void)
{
  g_autoptr (GBytes) png = test_make_png (300, 200);
  g_autoptr (ImagegenRequest) t2i =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, FLUX3,
      "a harbour at dawn");
  g_autoptr (ImagegenRequest) edit =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, FLUX3_EDIT,
      "image 1 as a woodcut");
  g_autoptr (ImagegenRequest) t31 =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, FLUX31,
      "a kite over dunes");
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GPtrArray) bodies = NULL;
  JsonObject *body;
  guint width, height;
  TestFixture f;

  fixture_start (&f, "100", NULL);
  t2i->aspect_ratio = g_strdup ("16:9");
  r = run_flux3 (&f, t2i, "blackforestlabs/flux-3");
  /* the 1k tier at 16:9, as Black Forest Labs' own example */
  g_assert_true (test_image_size (r->image, &width, &height));
  g_assert_cmpuint (width, ==, 1360);
  g_assert_cmpuint (height, ==, 768);
  /* fal's page gives $0.048 at 1k, second-hand: not a confirmed price */
  g_assert_cmpint (r->cost_nanocents, ==, -1);

  imagegen_request_add_source_image (edit, png);
  imagegen_result_free (g_steal_pointer (&r));
  r = run_flux3 (&f, edit, "blackforestlabs/flux-3");
  g_assert_true (test_image_size (r->image, &width, &height));
  g_assert_cmpuint (width * 2, ==, height * 3);
  bodies = imagegen_test_read_create_bodies (f.fx.log);
  g_assert_cmpuint (bodies->len, ==, 2);
  body = g_ptr_array_index (bodies, 1);
  g_assert_true (g_str_has_prefix (json_array_get_string_element
          (json_object_get_array_member (body, "image_urls"), 0),
          "data:image/png;base64,"));
  g_assert_false (json_object_has_member (body, "image_size"));

  imagegen_result_free (g_steal_pointer (&r));
  r = run_flux3 (&f, t31, "fal-ai/flux-3.1-image");
  g_assert_cmpint (count (&f, "fal_tasks"), ==, 3);
  test_fixture_stop (&f);
}

/* FLUX 3 reasons first: while it runs its status stays IN_PROGRESS (fal's
 * words, which their JS client waits on), and its logs (logs=1) say
 * Reasoning, then Generating. */
static void
test_flux3_reasoning_logs (void)
{
  const gchar *extra[] = { "--fail", "task:stuck", NULL };
  const gchar *headers[] = { "Authorization", "Key " TEST_KEY, NULL };
  g_autoptr (GBytes) body = g_bytes_new_static ("{\"prompt\":\"a fox\"}",
      18);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (JsonObject) submitted = NULL;
  guint status, i;
  TestFixture f;

  fixture_start (&f, "100", extra);
  answer = imagegen_test_emulator_request (f.fx.emu, "POST", "/" FLUX3,
      headers, body, "application/json", &status);
  g_assert_cmpuint (status, ==, 200);
  submitted = imagegen_test_json_object (answer);
  /* queued for the first 10 ms of its 100 (the emulator's rule) */
  g_usleep (50000);
  for (i = 0; i < 2; i++) {
    g_autofree gchar *path =
        g_strdup_printf ("/blackforestlabs/flux-3/requests/%s/status?logs=1",
        json_object_get_string_member (submitted, "request_id"));
    g_autoptr (GBytes) bytes = imagegen_test_emulator_request (f.fx.emu,
        "GET", path, headers, NULL, NULL, &status);
    g_autoptr (JsonObject) obj = imagegen_test_json_object (bytes);
    JsonArray *logs = json_object_get_array_member (obj, "logs");

    g_assert_cmpuint (status, ==, 202);
    g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==,
        "IN_PROGRESS");
    g_assert_cmpstr (json_object_get_string_member
        (json_array_get_object_element (logs, 0), "message"), ==,
        i == 0 ? "Reasoning" : "Generating");
  }
  test_fixture_stop (&f);
}

/* FLUX 3.1's price by resolution: the table's and what the emulator
 * charges, alike at 1k, 2k and 4k (unconfirmed: the client counts none). */
static void
test_flux31_price_per_resolution (void)
{
  const gchar *tiers[] = { "1k", "2k", "4k" };
  const gint cents[] = { 3, 6, 28 };
  const ImagegenModelRow *row = imagegen_models_find ("fal",
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, FLUX31);
  gint64 charged = 0;
  TestFixture f;
  guint i;

  fixture_start (&f, "50", NULL);
  for (i = 0; i < G_N_ELEMENTS (tiers); i++) {
    g_autoptr (ImagegenRequest) req =
        imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, FLUX31,
        "a kite over dunes");
    g_autoptr (ImagegenResult) r = NULL;
    g_autoptr (JsonObject) body = json_object_new ();
    gint64 now;

    req->resolution = g_strdup (tiers[i]);
    json_object_set_string_member (body, "resolution", tiers[i]);
    g_assert_cmpint (imagegen_model_price_cents (row, body, FALSE), ==,
        cents[i]);
    g_assert_cmpint (imagegen_model_price_cents (row, body, TRUE), ==, -1);
    r = test_run_job (f.client, req, f.w);
    g_assert_no_error (r->error);
    g_assert_cmpint (r->cost_nanocents, ==, -1);
    now = imagegen_test_emulator_stat (f.fx.emu, "charged_cents");
    g_assert_cmpint (now - charged, ==, cents[i]);
    charged = now;
  }
  test_fixture_stop (&f);
}

/* fal's FLUX 3 edit takes 1 to 10 images of at most 4 MP each: none or
 * eleven are refused before anything is sent; an image over 4 MP is the
 * service's 422, in one sentence; an element sends frames within it. */
static void
test_flux3_edit_limits (void)
{
  g_autoptr (GBytes) small = test_make_png (64, 64);
  g_autoptr (GBytes) big = test_make_png (2100, 2000);
  g_autoptr (ImagegenRequest) none =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, FLUX3_EDIT, "x");
  g_autoptr (ImagegenRequest) eleven =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, FLUX3_EDIT, "x");
  g_autoptr (ImagegenRequest) huge =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, FLUX3_EDIT, "x");
  g_autoptr (ImagegenResult) r = NULL;
  const ImagegenModelRow *row = imagegen_models_find ("fal",
      IMAGEGEN_ENDPOINT_REMIX, FLUX3_EDIT);
  TestFixture f;
  guint i;

  {
    const gchar *args[] = { "--latency", "50", "--require-key", TEST_KEY,
      "--assets-port", "0", NULL
    };

    /* the emulator reads a 4 MP image slowly under the sanitizers: the
     * request timeout is a safety net here, not a bound */
    test_fixture_start (&f, TRUE, args, NULL);
    f.config.provider = IMAGEGEN_PROVIDER_FAL;
    f.config.request_timeout_s = 600;
    f.config.job_timeout_s = 1800;
    test_fixture_client (&f);
  }
  r = test_run_job (f.client, none, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (r->error->message, ==,
      "a remix needs at least one source image");
  for (i = 0; i < 11; i++)
    imagegen_request_add_source_image (eleven, small);
  imagegen_result_free (g_steal_pointer (&r));
  r = test_run_job (f.client, eleven, f.w);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (r->error->message, ==, "model " FLUX3_EDIT " takes at "
      "most 10 source image(s), 11 given");
  g_assert_cmpint (count (&f, "fal_submit"), ==, 0);

  imagegen_request_add_source_image (huge, big);
  imagegen_result_free (g_steal_pointer (&r));
  r = test_run_job (f.client, huge, f.w);
  g_assert_nonnull (r->error);
  if (strstr (r->error->message, "image_urls: Image 1 is 2100x2000 pixels, "
          "more than the 4 MP each image may have") == NULL)
    g_error ("the 4 MP refusal is not named: %s", r->error->message);
  g_assert_cmpint (count (&f, "fal_tasks"), ==, 0);
  test_fixture_stop (&f);

  /* a frame of any shape goes within 4 MP, whatever upload-max-side */
  g_assert_cmpuint (imagegen_model_upload_max_side (row, 0), ==, 2000);
  g_assert_cmpuint (imagegen_model_upload_max_side (row, 4096), ==, 2000);
  g_assert_cmpuint (imagegen_model_upload_max_side (row, 1024), ==, 1024);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv,
      "/fal/queue-text-to-image", test_queue_text_to_image,
      "/fal/queue-remix-data-uri", test_queue_remix_data_uri,
      "/fal/submit-429-and-stream-failure",
      test_submit_429_and_stream_failure,
      "/fal/failure-reported-as-completed", test_failure_reported_as_completed,
      "/fal/cancel", test_cancel, "/fal/wrong-key", test_wrong_key,
      "/fal/key-in-no-log", test_key_in_no_log, "/fal/key-hosts",
      test_key_hosts, "/fal/env-key", test_env_key, "/fal/paths", test_paths,
      "/fal/every-row", test_every_row, "/fal/price-without-provider",
      test_price_without_provider, "/fal/flux3-rows", test_flux3_rows,
      "/fal/flux3-reasoning-logs", test_flux3_reasoning_logs,
      "/fal/flux31-price-per-resolution", test_flux31_price_per_resolution,
      "/fal/flux3-edit-limits", test_flux3_edit_limits, NULL);
}
