/* gst-imagegen: fal's realtime session — the socket, the frame in flight,
 * what the server says, reconnects and counters.  See imagegen-realtime.h;
 * jobs come in through imagegen-realtime-jobs.c, tokens are
 * imagegen-realtime-token.c's, frames imagegen-realtime-codec.c's.
 *
 * Everything here but _new, _free and the stats runs on the client's
 * thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-realtime-private.h"
#include "imagegen-realtime-codec.h"
#include "imagegen-realtime-connect.h"
#include "imagegen-retry.h"

#include <string.h>

ImagegenRealtime *
imagegen_realtime_new (ImagegenClient * client)
{
  ImagegenRealtime *rt = g_new0 (ImagegenRealtime, 1);

  rt->client = client;
  rt->token = imagegen_realtime_token_new (client);
  g_mutex_init (&rt->lock);
  return rt;
}

void
imagegen_realtime_free (ImagegenRealtime * rt)
{
  imagegen_realtime_token_free (rt->token);
  g_free (rt->ws_model);
  g_mutex_clear (&rt->lock);
  g_free (rt);
}

void
imagegen_client_get_realtime_stats (ImagegenClient * client,
    ImagegenRealtimeStats * stats)
{
  ImagegenRealtime *rt = client->realtime;

  g_mutex_lock (&rt->lock);
  *stats = rt->stats;
  g_mutex_unlock (&rt->lock);
  stats->tokens = imagegen_realtime_token_count (rt->token);
}

/* The price of one frame: what the engine reserved for it. */
gint64
imagegen_realtime_frame_price (ImagegenJob * job)
{
  return imagegen_models_price_nanocents (job->client->provider,
      job->request, NULL);
}

/* ---- the socket ---- */

static void
rt_closing_done (SoupWebsocketConnection * ws, gpointer data)
{
  ImagegenRealtime *rt = data;
  ImagegenClient *client = rt->client;

  g_signal_handlers_disconnect_by_data (ws, rt);
  g_object_unref (ws);
  if (--rt->closing == 0 && client->shutting_down)
    client->http.drained (client->http.drained_data);
}

/* Ours no more: closed with 1000, freed once the close is done. */
static void
rt_discard_socket (ImagegenRealtime * rt)
{
  SoupWebsocketConnection *ws = g_steal_pointer (&rt->ws);

  imagegen_source_clear (&rt->reply_timer);
  imagegen_realtime_token_renew_from (rt->token, 0);
  if (ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (ws, rt);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_CLOSED) {
    g_object_unref (ws);
    return;
  }
  rt->closing++;
  g_signal_connect (ws, "closed", G_CALLBACK (rt_closing_done), rt);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* Ends @job (NULL is fine) with a copy of @error. */
static void
rt_fail (ImagegenJob * job, const GError * error)
{
  if (job != NULL)
    imagegen_job_finish (job, g_error_copy (error));
}

/* Both frames fail with @error: nothing would go better for the next. */
static void
rt_fail_all (ImagegenRealtime * rt, const GError * error)
{
  ImagegenJob *current = rt->current, *waiting = rt->waiting;

  rt_fail (current, error);
  rt_fail (waiting, error);
}

/* The socket is gone, or going: @normal a close with 1000 (the idle
 * TIMEOUT, or after an x-fal-error, which the runner follows with its
 * close), else a drop.  The frame in flight goes again on
 * the next socket, once. */
static void
rt_lost (ImagegenRealtime * rt, gboolean normal, const gchar * why)
{
  ImagegenJob *job = rt->current;

  rt_discard_socket (rt);
  if (!normal) {
    STAT_INC (rt, drops);
    rt->reconnect_why = "a drop";
    IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_INFO,
        "realtime socket dropped (%s)%s", why, job ? ": reconnecting with a "
        "new token" : "; reconnecting on the next frame");
  }
  if (!rt->on_wire)
    goto out;
  rt->on_wire = FALSE;
  if (job != NULL && job->rt_resent) {
    imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_NETWORK,
        "fal's realtime connection was lost twice while the frame was in "
        "flight (%s).", why);
  } else if (job != NULL) {
    job->rt_resent = TRUE;
  }
out:
  imagegen_realtime_pump_soon (rt);
}

static gboolean
rt_reply_timeout_cb (gpointer data)
{
  ImagegenRealtime *rt = data;
  g_autofree gchar *why = g_strdup_printf ("no answer within %u s",
      rt->client->config.request_timeout_s);

  imagegen_source_clear (&rt->reply_timer);
  rt_lost (rt, FALSE, why);
  return G_SOURCE_REMOVE;
}

static void
rt_send (ImagegenRealtime * rt, ImagegenJob * job)
{
  ImagegenResult *result = job->result;
  gboolean first = result->task_id == NULL;

  if (first)
    result->task_id = g_strdup_printf ("rt-%u", ++rt->next_id);
  result->created_us = g_get_monotonic_time ();
  soup_websocket_connection_send_message (rt->ws,
      SOUP_WEBSOCKET_DATA_BINARY, job->rt_frame);
  rt->on_wire = TRUE;
  STAT_INC (rt, frames_sent);
  IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_DEBUG,
      "realtime frame %s sent%s (%" G_GSIZE_FORMAT " bytes)",
      result->task_id, first ? "" : " again", g_bytes_get_size (job->rt_frame));
  if (rt->client->config.request_timeout_s > 0)
    rt->reply_timer = imagegen_client_attach_timeout (rt->client,
        rt->client->config.request_timeout_s * 1000, rt_reply_timeout_cb, rt);
  if (first)
    imagegen_job_event (job, "submitted");
}

