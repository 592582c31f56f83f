/* imagegen-emulator: fal's realtime WebSocket (PROTOCOL-FAL.md section 5)
 * at /<model id> of every realtime row: the upgrade authenticated by a
 * token /tokens/ issued or by a key, msgpack frames in, one served at a
 * time as fal's runner does with the rest waiting in a bounded buffer
 * (the oldest dropped), msgpack results and JSON control messages out,
 * the idle timeout, and the frame faults.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sockets live on the main context; a frame renders on a worker and its
 * service time is waited out by a timeout, so that one slow socket does
 * not stall the server.
 */
#include "config.h"

#include "emulator-fal-realtime.h"
#include "imagegen-models.h"

#include <string.h>

/* max_buffering when the URL has none: fal's recommended value (what the
 * app decides is not known) */
#define DEFAULT_MAX_BUFFERING 2
/* a token request without token_expiration: fal's clients' default */
#define DEFAULT_TOKEN_TTL_S 120
/* a 1024 x 1024 JPEG as a data: URI, with room to spare */
#define MAX_FRAME_BYTES EMU_MAX_FILE_SIZE

typedef struct
{
  gint64 expires_us;            /* monotonic */
  /* allowed_apps, each between spaces; "": any */
  gchar apps[];
} RtToken;

/* ---- tokens ---- */

static gboolean
token_expired (gpointer key, gpointer value, gpointer data)
{
  return g_get_monotonic_time () >= ((RtToken *) value)->expires_us;
}

void
emu_fal_rt_token_issued (Emulator * emu, const gchar * token, JsonObject * body)
{
  JsonNode *node = body ? json_object_get_member (body, "allowed_apps") : NULL;
  JsonArray *list = node && JSON_NODE_HOLDS_ARRAY (node) ?
      json_node_get_array (node) : NULL;
  gint64 ttl = body ? json_object_get_int_member_with_default (body,
      "token_expiration", DEFAULT_TOKEN_TTL_S) : DEFAULT_TOKEN_TTL_S;
  GString *apps = g_string_new (NULL);
  RtToken *t;
  guint i;

  for (i = 0; list && i < json_array_get_length (list); i++)
    g_string_append_printf (apps, " %s ",
        json_array_get_string_element (list, i));
  if (emu->fal_token_ttl_s > 0)
    ttl = MIN (ttl, (gint64) emu->fal_token_ttl_s);
  /* an expired token is as good as unknown: the table stays small */
  g_hash_table_foreach_remove (emu->fal_rt->tokens, token_expired, NULL);
  t = g_malloc (sizeof (RtToken) + apps->len + 1);
  t->expires_us = g_get_monotonic_time () + MAX (ttl, 0) * G_USEC_PER_SEC;
  memcpy (t->apps, apps->str, apps->len + 1);
  g_string_free (apps, TRUE);
  g_hash_table_replace (emu->fal_rt->tokens, g_strdup (token), t);
}

/* Issued, not expired, and (with @row) for @row's app alias */
static gboolean
token_good (Emulator * emu, const gchar * token, const ImagegenModelRow * row)
{
  RtToken *t = g_hash_table_lookup (emu->fal_rt->tokens, token);
  g_auto (GStrv) parts = NULL;
  g_autofree gchar *app = NULL;

  if (t == NULL || g_get_monotonic_time () >= t->expires_us)
    return FALSE;
  if (row == NULL || t->apps[0] == '\0')
    return TRUE;
  parts = g_strsplit (row->model, "/", 3);
  app = g_strdup_printf (" %s ", parts[1] ? parts[1] : "");
  return strstr (t->apps, app) != NULL;
}

/* ---- records ---- */

void
emu_fal_rt_count_close (Emulator * emu, guint code)
{
  EmuStats *st = &emu->stats;
  guint i;

  for (i = 0; i < EMU_FAL_RT_CLOSE_CODES; i++) {
    if (st->fal_rt_closes[i].code == 0)
      st->fal_rt_closes[i].code = code;
    if (st->fal_rt_closes[i].code == code) {
      st->fal_rt_closes[i].count++;
      return;
    }
  }
}

/* ---- the socket ---- */

static void arm_idle (RtConn * c);

static gboolean
on_idle (gpointer data)
{
  RtConn *c = data;

  c->idle_id = 0;
  /* "no inputs": a frame at work or waiting is input */
  if (c->serving != NULL || !g_queue_is_empty (&c->pending)) {
    arm_idle (c);
    return G_SOURCE_REMOVE;
  }
  emu_rt_send_fal_error (c, "TIMEOUT", "no inputs, reconnect when needed!");
  emu_rt_conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
  return G_SOURCE_REMOVE;
}

