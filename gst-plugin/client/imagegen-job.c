/* gst-imagegen: a job's lifetime — its making, its references, its one way
 * out (imagegen_job_finish), its cancellation, and one HTTP exchange with
 * the answer it brings.  See imagegen-job.h.
 *
 * Threading: everything here except imagegen_job_new and the "cancelled"
 * handler runs on the client's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-job.h"
#include "imagegen-errors.h"

#include <string.h>

/* Any thread: the job, not yet on the client's thread. */
ImagegenJob *
imagegen_job_new (ImagegenClient * client, const ImagegenRequest * request,
    GCancellable * cancellable, ImagegenJobEventFunc event_func,
    ImagegenJobDoneFunc done_func, gpointer user_data)
{
  ImagegenJob *job = g_atomic_rc_box_new0 (ImagegenJob);

  job->client = client;
  job->request = imagegen_request_copy (request);
  job->cancellable = cancellable ? g_object_ref (cancellable) :
      g_cancellable_new ();
  job->event_func = event_func;
  job->done_func = done_func;
  job->user_data = user_data;
  job->source_urls = g_ptr_array_new_with_free_func (g_free);
  job->result = g_new0 (ImagegenResult, 1);
  job->result->model = g_strdup (request->model);
  job->result->cost_nanocents = -1;
  job->result->reserved_nanocents = -1;
  job->result->submitted_us = g_get_monotonic_time ();
  return job;
}

static void
job_clear (gpointer data)
{
  ImagegenJob *job = data;

  /* Finished jobs have no exchange, timer or handler left. */
  g_assert (job->exchange == NULL && job->poll_timer == NULL
      && job->deadline == NULL && job->hold_timer == NULL
      && job->cancelled_id == 0);
  imagegen_request_free (job->request);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->result, imagegen_result_free);
  g_clear_pointer (&job->source_urls, g_ptr_array_unref);
  g_free (job->poll_url);
  g_clear_pointer (&job->image_urls, g_ptr_array_unref);
  g_free (job->quote_key);
  g_clear_pointer (&job->rt_frame, g_bytes_unref);
  imagegen_upload_target_clear (&job->target);
}

ImagegenJob *
imagegen_job_ref (ImagegenJob * job)
{
  return g_atomic_rc_box_acquire (job);
}

void
imagegen_job_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, job_clear);
}

void
imagegen_source_clear (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

GSource *
imagegen_client_attach_timeout (ImagegenClient * client, guint ms,
    GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, client->context);
  return source;
}

static void
job_cancel_sent (const ImagegenHttpResponse * r, gpointer data)
{
  /* a courtesy: the job is over whatever the service answers */
}

/* A task given up (cancelled, timed out) before its result came: the
 * service is asked to drop it, where it can be, so that it stops costing
 * a runner.  One attempt, no job waits for it. */
static void
job_cancel_remote (ImagegenJob * job, const GError * error)
{
  const ImagegenProvider *provider = job->client->provider;
  gchar *path, *url;

  /* a realtime frame has no task to cancel: fal bills it once sent */
  if (provider->cancel_path == NULL || job->result->task_id == NULL
      || job->realtime
      || job->image_urls != NULL
      || !(g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, IMAGEGEN_CLIENT_ERROR,
              IMAGEGEN_CLIENT_ERROR_TIMEOUT)))
    return;
  path = provider->cancel_path (job->request, job->result->task_id);
  url = imagegen_job_api_url (job, path);
  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s: asking the service to cancel it", job->result->task_id);
  imagegen_http_exchange_start (&job->client->http, "PUT", url, NULL,
      IMAGEGEN_HTTP_FLAG_API | IMAGEGEN_HTTP_FLAG_ONCE,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_cancel_sent, NULL, NULL);
  g_free (url);
  g_free (path);
}

/* Takes @error (NULL: success). */
void
imagegen_job_finish (ImagegenJob * job, GError * error)
{
  ImagegenClient *client = job->client;
  ImagegenResult *result;

  if (job->finished) {
    g_clear_error (&error);
    return;
  }
  job->finished = TRUE;

  if (job->exchange) {
    imagegen_http_exchange_abort (job->exchange);
    job->exchange = NULL;
  }
  imagegen_source_clear (&job->poll_timer);
  imagegen_source_clear (&job->deadline);
  imagegen_source_clear (&job->hold_timer);
  /* Never called from inside the handler (it only posts an idle), so this
   * cannot deadlock; it waits for a handler running on another thread. */
  if (job->cancelled_id) {
    g_cancellable_disconnect (job->cancellable, job->cancelled_id);
    job->cancelled_id = 0;
  }

  if (error)
    job_cancel_remote (job, error);
  client->hooks->release (job);

  result = g_steal_pointer (&job->result);
  if (error) {
    if (result->task_id && !strstr (error->message, result->task_id))
      imagegen_error_add_task_id (error, result->task_id);
    imagegen_error_redact (error, client->config.api_key);
    imagegen_error_set_details (error, result->task_id, result->model,
        result->retries);
    g_clear_pointer (&result->image, g_bytes_unref);
    result->error = error;
    IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_INFO,
        "job failed: task %s, model %s, %u polls, %u retries: %s",
        OR_DASH (result->task_id), OR_DASH (result->model),
        result->polls, result->retries, error->message);
  } else {
    g_autofree gchar *cost = imagegen_cents_to_string
        (result->cost_nanocents);

    IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_INFO,
        "job done: task %s, model %s, %" G_GINT64_FORMAT " ms from start, %u "
        "polls, %u retries, %" G_GSIZE_FORMAT " bytes of %s, cost %s cents",
        OR_DASH (result->task_id), OR_DASH (result->model),
        (result->downloaded_us - result->started_us) / 1000, result->polls,
        result->retries, result->image ? g_bytes_get_size (result->image) : 0,
        OR_DASH (result->content_type), cost);
  }

  g_atomic_int_add (&client->jobs_pending, -1);
  job->done_func (result, job->user_data);

  /* Also after a queued job: it may have held up the queue. */
  if (!client->shutting_down)
    client->hooks->start_queued (client);
  imagegen_job_unref (job);              /* the queue's or running list's */
}

