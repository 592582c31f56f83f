/* gst-imagegen: the client — a thread, its main context, a SoupSession and
 * the jobs.
 *
 * Threading: everything below except imagegen_client_new/free/submit and
 * the "cancelled" handler runs on the client's thread.  Callers reach it
 * only through idle sources attached to its context (never
 * g_main_context_invoke, which would run a submit made from a done callback
 * re-entrantly).
 *
 * A job goes queued -> uploads -> create -> poll... -> download -> done.
 * job_finish() is the only way out, whatever the reason (success, error,
 * cancel, deadline, shutdown): it tears down whatever is pending, calls the
 * done callback once and starts the next queued job.
 *
 * A create answered 429 is back-pressure: job_hold() puts the job back at
 * the head of the queue (kept in submission order) with a timer for its
 * Retry-After, and halves the in-flight limit; nothing queued overtakes it.
 * It starts again at its create.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-client.h"
#include "imagegen-models.h"
#include "imagegen-errors.h"
#include "imagegen-http.h"
#include "imagegen-image-type.h"
#include "imagegen-log.h"
#include "imagegen-poll-schedule.h"
#include "imagegen-provider.h"
#include "imagegen-poll-memory.h"
#include "imagegen-retry.h"
#include "imagegen-transport.h"

#include <json-glib/json-glib.h>
#include <string.h>

struct _ImagegenClient
{
  ImagegenClientConfig config;
  const ImagegenProvider *provider;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  ImagegenHttp http;            /* its session lives on the thread */
  ImagegenLog log;
  ImagegenPollSchedule *schedule;
  ImagegenPollMemory *poll_memory;      /* the schedule's, across processes */
  GError *config_error;         /* every job fails with it */
  GTlsDatabase *tls_database;   /* NULL: the system's */

  GMutex quotes_lock;
  GHashTable *quotes;           /* quote body -> QUOTE_STORE (cents), or
                                 * QUOTE_PENDING, or QUOTE_NONE */

  GQueue queue;                 /* ImagegenJob*, waiting, by seq */
  GPtrArray *running;           /* ImagegenJob* */
  gboolean shutting_down;
  guint64 next_seq;

  /* Rate limits (create 429s). */
  gint in_flight_limit;         /* atomic; max_in_flight, lowered by 429s */
  guint admitted_streak;        /* creates admitted since the limit moved */
  gint64 no_decrease_until_us;  /* one decrease per Retry-After window */
  guint n_limited;              /* jobs held by a 429, not admitted since */
  gint64 limited_since_us;      /* no create admitted since; 0: none held */
  GSource *limit_timer;         /* then the held jobs fail */

  gint jobs_pending;            /* atomic */
  gint rate_limited;            /* atomic: holds so far */
};

typedef struct
{
  gint ref;                     /* atomic: the cancel handler takes one */
  ImagegenClient *client;
  ImagegenRequest *request;
  GCancellable *cancellable;
  gulong cancelled_id;
  ImagegenJobEventFunc event_func;
  ImagegenJobDoneFunc done_func;
  gpointer user_data;

  ImagegenResult *result;
  GPtrArray *source_urls;       /* uploaded, then the request's */
  gchar *poll_url;              /* as the create answer gave it, or NULL */
  GPtrArray *image_urls;        /* of the completed task, downloaded in
                                 * order; NULL before */
  gint64 poll_sent_us;          /* the last poll left then */
  gint64 running_seen_us;       /* the task was still running then */
  guint upload_index;
  ImagegenUploadTarget target;  /* of the direct upload in flight */
  const gchar *step;            /* what the job waits for, for timeouts */
  gboolean unknown_status_logged;

  ImagegenHttpExchange *exchange;       /* the one in flight */
  GSource *poll_timer;
  GSource *deadline;             /* job_timeout_s from the start, held
                                 * or not */
  guint64 seq;                  /* submission order */
  guint holds;                  /* create 429s so far */
  gboolean limited;             /* held, and not admitted since */
  GSource *hold_timer;          /* its Retry-After has not passed */
  gboolean queued;
  gboolean running;
  gboolean finished;
  gchar *quote_key;             /* a price quote job: its body; no task */
  gboolean resumed;             /* polls a task an earlier job created */
} ImagegenJob;

/* The quote cache's values: never NULL, whatever the figure. */
#define QUOTE_PENDING GINT_TO_POINTER (1)
#define QUOTE_NONE GINT_TO_POINTER (2)
#define QUOTE_STORE(cents) GINT_TO_POINTER ((cents) + 3)
#define QUOTE_CENTS(value) (GPOINTER_TO_INT (value) - 3)

static void job_upload_next (ImagegenJob * job);
static void job_create (ImagegenJob * job);
static void job_poll_later (ImagegenJob * job);
static void job_resume_gone (ImagegenJob * job, const gchar * why);
static void client_start_jobs (ImagegenClient * client);
static void client_set_limited_since (ImagegenClient * client, gint64 t);

/* ---- job lifetime ---- */

static ImagegenJob *
job_ref (ImagegenJob * job)
{
  g_atomic_int_inc (&job->ref);
  return job;
}

