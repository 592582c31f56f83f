/* gst-imagegen: the emulator as the services' own clients read it — the
 * fields and statuses their SDKs read, where the emulator used to differ
 * from the real service (issue 22).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-bfl-models.h"
#include "imagegen-models.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#define KEY "test-key"

static ImagegenTestEmulator *
start (const gchar * extra1, const gchar * extra2)
{
  const gchar *args[] = { "--latency", "0", extra1, extra2, NULL };

  return imagegen_test_emulator_start (args);
}

/* @method @path with a JSON @body (may be NULL) and the key in @key_header;
 * the answer as an object (NULL if not one), its status in @status. */
static JsonObject *
call (ImagegenTestEmulator * emu, const gchar * method, const gchar * path,
    const gchar * key_header, const gchar * body, guint * status)
{
  g_autofree gchar *bearer = g_strdup_printf ("Bearer %s", KEY);
  const gchar *headers[] = { key_header,
    g_str_equal (key_header, "Authorization") ? bearer : KEY, NULL
  };
  g_autoptr (GBytes) in = body ? g_bytes_new (body, strlen (body)) : NULL;
  g_autoptr (GBytes) out = imagegen_test_emulator_request (emu, method, path,
      headers, in, body ? "application/json" : NULL, status);

  return imagegen_test_json_object (out);
}

static gboolean
matches (const gchar * pattern, const gchar * text)
{
  return text != NULL && g_regex_match_simple (pattern, text, 0, 0);
}

static gchar *
base64_png (guint width, guint height)
{
  g_autoptr (GBytes) png = test_make_png (width, height);

  return g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
}

/* The body that creates a file of @png through the files resource. */
static gchar *
file_body (GBytes * png)
{
  g_autofree gchar *b64 = g_base64_encode (g_bytes_get_data (png, NULL),
      g_bytes_get_size (png));

  return g_strdup_printf ("{\"source\":{\"type\":\"base64\","
      "\"data\":\"%s\"},\"file_name\":\"frame.png\"}", b64);
}

/* ---- RunAPI ---- */

/* created_at/expires_at in whole seconds as the fixtures write them;
 * as_of the current day with six digits of fraction. */
static void
test_runapi_timestamps (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (GBytes) png = test_make_png (16, 16);
  g_autofree gchar *body = file_body (png);
  g_autoptr (GDateTime) before = g_date_time_new_now_utc ();
  g_autofree gchar *day_before = g_date_time_format (before, "%Y-%m-%d");
  g_autoptr (JsonObject) file = NULL;
  g_autoptr (JsonObject) schedules = NULL;
  g_autoptr (GDateTime) after = NULL;
  g_autofree gchar *day_after = NULL;
  const gchar *as_of;
  guint status;

  file = call (emu, "POST", "/api/v1/files", "Authorization", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (matches ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
          json_object_get_string_member (file, "created_at")));
  g_assert_true (matches ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
          json_object_get_string_member (file, "expires_at")));

  schedules = call (emu, "GET", "/api/v1/price_schedules?service=flux_2",
      "Authorization", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  after = g_date_time_new_now_utc ();
  day_after = g_date_time_format (after, "%Y-%m-%d");
  as_of = json_object_get_string_member (schedules, "as_of");
  g_assert_true (matches ("^\\d{4}-\\d\\d-\\d\\dT00:00:00\\.\\d{6}Z$", as_of));
  /* today's, even across midnight */
  g_assert_true (g_str_has_prefix (as_of, day_before)
      || g_str_has_prefix (as_of, day_after));
}

