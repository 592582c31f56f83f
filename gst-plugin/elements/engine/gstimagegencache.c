/* gst-imagegen: the result cache (see gstimagegencache.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <utime.h>
#include <glib/gstdio.h>
#include "gstimagegencache.h"

GST_DEBUG_CATEGORY_STATIC (gst_imagegen_cache_debug);
#define GST_CAT_DEFAULT gst_imagegen_cache_debug

#define MAGIC "IGCACHE1"
#define MAGIC_LEN 8
#define DIGEST_LEN 32
/* magic, payload length (LE 64), payload SHA-256, content type length
 * (LE 16), then the content type and the payload */
#define HEADER_LEN (MAGIC_LEN + 8 + DIGEST_LEN + 2)
#define SUFFIX ".imagegen-result"
#define PENDING_SUFFIX ".imagegen-pending"
#define PENDING_GROUP "pending"

void
gst_imagegen_cache_init (GstImagegenCache * cache)
{
  static gsize debug_init = 0;

  if (g_once_init_enter (&debug_init)) {
    GST_DEBUG_CATEGORY_INIT (gst_imagegen_cache_debug, "imagegencache", 0,
        "imagegen result cache");
    g_once_init_leave (&debug_init, 1);
  }
  memset (cache, 0, sizeof (*cache));
  g_mutex_init (&cache->lock);
  cache->max_bytes = GST_IMAGEGEN_CACHE_DEFAULT_MAX_BYTES;
  cache->url_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
}

void
gst_imagegen_cache_clear (GstImagegenCache * cache)
{
  g_free (cache->dir);
  g_hash_table_unref (cache->url_keys);
  g_mutex_clear (&cache->lock);
}

gboolean
gst_imagegen_cache_enabled (GstImagegenCache * cache)
{
  gboolean enabled;

  g_mutex_lock (&cache->lock);
  enabled = (cache->dir != NULL && cache->dir[0] != '\0') || cache->only;
  g_mutex_unlock (&cache->lock);
  return enabled;
}

gboolean
gst_imagegen_cache_only (GstImagegenCache * cache)
{
  gboolean only;

  g_mutex_lock (&cache->lock);
  only = cache->only;
  g_mutex_unlock (&cache->lock);
  return only;
}

static gchar *
bytes_hash (GBytes * bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

void
gst_imagegen_cache_alias_url (GstImagegenCache * cache, const gchar * url,
    GBytes * image)
{
  gchar *hash = bytes_hash (image);

  g_mutex_lock (&cache->lock);
  g_hash_table_insert (cache->url_keys, g_strdup (url),
      g_strconcat ("sha256:", hash, NULL));
  g_mutex_unlock (&cache->lock);
  g_free (hash);
}

gchar *
gst_imagegen_cache_unsent_url (GBytes * image)
{
  gchar *hash = bytes_hash (image);
  gchar *url = g_strconcat ("imagegen-cache-only:sha256:", hash, NULL);

  g_free (hash);
  return url;
}

void
gst_imagegen_cache_forget_urls (GstImagegenCache * cache)
{
  g_mutex_lock (&cache->lock);
  g_hash_table_remove_all (cache->url_keys);
  g_mutex_unlock (&cache->lock);
}

/* length-prefixed, so that no two field lists hash alike */
static void
add_field (GChecksum * sum, const gchar * value)
{
  gchar *field = value ? g_strdup_printf ("%" G_GSIZE_FORMAT ":%s;",
      strlen (value), value) : g_strdup ("-;");

  g_checksum_update (sum, (const guchar *) field, -1);
  g_free (field);
}

gchar *
gst_imagegen_cache_key (GstImagegenCache * cache, const gchar * provider,
    const ImagegenRequest * request)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gchar *endpoint = g_strdup_printf ("%d", request->endpoint);
  gchar *numbers, *key;
  guint i;

  /* every request field: a field added to ImagegenRequest belongs here */
  add_field (sum, "gst-imagegen result v1");
  add_field (sum, provider);
  add_field (sum, endpoint);
  add_field (sum, request->model);
  add_field (sum, request->prompt);
  add_field (sum, request->aspect_ratio);
  add_field (sum, request->resolution);
  add_field (sum, request->extra_json);
  numbers = g_strdup_printf ("%ux%u seed %" G_GINT64_FORMAT " steps %u "
      "guidance %g", request->width, request->height, request->seed,
      request->steps, request->guidance);
  add_field (sum, numbers);
  for (i = 0; request->source_images && i < request->source_images->len;
      i++) {
    gchar *hash = bytes_hash (g_ptr_array_index (request->source_images, i));

    add_field (sum, "image");
    add_field (sum, hash);
    g_free (hash);
  }
  g_mutex_lock (&cache->lock);
  for (i = 0; request->source_urls && i < request->source_urls->len; i++) {
    const gchar *url = g_ptr_array_index (request->source_urls, i);
    const gchar *alias = g_hash_table_lookup (cache->url_keys, url);

    add_field (sum, "url");
    add_field (sum, alias ? alias : url);
  }
  g_mutex_unlock (&cache->lock);
  key = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  g_free (numbers);
  g_free (endpoint);
  return key;
}