static void
job_unref (gpointer data)
{
  ImagegenJob *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref))
    return;

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
  imagegen_upload_target_clear (&job->target);
  g_free (job);
}

static void
destroy_source (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

static GSource *
attach_timeout (ImagegenClient * client, guint ms, GSourceFunc func,
    gpointer data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, client->context);
  return source;
}

/* log lines show a missing value as "-" */
#define OR_DASH(s) ((s) ? (s) : "-")

/* Takes @error (NULL: success). */
static void
job_finish (ImagegenJob * job, GError * error)
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
  destroy_source (&job->poll_timer);
  destroy_source (&job->deadline);
  destroy_source (&job->hold_timer);
  if (job->limited && --client->n_limited == 0)
    client_set_limited_since (client, 0);
  job->limited = FALSE;
  /* Never called from inside the handler (it only posts an idle), so this
   * cannot deadlock; it waits for a handler running on another thread. */
  if (job->cancelled_id) {
    g_cancellable_disconnect (job->cancellable, job->cancelled_id);
    job->cancelled_id = 0;
  }

  if (job->queued)
    g_queue_remove (&client->queue, job);
  if (job->running)
    g_ptr_array_remove_fast (client->running, job);
  job->queued = job->running = FALSE;

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
    IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_INFO,
        "job done: task %s, model %s, %" G_GINT64_FORMAT " ms from start, %u "
        "polls, %u retries, %" G_GSIZE_FORMAT " bytes of %s, cost %d cents",
        OR_DASH (result->task_id), OR_DASH (result->model),
        (result->downloaded_us - result->started_us) / 1000, result->polls,
        result->retries, result->image ? g_bytes_get_size (result->image) : 0,
        OR_DASH (result->content_type), result->cost_cents);
  }

  g_atomic_int_add (&client->jobs_pending, -1);
  job->done_func (result, job->user_data);

  /* Also after a queued job: it may have held up the queue. */
  if (!client->shutting_down)
    client_start_jobs (client);
  job_unref (job);              /* the queue's or running list's */
}

static void
job_fail (ImagegenJob * job, ImagegenClientError code, const gchar * format,
    ...) G_GNUC_PRINTF (3, 4);

static void
job_fail (ImagegenJob * job, ImagegenClientError code, const gchar * format,
    ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  job_finish (job, g_error_new_literal (IMAGEGEN_CLIENT_ERROR, code, text));
  g_free (text);
}

static void
job_event (ImagegenJob * job, const gchar * event)
{
  if (job->event_func)
    job->event_func (event, job->result, job->user_data);
}

/* ---- cancellation ---- */

static gboolean
job_cancel_idle (gpointer data)
{
  ImagegenJob *job = data;

  job_finish (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
          "job cancelled"));
  return G_SOURCE_REMOVE;
}

/* Any thread, with the cancellable's lock rules in force: only post. */
static void
job_cancelled_cb (GCancellable * cancellable, gpointer data)
{
  ImagegenJob *job = data;
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, job_cancel_idle, job_ref (job), job_unref);
  g_source_attach (source, job->client->context);
  g_source_unref (source);
}

/* ---- answers ---- */

static gchar *
api_url (ImagegenJob * job, const gchar * path)
{
  const gchar *base = job->client->config.base_url;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int) len, base, path);
}

/* Turns an API answer into its JSON, or into the error to report. */
static JsonNode *
api_answer (ImagegenJob * job, const ImagegenHttpResponse * r,
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

static gboolean
job_exchange (ImagegenJob * job, const gchar * method, const gchar * url,
    const gchar * body, ImagegenHttpFlags flags, gsize max_bytes,
    ImagegenHttpDoneFunc done)
{
  GError *error = NULL;

  job->exchange = imagegen_http_exchange_start (&job->client->http, method,
      url, body, flags, max_bytes, done, job, &error);
  if (job->exchange == NULL) {
    job_finish (job, error);
    return FALSE;
  }
  imagegen_http_exchange_set_task_id (job->exchange, job->result->task_id);
  return TRUE;
}

/* ---- download ---- */

static void job_download (ImagegenJob * job);

static void
job_download_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  ImagegenResult *result = job->result;

  job->exchange = NULL;
  result->retries += r->retries;

  if (r->error) {
    if (r->error->domain == IMAGEGEN_CLIENT_ERROR)
      job_finish (job, g_error_copy (r->error));
    else
      job_finish (job, imagegen_error_new_for_transport (r->error,
              r->retries));
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    GError *error;

    if (job->resumed && (r->status == 403 || r->status == 404
            || r->status == 410)) {
      job_resume_gone (job, "its result URL expired");
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
    job_finish (job, error);
    return;
  }
  /* The elements decode it; refuse what is plainly not an image (an HTML
   * error page, say) while the cause is still known. */
  if (imagegen_image_type_sniff (r->body) == NULL) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
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
    job_download (job);
    return;
  }
  result->downloaded_us = g_get_monotonic_time ();
  job_finish (job, NULL);
}

static void
job_download (ImagegenJob * job)
{
  guint next = job->result->image == NULL ? 0 :
      1 + (job->result->more_images ? job->result->more_images->len : 0);

  /* Result URLs are on another host: never with the key (no API flag). */
  job->step = "downloading the result of";
  job_exchange (job, "GET", g_ptr_array_index (job->image_urls, next), NULL,
      0, job->client->config.max_download_bytes, job_download_done);
}

