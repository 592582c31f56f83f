/* gst-imagegen: fetch — polls on the poll schedule, then the result's
 * downloads, in order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-fetch.h"
#include "imagegen-errors.h"
#include "imagegen-image-type.h"

/* ---- downloads ---- */

static void
job_download_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  ImagegenResult *result = job->result;

  job->exchange = NULL;
  result->retries += r->retries;

  if (r->error) {
    if (r->error->domain == IMAGEGEN_CLIENT_ERROR)
      imagegen_job_finish (job, g_error_copy (r->error));
    else
      imagegen_job_finish (job, imagegen_error_new_for_transport (r->error,
              r->retries));
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    GError *error;

    if (job->resumed && (r->status == 403 || r->status == 404
            || r->status == 410)) {
      job->client->hooks->gone (job, "its result URL expired");
      return;
    }
    error = imagegen_error_new_for_status (r->status, NULL, r->retries);
    /* Result URLs are signed and temporary. */
    g_prefix_error (&error, "result download failed: ");
    if (r->status == 403 || r->status == 404 || r->status == 410) {
      gchar *text = g_strdup_printf ("%s (the result URL may have expired)",
          error->message);

      g_free (error->message);
      error->message = text;
    }
    imagegen_job_finish (job, error);
    return;
  }
  /* The elements decode it; refuse what is plainly not an image (an HTML
   * error page, say) while the cause is still known. */
  if (imagegen_image_type_sniff (r->body) == NULL) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "result is not an image (Content-Type %s, %" G_GSIZE_FORMAT " bytes)",
        r->content_type ? r->content_type : "missing",
        g_bytes_get_size (r->body));
    return;
  }

  if (result->image == NULL) {
    result->image = g_bytes_ref (r->body);
    result->content_type = g_strdup (r->content_type);
  } else {
    if (result->more_images == NULL)
      result->more_images = g_ptr_array_new_with_free_func ((GDestroyNotify)
          g_bytes_unref);
    g_ptr_array_add (result->more_images, g_bytes_ref (r->body));
  }
  /* a request for several images (output_count) gets them all */
  if (1 + (result->more_images ? result->more_images->len : 0) <
      job->image_urls->len) {
    imagegen_fetch_download (job);
    return;
  }
  result->downloaded_us = g_get_monotonic_time ();
  imagegen_job_finish (job, NULL);
}

void
imagegen_fetch_download (ImagegenJob * job)
{
  guint next = job->result->image == NULL ? 0 :
      1 + (job->result->more_images ? job->result->more_images->len : 0);

  /* Result URLs are on another host: never with the key (no API flag). */
  job->step = "downloading the result of";
  imagegen_job_exchange (job, "GET", g_ptr_array_index (job->image_urls,
          next), NULL, 0, job->client->config.max_download_bytes,
      job_download_done);
}

/* ---- the result of a task done elsewhere (fal's queue) ---- */

static void job_get_answer (ImagegenJob * job, const gchar * path);

void
imagegen_fetch_result (ImagegenJob * job)
{
  gchar *path = job->client->provider->result_path (job->request,
      job->result->task_id);

  job->step = "fetching the result of";
  job->result_ready = TRUE;
  job_get_answer (job, path);
  g_free (path);
}

/* ---- the status stream (server-sent events) ---- */

/* The last event's data of @body ("data: {…}" lines; comments and other
 * fields skipped), as JSON; NULL when there is none. */
static JsonNode *
stream_last_event (GBytes * body)
{
  gsize size;
  const gchar *data = g_bytes_get_data (body, &size);
  g_autofree gchar *text = g_strndup (data, size);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  const gchar *last = NULL;
  guint i;

  for (i = 0; lines[i] != NULL; i++) {
    g_strchomp (lines[i]);
    if (g_str_has_prefix (lines[i], "data:"))
      last = lines[i] + 5;
  }
  return last ? json_from_string (last, NULL) : NULL;
}

