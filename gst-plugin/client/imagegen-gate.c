/* gst-imagegen: the gate — which job runs when.
 *
 * Jobs wait in submission order until the in-flight limit lets them start
 * (ImagegenJobHooks.start).  A create answered 429 is back-pressure:
 * imagegen_gate_hold() puts the job back at the head of the queue (kept in
 * submission order) with a timer for its Retry-After, and halves the
 * in-flight limit; nothing queued overtakes it.  It starts again at its
 * create.  Admitted creates raise the limit again, one at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-gate.h"
#include "imagegen-retry.h"

static void client_set_limited_since (ImagegenClient * client, gint64 t);

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
      held = g_list_prepend (held, imagegen_job_ref (l->data));
  for (l = held; l; l = l->next)
    imagegen_job_fail (l->data, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
        "rate limited (HTTP 429): no task admitted for %u s",
        client->config.rate_limit_timeout_s);
  g_list_free_full (held, imagegen_job_unref);
  /* Jobs sending a create now fail on their next 429. */
  return G_SOURCE_REMOVE;
}

/* @t: since when no create was admitted while jobs are held; 0: none. */
static void
client_set_limited_since (ImagegenClient * client, gint64 t)
{
  gint64 left;

  client->limited_since_us = t;
  imagegen_source_clear (&client->limit_timer);
  if (t == 0)
    return;
  left = t + (gint64) client->config.rate_limit_timeout_s * G_USEC_PER_SEC -
      g_get_monotonic_time ();
  client->limit_timer = imagegen_client_attach_timeout (client,
      MAX (left, 0) / 1000, client_limit_timer_cb, client);
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
  imagegen_gate_start_jobs (job->client);
  return G_SOURCE_REMOVE;
}

/* The create was answered 429: no task was made.  Back to the gate. */
void
imagegen_gate_hold (ImagegenJob * job, const gchar * retry_after)
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
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,
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
  job->hold_timer = imagegen_client_attach_timeout (client, delay_ms,
      job_hold_timer_cb, job);
  imagegen_gate_start_jobs (client);
}

/* The server made a task: the clock restarts, the limit creeps back up. */
void
imagegen_gate_admitted (ImagegenJob * job)
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
    imagegen_gate_start_jobs (client);
  }
}

void
imagegen_gate_start_jobs (ImagegenClient * client)
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
    client->hooks->start (job);
  }
}

/* On the client thread: the job arrives. */
static gboolean
gate_enqueue_idle (gpointer data)
{
  ImagegenJob *job = data;
  ImagegenClient *client = job->client;

  imagegen_job_ref (job);                /* for the queue */
  job->queued = TRUE;
  job->seq = client->next_seq++;
  g_queue_push_tail (&client->queue, job);

  if (imagegen_job_arrive (job))
    imagegen_gate_start_jobs (client);
  return G_SOURCE_REMOVE;
}

/* Any thread: the job goes to the client's thread, then to the queue. */
void
imagegen_gate_submit (ImagegenJob * job)
{
  ImagegenClient *client = job->client;
  GSource *source;

  g_atomic_int_inc (&client->jobs_pending);

  source = g_idle_source_new ();
  g_source_set_callback (source, gate_enqueue_idle, job, imagegen_job_unref);
  g_source_attach (source, client->context);
  g_source_unref (source);
}

/* The job is finished: off the queue or the running list. */
void
imagegen_gate_release (ImagegenJob * job)
{
  ImagegenClient *client = job->client;

  if (job->limited && --client->n_limited == 0)
    client_set_limited_since (client, 0);
  job->limited = FALSE;
  if (job->queued)
    g_queue_remove (&client->queue, job);
  if (job->running)
    g_ptr_array_remove_fast (client->running, job);
  job->queued = job->running = FALSE;
}

/* Shutdown: every job, running or waiting, fails as cancelled. */
void
imagegen_gate_close (ImagegenClient * client)
{
  client->shutting_down = TRUE;

  while (client->running->len > 0 || !g_queue_is_empty (&client->queue)) {
    ImagegenJob *job = client->running->len > 0 ?
        g_ptr_array_index (client->running, 0) :
        g_queue_peek_head (&client->queue);

    imagegen_job_finish (job, g_error_new_literal (G_IO_ERROR,
            G_IO_ERROR_CANCELLED, "client shut down"));
  }
  imagegen_source_clear (&client->limit_timer);
}