/* ---- task answers ---- */

static void
job_apply_billing (ImagegenJob * job, const ImagegenTaskInfo * info)
{
  /* a resumed task was paid by the run that created it */
  if (info->charged_cents >= 0 && !job->resumed)
    job->result->cost_cents = info->charged_cents;
}

/* Shared by the create and poll answers. */
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

static void
job_handle_task (ImagegenJob * job, ImagegenTaskInfo * info)
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
      job_poll_later (job);
      break;
    case IMAGEGEN_TASK_FAILED:
      if (job->resumed) {
        job_resume_gone (job, info->error_message ? info->error_message :
            "failed");
        break;
      }
      /* Failed generations are not charged unless billing says so. */
      if (info->charged_cents < 0)
        result->cost_cents = 0;
      job_finish (job, imagegen_error_new_for_failed_task
          (info->error_message));
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
      if (result->cost_cents < 0) {
        gboolean known;
        gint cents = imagegen_models_price_cents (job->client->provider,
            job->request, &known);

        result->cost_cents = known ? cents : -1;
      }
      result->image_url = g_strdup (g_ptr_array_index (info->image_urls, 0));
      g_clear_pointer (&job->image_urls, g_ptr_array_unref);
      job->image_urls = g_ptr_array_ref (info->image_urls);
      IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
          "task %s completed after %u polls, %" G_GINT64_FORMAT " ms after "
          "its create was answered; downloading the result",
          result->task_id, result->polls,
          (result->completed_us - result->created_us) / 1000);
      job_event (job, "completed");
      if (!job->finished)       /* the event handler may cancel */
        job_download (job);
      break;
  }
}

static void
job_poll_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  ImagegenTaskInfo info = {.charged_cents = -1 };
  GError *error = NULL;
  JsonNode *root;

  job->exchange = NULL;
  root = api_answer (job, r, &error);
  if (root == NULL && job->resumed && g_error_matches (error,
          IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_NOT_FOUND)) {
    g_error_free (error);
    job_resume_gone (job, "the service does not know it");
    return;
  }
  if (root == NULL) {
    job_finish (job, error);
    return;
  }
  if (!job->client->provider->parse_task (root, &info, &error))
    job_finish (job, error);
  else
    job_handle_task (job, &info);
  imagegen_task_info_clear (&info);
  json_node_unref (root);
}

static gboolean
job_poll_cb (gpointer data)
{
  ImagegenJob *job = data;
  gchar *path, *url;

  g_source_unref (job->poll_timer);
  job->poll_timer = NULL;

  /* A polling URL is used exactly as given; the key goes with it only
   * where imagegen_http_key_allowed() says so. */
  path = job->poll_url ? NULL : job->client->provider->poll_path (job->request,
      job->result->task_id);
  url = path ? api_url (job, path) : g_strdup (job->poll_url);
  job->result->polls++;
  job->poll_sent_us = g_get_monotonic_time ();
  job_exchange (job, "GET", url, NULL, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_poll_done);
  g_free (url);
  g_free (path);
  return G_SOURCE_REMOVE;
}

static void
job_poll_later (ImagegenJob * job)
{
  gint64 elapsed = g_get_monotonic_time () - job->result->created_us;
  guint delay;

  imagegen_poll_memory_load (job->client->poll_memory, job->client->schedule,
      job->request->model);
  delay = imagegen_poll_schedule_next_delay_ms (job->client->schedule,
      job->request->model, elapsed);

  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_TRACE,
      "task %s: next poll in %u ms (%" G_GINT64_FORMAT " ms since create)",
      job->result->task_id, delay, elapsed / 1000);

  job->poll_timer = attach_timeout (job->client, delay, job_poll_cb, job);
}

/* ---- rate limits ---- */

static gboolean
client_limit_timer_cb (gpointer data)
{
  ImagegenClient *client = data;
  GList *held = NULL, *l;

  g_source_unref (client->limit_timer);
  client->limit_timer = NULL;

  /* Held jobs are a prefix of the queue.  Failing them from the last one
   * keeps the queue blocked until the head goes, so none of them sends
   * another create meanwhile. */
  for (l = client->queue.head; l; l = l->next)
    if (((ImagegenJob *) l->data)->limited)
      held = g_list_prepend (held, job_ref (l->data));
  for (l = held; l; l = l->next)
    job_fail (l->data, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        "rate limited (HTTP 429): no task admitted for %u s",
        client->config.rate_limit_timeout_s);
  g_list_free_full (held, job_unref);
  /* Jobs sending a create now fail on their next 429. */
  return G_SOURCE_REMOVE;
}

/* @t: since when no create was admitted while jobs are held; 0: none. */
static void
client_set_limited_since (ImagegenClient * client, gint64 t)
{
  gint64 left;

  client->limited_since_us = t;
  destroy_source (&client->limit_timer);
  if (t == 0)
    return;
  left = t + (gint64) client->config.rate_limit_timeout_s * G_USEC_PER_SEC -
      g_get_monotonic_time ();
  client->limit_timer = attach_timeout (client, MAX (left, 0) / 1000,
      client_limit_timer_cb, client);
}

