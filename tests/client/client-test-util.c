/* gst-imagegen client tests: shared helpers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-models.h"

#include <glib/gstdio.h>
#include <string.h>

TestWaiter *
test_waiter_new (void)
{
  TestWaiter *w = g_new0 (TestWaiter, 1);

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_queue_init (&w->results);
  w->events = g_ptr_array_new_with_free_func (g_free);
  w->log = g_ptr_array_new_with_free_func (g_free);
  return w;
}

void
test_waiter_free (TestWaiter * w)
{
  g_queue_clear_full (&w->results, (GDestroyNotify) imagegen_result_free);
  g_ptr_array_unref (w->events);
  g_ptr_array_unref (w->log);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

void
test_waiter_done_cb (ImagegenResult * result, gpointer user_data)
{
  TestWaiter *w = user_data;

  g_mutex_lock (&w->lock);
  g_queue_push_tail (&w->results, result);
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

void
test_waiter_event_cb (const gchar * event, const ImagegenResult * progress,
    gpointer user_data)
{
  TestWaiter *w = user_data;

  g_assert_nonnull (progress);
  if (g_str_equal (event, "submitted"))
    g_assert_nonnull (progress->task_id);
  g_mutex_lock (&w->lock);
  g_ptr_array_add (w->events, g_strdup (event));
  g_mutex_unlock (&w->lock);
}

ImagegenResult *
test_waiter_pop (TestWaiter * w)
{
  gint64 end = g_get_monotonic_time () + 300 * G_TIME_SPAN_SECOND;
  ImagegenResult *r;

  g_mutex_lock (&w->lock);
  while (g_queue_is_empty (&w->results))
    if (!g_cond_wait_until (&w->cond, &w->lock, end))
      break;
  r = g_queue_pop_head (&w->results);
  g_mutex_unlock (&w->lock);
  g_assert_nonnull (r);
  return r;
}

guint
test_waiter_count (TestWaiter * w)
{
  guint n;

  g_mutex_lock (&w->lock);
  n = g_queue_get_length (&w->results);
  g_mutex_unlock (&w->lock);
  return n;
}

guint
test_waiter_count_events (TestWaiter * w, const gchar * event)
{
  guint i, n = 0;

  g_mutex_lock (&w->lock);
  for (i = 0; i < w->events->len; i++)
    n += g_str_equal (g_ptr_array_index (w->events, i), event);
  g_mutex_unlock (&w->lock);
  return n;
}

void
test_waiter_log_cb (ImagegenLogLevel level, const gchar * file,
    const gchar * function, gint line, const gchar * message,
    gpointer user_data)
{
  TestWaiter *w = user_data;

  g_assert_nonnull (file);
  g_assert_nonnull (function);
  g_assert_cmpint (line, >, 0);
  g_mutex_lock (&w->lock);
  g_ptr_array_add (w->log, g_strdup_printf ("%d %s", level, message));
  g_mutex_unlock (&w->lock);
}

guint
test_waiter_count_log (TestWaiter * w, gint level, const gchar * text)
{
  g_autofree gchar *prefix = g_strdup_printf ("%d ", level);
  guint i, n = 0;

  g_mutex_lock (&w->lock);
  for (i = 0; i < w->log->len; i++) {
    const gchar *l = g_ptr_array_index (w->log, i);

    n += (level < 0 || g_str_has_prefix (l, prefix)) && strstr (l, text);
  }
  g_mutex_unlock (&w->lock);
  return n;
}

void
test_config_log_to (ImagegenClientConfig * config, TestWaiter * w)
{
  config->log_func = test_waiter_log_cb;
  config->log_data = w;
}

void
test_config_init (ImagegenClientConfig * config, ImagegenTestEmulator * emu)
{
  imagegen_client_config_init (config);
  g_free (config->base_url);
  config->base_url = g_strdup (imagegen_test_emulator_get_base_url (emu));
  config->api_key = g_strdup (TEST_KEY);
  config->retry_base_ms = 50;
  config->retry_max_ms = 200;
}

ImagegenResult *
test_run_job (ImagegenClient * client, const ImagegenRequest * request,
    TestWaiter * w)
{
  imagegen_client_submit (client, request, NULL, test_waiter_event_cb,
      test_waiter_done_cb, w);
  return test_waiter_pop (w);
}

ImagegenResult *
test_run_config (const ImagegenClientConfig * config,
    const ImagegenRequest * request)
{
  ImagegenClient *client = imagegen_client_new (config);
  TestWaiter *w = test_waiter_new ();
  g_autoptr (ImagegenRequest) t2i = NULL;
  ImagegenResult *r;

  if (request == NULL)
    request = t2i = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
        TEST_T2I_MODEL, "a lighthouse at dusk");
  r = test_run_job (client, request, w);
  imagegen_client_free (client);
  test_waiter_free (w);
  return r;
}

ImagegenResult *
test_run_direct_upload (ImagegenTestEmulator * emu)
{
  g_autoptr (GBytes) png = test_make_png (32, 24);
  g_autoptr (ImagegenRequest) req = NULL;
  ImagegenClientConfig config;
  ImagegenResult *r;

  test_config_init (&config, emu);
  config.direct_upload = TRUE;
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, TEST_REMIX_MODEL,
      "invert the colours");
  imagegen_request_add_source_image (req, png);
  r = test_run_config (&config, req);
  imagegen_client_config_clear (&config);
  return r;
}

/* ---- a PNG writer, stored (uncompressed) deflate blocks ---- */