static void
job_stream_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  g_autoptr (JsonNode) event = NULL;
  GError *error = NULL;

  job->exchange = NULL;
  job->result->retries += r->retries;
  if (r->error == NULL && SOUP_STATUS_IS_SUCCESSFUL (r->status)
      && g_strcmp0 (r->content_type, "text/event-stream") == 0)
    event = stream_last_event (r->body);
  if (event != NULL && job->client->provider->parse_task (event, &info,
          &error) && info.state != IMAGEGEN_TASK_PENDING) {
    job->client->hooks->task_answer (job, &info);
    imagegen_task_info_clear (&info);
    return;
  }
  /* the stream is a shortcut: polls are the way that always works */
  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s: the status stream ended before completion (%s): polling",
      job->result->task_id, r->error ? r->error->message : error ?
      error->message : r->status && !SOUP_STATUS_IS_SUCCESSFUL (r->status) ?
      "an HTTP error" : "no final event");
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
  imagegen_fetch_poll_soon (job, 0);
}

/* TRUE when the stream was opened. */
static gboolean
job_stream_start (ImagegenJob * job)
{
  const ImagegenProvider *provider = job->client->provider;
  gchar *path, *url;
  GError *error = NULL;

  if (provider->status_stream_path == NULL || job->stream_tried
      || job->resumed)
    return FALSE;
  job->stream_tried = TRUE;
  path = provider->status_stream_path (job->request, job->result->task_id);
  url = imagegen_job_api_url (job, path);
  job->exchange = imagegen_http_exchange_start (&job->client->http, "GET",
      url, NULL, IMAGEGEN_HTTP_FLAG_API | IMAGEGEN_HTTP_FLAG_EVENT_STREAM,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_stream_done, job, &error);
  g_free (url);
  g_free (path);
  if (job->exchange == NULL) {
    g_error_free (error);
    return FALSE;
  }
  imagegen_http_exchange_set_task_id (job->exchange, job->result->task_id);
  return TRUE;
}

/* ---- polls ---- */

/* A poll's answer, or the result's once the task is done elsewhere (a
 * model's error comes back as the result's own status and body). */
static void
job_answer_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  const ImagegenProvider *provider = job->client->provider;
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  job->exchange = NULL;
  root = imagegen_job_api_answer (job, r, &error);
  if (root == NULL && job->resumed && g_error_matches (error,
          IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_NOT_FOUND)) {
    g_error_free (error);
    job->client->hooks->gone (job, "the service does not know it");
    return;
  }
  if (root == NULL) {
    imagegen_job_finish (job, error);
    return;
  }
  if (!(job->result_ready ? provider->parse_result :
          provider->parse_task) (root, &info, &error))
    imagegen_job_finish (job, error);
  else
    job->client->hooks->task_answer (job, &info);
  imagegen_task_info_clear (&info);
  json_node_unref (root);
}

/* GET @path (below the base URL, or the poll URL when NULL) with the key
 * where it may go; job_answer_done() reads it. */
static void
job_get_answer (ImagegenJob * job, const gchar * path)
{
  gchar *url = path ? imagegen_job_api_url (job, path) :
      g_strdup (job->poll_url);

  imagegen_job_exchange (job, "GET", url, NULL, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_answer_done);
  g_free (url);
}

static gboolean
job_poll_cb (gpointer data)
{
  ImagegenJob *job = data;
  gchar *path;

  g_source_unref (job->poll_timer);
  job->poll_timer = NULL;

  /* A polling URL is used exactly as given; the key goes with it only
   * where imagegen_http_key_allowed() says so. */
  path = job->poll_url ? NULL : job->client->provider->poll_path (job->request,
      job->result->task_id);
  job->result->polls++;
  job->poll_sent_us = g_get_monotonic_time ();
  job_get_answer (job, path);
  g_free (path);
  return G_SOURCE_REMOVE;
}

void
imagegen_fetch_poll_soon (ImagegenJob * job, guint delay_ms)
{
  job->poll_timer = imagegen_client_attach_timeout (job->client, delay_ms,
      job_poll_cb, job);
}

void
imagegen_fetch_poll_later (ImagegenJob * job)
{
  gint64 elapsed = g_get_monotonic_time () - job->result->created_us;
  guint delay;

  if (job_stream_start (job))
    return;

  imagegen_poll_memory_load (job->client->poll_memory, job->client->schedule,
      job->request->model);
  delay = imagegen_poll_schedule_next_delay_ms (job->client->schedule,
      job->request->model, elapsed);

  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_TRACE,
      "task %s: next poll in %u ms (%" G_GINT64_FORMAT " ms since create)",
      job->result->task_id, delay, elapsed / 1000);

  imagegen_fetch_poll_soon (job, delay);
}