static gchar *
entry_path_with_suffix (GstImagegenCache * cache, const gchar * key,
    const gchar * suffix)
{
  gchar *name = g_strconcat (key, suffix, NULL);
  gchar *path;

  g_mutex_lock (&cache->lock);
  path = cache->dir && cache->dir[0] ? g_build_filename (cache->dir, name, NULL) : NULL;
  g_mutex_unlock (&cache->lock);
  g_free (name);
  return path;
}

static gchar *
entry_path (GstImagegenCache * cache, const gchar * key)
{
  return entry_path_with_suffix (cache, key, SUFFIX);
}

/* the payload of a whole, untorn entry, else NULL */
static GBytes *
parse_entry (const guint8 * data, gsize size, gchar ** content_type)
{
  guint64 length;
  guint16 type_len;
  guint8 digest[DIGEST_LEN];
  gsize digest_len = DIGEST_LEN;
  GChecksum *sum;
  const guint8 *payload;

  if (size < HEADER_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0)
    return NULL;
  memcpy (&length, data + MAGIC_LEN, 8);
  length = GUINT64_FROM_LE (length);
  memcpy (&type_len, data + MAGIC_LEN + 8 + DIGEST_LEN, 2);
  type_len = GUINT16_FROM_LE (type_len);
  if (length == 0 || size != HEADER_LEN + type_len + length)
    return NULL;
  payload = data + HEADER_LEN + type_len;
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, payload, length);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_checksum_free (sum);
  if (memcmp (digest, data + MAGIC_LEN + 8, DIGEST_LEN) != 0)
    return NULL;
  *content_type = g_strndup ((const gchar *) data + HEADER_LEN, type_len);
  return g_bytes_new (payload, length);
}

GBytes *
gst_imagegen_cache_lookup (GstImagegenCache * cache, const gchar * key,
    gchar ** content_type)
{
  gchar *path = entry_path (cache, key);
  gchar *data = NULL;
  gsize size = 0;
  GBytes *image = NULL;

  if (path != NULL && g_file_get_contents (path, &data, &size, NULL)) {
    image = parse_entry ((const guint8 *) data, size, content_type);
    if (image == NULL) {
      GST_WARNING ("cache entry %s is torn or foreign: removed", path);
      g_unlink (path);
    } else {
      /* least recently used goes first */
      g_utime (path, NULL);
    }
  }
  GST_LOG ("cache %s: %s", key, image ? "hit" : "miss");
  g_free (data);
  g_free (path);
  return image;
}

typedef struct
{
  gchar *path;
  gint64 mtime;
  goffset size;
} CacheEntry;

