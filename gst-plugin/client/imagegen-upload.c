/* gst-imagegen: uploads — one source image at a time, through the Files
 * API (one POST) or a direct upload (prepare, PUT to another host,
 * confirm).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-upload.h"
#include "imagegen-errors.h"

/* Both upload routes end in a Files API answer carrying the file's URL. */
static void
job_take_file_answer (ImagegenJob * job, const ImagegenHttpResponse * r,
    const gchar * what)
{
  GError *error = NULL;
  JsonNode *root;
  gchar *url;

  job->exchange = NULL;
  root = imagegen_job_api_answer (job, r, &error);
  if (root == NULL) {
    g_prefix_error (&error, "%s failed: ", what);
    imagegen_job_finish (job, error);
    return;
  }
  url = job->client->provider->parse_upload (root, &error);
  json_node_unref (root);
  if (url == NULL) {
    imagegen_job_finish (job, error);
    return;
  }
  g_ptr_array_add (job->source_urls, url);
  job->upload_index++;
  imagegen_upload_next (job);
}

static void
job_upload_done (const ImagegenHttpResponse * r, gpointer data)
{
  job_take_file_answer (data, r, "upload");
}

static void
job_confirm_done (const ImagegenHttpResponse * r, gpointer data)
{
  job_take_file_answer (data, r, "upload confirm");
}

static void
job_put_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  gchar *url, *body;

  job->exchange = NULL;
  job->result->retries += r->retries;
  if (r->error) {
    GError *error = r->error->domain == IMAGEGEN_CLIENT_ERROR ?
        g_error_copy (r->error) :
        imagegen_error_new_for_transport (r->error, r->retries);

    g_prefix_error (&error, "upload failed: ");
    imagegen_job_finish (job, error);
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    GError *error = imagegen_error_new_for_status (r->status, NULL,
        r->retries);

    g_prefix_error (&error, "upload failed: ");
    imagegen_job_finish (job, error);
    return;
  }

  body = job->client->provider->build_confirm_body (&job->target);
  url = imagegen_job_api_url (job, job->client->provider->confirm_path);
  imagegen_upload_target_clear (&job->target);
  imagegen_job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_confirm_done);
  g_free (url);
  g_free (body);
}

static void
job_prepare_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  GBytes *image = g_ptr_array_index (job->request->source_images,
      job->upload_index);
  GError *error = NULL;
  JsonNode *root;
  gboolean ok;

  job->exchange = NULL;
  root = imagegen_job_api_answer (job, r, &error);
  if (root == NULL) {
    g_prefix_error (&error, "upload prepare failed: ");
    imagegen_job_finish (job, error);
    return;
  }
  ok = job->client->provider->parse_prepare (root, &job->target, &error);
  json_node_unref (root);
  if (!ok) {
    imagegen_job_finish (job, error);
    return;
  }

  /* The upload URL is another host's: exactly its headers, no key, and no
   * Content-Type unless it asks for one (no API flag). */
  job->exchange = imagegen_http_exchange_start_full (&job->client->http,
      "PUT", job->target.upload_url, image, NULL,
      (const gchar * const *) job->target.headers, 0,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_put_done, job, &error);
  if (job->exchange == NULL)
    imagegen_job_finish (job, error);
}

void
imagegen_upload_next (ImagegenJob * job)
{
  GPtrArray *images = job->request->source_images;
  const ImagegenProvider *provider = job->client->provider;
  gchar *url, *body;

  if (images == NULL || job->upload_index >= images->len) {
    job->client->hooks->uploaded (job);
    return;
  }
  /* A provider taking images inline needs no upload. */
  if (provider->inline_image) {
    for (; job->upload_index < images->len; job->upload_index++)
      g_ptr_array_add (job->source_urls,
          provider->inline_image (g_ptr_array_index (images,
                  job->upload_index)));
    job->client->hooks->uploaded (job);
    return;
  }

  job->step = "uploading a source image";
  if (job->client->config.direct_upload) {
    body = provider->build_prepare_body (g_ptr_array_index (images,
            job->upload_index), job->upload_index);
    url = imagegen_job_api_url (job, provider->prepare_path);
    imagegen_job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
        IMAGEGEN_HTTP_API_MAX_BYTES, job_prepare_done);
    g_free (url);
    g_free (body);
    return;
  }

  body = job->client->provider->build_upload_body (g_ptr_array_index (images,
          job->upload_index), job->upload_index);
  url = imagegen_job_api_url (job, job->client->provider->upload_path);
  imagegen_job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_upload_done);
  g_free (url);
  g_free (body);
}
