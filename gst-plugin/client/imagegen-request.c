/* gst-imagegen: the plain data types of imagegen-client.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"

#include <string.h>

void
imagegen_client_config_init (ImagegenClientConfig * config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof (*config));
  config->base_url = g_strdup (IMAGEGEN_CLIENT_DEFAULT_BASE_URL);
  config->max_in_flight = 4;
  config->max_retries = 3;
  config->retry_base_ms = 500;
  config->retry_max_ms = 8000;
  config->request_timeout_s = 30;
  config->job_timeout_s = 600;
  config->poll_min_ms = 100;
  config->poll_max_ms = 2000;
  config->max_download_bytes = 64 * 1024 * 1024;
  config->rate_limit_timeout_s = 60;
}

void
imagegen_client_config_clear (ImagegenClientConfig * config)
{
  g_return_if_fail (config != NULL);

  g_clear_pointer (&config->api_key, g_free);
  g_clear_pointer (&config->base_url, g_free);
  g_clear_pointer (&config->user_agent, g_free);
  g_clear_pointer (&config->tls_ca_file, g_free);
}

void
imagegen_client_config_copy (ImagegenClientConfig * dest,
    const ImagegenClientConfig * src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  *dest = *src;
  dest->api_key = g_strdup (src->api_key);
  dest->base_url = g_strdup (src->base_url);
  dest->user_agent = g_strdup (src->user_agent);
  dest->tls_ca_file = g_strdup (src->tls_ca_file);
}

ImagegenRequest *
imagegen_request_new (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * prompt)
{
  ImagegenRequest *request = g_new0 (ImagegenRequest, 1);

  request->endpoint = endpoint;
  request->model = g_strdup (model);
  request->prompt = g_strdup (prompt);
  request->seed = -1;
  return request;
}

ImagegenRequest *
imagegen_request_copy (const ImagegenRequest * request)
{
  ImagegenRequest *copy;
  guint i;

  g_return_val_if_fail (request != NULL, NULL);

  copy = imagegen_request_new (request->endpoint, request->model,
      request->prompt);
  copy->aspect_ratio = g_strdup (request->aspect_ratio);
  copy->resolution = g_strdup (request->resolution);
  copy->extra_json = g_strdup (request->extra_json);
  copy->width = request->width;
  copy->height = request->height;
  copy->seed = request->seed;
  copy->steps = request->steps;
  copy->guidance = request->guidance;
  if (request->source_images) {
    copy->source_images = g_ptr_array_new_full (request->source_images->len,
        (GDestroyNotify) g_bytes_unref);
    for (i = 0; i < request->source_images->len; i++)
      g_ptr_array_add (copy->source_images,
          g_bytes_ref (g_ptr_array_index (request->source_images, i)));
  }
  if (request->source_urls) {
    copy->source_urls = g_ptr_array_new_full (request->source_urls->len,
        g_free);
    for (i = 0; i < request->source_urls->len; i++)
      g_ptr_array_add (copy->source_urls,
          g_strdup (g_ptr_array_index (request->source_urls, i)));
  }
  return copy;
}

void
imagegen_request_add_source_image (ImagegenRequest * request, GBytes * image)
{
  g_return_if_fail (request != NULL && image != NULL);

  if (request->source_images == NULL)
    request->source_images =
        g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (request->source_images, g_bytes_ref (image));
}

void
imagegen_request_add_source_url (ImagegenRequest * request, const gchar * url)
{
  g_return_if_fail (request != NULL && url != NULL);

  if (request->source_urls == NULL)
    request->source_urls = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (request->source_urls, g_strdup (url));
}

void
imagegen_request_free (ImagegenRequest * request)
{
  if (request == NULL)
    return;
  g_free (request->model);
  g_free (request->prompt);
  g_free (request->aspect_ratio);
  g_free (request->resolution);
  g_free (request->extra_json);
  g_clear_pointer (&request->source_images, g_ptr_array_unref);
  g_clear_pointer (&request->source_urls, g_ptr_array_unref);
  g_free (request);
}

void
imagegen_result_free (ImagegenResult * result)
{
  if (result == NULL)
    return;
  g_clear_error (&result->error);
  g_free (result->task_id);
  g_free (result->model);
  g_clear_pointer (&result->image, g_bytes_unref);
  g_free (result->content_type);
  g_free (result->image_url);
  g_free (result->poll_url);
  g_clear_pointer (&result->uploaded_urls, g_ptr_array_unref);
  g_clear_pointer (&result->more_images, g_ptr_array_unref);
  g_free (result);
}