static void
arm_idle (RtConn * c)
{
  if (c->idle_id)
    g_source_remove (c->idle_id);
  /* not g_timeout_add_seconds(): its first firing may come early */
  c->idle_id = c->closing ? 0 : g_timeout_add_full (G_PRIORITY_DEFAULT,
      c->emu->fal_realtime_idle_s * 1000, on_idle, emu_rt_conn_ref (c),
      (GDestroyNotify) emu_rt_conn_unref);
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    gpointer data)
{
  RtConn *c = data;
  g_autofree gchar *reason = NULL;
  JsonObject *body;
  RtFrame *f;

  if (c->closing)
    return;
  c->emu->stats.fal_rt_frames++;
  c->frames_in++;
  arm_idle (c);
  if (type != SOUP_WEBSOCKET_DATA_BINARY) {
    /* the runner reads inputs with receive_bytes() */
    emu_rt_conn_fail (c, "INTERNAL_ERROR", "inputs must be msgpack binary");
    return;
  }
  if (c->token && !token_good (c->emu, c->token, NULL)) {
    /* fal's answer to an expired token is not known: the defensive one */
    emu_rt_send_unauthorized (c);
    return;
  }
  body = emu_rt_decode_frame (message, &reason);
  if (body == NULL) {
    emu_rt_conn_fail (c, "INTERNAL_ERROR", reason);
    return;
  }
  f = g_new0 (RtFrame, 1);
  f->conn = c;
  f->n = c->frames_in;
  f->id = g_strdup_printf ("rt-%u-%u", c->id, f->n);
  f->body = body;
  g_queue_push_tail (&c->pending, f);
  if (g_queue_get_length (&c->pending) > c->max_buffering) {
    RtFrame *oldest = g_queue_pop_head (&c->pending);

    c->emu->stats.fal_rt_dropped++;
    emu_rt_log_frame (oldest, "dropped");
    emu_rt_frame_free (oldest);
  }
  emu_rt_serve_next (c);
}

static void
on_closed (SoupWebsocketConnection * ws, gpointer data)
{
  RtConn *c = data;
  struct _EmuFalRt *rt = c->emu->fal_rt;
  guint code = c->close_code ? c->close_code :
      soup_websocket_connection_get_close_code (ws);
  JsonObject *o = json_object_new ();
  GList *l, *next;

  c->closing = TRUE;
  /* no close frame from the peer: a dropped connection */
  code = code ? code : SOUP_WEBSOCKET_CLOSE_ABNORMAL;
  emu_fal_rt_count_close (c->emu, code);
  json_object_set_int_member (o, "conn", c->id);
  json_object_set_int_member (o, "code", code);
  emu_log_fields (c->emu->log, "fal_rt_close", o);
  if (c->idle_id)
    g_source_remove (c->idle_id);
  c->idle_id = 0;
  /* a held frame that is rendered waits on nothing but the release */
  for (l = rt->held; l; l = next) {
    RtFrame *f = l->data;

    next = l->next;
    if (f->conn == c && f->rendered) {
      rt->held = g_list_delete_link (rt->held, l);
      emu_rt_frame_over (c, f);
      emu_rt_conn_unref (c);
    }
  }
  rt->conns = g_list_remove (rt->conns, c);
  emu_rt_conn_unref (c);
}

static void
on_websocket (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * ws, gpointer user_data)
{
  Emulator *emu = user_data;
  RtConn *c = g_atomic_rc_box_new0 (RtConn);
  const gchar *query = g_uri_get_query (soup_server_message_get_uri (msg));
  GHashTable *form = query ? soup_form_decode (query) : NULL;
  const gchar *mb = form ? g_hash_table_lookup (form, "max_buffering") : NULL;
  JsonObject *o = json_object_new ();
  GSocket *socket = soup_server_message_get_socket (msg);

  c->emu = emu;
  c->row = imagegen_models_find_any (path + 1);
  c->ws = g_object_ref (ws);
  c->socket = socket ? g_object_ref (socket) : NULL;
  c->id = ++emu->fal_rt->next_id;
  c->token = g_strdup (form ? g_hash_table_lookup (form, "fal_jwt_token") :
      NULL);
  c->max_buffering = mb ? (guint) g_ascii_strtoull (mb, NULL, 10) :
      DEFAULT_MAX_BUFFERING;
  g_queue_init (&c->pending);
  if (form)
    g_hash_table_unref (form);
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_FRAME_BYTES);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), c);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), c);
  emu->fal_rt->conns = g_list_prepend (emu->fal_rt->conns, c);
  emu->stats.fal_rt_connects++;
  json_object_set_int_member (o, "conn", c->id);
  json_object_set_string_member (o, "model", c->row->model);
  json_object_set_int_member (o, "max_buffering", c->max_buffering);
  json_object_set_string_member (o, "auth", c->token ? "token" : "key");
  emu_log_fields (emu->log, "fal_rt_connect", o);
  arm_idle (c);
}