static gint
job_compare_seq (gconstpointer a, gconstpointer b, gpointer data)
{
  guint64 sa = ((const ImagegenJob *) a)->seq;
  guint64 sb = ((const ImagegenJob *) b)->seq;

  return sa < sb ? -1 : sa > sb;
}

static gboolean
job_hold_timer_cb (gpointer data)
{
  ImagegenJob *job = data;

  g_source_unref (job->hold_timer);
  job->hold_timer = NULL;
  client_start_jobs (job->client);
  return G_SOURCE_REMOVE;
}

/* The create was answered 429: no task was made.  Back to the gate. */
static void
job_hold (ImagegenJob * job, const gchar * retry_after)
{
  ImagegenClient *client = job->client;
  gint64 now = g_get_monotonic_time ();
  gint limit = g_atomic_int_get (&client->in_flight_limit);
  guint delay_ms = imagegen_retry_delay_ms (client->config.retry_base_ms,
      client->config.retry_max_ms, job->holds, retry_after);

  g_atomic_int_inc (&client->rate_limited);
  job->holds++;
  if (!job->limited) {
    job->limited = TRUE;
    client->n_limited++;
  }
  if (client->limited_since_us == 0) {
    client_set_limited_since (client, now);
  } else if (now - client->limited_since_us >=
      (gint64) client->config.rate_limit_timeout_s * G_USEC_PER_SEC) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        "rate limited (HTTP 429): no task admitted for %u s",
        client->config.rate_limit_timeout_s);
    return;
  }

  /* Multiplicative decrease, once per window: the 429s of the other jobs
   * already in flight say the same thing again. */
  if (now >= client->no_decrease_until_us) {
    g_atomic_int_set (&client->in_flight_limit, MAX (limit / 2, 1));
    client->no_decrease_until_us = now + (gint64) delay_ms * 1000;
    client->admitted_streak = 0;
  }
  IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_INFO,
      "create rate limited (HTTP 429): job held %u ms, in-flight limit %d",
      delay_ms, g_atomic_int_get (&client->in_flight_limit));

  g_ptr_array_remove_fast (client->running, job);
  job->running = FALSE;
  job->queued = TRUE;
  g_queue_insert_sorted (&client->queue, job, job_compare_seq, NULL);
  job->hold_timer = attach_timeout (client, delay_ms, job_hold_timer_cb, job);
  client_start_jobs (client);
}

/* The server made a task: the clock restarts, the limit creeps back up. */
static void
job_admitted (ImagegenJob * job)
{
  ImagegenClient *client = job->client;
  gint limit = g_atomic_int_get (&client->in_flight_limit);

  if (job->limited) {
    job->limited = FALSE;
    client->n_limited--;
  }
  if (client->limited_since_us != 0)
    client_set_limited_since (client, client->n_limited > 0 ?
        g_get_monotonic_time () : 0);

  /* Additive increase: one more per `limit` admitted creates. */
  if (++client->admitted_streak >= (guint) limit
      && (guint) limit < client->config.max_in_flight) {
    g_atomic_int_set (&client->in_flight_limit, limit + 1);
    client->admitted_streak = 0;
    client_start_jobs (client);
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
  ImagegenTaskInfo info = {.charged_cents = -1 };
  GError *error = NULL;
  JsonNode *root;

  job->exchange = NULL;
  if (r->error == NULL && r->status == 429) {
    gchar *body_after = r->retry_after ? NULL : body_retry_after (job, r);

    result->retries += r->retries;
    job_hold (job, r->retry_after ? r->retry_after : body_after);
    g_free (body_after);
    return;
  }
  root = api_answer (job, r, &error);
  if (root == NULL) {
    job_finish (job, error);
    return;
  }
  if (!job->client->provider->parse_create (root, &info, &error)) {
    job_finish (job, error);
    goto out;
  }

  job_admitted (job);
  result->task_id = g_strdup (info.id);
  job->poll_url = g_steal_pointer (&info.poll_url);
  result->poll_url = g_strdup (job->poll_url);
  result->reserved_cents = info.reserved_cents;
  result->created_us = g_get_monotonic_time ();
  IMAGEGEN_LOG (&job->client->log, IMAGEGEN_LOG_INFO,
      "task %s created%s, status %s, model %s", info.id,
      info.replayed ? " (replayed)" : "", OR_DASH (info.status),
      job->request->model);
  job_event (job, "submitted");
  if (!job->finished)
    job_handle_task (job, &info);

out:
  imagegen_task_info_clear (&info);
  json_node_unref (root);
}

/* ---- live prices ---- */

static void
job_quote_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  GError *error = NULL;
  JsonNode *root;
  gint cents = -1;

  job->exchange = NULL;
  job->result->retries += r->retries;
  root = api_answer (job, r, &error);
  if (root != NULL) {
    job->client->provider->parse_quote (root, &cents, &error);
    json_node_unref (root);
  }
  job->result->cost_cents = error ? -1 : cents;
  job_finish (job, error);
}