static guint32 crc_table[256];

static guint32
crc32 (const guint8 * data, gsize len, guint32 crc)
{
  gsize i;

  if (crc_table[1] == 0) {
    guint32 n, c, k;

    for (n = 0; n < 256; n++) {
      c = n;
      for (k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }
  }
  crc ^= 0xffffffffu;
  for (i = 0; i < len; i++)
    crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

static void
put_be32 (GByteArray * a, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

static void
put_chunk (GByteArray * png, const gchar * type, const guint8 * data,
    gsize len)
{
  guint32 crc;

  put_be32 (png, len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (png, data, len);
  crc = crc32 ((const guint8 *) type, 4, 0);
  crc = crc32 (data, len, crc);
  put_be32 (png, crc);
}

GBytes *
test_make_png (guint width, guint height)
{
  GByteArray *png = g_byte_array_new ();
  GByteArray *raw = g_byte_array_new ();
  GByteArray *z = g_byte_array_new ();
  guint8 ihdr[13];
  guint32 a = 1, b = 0;
  guint x, y, i;
  gsize off;

  /* Scanlines: filter byte 0, then RGB. */
  for (y = 0; y < height; y++) {
    guint8 f = 0;

    g_byte_array_append (raw, &f, 1);
    for (x = 0; x < width; x++) {
      guint8 px[3] = { x * 255 / MAX (width - 1, 1),
        y * 255 / MAX (height - 1, 1), 128
      };
      g_byte_array_append (raw, px, 3);
    }
  }

  /* zlib: header, stored blocks, Adler-32. */
  {
    guint8 hdr[2] = { 0x78, 0x01 };
    g_byte_array_append (z, hdr, 2);
  }
  for (off = 0; off == 0 || off < raw->len;) {
    gsize n = MIN (raw->len - off, 65535);
    guint8 blk[5] = { off + n >= raw->len ? 1 : 0, n & 0xff, n >> 8,
      ~n & 0xff, (~n >> 8) & 0xff
    };

    g_byte_array_append (z, blk, 5);
    g_byte_array_append (z, raw->data + off, n);
    off += n;
    if (n == 0)
      break;
  }
  for (i = 0; i < raw->len; i++) {
    a = (a + raw->data[i]) % 65521;
    b = (b + a) % 65521;
  }
  put_be32 (z, (b << 16) | a);

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  ihdr[0] = width >> 24;
  ihdr[1] = width >> 16;
  ihdr[2] = width >> 8;
  ihdr[3] = width;
  ihdr[4] = height >> 24;
  ihdr[5] = height >> 16;
  ihdr[6] = height >> 8;
  ihdr[7] = height;
  ihdr[8] = 8;                  /* bit depth */
  ihdr[9] = 2;                  /* RGB */
  ihdr[10] = ihdr[11] = ihdr[12] = 0;
  put_chunk (png, "IHDR", ihdr, 13);
  put_chunk (png, "IDAT", z->data, z->len);
  put_chunk (png, "IEND", NULL, 0);

  g_byte_array_unref (raw);
  g_byte_array_unref (z);
  return g_byte_array_free_to_bytes (png);
}

gboolean
test_is_png (GBytes * bytes)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);

  return n > 8 && memcmp (d, "\x89PNG\r\n\x1a\n", 8) == 0;
}

gboolean
test_is_jpeg (GBytes * bytes)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);

  return n > 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
}

