/* gst-imagegen: the task state machine.
 *
 * Started by the gate (imagegen_task_start), a job checks its request,
 * uploads its sources (imagegen-upload.c), creates its task, and follows
 * the task's answers — polls and downloads are imagegen-fetch.c's — until
 * imagegen_job_finish().  A create answered 429 goes back to the gate.  A
 * resumed job polls a task an earlier job created (and paid for), and
 * creates it anew only when that task is gone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-task.h"
#include "imagegen-errors.h"
#include "imagegen-fetch.h"
#include "imagegen-gate.h"
#include "imagegen-models.h"
#include "imagegen-quote.h"
#include "imagegen-upload.h"

/* ---- task answers ---- */

static void
job_apply_billing (ImagegenJob * job, const ImagegenTaskInfo * info)
{
  /* a resumed task was paid by the run that created it */
  if (info->charged_nanocents >= 0 && !job->resumed)
    job->result->cost_nanocents = info->charged_nanocents;
}

/* What the schedule learned outlives the process (imagegen-poll-memory.h);
 * a failed write costs only the next process's head start. */
static void
client_save_poll_memory (ImagegenClient * client, const gchar * model)
{
  GError *error = NULL;

  if (!imagegen_poll_memory_save (client->poll_memory, client->schedule,
          model, &error)) {
    IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_DEBUG,
        "poll history not saved: %s", error->message);
    g_error_free (error);
  }
}

/* Shared by the create and poll answers. */
void
imagegen_task_handle (ImagegenJob * job, ImagegenTaskInfo * info)
{
  ImagegenResult *result = job->result;

  job_apply_billing (job, info);

  /* The JS and Go SDKs poll on through a status they do not know; so do
   * we, bounded by the job timeout, and say so once. */
  if (info->status_unknown && !job->unknown_status_logged) {
    job->unknown_status_logged = TRUE;
    IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_WARNING,
        "task %s: unknown status \"%s\", polling on until it ends or the "
        "job times out (%u s)", OR_DASH (result->task_id),
        info->status, job->client->config.job_timeout_s);
  }

  switch (info->state) {
    case IMAGEGEN_TASK_PENDING:
      /* still running when this answer's request left: a lower bound of
       * the task's duration, for the poll schedule */
      job->running_seen_us = job->poll_sent_us ? job->poll_sent_us :
          result->created_us;
      job->step = "waiting for";
      imagegen_fetch_poll_later (job);
      break;
    case IMAGEGEN_TASK_FAILED:
      if (job->resumed) {
        imagegen_task_resume_gone (job, info->error_message ?
            info->error_message : "failed");
        break;
      }
      /* Failed generations are not charged unless billing says so. */
      if (info->charged_nanocents < 0)
        result->cost_nanocents = 0;
      imagegen_job_finish (job, imagegen_error_new_for_failed_task
          (info->error_message));
      break;
    case IMAGEGEN_TASK_RESULT_READY:
      imagegen_fetch_result (job);
      break;
    case IMAGEGEN_TASK_COMPLETED:
      result->completed_us = g_get_monotonic_time ();
      /* when a resumed task was created is not known here */
      if (!job->resumed) {
        imagegen_poll_schedule_observe (job->client->schedule,
            job->request->model, job->running_seen_us - result->created_us,
            result->completed_us - result->created_us);
        client_save_poll_memory (job->client, job->request->model);
      }
      if (result->cost_nanocents < 0) {
        gboolean known;
        gint64 nanocents = imagegen_models_price_nanocents
            (job->client->provider, job->request, &known);

        result->cost_nanocents = known ? nanocents : -1;
      }
      result->image_url = g_strdup (g_ptr_array_index (info->image_urls, 0));
      g_clear_pointer (&job->image_urls, g_ptr_array_unref);
      job->image_urls = g_ptr_array_ref (info->image_urls);
      IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
          "task %s completed after %u polls, %" G_GINT64_FORMAT " ms after "
          "its create was answered; downloading the result",
          result->task_id, result->polls,
          (result->completed_us - result->created_us) / 1000);
      imagegen_job_event (job, "completed");
      if (!job->finished)       /* the event handler may cancel */
        imagegen_fetch_download (job);
      break;
  }
}

/* ---- create ---- */

/* A provider that says "retry_after" in a 429's body, not its header. */
static gchar *
body_retry_after (ImagegenJob * job, const ImagegenHttpResponse * r)
{
  g_autoptr (JsonParser) parser = NULL;
  gsize size;
  const gchar *data;

  if (job->client->provider->body_retry_after == NULL || r->body == NULL)
    return NULL;
  parser = json_parser_new_immutable ();
  data = g_bytes_get_data (r->body, &size);
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  return job->client->provider->body_retry_after (json_parser_get_root
      (parser));
}

