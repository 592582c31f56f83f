/* gst-imagegen: fal's realtime tokens — fetch, hand out once, renew.
 * See imagegen-realtime-token.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-realtime-token.h"
#include "imagegen-errors.h"
#include "imagegen-fal-models.h"
#include "imagegen-job.h"

#include <string.h>

/* renewed at 90 % of the lifetime; a failed renewal is tried again after
 * 5 % of it, as fal's JS client does */
#define LIFETIME_S(tok) ((gint64) (tok)->client->config.realtime_token_lifetime_s)
#define RENEW_AT_US(tok) (LIFETIME_S (tok) * G_USEC_PER_SEC / 10 * 9)
#define RENEW_RETRY_MS(tok) (LIFETIME_S (tok) * 1000 / 20)

struct _ImagegenRealtimeToken
{
  ImagegenClient *client;
  gchar *model;                 /* whose app the tokens are for */
  ImagegenHttpExchange *exchange;       /* the fetch in flight */
  ImagegenRealtimeTokenFunc done;       /* a connect waits for it */
  gpointer done_data;
  gchar *spare;                 /* renewed, not used yet */
  gint64 spare_us;              /* when the spare was fetched */
  gint64 fetched_us;            /* of the token last handed out */
  GSource *renew_timer;
  GSource *handover;            /* a spare on its way to @done */
  gint count;                   /* atomic */
};

ImagegenRealtimeToken *
imagegen_realtime_token_new (ImagegenClient * client)
{
  ImagegenRealtimeToken *tok = g_new0 (ImagegenRealtimeToken, 1);

  tok->client = client;
  return tok;
}

static void
token_clear_spare (ImagegenRealtimeToken * tok)
{
  if (tok->spare)
    memset (tok->spare, 0, strlen (tok->spare));
  g_clear_pointer (&tok->spare, g_free);
}

void
imagegen_realtime_token_stop (ImagegenRealtimeToken * tok)
{
  ImagegenRealtimeTokenFunc done = tok->done;

  if (tok->exchange) {
    imagegen_http_exchange_abort (tok->exchange);
    tok->exchange = NULL;
  }
  imagegen_source_clear (&tok->renew_timer);
  imagegen_source_clear (&tok->handover);
  tok->done = NULL;
  if (done != NULL)
    done (NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
            "client shut down"), tok->done_data);
}

void
imagegen_realtime_token_free (ImagegenRealtimeToken * tok)
{
  if (tok == NULL)
    return;
  imagegen_realtime_token_stop (tok);
  token_clear_spare (tok);
  g_free (tok->model);
  g_free (tok);
}

guint
imagegen_realtime_token_count (ImagegenRealtimeToken * tok)
{
  return (guint) g_atomic_int_get (&tok->count);
}

gint64
imagegen_realtime_token_fetched_us (ImagegenRealtimeToken * tok)
{
  return tok->fetched_us;
}

/* The token in a /tokens/ answer: a bare JSON string (fal's own), or
 * {"token"} / {"detail"} (proxies); a text/plain JWT too. */
static gchar *
token_parse (GBytes * body)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const gchar *data = g_bytes_get_data (body, &size);
  JsonNode *root;
  const gchar *names[] = { "token", "detail" };
  guint i;

  if (!json_parser_load_from_data (parser, data, size, NULL)) {
    g_autofree gchar *text = g_strstrip (g_strndup (data, size));

    /* a JWT is three base64url parts */
    return *text && strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
        "opqrstuvwxyz0123456789-_.") == strlen (text) ?
        g_steal_pointer (&text) : NULL;
  }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_VALUE (root)
      && json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));
  for (i = 0; root != NULL && JSON_NODE_HOLDS_OBJECT (root)
      && i < G_N_ELEMENTS (names); i++) {
    JsonNode *n = json_object_get_member (json_node_get_object (root),
        names[i]);

    if (n != NULL && JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_STRING)
      return g_strdup (json_node_get_string (n));
  }
  return NULL;
}