/* Each schedule carries the token price fields the SDK's type requires. */
static void
test_runapi_schedule_token_fields (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (JsonObject) answer = NULL;
  JsonArray *list;
  guint status, i;

  answer = call (emu, "GET", "/api/v1/price_schedules", "Authorization",
      NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  list = json_object_get_array_member (answer, "price_schedules");
  g_assert_cmpuint (json_array_get_length (list), >, 0);
  for (i = 0; i < json_array_get_length (list); i++) {
    JsonObject *s = json_array_get_object_element (list, i);

    g_assert_true (json_object_has_member (s, "input_per_1m_cents"));
    g_assert_true (json_object_has_member (s, "output_per_1m_cents"));
  }
}

/* A file's URL is on another origin than the API by default; on the API's
 * own with --same-origin. */
static void
test_runapi_assets_origin (void)
{
  const gchar *modes[] = { NULL, "--same-origin" };
  g_autoptr (GBytes) png = test_make_png (16, 16);
  g_autofree gchar *body = file_body (png);
  guint i, status;

  for (i = 0; i < G_N_ELEMENTS (modes); i++) {
    g_autoptr (ImagegenTestEmulator) emu = start (modes[i], NULL);
    g_autoptr (JsonObject) file = call (emu, "POST", "/api/v1/files",
        "Authorization", body, &status);
    const gchar *url = json_object_get_string_member (file, "url");
    const gchar *api = imagegen_test_emulator_get_base_url (emu);
    const gchar *assets = imagegen_test_emulator_get_assets_url (emu);

    g_assert_cmpuint (status, ==, 200);
    if (i == 0) {
      g_assert_nonnull (assets);
      g_assert_cmpstr (assets, !=, api);
      g_assert_true (g_str_has_prefix (url, assets));
      g_assert_false (g_str_has_prefix (url, api));
    } else {
      g_assert_null (assets);
      g_assert_true (g_str_has_prefix (url, api));
    }
    imagegen_test_emulator_stop (g_steal_pointer (&emu));
  }
}

/* @path's bytes (the content of a file). */
static GBytes *
get_bytes (ImagegenTestEmulator * emu, const gchar * path, guint * status)
{
  g_autofree gchar *bearer = g_strdup_printf ("Bearer %s", KEY);
  const gchar *headers[] = { "Authorization", bearer, NULL };

  return imagegen_test_emulator_request (emu, "GET", path, headers, NULL,
      NULL, status);
}

/* The SDK's files resource: create, list, retrieve, content, delete,
 * under /v1/ and /api/v1/, with RunAPI's error shape. */
static void
test_runapi_files_resource (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (GBytes) png = test_make_png (24, 16);
  g_autofree gchar *body = file_body (png);
  g_autoptr (JsonObject) file = NULL;
  g_autoptr (JsonObject) list = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonObject) deleted = NULL;
  g_autoptr (JsonObject) gone = NULL;
  g_autoptr (GBytes) content = NULL;
  g_autofree gchar *one = NULL;
  g_autofree gchar *content_path = NULL;
  guint status;

  file = call (emu, "POST", "/v1/files", "Authorization", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (file, "file_name"), ==,
      "frame.png");
  g_assert_cmpint (json_object_get_int_member (file, "size_bytes"), ==,
      g_bytes_get_size (png));
  one = g_strdup_printf ("/v1/files/%s",
      json_object_get_string_member (file, "id"));

  list = call (emu, "GET", "/api/v1/files", "Authorization", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member
          (list, "data")), ==, 1);
  again = call (emu, "GET", one, "Authorization", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (again, "url"), ==,
      json_object_get_string_member (file, "url"));
  content_path = g_strconcat (one, "/content", NULL);
  content = get_bytes (emu, content_path, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_bytes_equal (content, png));

  deleted = call (emu, "DELETE", one, "Authorization", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_get_boolean_member (deleted, "deleted"));
  gone = call (emu, "GET", one, "Authorization", NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  /* RunAPI's {"error":…}, not Black Forest Labs' {"detail":…} */
  g_assert_true (json_object_has_member (gone, "error"));
  g_assert_false (json_object_has_member (gone, "detail"));
}

/* The SDK's uploads resource: create, parts, complete (a file object),
 * cancel. */