void
imagegen_job_fail (ImagegenJob * job, ImagegenClientError code,
    const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  imagegen_job_finish (job, g_error_new_literal (IMAGEGEN_CLIENT_ERROR, code,
          text));
  g_free (text);
}

void
imagegen_job_event (ImagegenJob * job, const gchar * event)
{
  if (job->event_func)
    job->event_func (event, job->result, job->user_data);
}

/* ---- cancellation ---- */

static gboolean
job_cancel_idle (gpointer data)
{
  ImagegenJob *job = data;

  imagegen_job_finish (job, g_error_new_literal (G_IO_ERROR,
          G_IO_ERROR_CANCELLED, "job cancelled"));
  return G_SOURCE_REMOVE;
}

/* Any thread, with the cancellable's lock rules in force: only post. */
void
imagegen_job_cancelled_cb (GCancellable * cancellable, gpointer data)
{
  ImagegenJob *job = data;
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, job_cancel_idle, imagegen_job_ref (job),
      imagegen_job_unref);
  g_source_attach (source, job->client->context);
  g_source_unref (source);
}

gboolean
imagegen_job_arrive (ImagegenJob * job)
{
  /* A cancellable already cancelled calls the handler right here, which
   * posts the cancel: it runs before this job could get anywhere. */
  job->cancelled_id = g_cancellable_connect (job->cancellable,
      G_CALLBACK (imagegen_job_cancelled_cb), job, NULL);
  if (job->client->shutting_down
      || g_cancellable_is_cancelled (job->cancellable)) {
    imagegen_job_finish (job, g_error_new_literal (G_IO_ERROR,
            G_IO_ERROR_CANCELLED, "job cancelled"));
    return FALSE;
  }
  return TRUE;
}

gchar *
imagegen_job_api_url (ImagegenJob * job, const gchar * path)
{
  const gchar *base = job->client->config.base_url;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int) len, base, path);
}

/* ---- answers ---- */

/* Turns an API answer into its JSON, or into the error to report. */
JsonNode *
imagegen_job_api_answer (ImagegenJob * job, const ImagegenHttpResponse * r,
    GError ** error)
{
  JsonNode *root = NULL;
  gboolean is_json;

  job->result->retries += r->retries;

  if (r->error) {
    if (r->error->domain == IMAGEGEN_CLIENT_ERROR
        || g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      *error = g_error_copy (r->error);
    else
      *error = imagegen_error_new_for_transport (r->error, r->retries);
    return NULL;
  }

  /* Only bodies that say they are JSON are parsed. */
  is_json = r->content_type && strstr (r->content_type, "json");
  if (is_json) {
    g_autoptr (JsonParser) parser = json_parser_new_immutable ();
    GError *perr = NULL;
    gsize size;
    const gchar *data = g_bytes_get_data (r->body, &size);

    if (json_parser_load_from_data (parser, data, size, &perr)
        && json_parser_get_root (parser) != NULL) {
      root = json_node_ref (json_parser_get_root (parser));
    } else if (SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
      g_set_error (error, IMAGEGEN_CLIENT_ERROR,
          IMAGEGEN_CLIENT_ERROR_PROTOCOL, "malformed JSON answer (HTTP %u): %s",
          r->status, perr ? perr->message : "empty body");
      g_clear_error (&perr);
      return NULL;
    }
    g_clear_error (&perr);
  }

  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    gchar *message = root ? job->client->provider->parse_error_body (root) :
        NULL;

    *error = imagegen_error_new_for_status (r->status, message, r->retries);
    g_free (message);
    g_clear_pointer (&root, json_node_unref);
    return NULL;
  }

  if (!is_json) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "answer is not JSON (HTTP %u, Content-Type %s)", r->status,
        r->content_type ? r->content_type : "missing");
    return NULL;
  }
  return root;
}

gboolean
imagegen_job_exchange (ImagegenJob * job, const gchar * method,
    const gchar * url, const gchar * body, ImagegenHttpFlags flags,
    gsize max_bytes, ImagegenHttpDoneFunc done)
{
  GError *error = NULL;

  job->exchange = imagegen_http_exchange_start (&job->client->http, method,
      url, body, flags, max_bytes, done, job, &error);
  if (job->exchange == NULL) {
    imagegen_job_finish (job, error);
    return FALSE;
  }
  imagegen_http_exchange_set_task_id (job->exchange, job->result->task_id);
  return TRUE;
}