/* One POST: no upload, no task, no Idempotency-Key (nothing is bought). */
static void
job_send_quote (ImagegenJob * job)
{
  const ImagegenProvider *provider = job->client->provider;
  gchar *url = api_url (job, provider->quote_path);

  job->step = "asking the price of";
  job_exchange (job, "POST", url, job->quote_key, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_quote_done);
  g_free (url);
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
    job_finish (job, g_error_new (IMAGEGEN_CLIENT_ERROR,
            IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Model \"%s\" is not "
            "in the model table for this kind of request.",
            job->request->model ? job->request->model : ""));
    return;
  }
  url = api_url (job, path);
  body = provider->build_create_body (job->request, job->source_urls);
  job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API |
      IMAGEGEN_HTTP_FLAG_NO_RETRY_429, IMAGEGEN_HTTP_API_MAX_BYTES,
      job_create_done);
  g_free (body);
  g_free (url);
  g_free (path);
}

static void
job_create (ImagegenJob * job)
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
    job_finish (job, NULL);
    return;
  }
  job_send_create (job);
}

/* ---- uploads ---- */

/* Both upload routes end in a Files API answer carrying the file's URL. */
static void
job_take_file_answer (ImagegenJob * job, const ImagegenHttpResponse * r,
    const gchar * what)
{
  GError *error = NULL;
  JsonNode *root;
  gchar *url;

  job->exchange = NULL;
  root = api_answer (job, r, &error);
  if (root == NULL) {
    g_prefix_error (&error, "%s failed: ", what);
    job_finish (job, error);
    return;
  }
  url = job->client->provider->parse_upload (root, &error);
  json_node_unref (root);
  if (url == NULL) {
    job_finish (job, error);
    return;
  }
  g_ptr_array_add (job->source_urls, url);
  job->upload_index++;
  job_upload_next (job);
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
    job_finish (job, error);
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    GError *error = imagegen_error_new_for_status (r->status, NULL,
        r->retries);

    g_prefix_error (&error, "upload failed: ");
    job_finish (job, error);
    return;
  }

  body = job->client->provider->build_confirm_body (&job->target);
  url = api_url (job, job->client->provider->confirm_path);
  imagegen_upload_target_clear (&job->target);
  job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
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
  root = api_answer (job, r, &error);
  if (root == NULL) {
    g_prefix_error (&error, "upload prepare failed: ");
    job_finish (job, error);
    return;
  }
  ok = job->client->provider->parse_prepare (root, &job->target, &error);
  json_node_unref (root);
  if (!ok) {
    job_finish (job, error);
    return;
  }

  /* The upload URL is another host's: exactly its headers, no key, and no
   * Content-Type unless it asks for one (no API flag). */
  job->exchange = imagegen_http_exchange_start_full (&job->client->http,
      "PUT", job->target.upload_url, image, NULL,
      (const gchar * const *) job->target.headers, 0,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_put_done, job, &error);
  if (job->exchange == NULL)
    job_finish (job, error);
}

static void
job_upload_next (ImagegenJob * job)
{
  GPtrArray *images = job->request->source_images;
  const ImagegenProvider *provider = job->client->provider;
  gchar *url, *body;

  if (images == NULL || job->upload_index >= images->len) {
    job_create (job);
    return;
  }
  /* A provider taking images inline needs no upload. */
  if (provider->inline_image) {
    for (; job->upload_index < images->len; job->upload_index++)
      g_ptr_array_add (job->source_urls,
          provider->inline_image (g_ptr_array_index (images,
                  job->upload_index)));
    job_create (job);
    return;
  }

  job->step = "uploading a source image";
  if (job->client->config.direct_upload) {
    body = provider->build_prepare_body (g_ptr_array_index (images,
            job->upload_index), job->upload_index);
    url = api_url (job, provider->prepare_path);
    job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
        IMAGEGEN_HTTP_API_MAX_BYTES, job_prepare_done);
    g_free (url);
    g_free (body);
    return;
  }

  body = job->client->provider->build_upload_body (g_ptr_array_index (images,
          job->upload_index), job->upload_index);
  url = api_url (job, job->client->provider->upload_path);
  job_exchange (job, "POST", url, body, IMAGEGEN_HTTP_FLAG_API,
      IMAGEGEN_HTTP_API_MAX_BYTES, job_upload_done);
  g_free (url);
  g_free (body);
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
  job_event (job, "resumed");
  if (!job->finished)
    job->poll_timer = attach_timeout (job->client, 0, job_poll_cb, job);
}

/* The earlier task cannot give its result any more: this job makes its
 * own, from the uploads on. */
static void
job_resume_gone (ImagegenJob * job, const gchar * why)
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
  result->cost_cents = -1;
  result->created_us = result->completed_us = 0;
  job->poll_sent_us = job->running_seen_us = 0;
  job_upload_next (job);
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
    job_fail (job, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        "rate limited (HTTP 429): no task admitted within the job timeout "
        "of %u s (%u creates refused)", secs, job->holds);
  else if (job->result->task_id)
    job_fail (job, IMAGEGEN_CLIENT_ERROR_TIMEOUT,
        "timed out after %u s %s task %s%s", secs,
        job->step ? job->step : "waiting for", job->result->task_id,
        last ? last : "");
  else
    job_fail (job, IMAGEGEN_CLIENT_ERROR_TIMEOUT,
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
  job->deadline = attach_timeout (job->client,
      job->client->config.job_timeout_s * 1000, job_deadline_cb, job);
}

