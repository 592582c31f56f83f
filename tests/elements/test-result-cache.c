/* gst-imagegen: the result cache (gstimagegencache.c) on its own — what
 * goes into a key, torn and foreign entries, the size limit, and threads
 * storing and reading one entry at once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include <utime.h>
#include <glib/gstdio.h>
#include "gstimagegencache.h"

static gchar *
temp_cache (GstImagegenCache * cache)
{
  gchar *dir = g_dir_make_tmp ("imagegen-cache-XXXXXX", NULL);

  gst_imagegen_cache_init (cache);
  cache->dir = g_build_filename (dir, "results", NULL);
  return dir;
}

static void
remove_tree (const gchar * dir)
{
  gchar *command = g_strdup_printf ("rm -rf '%s'", dir);
  fail_unless (system (command) == 0);
  g_free (command);
}

static ImagegenRequest *
remix_request (const gchar * prompt, const gchar * frame_bytes)
{
  ImagegenRequest *request = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX,
      "flux-2-pro-remix-image", prompt);
  GBytes *frame = g_bytes_new (frame_bytes, strlen (frame_bytes));

  imagegen_request_add_source_image (request, frame);
  g_bytes_unref (frame);
  return request;
}

static gchar *
key_of (GstImagegenCache * cache, ImagegenRequest * request)
{
  gchar *key = gst_imagegen_cache_key (cache, "runapi", request);
  imagegen_request_free (request);
  return key;
}

GST_START_TEST (test_key_covers_every_field)
{
  /* each a change of one field from "watercolour" on "frame one" */
  static const struct
  {
    const gchar *what, *prompt, *frame, *model, *resolution, *aspect_ratio,
        *provider;
  } changes[] = {
    {"the prompt", "oil painting", "frame one"},
    {"the source image's bytes", "watercolour", "frame two"},
    {"the model", "watercolour", "frame one", "flux-2-flex-remix-image"},
    {"the resolution", "watercolour", "frame one", NULL, "2k"},
    {"the aspect ratio", "watercolour", "frame one", NULL, NULL, "16:9"},
    {"the provider", "watercolour", "frame one", NULL, NULL, NULL,
        "other-provider"},
  };
  GstImagegenCache cache;
  gchar *dir = temp_cache (&cache);
  ImagegenRequest *r;
  gchar *base, *k;
  guint i;

  base = key_of (&cache, remix_request ("watercolour", "frame one"));
  k = key_of (&cache, remix_request ("watercolour", "frame one"));
  fail_unless_equals_string (k, base);
  g_free (k);

  for (i = 0; i < G_N_ELEMENTS (changes); i++) {
    r = remix_request (changes[i].prompt, changes[i].frame);
    if (changes[i].model != NULL) {
      g_free (r->model);
      r->model = g_strdup (changes[i].model);
    }
    r->resolution = g_strdup (changes[i].resolution);
    r->aspect_ratio = g_strdup (changes[i].aspect_ratio);
    k = gst_imagegen_cache_key (&cache, changes[i].provider ?
        changes[i].provider : "runapi", r);
    imagegen_request_free (r);
    fail_if (g_str_equal (k, base), "%s is in the key", changes[i].what);
    g_free (k);
  }

  /* "prompt" + "" and "" + "prompt" must differ: fields are delimited */
  r = remix_request ("ab", "frame one");
  g_free (r->model);
  r->model = g_strdup ("");
  k = key_of (&cache, r);
  r = remix_request ("", "frame one");
  g_free (r->model);
  r->model = g_strdup ("ab");
  g_free (base);
  base = key_of (&cache, r);
  fail_if (g_str_equal (k, base));
  g_free (k);
  g_free (base);

  gst_imagegen_cache_clear (&cache);
  remove_tree (dir);
  g_free (dir);
}

GST_END_TEST;

/* an uploaded reference's URL expires: the key names its bytes */
GST_START_TEST (test_key_names_uploads_by_their_bytes)
{
  GstImagegenCache cache;
  gchar *dir = temp_cache (&cache);
  GBytes *style = g_bytes_new_static ("style image", 11);
  GBytes *other = g_bytes_new_static ("other image", 11);
  ImagegenRequest *r;
  gchar *k1, *k2, *k3;

  gst_imagegen_cache_alias_url (&cache, "https://files.example/a?sig=1",
      style);
  gst_imagegen_cache_alias_url (&cache, "https://files.example/b?sig=2",
      style);
  gst_imagegen_cache_alias_url (&cache, "https://files.example/c?sig=3",
      other);

  r = remix_request ("watercolour", "frame");
  imagegen_request_add_source_url (r, "https://files.example/a?sig=1");
  k1 = key_of (&cache, r);
  r = remix_request ("watercolour", "frame");
  imagegen_request_add_source_url (r, "https://files.example/b?sig=2");
  k2 = key_of (&cache, r);
  r = remix_request ("watercolour", "frame");
  imagegen_request_add_source_url (r, "https://files.example/c?sig=3");
  k3 = key_of (&cache, r);
  fail_unless_equals_string (k1, k2);
  fail_if (g_str_equal (k1, k3));

  g_free (k1);
  g_free (k2);
  g_free (k3);
  g_bytes_unref (style);
  g_bytes_unref (other);
  gst_imagegen_cache_clear (&cache);
  remove_tree (dir);
  g_free (dir);
}

GST_END_TEST;

static gchar *
entry_file (GstImagegenCache * cache, const gchar * key)
{
  gchar *name = g_strconcat (key, ".imagegen-result", NULL);
  gchar *path = g_build_filename (cache->dir, name, NULL);
  g_free (name);
  return path;
}