static gint
older_first (gconstpointer a, gconstpointer b)
{
  const CacheEntry *x = a, *y = b;
  return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static void
cache_entry_clear (CacheEntry * entry)
{
  g_free (entry->path);
}

/* removes the least recently used entries until under max_bytes */
static void
trim (const gchar * dir, guint64 max_bytes)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (CacheEntry));
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  guint64 total = 0;
  guint i;

  g_array_set_clear_func (entries, (GDestroyNotify) cache_entry_clear);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    CacheEntry entry;
    GStatBuf st;

    if (!g_str_has_suffix (name, SUFFIX))
      continue;
    entry.path = g_build_filename (dir, name, NULL);
    if (g_stat (entry.path, &st) != 0) {
      g_free (entry.path);
      continue;
    }
    entry.mtime = st.st_mtime;
    entry.size = st.st_size;
    total += st.st_size;
    g_array_append_val (entries, entry);
  }
  if (d != NULL)
    g_dir_close (d);
  g_array_sort (entries, older_first);
  for (i = 0; i < entries->len && total > max_bytes; i++) {
    CacheEntry *entry = &g_array_index (entries, CacheEntry, i);

    if (g_unlink (entry->path) == 0) {
      GST_DEBUG ("cache over %" G_GUINT64_FORMAT " bytes: removed %s",
          max_bytes, entry->path);
      total -= entry->size;
    }
  }
  g_array_unref (entries);
}

gboolean
gst_imagegen_cache_store (GstImagegenCache * cache, const gchar * key,
    GBytes * image, const gchar * content_type)
{
  const gchar *type = content_type ? content_type : "";
  gsize type_len = MIN (strlen (type), G_MAXUINT16);
  gsize size = g_bytes_get_size (image);
  guint64 length = GUINT64_TO_LE ((guint64) size);
  guint16 type_len16 = GUINT16_TO_LE ((guint16) type_len);
  guint8 *data = g_malloc (HEADER_LEN + type_len + size);
  gsize digest_len = DIGEST_LEN;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gchar *path = entry_path (cache, key);
  gchar *dir = path ? g_path_get_dirname (path) : NULL;
  guint64 max_bytes;
  GError *error = NULL;
  gboolean stored = FALSE;

  memcpy (data, MAGIC, MAGIC_LEN);
  memcpy (data + MAGIC_LEN, &length, 8);
  g_checksum_update (sum, g_bytes_get_data (image, NULL), size);
  g_checksum_get_digest (sum, data + MAGIC_LEN + 8, &digest_len);
  memcpy (data + MAGIC_LEN + 8 + DIGEST_LEN, &type_len16, 2);
  memcpy (data + HEADER_LEN, type, type_len);
  memcpy (data + HEADER_LEN + type_len, g_bytes_get_data (image, NULL), size);
  g_checksum_free (sum);

  g_mutex_lock (&cache->lock);
  max_bytes = cache->max_bytes;
  g_mutex_unlock (&cache->lock);

  /* a temporary file renamed into place: readers see all or nothing */
  if (path != NULL && (g_mkdir_with_parents (dir, 0700) != 0
          || !g_file_set_contents_full (path, (const gchar *) data,
              HEADER_LEN + type_len + size,
              G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))) {
    GST_WARNING ("cannot store %s: %s", path,
        error ? error->message : g_strerror (errno));
    g_clear_error (&error);
  } else if (path != NULL) {
    GST_LOG ("cache %s: stored %" G_GSIZE_FORMAT " bytes", key, size);
    trim (dir, max_bytes);
    stored = TRUE;
  }
  g_free (data);
  g_free (dir);
  g_free (path);
  return stored;
}