gboolean
test_image_size (GBytes * image, guint * width, guint * height)
{
  gsize n, i;
  const guint8 *d = g_bytes_get_data (image, &n);

  if (test_is_png (image) && n > 24) {
    *width = GUINT32_FROM_BE (*(const guint32 *) (d + 16));
    *height = GUINT32_FROM_BE (*(const guint32 *) (d + 20));
    return TRUE;
  }
  if (!test_is_jpeg (image))
    return FALSE;
  /* the first start-of-frame segment (not DHT, JPG or DAC) */
  for (i = 2; i + 9 < n && d[i] == 0xff; i += 2 + ((d[i + 2] << 8) | d[i + 3]))
    if (d[i + 1] >= 0xc0 && d[i + 1] <= 0xcf && d[i + 1] != 0xc4
        && d[i + 1] != 0xc8 && d[i + 1] != 0xcc) {
      *height = (d[i + 5] << 8) | d[i + 6];
      *width = (d[i + 7] << 8) | d[i + 8];
      return TRUE;
    }
  return FALSE;
}

/* @member of task @task_id's record in /emulator/stats, -1 when there is
 * no such task. */
static gint64
task_int (ImagegenTestEmulator * emu, const gchar * task_id,
    const gchar * member)
{
  g_autoptr (JsonObject) stats = imagegen_test_emulator_stats (emu);
  JsonArray *tasks;
  guint i;

  g_assert_nonnull (stats);
  tasks = json_object_get_array_member (stats, "tasks");
  for (i = 0; i < json_array_get_length (tasks); i++) {
    JsonObject *t = json_array_get_object_element (tasks, i);

    if (g_strcmp0 (json_object_get_string_member (t, "id"), task_id) == 0)
      return json_object_get_int_member (t, member);
  }
  return -1;
}

gint64
test_task_duration_us (ImagegenTestEmulator * emu, const gchar * task_id)
{
  gint64 completed = task_int (emu, task_id, "completed_at_us");

  return completed > 0 ?
      completed - task_int (emu, task_id, "created_at_us") : -1;
}

gint64
test_task_polls (ImagegenTestEmulator * emu, const gchar * task_id)
{
  return task_int (emu, task_id, "polls");
}

void
test_fixture_start (TestFixture * f, gboolean logged,
    const gchar * const *args, const gchar * const *more_args)
{
  memset (f, 0, sizeof (*f));
  imagegen_test_fixture_start (&f->fx, logged, args, more_args);
  f->w = test_waiter_new ();
  test_config_init (&f->config, f->fx.emu);
  test_config_log_to (&f->config, f->w);
}

void
test_fixture_client (TestFixture * f)
{
  f->client = imagegen_client_new (&f->config);
}

void
test_fixture_stop (TestFixture * f)
{
  g_clear_pointer (&f->client, imagegen_client_free);
  imagegen_client_config_clear (&f->config);
  test_waiter_free (f->w);
  imagegen_test_fixture_stop (&f->fx);
}

void
test_assert_no_key_on_assets (ImagegenTestEmulator * emu, gint64 n)
{
  imagegen_test_assert_stats (emu, "assets_requests", n,
      "assets_requests_with_authorization", 0,
      "download_requests_with_authorization", 0, NULL);
}