/* ---- what the server says ---- */

/* The answer to the frame in flight came: its job (NULL when it was
 * cancelled meanwhile) is handed back. */
static ImagegenJob *
rt_answered (ImagegenRealtime * rt)
{
  ImagegenJob *job = rt->current;

  rt->on_wire = FALSE;
  imagegen_source_clear (&rt->reply_timer);
  rt->current = NULL;
  imagegen_realtime_pump_soon (rt);
  return job;
}

static void
rt_result (ImagegenRealtime * rt, ImagegenRealtimeAnswer * a)
{
  ImagegenJob *job;
  ImagegenResult *result;

  STAT_INC (rt, results);
  rt->unauthorized = 0;
  if (!rt->on_wire)
    return;
  job = rt_answered (rt);
  if (job == NULL) {
    IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_DEBUG,
        "realtime result of a frame cancelled in flight: dropped");
    return;
  }
  result = job->result;
  result->completed_us = result->downloaded_us = g_get_monotonic_time ();
  result->image = g_steal_pointer (&a->image);
  result->content_type = g_steal_pointer (&a->content_type);
  result->cost_nanocents = imagegen_realtime_frame_price (job);
  imagegen_job_event (job, "completed");
  imagegen_job_finish (job, NULL);
}

static void
rt_unauthorized (ImagegenRealtime * rt, const gchar * why)
{
  if (++rt->unauthorized >= 2) {
    g_autoptr (GError) error = g_error_new (IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_AUTH, "fal's realtime service refused a new "
        "token too (%s): the key may not be allowed to use %s.", why,
        rt->ws_model ? rt->ws_model : "the model");

    rt->unauthorized = 0;
    rt_discard_socket (rt);
    rt->on_wire = FALSE;
    rt_fail_all (rt, error);
    return;
  }
  IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_INFO,
      "realtime token refused (%s): reconnecting with a new token", why);
  /* not a drop: the frame in flight goes again, without using up its
   * resend */
  rt_discard_socket (rt);
  rt->on_wire = FALSE;
  rt->reconnect_why = "Unauthorized";
  imagegen_realtime_pump_soon (rt);
}

static void
rt_message_cb (SoupWebsocketConnection * ws, gint type, GBytes * frame,
    gpointer data)
{
  ImagegenRealtime *rt = data;
  ImagegenRealtimeAnswer a;
  ImagegenJob *job;

  imagegen_realtime_decode (frame, type == SOUP_WEBSOCKET_DATA_BINARY, &a);
  switch (a.kind) {
    case IMAGEGEN_REALTIME_RESULT:
      rt_result (rt, &a);
      break;
    case IMAGEGEN_REALTIME_IDLE:
      IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_INFO,
          "realtime socket idle (%s): it closes, the next frame opens "
          "another", a.error);
      /* the runner closes next: nothing more goes on this socket */
      rt_lost (rt, TRUE, a.error);
      break;
    case IMAGEGEN_REALTIME_ERROR:
      STAT_INC (rt, service_errors);
      IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_WARNING,
          "fal's realtime service reported %s", a.error);
      if (rt->on_wire && (job = rt_answered (rt)) != NULL) {
        job->result->cost_nanocents = 0;
        imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_TASK_FAILED,
            "fal's realtime service failed the frame: %s.", a.error);
      }
      rt_lost (rt, TRUE, a.error);
      break;
    case IMAGEGEN_REALTIME_UNAUTHORIZED:
      rt_unauthorized (rt, "Unauthorized on the open socket");
      break;
    case IMAGEGEN_REALTIME_MALFORMED:
      if (rt->on_wire && (job = rt_answered (rt)) != NULL)
        imagegen_job_fail (job, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
            "fal's realtime service answered the frame with a message we "
            "cannot read (no image in it).");
      break;
    case IMAGEGEN_REALTIME_MESSAGE:
    case IMAGEGEN_REALTIME_OTHER:
      break;
  }
  imagegen_realtime_answer_clear (&a);
}

static void
rt_closed_cb (SoupWebsocketConnection * ws, gpointer data)
{
  ImagegenRealtime *rt = data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  g_autofree gchar *why = code ? g_strdup_printf ("closed with code %u",
      code) : g_strdup ("connection lost");

  rt_lost (rt, code == SOUP_WEBSOCKET_CLOSE_NORMAL, why);
}

/* ---- connecting ---- */

static void rt_pump_in (ImagegenRealtime * rt, guint ms);

