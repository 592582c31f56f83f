/* gst-imagegen: imagegenremix's reference images — style images sent with
 * every frame: local files, checked and uploaded once per run, or URLs.
 *
 * Locks (see gstimagegenremixpriv.h): remix->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug


/* client thread: the reference images' URLs, uploaded once per run */
void
gst_imagegen_remix_references_uploaded (ImagegenResult * result, gpointer user_data)
{
  GstImagegenRemix *remix = user_data;
  guint i;

  g_mutex_lock (&remix->lock);
  if (result->error != NULL) {
    if (!g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      remix->reference_error = g_error_copy (result->error);
  } else {
    /* the upload's URLs expire: cache keys name the bytes instead */
    for (i = 0; remix->reference_bytes != NULL
        && i < remix->reference_bytes->len
        && i < result->uploaded_urls->len; i++)
      gst_imagegen_engine_alias_url (&remix->engine,
          g_ptr_array_index (result->uploaded_urls, i),
          g_ptr_array_index (remix->reference_bytes, i));
    remix->reference_urls = g_ptr_array_ref (result->uploaded_urls);
  }
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
  imagegen_result_free (result);
}

static gboolean
is_url (const gchar * s)
{
  return g_str_has_prefix (s, "http://") || g_str_has_prefix (s, "https://");
}

guint
gst_imagegen_remix_sources_taken (GstImagegenRemix * remix)
{
  ImagegenProviderId provider;
  guint taken;

  GST_OBJECT_LOCK (remix);
  provider = gst_imagegen_provider_resolve (&remix->settings.service,
      remix->settings.model);
  taken = imagegen_models_sources_taken (imagegen_provider_get
      (provider)->name, IMAGEGEN_ENDPOINT_REMIX, remix->settings.model);
  GST_OBJECT_UNLOCK (remix);
  return taken;
}

/* Reads the local reference images and checks that every request fits the
 * model: the frame, the references and, with coherence, the previous
 * result, so that no request is refused by the service later. */
gboolean
gst_imagegen_remix_load_references (GstImagegenRemix * remix, ImagegenRequest * upload)
{
  guint i, n, n_sources, max_sources;
  gboolean coherent;
  gchar *model;

  GST_OBJECT_LOCK (remix);
  n = remix->reference_images->len;
  coherent = remix->coherence == GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT;
  model = g_strdup (remix->settings.model);
  GST_OBJECT_UNLOCK (remix);

  /* start() checked the model against the table */
  max_sources = gst_imagegen_remix_sources_taken (remix);
  n_sources = 1 + n + (coherent ? 1 : 0);
  if (n_sources > max_sources) {
    GST_ELEMENT_ERROR (remix, RESOURCE, SETTINGS,
        ("Model %s takes at most %u source image(s) per request, but each "
            "request would carry %u: the frame, %u reference image(s)%s.",
            model, max_sources, n_sources, n, coherent ? " and the previous "
            "result (coherence=previous-result)" : ""), (NULL));
    g_free (model);
    return FALSE;
  }
  g_free (model);

  upload->source_images =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  upload->source_urls = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < n; i++) {
    const gchar *ref = g_ptr_array_index (remix->reference_images, i);
    gchar *path = g_str_has_prefix (ref, "file://") ?
        g_filename_from_uri (ref, NULL, NULL) : g_strdup (ref);
    GError *error = NULL;
    gchar *data;
    gsize size;

    if (is_url (ref)) {
      g_ptr_array_add (upload->source_urls, g_strdup (ref));
    } else if (path != NULL && g_file_get_contents (path, &data, &size,
            &error)) {
      GBytes *bytes = g_bytes_new_take (data, size);
      GstImagegenImageHeader header;

      /* refused now, not by the service on every request; the service
       * decodes them, so no pixel limit of ours applies */
      if (!gst_imagegen_image_header_parse (bytes, G_MAXUINT64, &header,
              NULL)) {
        GST_ELEMENT_ERROR (remix, RESOURCE, SETTINGS,
            ("The reference image \"%s\" is not a PNG, JPEG or WebP image "
                "(%" G_GSIZE_FORMAT " bytes).", ref, size), (NULL));
        g_bytes_unref (bytes);
        g_free (path);
        return FALSE;
      }
      g_ptr_array_add (upload->source_images, bytes);
    } else {
      GST_ELEMENT_ERROR (remix, RESOURCE, OPEN_READ,
          ("Cannot read the reference image \"%s\": %s", ref,
              error ? error->message : "not a file name"), (NULL));
      g_clear_error (&error);
      g_free (path);
      return FALSE;
    }
    g_free (path);
  }
  return TRUE;
}

