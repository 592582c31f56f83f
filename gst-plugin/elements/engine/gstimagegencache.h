/* gst-imagegen: the result cache both imagegen elements share.
 *
 * A finished image is stored under a key made of everything that decides
 * what the service answers: the provider and its base URL, the endpoint,
 * the model, every
 * request field, and a hash of each source image's bytes as uploaded.
 * Never the API key, never a URL that expires (uploaded references are
 * keyed by their bytes, see gst_imagegen_cache_key()).
 *
 * One file per result: a header with a magic, the payload's length and
 * SHA-256, then the image.  Written to a temporary file and renamed, so
 * concurrent runs share the directory; a file whose length or checksum
 * does not match is a miss (and removed), never an image.  The directory
 * stays under max-bytes: the least recently used files go first.
 *
 * Paid work is never thrown away: a request the service answered with a
 * task (and so bills) is noted at once as a small "pending" file under
 * its key (the task id and, for Black Forest Labs, its polling URL), so
 * that a later run with the same request polls that task instead of
 * paying again.  The note goes when the result is stored or the task
 * failed for good.  Pending files do not count towards max-bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gstimagegenfields.h"
#include <gst/gst.h>
#include "imagegen-client.h"

G_BEGIN_DECLS

#define GST_IMAGEGEN_CACHE_DEFAULT_MAX_BYTES (G_GUINT64_CONSTANT (1) << 30)

typedef struct
{
  GMutex lock;
  gchar *dir;                   /* NULL: no cache */
  guint64 max_bytes;
  gboolean only;                /* misses are counted, never sent */
  GHashTable *url_keys;         /* uploaded URL -> "sha256:<bytes' hash>" */
  guint stores_since_trim;
} GstImagegenCache;

void gst_imagegen_cache_init (GstImagegenCache * cache);
void gst_imagegen_cache_clear (GstImagegenCache * cache);

/* Whether requests go through the cache at all (a cache-dir is set, or
 * cache-only: then every request is a miss unless the dir holds it). */
gboolean gst_imagegen_cache_enabled (GstImagegenCache * cache);
gboolean gst_imagegen_cache_only (GstImagegenCache * cache);

/* An uploaded URL stands for @image's bytes in keys (references). */
void gst_imagegen_cache_alias_url (GstImagegenCache * cache,
    const gchar * url, GBytes * image);
void gst_imagegen_cache_forget_urls (GstImagegenCache * cache);

/* What stands for an upload that cache-only does not send: a name made of
 * @image's hash (never fetched by anyone). */
gchar *gst_imagegen_cache_unsent_url (GBytes * image);

/* The key of @request (hex SHA-256), with its source images encoded. */
gchar *gst_imagegen_cache_key (GstImagegenCache * cache,
    const gchar * provider, const ImagegenRequest * request);

/* The stored image of @key, or NULL (also for a torn or foreign file). */
GBytes *gst_imagegen_cache_lookup (GstImagegenCache * cache,
    const gchar * key, gchar ** content_type);

/* Stores @image under @key; failures only warn in the debug log (and
 * return FALSE). */
gboolean gst_imagegen_cache_store (GstImagegenCache * cache,
    const gchar * key, GBytes * image, const gchar * content_type);

/* Notes that the request of @key was created as @task_id (@poll_url:
 * where to poll it, or NULL); replaces an earlier note.  Written to a
 * temporary file and renamed; failures only warn in the debug log. */
void gst_imagegen_cache_store_pending (GstImagegenCache * cache,
    const gchar * key, const gchar * task_id, const gchar * poll_url);

/* The task noted for @key: TRUE with @task_id and @poll_url (may be NULL)
 * set, to be freed; FALSE when none is (a note without a task id is
 * removed). */
gboolean gst_imagegen_cache_lookup_pending (GstImagegenCache * cache,
    const gchar * key, gchar ** task_id, gchar ** poll_url);

/* Forgets the note of @key (its result is stored, or it failed for good). */
void gst_imagegen_cache_clear_pending (GstImagegenCache * cache,
    const gchar * key);

/* Properties cache-dir, cache-max-size, cache-only at @first + 0..2 */
enum
{
  GST_IMAGEGEN_CACHE_PROP_DIR,
  GST_IMAGEGEN_CACHE_PROP_MAX_SIZE,
  GST_IMAGEGEN_CACHE_PROP_ONLY,
  GST_IMAGEGEN_CACHE_N_PROPS
};

void gst_imagegen_cache_install_properties (GObjectClass * klass,
    guint first_prop_id);
/* The members these properties are, under the cache's lock */
extern const GstImagegenField gst_imagegen_cache_fields[];

G_END_DECLS