static void
rt_connect_failed (ImagegenRealtime * rt, const gchar * why)
{
  ImagegenClientConfig *c = &rt->client->config;
  g_autoptr (GError) error = NULL;

  if (rt->connect_failures++ < c->max_retries) {
    guint ms = imagegen_retry_backoff_ms (c->retry_base_ms, c->retry_max_ms,
        rt->connect_failures - 1);

    IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_INFO,
        "realtime connect failed (%s): trying again in %u ms", why, ms);
    rt_pump_in (rt, ms);
    return;
  }
  error = g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_NETWORK,
      "could not connect to fal's realtime service after %u retries: %s.",
      rt->connect_failures - 1, why);
  rt->connect_failures = 0;
  rt_fail_all (rt, error);
}

static void
rt_connected (SoupWebsocketConnection * ws, GError * error, guint status,
    gboolean token_failed, gpointer data)
{
  ImagegenRealtime *rt = data;

  g_clear_object (&rt->connect_cancel);
  if (token_failed) {
    /* 401 and 403 are fatal; the others were retried already */
    rt_fail_all (rt, error);
  } else if (status == 401 || status == 403) {
    g_autofree gchar *why = g_strdup_printf ("HTTP %u on the upgrade",
        status);

    rt_unauthorized (rt, why);
  } else if (ws == NULL) {
    g_autofree gchar *why = status ? g_strdup_printf ("HTTP %u on the "
        "upgrade", status) : g_strdup (error->message);

    /* the sentence ends once */
    if (g_str_has_suffix (why, "."))
      why[strlen (why) - 1] = '\0';
    rt_connect_failed (rt, why);
  } else {
    rt->ws = ws;
    rt->connect_failures = 0;
    g_signal_connect (ws, "message", G_CALLBACK (rt_message_cb), rt);
    g_signal_connect (ws, "closed", G_CALLBACK (rt_closed_cb), rt);
    STAT_INC (rt, connects);
    if (rt->reconnect_why)
      STAT_INC (rt, reconnects);
    IMAGEGEN_LOG (&rt->client->log, IMAGEGEN_LOG_INFO,
        "realtime socket %s for %s%s%s", rt->reconnect_why ? "reconnected" :
        "connected", rt->ws_model, rt->reconnect_why ? " after " : "",
        rt->reconnect_why ? rt->reconnect_why : "");
    rt->reconnect_why = NULL;
    imagegen_realtime_token_renew_from (rt->token,
        imagegen_realtime_token_fetched_us (rt->token));
    imagegen_realtime_pump_soon (rt);
  }
  g_clear_error (&error);
}

static void
rt_connect (ImagegenRealtime * rt)
{
  rt->connect_cancel = g_cancellable_new ();
  g_free (rt->ws_model);
  rt->ws_model = g_strdup (rt->current->request->model);
  imagegen_realtime_connect (rt->client, rt->token, rt->ws_model,
      rt->connect_cancel, rt_connected, rt);
}

/* ---- the two slots ---- */

/* The next thing to do: a waiting frame into the free slot, a connect
 * for it, or its send. */
static void
rt_pump (ImagegenRealtime * rt)
{
  if (rt->client->shutting_down)
    return;
  if (rt->current == NULL && !rt->on_wire && rt->waiting != NULL) {
    rt->current = g_steal_pointer (&rt->waiting);
  }
  if (rt->current == NULL || rt->connect_cancel)
    return;
  /* a frame for another model: that model's socket */
  if (rt->ws != NULL && !rt->on_wire
      && g_strcmp0 (rt->ws_model, rt->current->request->model) != 0)
    rt_discard_socket (rt);
  if (rt->ws == NULL)
    rt_connect (rt);
  else if (!rt->on_wire && soup_websocket_connection_get_state (rt->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    rt_send (rt, rt->current);
}

static gboolean
rt_pump_idle_cb (gpointer data)
{
  ImagegenRealtime *rt = data;

  imagegen_source_clear (&rt->pump_idle);
  rt_pump (rt);
  return G_SOURCE_REMOVE;
}

/* Later, never inside a job's finish or a socket's signal. */
void
imagegen_realtime_pump_soon (ImagegenRealtime * rt)
{
  if (rt->pump_idle == NULL)
    rt->pump_idle = imagegen_client_attach_timeout (rt->client, 0,
        rt_pump_idle_cb, rt);
}

/* A connect's backoff: nothing pumps before @ms. */
static void
rt_pump_in (ImagegenRealtime * rt, guint ms)
{
  imagegen_source_clear (&rt->pump_idle);
  rt->pump_idle = imagegen_client_attach_timeout (rt->client, ms,
      rt_pump_idle_cb, rt);
}

void
imagegen_realtime_close (ImagegenClient * client)
{
  ImagegenRealtime *rt = client->realtime;
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR,
      G_IO_ERROR_CANCELLED, "client shut down");

  if (rt->connect_cancel) {
    g_cancellable_cancel (rt->connect_cancel);
    g_clear_object (&rt->connect_cancel);
  }
  imagegen_realtime_token_stop (rt->token);
  rt_fail_all (rt, error);
  rt_discard_socket (rt);
  rt->on_wire = FALSE;
  imagegen_source_clear (&rt->pump_idle);
}

gboolean
imagegen_realtime_idle (ImagegenClient * client)
{
  return client->realtime->closing == 0;
}