void
gst_imagegen_cache_store_pending (GstImagegenCache * cache, const gchar * key,
    const gchar * task_id, const gchar * poll_url)
{
  gchar *path = entry_path_with_suffix (cache, key, PENDING_SUFFIX);
  gchar *dir = path ? g_path_get_dirname (path) : NULL;
  GKeyFile *file = g_key_file_new ();
  GError *error = NULL;
  gchar *data;
  gsize size;

  g_key_file_set_string (file, PENDING_GROUP, "task-id", task_id);
  if (poll_url != NULL)
    g_key_file_set_string (file, PENDING_GROUP, "poll-url", poll_url);
  data = g_key_file_to_data (file, &size, NULL);
  /* renamed into place, like the results: all or nothing */
  if (path != NULL && (g_mkdir_with_parents (dir, 0700) != 0
          || !g_file_set_contents_full (path, data, size,
              G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))) {
    GST_WARNING ("cannot note pending task %s in %s: %s", task_id, path,
        error ? error->message : g_strerror (errno));
    g_clear_error (&error);
  } else if (path != NULL) {
    GST_LOG ("cache %s: task %s pending", key, task_id);
  }
  g_free (data);
  g_key_file_free (file);
  g_free (dir);
  g_free (path);
}

gboolean
gst_imagegen_cache_lookup_pending (GstImagegenCache * cache,
    const gchar * key, gchar ** task_id, gchar ** poll_url)
{
  gchar *path = entry_path_with_suffix (cache, key, PENDING_SUFFIX);
  GKeyFile *file = g_key_file_new ();

  *task_id = *poll_url = NULL;
  if (path != NULL && g_key_file_load_from_file (file, path, 0, NULL)) {
    *task_id = g_key_file_get_string (file, PENDING_GROUP, "task-id", NULL);
    *poll_url = g_key_file_get_string (file, PENDING_GROUP, "poll-url",
        NULL);
    if (*task_id == NULL || **task_id == '\0') {
      GST_WARNING ("pending entry %s names no task: removed", path);
      g_unlink (path);
      g_clear_pointer (task_id, g_free);
      g_clear_pointer (poll_url, g_free);
    }
  }
  GST_LOG ("cache %s: %s%s", key, *task_id ? "pending task " : "nothing "
      "pending", *task_id ? *task_id : "");
  g_key_file_free (file);
  g_free (path);
  return *task_id != NULL;
}

void
gst_imagegen_cache_clear_pending (GstImagegenCache * cache, const gchar * key)
{
  gchar *path = entry_path_with_suffix (cache, key, PENDING_SUFFIX);

  if (path != NULL && g_unlink (path) == 0)
    GST_LOG ("cache %s: nothing pending any more", key);
  g_free (path);
}

void
gst_imagegen_cache_install_properties (GObjectClass * klass, guint first)
{
  /**
   * GstImagegenRemix:cache-dir:
   *
   * A directory of finished results: a request whose key (provider,
   * model, every request field, the hash of each source image as
   * uploaded) is found there is answered from it, at no cost and with no
   * request.  A request that was sent and not yet answered (the run was
   * stopped) is noted there too, and a later run polls its task instead
   * of paying for it again.  Shared safely by concurrent runs.  NULL
   * (default): off.
   */
  g_object_class_install_property (klass, first + GST_IMAGEGEN_CACHE_PROP_DIR,
      g_param_spec_string ("cache-dir", "Result cache directory",
          "Directory of finished results, reused for identical requests "
          "(no request, no cost); NULL: no cache", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_CACHE_PROP_MAX_SIZE,
      g_param_spec_uint64 ("cache-max-size", "Result cache size limit",
          "Bytes the cache directory holds at most: the least recently used "
          "results go first", 0, G_MAXUINT64,
          GST_IMAGEGEN_CACHE_DEFAULT_MAX_BYTES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_IMAGEGEN_CACHE_PROP_ONLY,
      g_param_spec_boolean ("cache-only", "Answer from the cache only",
          "Send nothing: requests the cache cannot answer are counted in "
          "stats (cache-misses, estimated-cents) and fail quietly (for "
          "dry runs; set while playing, nothing more is sent)", FALSE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

const GstImagegenField gst_imagegen_cache_fields[] = {
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_CACHE_PROP_DIR, GstImagegenCache, dir),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_CACHE_PROP_MAX_SIZE, GstImagegenCache,
      max_bytes),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_CACHE_PROP_ONLY, GstImagegenCache, only),
  GST_IMAGEGEN_FIELDS_END
};