static GError *
token_error (const ImagegenHttpResponse * r)
{
  GError *error;

  if (r->error && (r->error->domain == IMAGEGEN_CLIENT_ERROR
          || g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    error = g_error_copy (r->error);
  else if (r->error)
    error = imagegen_error_new_for_transport (r->error, r->retries);
  else
    error = imagegen_error_new_for_status (r->status, NULL, r->retries);
  g_prefix_error (&error, "fal's token endpoint refused a realtime token: ");
  return error;
}

static void token_fetch (ImagegenRealtimeToken * tok);

static gboolean
token_renew_cb (gpointer data)
{
  ImagegenRealtimeToken *tok = data;

  imagegen_source_clear (&tok->renew_timer);
  if (tok->exchange == NULL)
    token_fetch (tok);
  return G_SOURCE_REMOVE;
}

static void
token_renew_in (ImagegenRealtimeToken * tok, gint64 us)
{
  imagegen_source_clear (&tok->renew_timer);
  tok->renew_timer = imagegen_client_attach_timeout (tok->client,
      (guint) (MAX (us, 0) / 1000), token_renew_cb, tok);
}

static void
token_fetched (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenRealtimeToken *tok = data;
  ImagegenRealtimeTokenFunc done = tok->done;
  gchar *token = NULL;
  GError *error = NULL;

  tok->exchange = NULL;
  tok->done = NULL;
  if (r->error == NULL && SOUP_STATUS_IS_SUCCESSFUL (r->status)) {
    token = token_parse (r->body);
    if (token == NULL)
      error = g_error_new_literal (IMAGEGEN_CLIENT_ERROR,
          IMAGEGEN_CLIENT_ERROR_PROTOCOL, "fal's token endpoint answered "
          "without a token (a JSON string was expected).");
  } else {
    error = token_error (r);
  }
  if (token != NULL)
    g_atomic_int_inc (&tok->count);

  if (done != NULL) {
    if (token != NULL)
      tok->fetched_us = g_get_monotonic_time ();
    done (token, error, tok->done_data);
    return;
  }
  /* a renewal: kept for the next connect */
  if (token == NULL) {
    IMAGEGEN_LOG (&tok->client->log, IMAGEGEN_LOG_INFO,
        "realtime token not renewed, trying again in %u s: %s",
        (guint) (RENEW_RETRY_MS (tok) / 1000), error->message);
    g_error_free (error);
    token_renew_in (tok, RENEW_RETRY_MS (tok) * 1000);
    return;
  }
  token_clear_spare (tok);
  tok->spare = token;
  tok->spare_us = g_get_monotonic_time ();
  IMAGEGEN_LOG (&tok->client->log, IMAGEGEN_LOG_INFO,
      "realtime token renewed in the background (the open socket stays)");
  token_renew_in (tok, RENEW_AT_US (tok));
}

static void
token_fetch (ImagegenRealtimeToken * tok)
{
  g_auto (GStrv) parts = g_strsplit (tok->model, "/", 3);
  g_autofree gchar *url = imagegen_fal_url (tok->client->config.base_url,
      IMAGEGEN_FAL_HOST_REST, "/tokens/");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *body = NULL;
  GError *error = NULL;

  /* the alias is the app part of the id: fal-ai/flux-2/... -> flux-2 */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "allowed_apps");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, parts[0] && parts[1] ? parts[1] :
      tok->model);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "token_expiration");
  json_builder_add_int_value (b, LIFETIME_S (tok));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);

  tok->exchange = imagegen_http_exchange_start (&tok->client->http, "POST",
      url, body, IMAGEGEN_HTTP_FLAG_API, IMAGEGEN_HTTP_API_MAX_BYTES,
      token_fetched, tok, &error);
  if (tok->exchange == NULL) {
    ImagegenHttpResponse r = {.error = error };

    token_fetched (&r, tok);
    g_error_free (error);
  }
}

static gboolean
token_handover_cb (gpointer data)
{
  ImagegenRealtimeToken *tok = data;
  ImagegenRealtimeTokenFunc done = tok->done;

  imagegen_source_clear (&tok->handover);
  tok->done = NULL;
  tok->fetched_us = tok->spare_us;
  done (g_steal_pointer (&tok->spare), NULL, tok->done_data);
  return G_SOURCE_REMOVE;
}

void
imagegen_realtime_token_get (ImagegenRealtimeToken * tok,
    const gchar * model, ImagegenRealtimeTokenFunc done, gpointer data)
{
  g_return_if_fail (tok->done == NULL);

  tok->done = done;
  tok->done_data = data;
  if (g_strcmp0 (tok->model, model) != 0) {
    token_clear_spare (tok);
    g_free (tok->model);
    tok->model = g_strdup (model);
  }
  if (tok->spare && g_get_monotonic_time () - tok->spare_us < RENEW_AT_US (tok)) {
    tok->handover = imagegen_client_attach_timeout (tok->client, 0,
        token_handover_cb, tok);
    return;
  }
  token_clear_spare (tok);
  /* a renewal already on its way serves this connect */
  if (tok->exchange == NULL)
    token_fetch (tok);
}

void
imagegen_realtime_token_renew_from (ImagegenRealtimeToken * tok,
    gint64 fetched_us)
{
  if (fetched_us == 0) {
    imagegen_source_clear (&tok->renew_timer);
    return;
  }
  token_renew_in (tok, fetched_us + RENEW_AT_US (tok) - g_get_monotonic_time ());
}