static void
job_start (ImagegenJob * job)
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
    job_finish (job, g_error_copy (client->config_error));
    return;
  }
  if (req->endpoint != IMAGEGEN_ENDPOINT_UPLOAD && (req->model == NULL
          || *req->model == '\0')) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "no model given");
    return;
  }
  if (job->quote_key != NULL) {
    job_send_quote (job);
    return;
  }
  if (req->endpoint != IMAGEGEN_ENDPOINT_UPLOAD && req->prompt == NULL
      && prompt_required (job->client, req)) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "no prompt given");
    return;
  }
  if (req->endpoint == IMAGEGEN_ENDPOINT_REMIX && n_sources == 0) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "a remix needs at least one source image");
    return;
  }
  /* a model changed while running may take fewer than the references;
   * a model the table lacks is refused when the create is built */
  sources_taken = imagegen_models_sources_taken (client->provider->name,
      req->endpoint, req->model);
  if (req->endpoint == IMAGEGEN_ENDPOINT_REMIX && sources_taken > 0
      && n_sources > sources_taken) {
    job_fail (job, IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
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
  job_upload_next (job);
}

static void
client_start_jobs (ImagegenClient * client)
{
  while (!client->shutting_down
      && client->running->len <
      (guint) g_atomic_int_get (&client->in_flight_limit)
      && !g_queue_is_empty (&client->queue)) {
    ImagegenJob *job = g_queue_peek_head (&client->queue);

    /* Nothing overtakes a job waiting out its Retry-After. */
    if (job->hold_timer)
      break;
    g_queue_pop_head (&client->queue);
    job->queued = FALSE;
    job_start (job);
  }
}

/* On the client thread: the job arrives. */
static gboolean
job_enqueue_idle (gpointer data)
{
  ImagegenJob *job = data;
  ImagegenClient *client = job->client;

  job_ref (job);                /* for the queue */
  job->queued = TRUE;
  job->seq = client->next_seq++;
  g_queue_push_tail (&client->queue, job);

  /* A cancellable already cancelled calls the handler right here, which
   * posts the cancel: it runs before this job could get anywhere. */
  job->cancelled_id = g_cancellable_connect (job->cancellable,
      G_CALLBACK (job_cancelled_cb), job, NULL);

  if (client->shutting_down || g_cancellable_is_cancelled (job->cancellable)) {
    job_finish (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
            "job cancelled"));
    return G_SOURCE_REMOVE;
  }

  client_start_jobs (client);
  return G_SOURCE_REMOVE;
}

static void
client_submit_job (ImagegenClient * client, const ImagegenRequest * request,
    GCancellable * cancellable, ImagegenJobEventFunc event_func,
    ImagegenJobDoneFunc done_func, gpointer user_data, gchar * quote_key,
    const gchar * task_id, const gchar * poll_url)
{
  ImagegenJob *job;
  GSource *source;

  job = g_new0 (ImagegenJob, 1);
  job->ref = 1;
  job->client = client;
  job->request = imagegen_request_copy (request);
  job->cancellable = cancellable ? g_object_ref (cancellable) :
      g_cancellable_new ();
  job->event_func = event_func;
  job->done_func = done_func;
  job->user_data = user_data;
  job->quote_key = quote_key;
  job->source_urls = g_ptr_array_new_with_free_func (g_free);
  job->result = g_new0 (ImagegenResult, 1);
  job->result->model = g_strdup (request->model);
  job->result->cost_cents = -1;
  job->result->reserved_cents = -1;
  job->result->submitted_us = g_get_monotonic_time ();
  if (task_id != NULL) {
    job->resumed = job->result->resumed = TRUE;
    job->result->task_id = g_strdup (task_id);
    job->poll_url = g_strdup (poll_url);
    job->result->poll_url = g_strdup (poll_url);
    /* paid by the job that created it */
    job->result->cost_cents = 0;
  }

  g_atomic_int_inc (&client->jobs_pending);

  source = g_idle_source_new ();
  g_source_set_callback (source, job_enqueue_idle, job, job_unref);
  g_source_attach (source, client->context);
  g_source_unref (source);
}

void
imagegen_client_submit (ImagegenClient * client,
    const ImagegenRequest * request, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data)
{
  g_return_if_fail (client != NULL);
  g_return_if_fail (request != NULL);
  g_return_if_fail (done_func != NULL);

  client_submit_job (client, request, cancellable, event_func, done_func,
      user_data, NULL, NULL, NULL);
}

void
imagegen_client_resume (ImagegenClient * client,
    const ImagegenRequest * request, const gchar * task_id,
    const gchar * poll_url, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data)
{
  g_return_if_fail (client != NULL);
  g_return_if_fail (request != NULL);
  g_return_if_fail (task_id != NULL && *task_id != '\0');
  g_return_if_fail (done_func != NULL);

  client_submit_job (client, request, cancellable, event_func, done_func,
      user_data, NULL, task_id, poll_url);
}