static void
test_runapi_uploads_resource (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (GBytes) png = test_make_png (24, 16);
  gsize n = g_bytes_get_size (png), half = n / 2;
  const guint8 *d = g_bytes_get_data (png, NULL);
  g_autofree gchar *p1 = g_base64_encode (d, half);
  g_autofree gchar *p2 = g_base64_encode (d + half, n - half);
  g_autofree gchar *create = g_strdup_printf ("{\"filename\":\"frame.png\","
      "\"byte_size\":%" G_GSIZE_FORMAT ",\"content_type\":\"image/png\"}", n);
  g_autofree gchar *b1 = g_strdup_printf ("{\"data\":\"%s\"}", p1);
  g_autofree gchar *b2 = g_strdup_printf ("{\"data\":\"%s\"}", p2);
  g_autoptr (JsonObject) upload = NULL;
  g_autoptr (JsonObject) part = NULL;
  g_autoptr (JsonObject) part2 = NULL;
  g_autoptr (JsonObject) done = NULL;
  g_autoptr (JsonObject) other = NULL;
  g_autoptr (JsonObject) cancelled = NULL;
  g_autoptr (GBytes) content = NULL;
  g_autofree gchar *base = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *content_path = NULL;
  JsonObject *file;
  guint status;

  upload = call (emu, "POST", "/v1/uploads", "Authorization", create, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (upload, "status"), ==,
      "pending");
  base = g_strdup_printf ("/v1/uploads/%s",
      json_object_get_string_member (upload, "id"));
  path = g_strconcat (base, "/parts", NULL);
  part = call (emu, "POST", path, "Authorization", b1, &status);
  g_assert_cmpuint (status, ==, 200);
  part2 = call (emu, "POST", path, "Authorization", b2, &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (path);
  path = g_strconcat (base, "/complete", NULL);
  done = call (emu, "POST", path, "Authorization", "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (done, "status"), ==,
      "completed");
  file = json_object_get_object_member (done, "file");
  g_assert_cmpint (json_object_get_int_member (file, "size_bytes"), ==, n);
  content_path = g_strdup_printf ("/v1/files/%s/content",
      json_object_get_string_member (file, "id"));
  content = get_bytes (emu, content_path, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_bytes_equal (content, png));

  other = call (emu, "POST", "/v1/uploads", "Authorization", create, &status);
  g_free (path);
  path = g_strdup_printf ("/v1/uploads/%s/cancel",
      json_object_get_string_member (other, "id"));
  cancelled = call (emu, "POST", path, "Authorization", "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==,
      "cancelled");
}

/* ---- Black Forest Labs ---- */

/* Polls @id until its status is no longer Pending. */
static JsonObject *
bfl_wait (ImagegenTestEmulator * emu, const gchar * id)
{
  g_autofree gchar *path = g_strdup_printf ("/v1/get_result?id=%s", id);
  guint i, status;

  for (i = 0; i < 600; i++) {
    JsonObject *r = call (emu, "GET", path, "x-key", NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    if (g_strcmp0 (json_object_get_string_member (r, "status"), "Pending") != 0)
      return r;
    json_object_unref (r);
    g_usleep (50 * 1000);
  }
  g_assert_not_reached ();
  return NULL;
}

/* The bytes of a Ready result's result.sample. */
static GBytes *
bfl_sample (JsonObject * result)
{
  const gchar *url = json_object_get_string_member
      (json_object_get_object_member (result, "result"), "sample");
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  GBytes *bytes = soup_session_send_and_read (session, msg, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return bytes;
}

/* output_format is honoured; without one, their default jpeg. */
static void
test_bfl_output_format (void)
{
  const gchar *asked[] = { NULL, "jpeg", "png" };
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  guint i, status;

  for (i = 0; i < G_N_ELEMENTS (asked); i++) {
    g_autofree gchar *format = asked[i] ?
        g_strdup_printf (",\"output_format\":\"%s\"", asked[i]) : g_strdup ("");
    g_autofree gchar *body = g_strdup_printf ("{\"prompt\":\"a red kite\","
        "\"width\":256,\"height\":256%s}", format);
    g_autoptr (JsonObject) submit = call (emu, "POST", "/v1/flux-2-klein-4b",
        "x-key", body, &status);
    g_autoptr (JsonObject) result = NULL;
    g_autoptr (GBytes) image = NULL;

    g_assert_cmpuint (status, ==, 200);
    result = bfl_wait (emu, json_object_get_string_member (submit, "id"));
    g_assert_cmpstr (json_object_get_string_member (result, "status"), ==,
        "Ready");
    image = bfl_sample (result);
    if (g_strcmp0 (asked[i], "png") == 0)
      g_assert_true (test_is_png (image));
    else
      g_assert_true (test_is_jpeg (image));
  }
}

/* cost, input_mp and output_mp by BFL's formula: first output MP, each
 * further output MP, each input MP (megapixels of 10^6 pixels). */
static void
test_bfl_submit_cost (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autofree gchar *b64 = base64_png (200, 120);
  g_autofree gchar *edit = g_strdup_printf ("{\"prompt\":\"paint it\","
      "\"input_image\":\"%s\"}", b64);
  g_autoptr (JsonObject) t2i = NULL;
  g_autoptr (JsonObject) e = NULL;
  gdouble out_mp = 1024.0 * 1024 / 1e6, in_mp = 200.0 * 120 / 1e6;
  guint status;

  /* pro, 1024 x 1024 out: 3 + 0.048576 x 1.5 */
  t2i = call (emu, "POST", "/v1/flux-2-pro", "x-key",
      "{\"prompt\":\"a red kite\",\"width\":1024,\"height\":1024}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (t2i,
          "output_mp"), out_mp, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (t2i,
          "input_mp"), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (t2i,
          "cost"), 3 + (out_mp - 1) * 1.5, 1e-9);

  /* klein 4B edit without a size: the output keeps the input's shape in
   * steps of 16 (208 x 128); 1.4 for the first output MP + 0.1 per input
   * MP, not rounded to a whole credit */
  e = call (emu, "POST", "/v1/flux-2-klein-4b", "x-key", edit, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (e,
          "input_mp"), in_mp, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (e,
          "output_mp"), 208.0 * 128 / 1e6, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (e,
          "cost"), 1.4 + in_mp * 0.1, 1e-9);
}

typedef struct
{
  GMutex lock;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  gchar *url;
  gchar *body;
  gchar *signature;
  guint posts;
  GThread *thread;
} Hook;

static void
hook_cb (SoupServer * server, SoupServerMessage * msg, const gchar * path,
    GHashTable * query, gpointer user_data)
{
  Hook *h = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);

  g_mutex_lock (&h->lock);
  g_free (h->body);
  h->body = g_strndup (g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes));
  g_free (h->signature);
  h->signature = g_strdup (soup_message_headers_get_one
      (soup_server_message_get_request_headers (msg), "X-BFL-Signature"));
  h->posts++;
  g_mutex_unlock (&h->lock);
  soup_server_message_set_status (msg, 200, NULL);
}