static void
job_create_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  ImagegenResult *result = job->result;
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  job->exchange = NULL;
  if (r->error == NULL && r->status == 429) {
    gchar *body_after = r->retry_after ? NULL : body_retry_after (job, r);

    result->retries += r->retries;
    imagegen_gate_hold (job, r->retry_after ? r->retry_after : body_after);
    g_free (body_after);
    return;
  }
  root = imagegen_job_api_answer (job, r, &error);
  if (root == NULL) {
    imagegen_job_finish (job, error);
    return;
  }
  if (!job->client->provider->parse_create (root, &info, &error)) {
    imagegen_job_finish (job, error);
    goto out;
  }

  imagegen_gate_admitted (job);
  result->task_id = g_strdup (info.id);
  job->poll_url = g_steal_pointer (&info.poll_url);
  result->poll_url = g_strdup (job->poll_url);
  result->reserved_nanocents = info.reserved_nanocents;
  result->created_us = g_get_monotonic_time ();
  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s created%s, status %s, model %s", info.id,
      info.replayed ? " (replayed)" : "", OR_DASH (info.status),
      job->request->model);
  imagegen_job_event (job, "submitted");
  if (!job->finished)
    imagegen_task_handle (job, &info);

out:
  imagegen_task_info_clear (&info);
  json_node_unref (root);
}

/* Models without a prompt (upscale, remove-background, reframe) or with an
 * optional one take requests without it; the provider's table says. */
static gboolean
prompt_required (ImagegenClient * client, const ImagegenRequest * request)
{
  guint min, max;
  ImagegenPromptUse use = imagegen_models_prompt_limits
      (client->provider->name, request->endpoint, request->model, &min, &max);

  return use == IMAGEGEN_PROMPT_UNKNOWN || use == IMAGEGEN_PROMPT_REQUIRED;
}

/* Also what a held job starts again with. */
static void
job_send_create (ImagegenJob * job)
{
  const ImagegenProvider *provider = job->client->provider;
  gchar *path, *url, *body;

  job->step = "creating the task";
  path = provider->create_path (job->request);
  if (path == NULL) {
    imagegen_job_finish (job, g_error_new (IMAGEGEN_CLIENT_ERROR,
            IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Model \"%s\" is not "
            "in the model table for this kind of request.",
            job->request->model ? job->request->model : ""));
    return;
  }
  url = imagegen_job_api_url (job, path);
  body = provider->build_create_body (job->request, job->source_urls);
  imagegen_job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API |
      IMAGEGEN_HTTP_FLAG_NO_RETRY_429, IMAGEGEN_HTTP_API_MAX_BYTES,
      job_create_done);
  g_free (body);
  g_free (url);
  g_free (path);
}

void
imagegen_task_create (ImagegenJob * job)
{
  if (job->request->source_urls) {
    guint i;

    for (i = 0; i < job->request->source_urls->len; i++)
      g_ptr_array_add (job->source_urls,
          g_strdup (g_ptr_array_index (job->request->source_urls, i)));
  }
  if (job->request->endpoint == IMAGEGEN_ENDPOINT_UPLOAD) {
    /* upload-only: the caller reuses these URLs in later requests */
    job->result->uploaded_urls = g_ptr_array_ref (job->source_urls);
    imagegen_job_finish (job, NULL);
    return;
  }
  job_send_create (job);
}

/* ---- resume: a task an earlier job created (and paid for) ---- */

static void
job_resume (ImagegenJob * job)
{
  job->step = "waiting for";
  /* its creation time is not known: the poll schedule starts dense */
  job->result->created_us = g_get_monotonic_time ();
  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s of an earlier job resumed: polled, not created again",
      job->result->task_id);
  imagegen_job_event (job, "resumed");
  if (!job->finished)
    imagegen_fetch_poll_soon (job, 0);
}

/* The earlier task cannot give its result any more: this job makes its
 * own, from the uploads on. */
void
imagegen_task_resume_gone (ImagegenJob * job, const gchar * why)
{
  ImagegenResult *result = job->result;

  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s of an earlier job is gone (%s): creating it anew",
      result->task_id, why);
  job->resumed = result->resumed = FALSE;
  g_clear_pointer (&result->task_id, g_free);
  g_clear_pointer (&result->poll_url, g_free);
  g_clear_pointer (&job->poll_url, g_free);
  g_clear_pointer (&job->image_urls, g_ptr_array_unref);
  g_clear_pointer (&result->image, g_bytes_unref);
  g_clear_pointer (&result->more_images, g_ptr_array_unref);
  g_clear_pointer (&result->content_type, g_free);
  g_clear_pointer (&result->image_url, g_free);
  result->cost_nanocents = -1;
  result->created_us = result->completed_us = 0;
  job->poll_sent_us = job->running_seen_us = 0;
  job->result_ready = job->stream_tried = FALSE;
  imagegen_upload_next (job);
}