typedef struct
{
  ImagegenClient *client;
  gchar *key;
} QuoteWait;

/* On the client thread: a quote came back.  Failed, or without a figure
 * yet, it is not asked again: the table's price stays in use. */
static void
quote_done (ImagegenResult * result, gpointer user_data)
{
  QuoteWait *wait = user_data;
  ImagegenClient *client = wait->client;

  g_mutex_lock (&client->quotes_lock);
  g_hash_table_replace (client->quotes, g_steal_pointer (&wait->key),
      result->error == NULL && result->cost_cents >= 0 ?
      QUOTE_STORE (result->cost_cents) : QUOTE_NONE);
  g_mutex_unlock (&client->quotes_lock);
  g_free (wait);
  imagegen_result_free (result);
}

void
imagegen_client_prefetch_quote (ImagegenClient * client,
    const ImagegenRequest * request)
{
  gchar *key;
  QuoteWait *wait;

  g_return_if_fail (client != NULL && request != NULL);
  /* a provider without live prices (Black Forest Labs) has the table's */
  if (client->provider->build_quote_body == NULL)
    return;
  key = client->provider->build_quote_body (request);
  if (key == NULL)
    return;
  g_mutex_lock (&client->quotes_lock);
  if (g_hash_table_contains (client->quotes, key)) {
    g_mutex_unlock (&client->quotes_lock);
    g_free (key);
    return;
  }
  g_hash_table_insert (client->quotes, g_strdup (key), QUOTE_PENDING);
  g_mutex_unlock (&client->quotes_lock);

  wait = g_new0 (QuoteWait, 1);
  wait->client = client;
  wait->key = g_strdup (key);
  client_submit_job (client, request, NULL, NULL, quote_done, wait, key,
      NULL, NULL);
}

gint
imagegen_client_get_quote (ImagegenClient * client,
    const ImagegenRequest * request)
{
  g_autofree gchar *key = NULL;
  gpointer value;
  gint cents = -1;

  g_return_val_if_fail (client != NULL && request != NULL, -1);
  if (client->provider->build_quote_body == NULL)
    return -1;
  key = client->provider->build_quote_body (request);
  if (key == NULL)
    return -1;
  g_mutex_lock (&client->quotes_lock);
  value = g_hash_table_lookup (client->quotes, key);
  if (value != NULL && value != QUOTE_PENDING && value != QUOTE_NONE)
    cents = QUOTE_CENTS (value);
  g_mutex_unlock (&client->quotes_lock);
  return cents;
}

guint
imagegen_client_get_jobs_pending (ImagegenClient * client)
{
  g_return_val_if_fail (client != NULL, 0);

  return (guint) g_atomic_int_get (&client->jobs_pending);
}

guint
imagegen_client_get_in_flight_limit (ImagegenClient * client)
{
  g_return_val_if_fail (client != NULL, 0);

  return (guint) g_atomic_int_get (&client->in_flight_limit);
}

guint
imagegen_client_get_rate_limited (ImagegenClient * client)
{
  g_return_val_if_fail (client != NULL, 0);

  return (guint) g_atomic_int_get (&client->rate_limited);
}

/* ---- the thread ---- */

static void
client_http_drained (gpointer data)
{
  ImagegenClient *client = data;

  if (client->shutting_down)
    g_main_loop_quit (client->loop);
}

static gboolean
client_shutdown_idle (gpointer data)
{
  ImagegenClient *client = data;
  GError *error;

  client->shutting_down = TRUE;

  while (client->running->len > 0 || !g_queue_is_empty (&client->queue)) {
    ImagegenJob *job = client->running->len > 0 ?
        g_ptr_array_index (client->running, 0) :
        g_queue_peek_head (&client->queue);

    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "client shut down");
    job_finish (job, error);
  }
  destroy_source (&client->limit_timer);

  /* Aborted exchanges still wait for soup to let go of them. */
  if (client->http.live == 0)
    g_main_loop_quit (client->loop);
  return G_SOURCE_REMOVE;
}

static void
ensure_types (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GType types[] = { G_TYPE_TASK, G_TYPE_CANCELLABLE, SOUP_TYPE_SESSION,
      SOUP_TYPE_MESSAGE, G_TYPE_SOCKET_CLIENT, G_TYPE_SOCKET_CONNECTION,
      G_TYPE_TCP_CONNECTION, G_TYPE_NETWORK_ADDRESS, G_TYPE_INET_ADDRESS,
      G_TYPE_INET_SOCKET_ADDRESS,
      G_TYPE_MEMORY_INPUT_STREAM, G_TYPE_MEMORY_OUTPUT_STREAM
    };
    guint i;

    /* class_ref runs each class_init too, where libsoup registers more */
    for (i = 0; i < G_N_ELEMENTS (types); i++)
      g_type_class_unref (g_type_class_ref (types[i]));
    g_once_init_leave (&done, 1);
  }
}