guint
test_run_every_row (ImagegenClient * client, TestWaiter * w,
    const gchar * provider, guint width, guint height)
{
  g_autoptr (GBytes) png = test_make_png (64, 64);
  const ImagegenModelRow *row;
  guint i, k, n = 0;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    g_autoptr (ImagegenRequest) req = NULL;
    g_autoptr (ImagegenResult) r = NULL;
    g_autofree gchar *expected = NULL;
    guint got_w, got_h;

    if (!g_str_equal (row->provider, provider) || row->realtime)
      continue;
    n++;
    req = imagegen_request_new (row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE ?
        IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE : IMAGEGEN_ENDPOINT_REMIX, row->model,
        "invert the colours");
    req->width = width;
    req->height = height;
    for (k = 0; k < row->input_max; k++)
      imagegen_request_add_source_image (req, png);
    r = test_run_job (client, req, w);
    g_assert_no_error (r->error);
    g_assert_true (test_image_size (r->image, &got_w, &got_h));
    /* a tier row (FLUX 3) makes its tier's size, not the one asked
     * (test-client-flux3.c checks it), and so does a fal row that takes
     * no image_size (FLUX 3 on fal, test-client-fal.c) */
    if (imagegen_model_row_field (row, "resolution") == NULL
        && (!g_str_equal (provider, "fal")
            || imagegen_model_row_field (row, "image_size") != NULL)) {
      g_assert_cmpuint (got_w, ==, width);
      g_assert_cmpuint (got_h, ==, height);
    }
    if (row->input_max == 0)
      continue;
    imagegen_result_free (g_steal_pointer (&r));
    imagegen_request_add_source_image (req, png);
    r = test_run_job (client, req, w);
    expected = g_strdup_printf ("model %s takes at most %u source image(s), "
        "%u given", row->model, row->input_max, row->input_max + 1);
    g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (r->error->message, ==, expected);
  }
  return n;
}

static void
job_case (gconstpointer data)
{
  const TestJobCase *c = data;
  TestFixture f;
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      c->model ? c->model : TEST_T2I_MODEL,
      c->prompt ? c->prompt : "a quiet harbour");
  g_autoptr (ImagegenResult) r = NULL;
  guint i;

  test_fixture_start (&f, FALSE, c->args, c->more_args);
  if (c->max_retries > 0)
    f.config.max_retries = c->max_retries;
  if (c->request_timeout_s > 0)
    f.config.request_timeout_s = c->request_timeout_s;
  if (c->job_timeout_s > 0)
    f.config.job_timeout_s = c->job_timeout_s;
  if (c->rate_limit_timeout_s > 0)
    f.config.rate_limit_timeout_s = c->rate_limit_timeout_s;
  if (c->tweak != NULL)
    c->tweak (&f.config);
  test_fixture_client (&f);
  req->aspect_ratio = g_strdup (c->aspect_ratio);
  req->width = c->width;
  req->height = c->height;
  r = test_run_job (f.client, req, f.w);
  if (c->ok) {
    g_assert_no_error (r->error);
  } else {
    g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, (gint) c->code);
    g_test_message ("%s", r->error->message);
  }
  if (c->check_retries)
    g_assert_cmpuint (r->retries, ==, c->retries);
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

void
test_add_job_cases (const TestJobCase * cases, guint n_cases)
{
  guint i;

  for (i = 0; i < n_cases; i++)
    g_test_add_data_func (cases[i].path, &cases[i], job_case);
}

int
test_run_with_cases (int *argc, char ***argv, const TestJobCase * cases,
    guint n_cases, ...)
{
  const gchar *path;
  va_list ap;

  g_test_init (argc, argv, NULL);
  test_add_job_cases (cases, n_cases);
  va_start (ap, n_cases);
  while ((path = va_arg (ap, const gchar *)) != NULL)
    g_test_add_func (path, va_arg (ap, GTestFunc));
  va_end (ap);
  return g_test_run ();
}

void
test_check_assets_origin (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_true (g_str_has_prefix (r->image_url,
          imagegen_test_emulator_get_assets_url (f->fx.emu)));
  test_assert_no_key_on_assets (f->fx.emu, 1);
}