/* ---- the upgrade ---- */

gboolean
emu_fal_rt_is_upgrade (EmuRequest * req)
{
  return soup_message_headers_header_contains
      (soup_server_message_get_request_headers (req->msg), "Upgrade",
      "websocket");
}

void
emu_fal_rt_handle_upgrade (EmuRequest * req, const ImagegenModelRow * row,
    GHashTable * query)
{
  Emulator *emu = req->emu;
  const gchar *token = query ? g_hash_table_lookup (query,
      "fal_jwt_token") : NULL;
  const gchar *mb = query ? g_hash_table_lookup (query, "max_buffering") : NULL;

  if (emu_transport_faulted (req, EMU_STAGE_FAL_CONNECT)) {
    emu->stats.fal_rt_refused++;
    return;
  }
  if (mb && !g_ascii_string_to_unsigned (mb, 10, 1, 60, NULL, NULL)) {
    emu->stats.fal_rt_refused++;
    emu_request_reply_error (req, 400,
        "max_buffering must be a whole number from 1 to 60");
    return;
  }
  if (token != NULL && !token_good (emu, token, row)) {
    req->auth = "invalid";
    emu->stats.auth_failures++;
    emu->stats.fal_rt_refused++;
    emu_request_reply_error (req, 401, "Unauthorized");
    return;
  }
  /* fal's Python client can authenticate the upgrade with its key */
  if (token == NULL && !emu_request_check_key (req, "Authorization", "Key ",
          "Unauthorized", "Unauthorized")) {
    emu->stats.fal_rt_refused++;
    return;
  }
  req->auth = "ok";
  /* libsoup answers the handshake (101, or 400 for a bad one) */
  emu_request_log (req, 101);
  emu_request_free (req);
}

void
emu_fal_rt_add_handlers (Emulator * emu, SoupServer * server,
    SoupServerCallback callback)
{
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    if (!row->realtime)
      continue;
    /* the path's own handler decides before the handshake is taken */
    soup_server_add_handler (server, row->path, callback, emu, NULL);
    soup_server_add_websocket_handler (server, row->path, NULL, NULL,
        on_websocket, emu, NULL);
  }
}

/* ---- life ---- */

void
emu_fal_rt_init (Emulator * emu)
{
  emu->fal_rt = g_new0 (struct _EmuFalRt, 1);
  emu->fal_rt->tokens = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  emu->fal_rt->prerendered = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, (GDestroyNotify) g_bytes_unref);
  g_mutex_init (&emu->fal_rt->lock);
}

void
emu_fal_rt_shutdown (Emulator * emu)
{
  struct _EmuFalRt *rt = emu->fal_rt;
  GList *l;

  if (rt == NULL)
    return;
  for (l = rt->conns; l; l = l->next)
    emu_rt_conn_close (l->data, SOUP_WEBSOCKET_CLOSE_NORMAL);
  /* the close frames go out, the peers' answers are not awaited */
  while (g_main_context_iteration (NULL, FALSE));
  while (rt->held) {
    RtFrame *f = rt->held->data;
    RtConn *c = f->conn;

    rt->held = g_list_delete_link (rt->held, rt->held);
    if (f->rendered) {
      emu_rt_frame_over (c, f);
      emu_rt_conn_unref (c);
    }
  }
  while (rt->conns) {
    RtConn *c = rt->conns->data;

    rt->conns = g_list_delete_link (rt->conns, rt->conns);
    g_signal_handlers_disconnect_by_data (c->ws, c);
    if (c->idle_id)
      g_source_remove (c->idle_id);
    c->idle_id = 0;
    emu_rt_conn_unref (c);
  }
  g_hash_table_unref (rt->tokens);
  g_hash_table_unref (rt->prerendered);
  g_mutex_clear (&rt->lock);
  g_clear_pointer (&emu->fal_rt, g_free);
}
