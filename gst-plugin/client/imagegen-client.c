/* gst-imagegen: the client — a thread, its main context, a SoupSession,
 * and the public API.  The jobs' files are listed in
 * imagegen-client-private.h.
 *
 * Threading: everything except imagegen_client_new/free/submit/resume, the
 * quote calls and the "cancelled" handler runs on the client's thread.
 * Callers reach it only through idle sources attached to its context (never
 * g_main_context_invoke, which would run a submit made from a done callback
 * re-entrantly).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-client-private.h"
#include "imagegen-gate.h"
#include "imagegen-job.h"
#include "imagegen-realtime.h"
#include "imagegen-task.h"
#include "imagegen-transport.h"

#include <string.h>

/* A finished job leaves the gate's lists or the realtime session's
 * slots, whichever holds it. */
static void
client_release (ImagegenJob * job)
{
  if (job->realtime)
    imagegen_realtime_release (job);
  else
    imagegen_gate_release (job);
}

/* The only place the layers are wired together: each lower file reaches
 * an upper one through these. */
static const ImagegenJobHooks job_hooks = {
  .release = client_release,
  .start_queued = imagegen_gate_start_jobs,
  .start = imagegen_task_start,
  .uploaded = imagegen_task_create,
  .task_answer = imagegen_task_handle,
  .gone = imagegen_task_resume_gone,
};

/* Frames of a realtime row go over its WebSocket, not through tasks. */
static void
client_route (ImagegenJob * job)
{
  if (imagegen_realtime_takes (job->client, job->request))
    imagegen_realtime_submit (job);
  else
    imagegen_gate_submit (job);
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

  client_route (imagegen_job_new (client, request, cancellable, event_func,
          done_func, user_data));
}

void
imagegen_client_resume (ImagegenClient * client,
    const ImagegenRequest * request, const gchar * task_id,
    const gchar * poll_url, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data)
{
  ImagegenJob *job;

  g_return_if_fail (client != NULL);
  g_return_if_fail (request != NULL);
  g_return_if_fail (task_id != NULL && *task_id != '\0');
  g_return_if_fail (done_func != NULL);

  job = imagegen_job_new (client, request, cancellable, event_func,
      done_func, user_data);
  imagegen_task_mark_resumed (job, task_id, poll_url);
  imagegen_gate_submit (job);
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

  if (client->shutting_down && client->http.live == 0
      && imagegen_realtime_idle (client))
    g_main_loop_quit (client->loop);
}

static gboolean
client_shutdown_idle (gpointer data)
{
  ImagegenClient *client = data;

  imagegen_gate_close (client);
  imagegen_realtime_close (client);

  /* Aborted exchanges still wait for soup to let go of them, a closed
   * socket for its close to be answered. */
  client_http_drained (client);
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
  client->hooks = &job_hooks;
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
  if (c->realtime_token_lifetime_s == 0)
    c->realtime_token_lifetime_s = IMAGEGEN_REALTIME_TOKEN_LIFETIME_S;
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
      g_free);

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
  client->http.key_hosts = client->provider->key_hosts;
  client->http.max_retries = c->max_retries;
  client->http.retry_base_ms = c->retry_base_ms;
  client->http.retry_max_ms = c->retry_max_ms;
  client->http.drained = client_http_drained;
  client->http.drained_data = client;
  client->realtime = imagegen_realtime_new (client);

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
  imagegen_realtime_free (client->realtime);
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