static gpointer
hook_thread (gpointer data)
{
  Hook *h = data;
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (h->context);
  h->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (h->server, NULL, hook_cb, h, NULL);
  g_assert_true (soup_server_listen_local (h->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (h->server);
  g_mutex_lock (&h->lock);
  h->url = g_uri_to_string (uris->data);
  g_mutex_unlock (&h->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (h->loop);
  g_object_unref (h->server);
  g_main_context_pop_thread_default (h->context);
  return NULL;
}

/* Starts @h's server on a thread of its own; returns its URL. */
static gchar *
hook_start (Hook * h)
{
  gchar *url = NULL;

  g_mutex_init (&h->lock);
  h->context = g_main_context_new ();
  h->loop = g_main_loop_new (h->context, FALSE);
  h->thread = g_thread_new ("hook", hook_thread, h);
  while (url == NULL) {
    g_mutex_lock (&h->lock);
    url = g_strdup (h->url);
    g_mutex_unlock (&h->lock);
    if (url == NULL)
      g_usleep (10 * 1000);
  }
  return url;
}

static void
hook_stop (Hook * h)
{
  g_main_loop_quit (h->loop);
  g_thread_join (h->thread);
  g_main_loop_unref (h->loop);
  g_main_context_unref (h->context);
  g_free (h->url);
  g_free (h->body);
  g_free (h->signature);
  g_mutex_clear (&h->lock);
}

/* Waits (up to 60 s) until @h has had @n posts. */
static guint
hook_wait (Hook * h, guint n)
{
  guint i, posts = 0;

  for (i = 0; i < 1200 && posts < n; i++) {
    g_mutex_lock (&h->lock);
    posts = h->posts;
    g_mutex_unlock (&h->lock);
    if (posts < n)
      g_usleep (50 * 1000);
  }
  return posts;
}

/* How many lines of the request log are @event. */
static guint
count_events (GPtrArray * lines, const gchar * event)
{
  guint i, n = 0;

  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (g_strcmp0 (json_object_get_string_member_with_default (l, "event",
                NULL), event) == 0)
      n++;
  }
  return n;
}

/* webhook_url and webhook_secret are taken; the finished task is posted
 * to a loopback URL with X-BFL-Signature: sha256=<HMAC-SHA256 of the
 * body>; a URL off this machine gets nothing. */
static void
test_bfl_webhook (void)
{
  g_autoptr (ImagegenTestEmulator) emu = NULL;
  g_autoptr (JsonObject) submit = NULL;
  g_autoptr (JsonObject) far = NULL;
  g_autoptr (JsonObject) done = NULL;
  g_autoptr (GBytes) body_bytes = NULL;
  g_autoptr (JsonObject) posted = NULL;
  g_autofree gchar *hook_url = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *hex = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *log = imagegen_test_log_new ();
  g_autoptr (GPtrArray) lines = NULL;
  const gchar *args[] = { "--latency", "0", "--log", log, NULL };
  Hook h = { 0, };
  guint status, refused = 0;

  hook_url = hook_start (&h);

  emu = imagegen_test_emulator_start (args);
  body = g_strdup_printf ("{\"prompt\":\"a red kite\",\"width\":256,"
      "\"height\":256,\"webhook_url\":\"%shook\",\"webhook_secret\":"
      "\"s3cret\"}", hook_url);
  submit = call (emu, "POST", "/v1/flux-2-klein-4b", "x-key", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (hook_wait (&h, 1), ==, 1);

  g_mutex_lock (&h.lock);
  hex = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)
      "s3cret", 6, h.body, -1);
  expected = g_strconcat ("sha256=", hex, NULL);
  g_assert_cmpstr (h.signature, ==, expected);
  body_bytes = g_bytes_new (h.body, strlen (h.body));
  g_mutex_unlock (&h.lock);
  posted = imagegen_test_json_object (body_bytes);
  g_assert_cmpstr (json_object_get_string_member (posted, "id"), ==,
      json_object_get_string_member (submit, "id"));
  g_assert_cmpstr (json_object_get_string_member (posted, "status"), ==,
      "Ready");

  /* TEST-NET-1: never posted to, whatever happens on the network */
  far = call (emu, "POST", "/v1/flux-2-klein-4b", "x-key",
      "{\"prompt\":\"a red kite\",\"width\":256,\"height\":256,"
      "\"webhook_url\":\"http://192.0.2.1/hook\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  done = bfl_wait (emu, json_object_get_string_member (far, "id"));
  g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "Ready");
  imagegen_test_emulator_stop (g_steal_pointer (&emu));
  lines = imagegen_test_read_log (log);
  refused = count_events (lines, "callback_not_loopback");
  g_assert_cmpuint (refused, ==, 1);
  g_assert_cmpuint (h.posts, ==, 1);

  hook_stop (&h);
  imagegen_test_log_remove (log);
}

/* RunAPI's callback_url: the task object is posted to a loopback URL,
 * nothing to one off this machine. */
static void
test_runapi_callback_loopback_only (void)
{
  g_autofree gchar *log = imagegen_test_log_new ();
  const gchar *args[] = { "--latency", "0", "--log", log, NULL };
  g_autoptr (ImagegenTestEmulator) emu = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autofree gchar *hook_url = NULL;
  g_autofree gchar *near = NULL;
  g_autoptr (JsonObject) a = NULL;
  g_autoptr (JsonObject) b = NULL;
  g_autoptr (JsonObject) posted = NULL;
  g_autoptr (GBytes) body_bytes = NULL;
  Hook h = { 0, };
  guint status, i, refused = 0;

  hook_url = hook_start (&h);
  emu = imagegen_test_emulator_start (args);
  near = g_strdup_printf ("{\"model\":\"flux-2-pro-text-to-image\","
      "\"prompt\":\"a red kite\",\"callback_url\":\"%scb\"}", hook_url);
  a = call (emu, "POST", "/api/v1/flux_2/text_to_image", "Authorization",
      near, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (hook_wait (&h, 1), ==, 1);
  g_mutex_lock (&h.lock);
  body_bytes = g_bytes_new (h.body, strlen (h.body));
  /* RunAPI's callbacks are not signed */
  g_assert_null (h.signature);
  g_mutex_unlock (&h.lock);
  posted = imagegen_test_json_object (body_bytes);
  g_assert_cmpstr (json_object_get_string_member (posted, "id"), ==,
      json_object_get_string_member (a, "id"));

  b = call (emu, "POST", "/api/v1/flux_2/text_to_image", "Authorization",
      "{\"model\":\"flux-2-pro-text-to-image\",\"prompt\":\"a red kite\","
      "\"callback_url\":\"http://192.0.2.1/cb\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  /* the refusal is logged when the task ends */
  for (i = 0; i < 600 && refused == 0; i++) {
    g_clear_pointer (&lines, g_ptr_array_unref);
    lines = imagegen_test_read_log (log);
    refused = count_events (lines, "callback_not_loopback");
    if (refused == 0)
      g_usleep (50 * 1000);
  }
  g_assert_cmpuint (refused, ==, 1);
  imagegen_test_emulator_stop (g_steal_pointer (&emu));
  g_assert_cmpuint (h.posts, ==, 1);

  hook_stop (&h);
  imagegen_test_log_remove (log);
}

/* A 512x512 kite submitted to @path: accepted, and its result ends in
 * @status. */
static void
bfl_kite (ImagegenTestEmulator * emu, const gchar * path,
    const gchar * status)
{
  guint http;
  g_autoptr (JsonObject) submit = call (emu, "POST", path, "x-key",
      "{\"prompt\":\"a red kite\",\"width\":512,\"height\":512}", &http);
  g_autoptr (JsonObject) result = NULL;

  g_assert_cmpuint (http, ==, 200);
  g_assert_true (json_object_has_member (submit, "polling_url"));
  result = bfl_wait (emu, json_object_get_string_member (submit, "id"));
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==,
      status);
}

/* The preview endpoints answer as their base models. */
static void
test_bfl_previews (void)
{
  const gchar *paths[] = { "/v1/flux-2-pro-preview",
    "/v1/flux-2-klein-9b-preview"
  };
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++)
    bfl_kite (emu, paths[i], "Ready");
}

/* "Request Moderated" from the request-moderated fault. */
static void
test_bfl_request_moderated (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start ("--fail",
      "task:request-moderated");

  bfl_kite (emu, "/v1/flux-2-pro", "Request Moderated");
}

/* get_result requires its id: 422 naming query.id. */
static void
test_bfl_get_result_needs_id (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (JsonObject) answer = NULL;
  JsonArray *loc;
  guint status;

  answer = call (emu, "GET", "/v1/get_result", "x-key", NULL, &status);
  g_assert_cmpuint (status, ==, 422);
  loc = json_object_get_array_member (json_array_get_object_element
      (json_object_get_array_member (answer, "detail"), 0), "loc");
  g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "query");
  g_assert_cmpstr (json_array_get_string_element (loc, 1), ==, "id");
}

