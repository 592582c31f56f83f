/* gst-imagegen: opening fal's realtime WebSocket.  See
 * imagegen-realtime-connect.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-realtime-connect.h"
#include "imagegen-fal-models.h"

#include <string.h>

typedef struct
{
  ImagegenClient *client;
  gchar *model;
  GCancellable *cancel;
  ImagegenRealtimeConnectFunc done;
  gpointer data;
} Connect;

static void
connect_free (Connect * c)
{
  g_free (c->model);
  g_object_unref (c->cancel);
  g_free (c);
}

static void
connected_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  Connect *c = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), res);
  guint status = msg ? soup_message_get_status (msg) : 0;
  GError *error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish
      (SOUP_SESSION (source), res, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_error_free (error);
    connect_free (c);
    return;
  }
  if (ws != NULL)
    /* the default 128 KiB refuses a 1024x1024 result */
    g_object_set (ws, "max-incoming-payload-size",
        (guint64) c->client->config.max_download_bytes, NULL);
  c->done (ws, error, ws == NULL && status >= 400 ? status : 0, FALSE, c->data);
  connect_free (c);
}

static gboolean
accept_certificate_cb (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;                  /* tls_insecure: the user said so */
}

/* The token rides in the query: the URL is logged without it and wiped. */
static void
token_cb (gchar * token, GError * error, gpointer data)
{
  Connect *c = data;
  ImagegenClient *client = c->client;
  g_autofree gchar *path = NULL, *url = NULL, *escaped = NULL, *full = NULL;
  SoupMessage *msg;

  if (g_cancellable_is_cancelled (c->cancel) || g_error_matches (error,
          G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_clear_error (&error);
    if (token)
      memset (token, 0, strlen (token));
    g_free (token);
    connect_free (c);
    return;
  }
  if (error != NULL) {
    c->done (NULL, error, 0, TRUE, c->data);
    connect_free (c);
    return;
  }
  /* fal's clients append /realtime unless the id ends in it */
  path = g_strdup_printf ("/%s%s", c->model, g_str_has_suffix (c->model,
          "/realtime") ? "" : "/realtime");
  escaped = g_uri_escape_string (token, NULL, FALSE);
  memset (token, 0, strlen (token));
  g_free (token);
  url = imagegen_fal_url (client->config.base_url,
      IMAGEGEN_FAL_HOST_REALTIME, path);
  /* one frame at a time: nothing for the runner to buffer */
  full = g_strdup_printf ("%s?fal_jwt_token=%s&max_buffering=1", url, escaped);
  msg = soup_message_new ("GET", full);
  memset (full, 0, strlen (full));
  memset (escaped, 0, strlen (escaped));
  if (msg == NULL) {
    c->done (NULL, g_error_new (IMAGEGEN_CLIENT_ERROR,
            IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "The realtime URL %s, "
            "made from the base URL, is not usable.", url), 0, TRUE, c->data);
    connect_free (c);
    return;
  }
  if (client->http.tls_insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_certificate_cb), NULL);
  IMAGEGEN_LOG (&client->log, IMAGEGEN_LOG_DEBUG, "realtime connect: GET %s",
      url);
  soup_session_websocket_connect_async (client->http.session, msg, NULL,
      NULL, G_PRIORITY_DEFAULT, c->cancel, connected_cb, c);
  g_object_unref (msg);
}

void
imagegen_realtime_connect (ImagegenClient * client,
    ImagegenRealtimeToken * tok, const gchar * model, GCancellable * cancel,
    ImagegenRealtimeConnectFunc done, gpointer data)
{
  Connect *c = g_new0 (Connect, 1);

  c->client = client;
  c->model = g_strdup (model);
  c->cancel = g_object_ref (cancel);
  c->done = done;
  c->data = data;
  imagegen_realtime_token_get (tok, model, token_cb, c);
}