static gpointer
client_thread (gpointer data)
{
  ImagegenClient *client = data;
  guint conns = MAX (client->config.max_in_flight, 1) * 2 + 2;

  g_main_context_push_thread_default (client->context);

  /* Created here, so soup binds it to this thread and context. */
  client->http.session = soup_session_new_with_options (
      "timeout", client->config.request_timeout_s,
      "idle-timeout", client->config.request_timeout_s,
      "user-agent", client->config.user_agent,
      "max-conns", conns * 2,
      "max-conns-per-host", conns,
      NULL);
  if (client->tls_database)
    soup_session_set_tls_database (client->http.session,
        client->tls_database);

  g_main_loop_run (client->loop);

  soup_session_abort (client->http.session);
  while (g_main_context_iteration (client->context, FALSE));
  g_clear_object (&client->http.session);
  while (g_main_context_iteration (client->context, FALSE));

  g_main_context_pop_thread_default (client->context);
  return NULL;
}

ImagegenClient *
imagegen_client_new (const ImagegenClientConfig * config)
{
  ImagegenClient *client;
  ImagegenClientConfig *c;
  gchar *poll_dir;

  g_return_val_if_fail (config != NULL, NULL);

  client = g_new0 (ImagegenClient, 1);
  c = &client->config;
  *c = *config;
  c->api_key = config->api_key && *config->api_key ?
      g_strdup (config->api_key) : NULL;
  client->provider = imagegen_provider_get (c->provider);
  /* config_init()'s RunAPI default never carries another provider's key */
  c->base_url = g_strdup (config->base_url && (c->provider ==
          IMAGEGEN_PROVIDER_RUNAPI || strcmp (config->base_url,
              IMAGEGEN_CLIENT_DEFAULT_BASE_URL) != 0) ? config->base_url :
      client->provider->default_base_url);
  c->user_agent = g_strdup (config->user_agent ? config->user_agent :
      "gst-imagegen/" PACKAGE_VERSION);
  c->tls_ca_file = g_strdup (config->tls_ca_file);
  c->max_in_flight = MAX (c->max_in_flight, 1);
  if (c->rate_limit_timeout_s == 0)
    c->rate_limit_timeout_s = 60;
  c->poll_min_ms = MAX (c->poll_min_ms, 1);
  c->poll_max_ms = MAX (c->poll_max_ms, c->poll_min_ms);

  client->schedule = imagegen_poll_schedule_new (c->poll_min_ms,
      c->poll_max_ms);
  poll_dir = imagegen_poll_memory_dir (client->provider->name, c->base_url);
  client->poll_memory = imagegen_poll_memory_new (poll_dir);
  g_free (poll_dir);
  g_queue_init (&client->queue);
  client->running = g_ptr_array_new ();
  client->in_flight_limit = c->max_in_flight;
  g_mutex_init (&client->quotes_lock);
  client->quotes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);

  client->http.base_uri = g_uri_parse (c->base_url, SOUP_HTTP_URI_FLAGS, NULL);
  /* A refused configuration fails each job with the reason, where the
   * caller sees it, instead of a warning on the console. */
  if (imagegen_transport_check_config (c, &client->config_error)
      && !c->tls_insecure)
    imagegen_transport_tls_database (c, &client->tls_database,
        &client->config_error);
  client->http.tls_insecure = c->tls_insecure;
  client->log.func = c->log_func;
  client->log.data = c->log_data;
  client->log.secret = c->api_key;
  client->http.log = &client->log;
  if (c->api_key)
    client->http.authorization = g_strdup_printf ("%s%s",
        client->provider->auth_prefix, c->api_key);
  client->http.auth_header = client->provider->auth_header;
  client->http.key_domain = client->provider->key_domain;
  client->http.max_retries = c->max_retries;
  client->http.retry_base_ms = c->retry_base_ms;
  client->http.retry_max_ms = c->retry_max_ms;
  client->http.drained = client_http_drained;
  client->http.drained_data = client;

  client->context = g_main_context_new ();
  client->http.context = client->context;
  client->loop = g_main_loop_new (client->context, FALSE);
  /* Register the GIO and libsoup types the client thread uses before it
   * starts: GLib 2.74 can deadlock when two threads register types at once
   * (one in a class_init waiting on GTask's g_once, the other adding
   * GTask's interface), e.g. the application's first SoupSession against
   * the client's first request. */
  ensure_types ();
  client->thread = g_thread_new ("imagegen-client", client_thread, client);
  return client;
}

void
imagegen_client_free (ImagegenClient * client)
{
  GSource *source;

  if (client == NULL)
    return;
  g_return_if_fail (!g_main_context_is_owner (client->context));

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, client_shutdown_idle, client, NULL);
  g_source_attach (source, client->context);
  g_source_unref (source);

  g_thread_join (client->thread);

  g_main_loop_unref (client->loop);
  g_main_context_unref (client->context);
  imagegen_poll_schedule_free (client->schedule);
  imagegen_poll_memory_free (client->poll_memory);
  g_ptr_array_unref (client->running);
  g_hash_table_unref (client->quotes);
  g_mutex_clear (&client->quotes_lock);
  g_clear_pointer (&client->http.base_uri, g_uri_unref);
  g_clear_error (&client->config_error);
  g_clear_object (&client->tls_database);
  if (client->http.authorization) {
    memset (client->http.authorization, 0,
        strlen (client->http.authorization));
    g_free (client->http.authorization);
  }
  imagegen_client_config_clear (&client->config);
  g_free (client);
}