/* ---- start ---- */

static gboolean
job_deadline_cb (gpointer data)
{
  ImagegenJob *job = data;
  guint secs = job->client->config.job_timeout_s;
  const gchar *cause = job->exchange ?
      imagegen_http_exchange_get_last_cause (job->exchange) : NULL;
  gchar *last = cause ? g_strdup_printf (" (last: %s)", cause) : NULL;

  g_source_unref (job->deadline);
  job->deadline = NULL;
  /* held at the gate: nothing was paid, and the 429s are the reason */
  if (job->holds > 0 && job->result->task_id == NULL)
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        "rate limited (HTTP 429): no task admitted within the job timeout "
        "of %u s (%u creates refused)", secs, job->holds);
  else if (job->result->task_id)
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_TIMEOUT,
        "timed out after %u s %s task %s%s", secs,
        job->step ? job->step : "waiting for", job->result->task_id,
        last ? last : "");
  else
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_TIMEOUT,
        "timed out after %u s before a task was created (%s)%s", secs,
        job->step ? job->step : "queued", last ? last : "");
  g_free (last);
  return G_SOURCE_REMOVE;
}

/* job_timeout_s is a promise: it also runs while the job is held by
 * create 429s (rate_limit_timeout_s may end those sooner). */
static void
job_deadline_start (ImagegenJob * job)
{
  if (job->client->config.job_timeout_s == 0)
    return;
  job->deadline = imagegen_client_attach_timeout (job->client,
      job->client->config.job_timeout_s * 1000, job_deadline_cb, job);
}

void
imagegen_task_start (ImagegenJob * job)
{
  ImagegenClient *client = job->client;
  ImagegenRequest *req = job->request;
  guint n_sources = (req->source_images ? req->source_images->len : 0) +
      (req->source_urls ? req->source_urls->len : 0);
  guint sources_taken;

  job->running = TRUE;
  g_ptr_array_add (client->running, job);
  if (job->holds > 0) {
    /* Held after a 429: its uploads are done, its deadline runs on. */
    job_send_create (job);
    return;
  }
  job->result->started_us = g_get_monotonic_time ();

  if (client->config_error) {
    imagegen_job_finish (job, g_error_copy (client->config_error));
    return;
  }
  if (req->endpoint != IMAGEGEN_ENDPOINT_UPLOAD && (req->model == NULL
          || *req->model == '\0')) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "no model given");
    return;
  }
  if (job->quote_key != NULL) {
    imagegen_quote_send (job);
    return;
  }
  if (req->endpoint != IMAGEGEN_ENDPOINT_UPLOAD && req->prompt == NULL
      && prompt_required (job->client, req)) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "no prompt given");
    return;
  }
  if (req->endpoint == IMAGEGEN_ENDPOINT_REMIX && n_sources == 0) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "a remix needs at least one source image");
    return;
  }
  /* a model changed while running may take fewer than the references;
   * a model the table lacks is refused when the create is built */
  sources_taken = imagegen_models_sources_taken (client->provider->name,
      req->endpoint, req->model);
  if (req->endpoint == IMAGEGEN_ENDPOINT_REMIX && sources_taken > 0
      && n_sources > sources_taken) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "model %s takes at most %u source image(s), %u given", req->model,
        sources_taken, n_sources);
    return;
  }

  if (job->resumed) {
    job_deadline_start (job);
    job_resume (job);
    return;
  }
  IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_INFO,
      "job started: %s, model %s, %u source image(s), %" G_GINT64_FORMAT
      " ms after submit", req->endpoint == IMAGEGEN_ENDPOINT_REMIX ? "remix" :
      req->endpoint == IMAGEGEN_ENDPOINT_UPLOAD ? "upload only" :
      "text to image", OR_DASH (req->model), n_sources,
      (job->result->started_us - job->result->submitted_us) / 1000);

  job_deadline_start (job);
  imagegen_upload_next (job);
}

/* Before the job is submitted: it polls @task_id instead of creating. */
void
imagegen_task_mark_resumed (ImagegenJob * job, const gchar * task_id,
    const gchar * poll_url)
{
  job->resumed = job->result->resumed = TRUE;
  job->result->task_id = g_strdup (task_id);
  job->poll_url = g_strdup (poll_url);
  job->result->poll_url = g_strdup (poll_url);
  /* paid by the job that created it */
  job->result->cost_nanocents = 0;
}