/* At most 4 MP of 10^6 pixels: 2048 x 2048 (4.19) is refused, 2000 x 2000
 * taken; the client fits a 2048 x 2048 frame within it. */
static void
test_bfl_four_megapixels (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start (NULL, NULL);
  g_autoptr (JsonObject) over = NULL;
  g_autoptr (JsonObject) at = NULL;
  guint status, w, h;

  over = call (emu, "POST", "/v1/flux-2-pro", "x-key",
      "{\"prompt\":\"a red kite\",\"width\":2048,\"height\":2048}", &status);
  g_assert_cmpuint (status, ==, 422);
  at = call (emu, "POST", "/v1/flux-2-pro", "x-key",
      "{\"prompt\":\"a red kite\",\"width\":2000,\"height\":2000}", &status);
  g_assert_cmpuint (status, ==, 200);
  imagegen_test_emulator_stop (g_steal_pointer (&emu));

  imagegen_bfl_fit_size (2048, 2048, &w, &h);
  g_assert_cmpuint ((guint64) w * h, <=, 4000000);
  g_assert_cmpuint (w % 16, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/emulator-wire/runapi/timestamps", test_runapi_timestamps);
  g_test_add_func ("/emulator-wire/runapi/schedule-token-fields",
      test_runapi_schedule_token_fields);
  g_test_add_func ("/emulator-wire/runapi/assets-origin",
      test_runapi_assets_origin);
  g_test_add_func ("/emulator-wire/runapi/files-resource",
      test_runapi_files_resource);
  g_test_add_func ("/emulator-wire/runapi/uploads-resource",
      test_runapi_uploads_resource);
  g_test_add_func ("/emulator-wire/runapi/callback-loopback-only",
      test_runapi_callback_loopback_only);
  g_test_add_func ("/emulator-wire/bfl/output-format", test_bfl_output_format);
  g_test_add_func ("/emulator-wire/bfl/submit-cost", test_bfl_submit_cost);
  g_test_add_func ("/emulator-wire/bfl/webhook", test_bfl_webhook);
  g_test_add_func ("/emulator-wire/bfl/previews", test_bfl_previews);
  g_test_add_func ("/emulator-wire/bfl/request-moderated",
      test_bfl_request_moderated);
  g_test_add_func ("/emulator-wire/bfl/get-result-needs-id",
      test_bfl_get_result_needs_id);
  g_test_add_func ("/emulator-wire/bfl/four-megapixels",
      test_bfl_four_megapixels);
  return g_test_run ();
}