GST_START_TEST (test_torn_and_foreign_entries_are_misses)
{
  GstImagegenCache cache;
  gchar *dir = temp_cache (&cache);
  GBytes *image = g_bytes_new_static ("\x89PNG pretend pixels", 19);
  gchar *type = NULL, *path, *data;
  GBytes *got;
  gsize size;

  gst_imagegen_cache_store (&cache, "k1", image, "image/png");
  got = gst_imagegen_cache_lookup (&cache, "k1", &type);
  fail_unless (got != NULL && g_bytes_equal (got, image));
  fail_unless_equals_string (type, "image/png");
  g_bytes_unref (got);
  g_clear_pointer (&type, g_free);

  /* torn: the first half */
  path = entry_file (&cache, "k1");
  fail_unless (g_file_get_contents (path, &data, &size, NULL));
  fail_unless (g_file_set_contents (path, data, size / 2, NULL));
  fail_unless (gst_imagegen_cache_lookup (&cache, "k1", &type) == NULL);
  fail_if (g_file_test (path, G_FILE_TEST_EXISTS), "a torn entry is removed");

  /* foreign: the right length, a byte of the image changed */
  data[size - 1] ^= 0x55;
  fail_unless (g_file_set_contents (path, data, size, NULL));
  fail_unless (gst_imagegen_cache_lookup (&cache, "k1", &type) == NULL);
  fail_unless (type == NULL);

  g_free (data);
  g_free (path);
  g_bytes_unref (image);
  gst_imagegen_cache_clear (&cache);
  remove_tree (dir);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_size_limit_removes_least_recently_used)
{
  GstImagegenCache cache;
  gchar *dir = temp_cache (&cache);
  gchar payload[1000];
  GBytes *image;
  gchar *type = NULL, *path;
  GBytes *got;
  struct utimbuf old = { 1000, 1000 }, older = { 500, 500 };

  memset (payload, 'x', sizeof (payload));
  image = g_bytes_new (payload, sizeof (payload));
  /* room for two entries, not three */
  cache.max_bytes = 2 * (sizeof (payload) + 100);
  gst_imagegen_cache_store (&cache, "a", image, "image/png");
  gst_imagegen_cache_store (&cache, "b", image, "image/png");
  /* "a" older than "b", then "a" used: "b" is the least recently used */
  path = entry_file (&cache, "a");
  fail_unless (g_utime (path, &older) == 0);
  g_free (path);
  path = entry_file (&cache, "b");
  fail_unless (g_utime (path, &old) == 0);
  g_free (path);
  got = gst_imagegen_cache_lookup (&cache, "a", &type);
  fail_unless (got != NULL);
  g_bytes_unref (got);
  g_clear_pointer (&type, g_free);

  gst_imagegen_cache_store (&cache, "c", image, "image/png");
  got = gst_imagegen_cache_lookup (&cache, "b", &type);
  fail_unless (got == NULL, "the least recently used entry went first");
  got = gst_imagegen_cache_lookup (&cache, "a", &type);
  fail_unless (got != NULL, "the recently used one stays");
  g_bytes_unref (got);
  g_clear_pointer (&type, g_free);
  got = gst_imagegen_cache_lookup (&cache, "c", &type);
  fail_unless (got != NULL, "the new one stays");
  g_bytes_unref (got);
  g_clear_pointer (&type, g_free);

  g_bytes_unref (image);
  gst_imagegen_cache_clear (&cache);
  remove_tree (dir);
  g_free (dir);
}

GST_END_TEST;

/* writers of one key, readers of it: a read is all or nothing */
typedef struct
{
  GstImagegenCache *cache;
  GBytes *image;
  gint bad_reads;
} Shared;

static gpointer
write_and_read (gpointer data)
{
  Shared *shared = data;
  gint i;

  for (i = 0; i < 20; i++) {
    gchar *type = NULL;
    GBytes *got;

    gst_imagegen_cache_store (shared->cache, "same", shared->image,
        "image/png");
    got = gst_imagegen_cache_lookup (shared->cache, "same", &type);
    if (got != NULL && !g_bytes_equal (got, shared->image))
      g_atomic_int_inc (&shared->bad_reads);
    if (got != NULL)
      g_bytes_unref (got);
    g_free (type);
  }
  return NULL;
}

GST_START_TEST (test_concurrent_writers_and_readers)
{
  GstImagegenCache cache;
  gchar *dir = temp_cache (&cache);
  guint8 *payload = g_malloc (64 * 1024);
  Shared shared = { &cache, NULL, 0 };
  GThread *threads[4];
  guint i;

  for (i = 0; i < 64 * 1024; i++)
    payload[i] = i * 7;
  shared.image = g_bytes_new_take (payload, 64 * 1024);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("cache", write_and_read, &shared);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  fail_unless_equals_int (shared.bad_reads, 0);

  g_bytes_unref (shared.image);
  gst_imagegen_cache_clear (&cache);
  remove_tree (dir);
  g_free (dir);
}

GST_END_TEST;

static Suite *
result_cache_suite (void)
{
  return element_test_suite ("result-cache", 300,
      ELEMENT_TEST (test_key_covers_every_field),
      ELEMENT_TEST (test_key_names_uploads_by_their_bytes),
      ELEMENT_TEST (test_torn_and_foreign_entries_are_misses),
      ELEMENT_TEST (test_size_limit_removes_least_recently_used),
      ELEMENT_TEST (test_concurrent_writers_and_readers), NULL);
}

GST_CHECK_MAIN (result_cache);
