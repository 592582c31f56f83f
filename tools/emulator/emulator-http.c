/* imagegen-emulator: the HTTP layer — requests, replies, request bodies
 * and idempotency.  It knows no provider: the router gives each request
 * the error shape of the provider whose path it is (req->error_body).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the main context: SoupServer is not thread-safe.
 */

#include "emulator.h"

#include <string.h>

typedef struct
{
  gchar *hash;
  gchar *task_id;
  gchar *answer;
} IdempotencyEntry;

static void
idempotency_entry_free (gpointer data)
{
  IdempotencyEntry *e = data;

  g_free (e->hash);
  g_free (e->task_id);
  g_free (e->answer);
  g_free (e);
}

void
emu_http_init (Emulator * emu)
{
  emu->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      idempotency_entry_free);
}

void
emu_http_shutdown (Emulator * emu)
{
  g_clear_pointer (&emu->idempotency, g_hash_table_unref);
}

/* Whole seconds, as the service's fixtures write created_at and
 * expires_at: 2026-06-08T10:30:00Z */
gchar *
emu_time_iso8601 (gint64 real_us)
{
  GDateTime *dt = g_date_time_new_from_unix_utc (real_us / G_USEC_PER_SEC);
  gchar *s = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");

  g_date_time_unref (dt);
  return s;
}

/* Six digits of fraction, as the price schedules' as_of */
gchar *
emu_time_iso8601_us (gint64 real_us)
{
  GDateTime *dt = g_date_time_new_from_unix_utc (real_us / G_USEC_PER_SEC);
  gchar *s = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  gchar *out = g_strdup_printf ("%s.%06dZ", s,
      (gint) (real_us % G_USEC_PER_SEC));

  g_free (s);
  g_date_time_unref (dt);
  return out;
}

void
emu_errors_add (JsonObject * errors, const gchar * field,
    const gchar * message)
{
  JsonArray *arr;

  if (json_object_has_member (errors, field)) {
    arr = json_object_get_array_member (errors, field);
  } else {
    arr = json_array_new ();
    json_object_set_array_member (errors, field, arr);
  }
  json_array_add_string_element (arr, message);
}

JsonNode *
emu_json_object_node (JsonObject * obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

EmuRequest *
emu_request_new (Emulator * emu, SoupServerMessage * msg, const gchar * path)
{
  EmuRequest *req = g_new0 (EmuRequest, 1);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);

  req->emu = emu;
  req->msg = msg;
  req->method = g_strdup (soup_server_message_get_method (msg));
  req->path = g_strdup (path);
  req->request_id = g_uuid_string_random ();
  req->idempotency_key =
      g_strdup (soup_message_headers_get_one (in, "Idempotency-Key"));
  return req;
}

void
emu_request_free (EmuRequest * req)
{
  if (req->paused)
    g_object_unref (req->msg);
  g_free (req->method);
  g_free (req->path);
  g_free (req->idempotency_key);
  g_free (req->body_hash);
  g_free (req->task_id);
  g_free (req->fault);
  g_free (req->request_id);
  if (req->body)
    json_node_unref (req->body);
  g_free (req);
}

/* Keeps the message alive (and unanswered) past the handler. */
void
emu_request_pause (EmuRequest * req)
{
  if (req->paused)
    return;
  g_object_ref (req->msg);
  soup_server_message_pause (req->msg);
  req->paused = TRUE;
}

/* libsoup 3.2 has no phrase for 429 and a few others */
static const gchar *
reason_phrase (guint status)
{
  const gchar *phrase = soup_status_get_phrase (status);

  if (status == 429)
    return "Too Many Requests";
  if (strcmp (phrase, "Unknown Error") == 0)
    return status >= 500 ? "Server Error" : "Client Error";
  return phrase;
}

void
emu_request_log (EmuRequest * req, guint status)
{
  emu_log_request (req->emu->log, req->method, req->path, status, req->auth,
      req->idempotency_key, req->task_id, req->fault);
}

void
emu_request_set_status (EmuRequest * req, guint status)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);
  const gchar *client_id;

  soup_message_headers_replace (out, "X-Request-ID", req->request_id);
  client_id = soup_message_headers_get_one (in, "X-Client-Request-Id");
  if (client_id)
    soup_message_headers_replace (out, "X-Client-Request-Id", client_id);
  if (req->task_id)
    soup_message_headers_replace (out, "X-RunAPI-Task-Id", req->task_id);
  soup_server_message_set_status (req->msg, status, reason_phrase (status));
  emu_request_log (req, status);
}

static void
finish (EmuRequest * req)
{
  if (req->paused)
    soup_server_message_unpause (req->msg);
  emu_request_free (req);
}

void
emu_request_reply_bytes (EmuRequest * req, guint status,
    const gchar * content_type, GBytes * bytes)
{
  emu_request_set_status (req, status);
  if (bytes && g_bytes_get_size (bytes) > 0) {
    gsize len;
    gconstpointer data = g_bytes_get_data (bytes, &len);

    soup_server_message_set_response (req->msg, content_type,
        SOUP_MEMORY_COPY, data, len);
  } else {
    soup_server_message_set_response (req->msg, content_type,
        SOUP_MEMORY_STATIC, "", 0);
  }
  finish (req);
}

void
emu_request_reply_json (EmuRequest * req, guint status, JsonNode * node)
{
  gchar *body = json_to_string (node, FALSE);

  emu_request_set_status (req, status);
  soup_server_message_set_response (req->msg, "application/json",
      SOUP_MEMORY_TAKE, body, strlen (body));
  json_node_unref (node);
  finish (req);
}

void
emu_request_reply_error (EmuRequest * req, guint status,
    const gchar * message)
{
  emu_request_reply_json (req, status, req->error_body (req, status, message,
          NULL));
}

void
emu_request_reply_validation (EmuRequest * req, JsonObject * errors)
{
  req->emu->stats.validation_failures++;
  emu_request_reply_json (req, 422, req->error_body (req, 422,
          "Validation failed", errors));
}

gboolean
emu_request_check_key (EmuRequest * req, const gchar * header,
    const gchar * prefix, const gchar * missing, const gchar * invalid)
{
  Emulator *emu = req->emu;
  const gchar *value =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (req->msg), header);
  gsize len = strlen (prefix);
  g_autofree gchar *key = value && g_ascii_strncasecmp (value, prefix,
      len) == 0 ? g_strstrip (g_strdup (value + len)) : g_strdup ("");

  if (value != NULL && (emu->require_key ? strcmp (key,
              emu->require_key) == 0 : key[0] != '\0')) {
    req->auth = "ok";
    return TRUE;
  }
  req->auth = value ? "invalid" : "missing";
  emu->stats.auth_failures++;
  emu_request_reply_error (req, 401, value ? invalid : missing);
  return FALSE;
}

gboolean
emu_request_check_method (EmuRequest * req, const gchar * allowed)
{
  if (strcmp (req->method, allowed) == 0)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers
      (req->msg), "Allow", allowed);
  emu_request_reply_error (req, 405, "Method not allowed");
  return FALSE;
}

gchar *
emu_request_body_text (EmuRequest * req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  GBytes *bytes = soup_message_body_flatten (body);
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);
  gchar *text = g_strstrip (g_strndup (data, len));

  g_bytes_unref (bytes);
  return text;
}

JsonObject *
emu_request_parse_json (EmuRequest * req)
{
  GBytes *bytes = soup_message_body_flatten
      (soup_server_message_get_request_body (req->msg));
  JsonParser *parser = json_parser_new_immutable ();
  JsonObject *obj = NULL;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    obj = json_object_ref (json_node_get_object (json_parser_get_root
            (parser)));
  g_object_unref (parser);
  g_bytes_unref (bytes);
  return obj;
}

/* What an Idempotency-Key is bound to: the path and the body. */
static gchar *
hash_request (EmuRequest * req)
{
  g_autofree gchar *canonical = json_to_string (req->body, FALSE);
  g_autofree gchar *text = g_strconcat (req->path, "\n", canonical, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* Content type, JSON parse, then Idempotency-Key. */
EmuBodyRead
emu_request_read_json (EmuRequest * req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  const gchar *ctype = soup_message_headers_get_content_type (in, NULL);
  JsonObject *obj;
  IdempotencyEntry *e;

  if (ctype == NULL || strstr (ctype, "json") == NULL) {
    emu_request_reply_error (req, 415,
        "Content-Type must be application/json");
    return EMU_BODY_ANSWERED;
  }
  obj = emu_request_parse_json (req);
  if (obj == NULL) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    return EMU_BODY_ANSWERED;
  }
  req->body = emu_json_object_node (obj);

  if (req->idempotency_key == NULL)
    return EMU_BODY_READ;
  req->body_hash = hash_request (req);
  e = g_hash_table_lookup (req->emu->idempotency, req->idempotency_key);
  if (e == NULL)
    return EMU_BODY_READ;
  if (strcmp (e->hash, req->body_hash) != 0) {
    emu_request_reply_error (req, 409,
        "Idempotency key reused with a different request");
    return EMU_BODY_ANSWERED;
  }

  /* a replay: answer what the first request got, charge nothing */
  req->emu->stats.idempotent_replays++;
  g_clear_pointer (&req->body_hash, g_free);
  if (e->task_id) {
    req->task_id = g_strdup (e->task_id);
    return EMU_BODY_REPLAY;
  } else {
    GBytes *b = g_bytes_new (e->answer, strlen (e->answer));

    emu_request_reply_bytes (req, 200, "application/json", b);
    g_bytes_unref (b);
  }
  return EMU_BODY_ANSWERED;
}

/* Records a successful POST under its Idempotency-Key. */
void
emu_request_remember (EmuRequest * req, const gchar * task_id,
    JsonNode * answer)
{
  IdempotencyEntry *e;

  if (req->idempotency_key == NULL || req->body_hash == NULL)
    return;
  e = g_new0 (IdempotencyEntry, 1);
  e->hash = g_strdup (req->body_hash);
  e->task_id = g_strdup (task_id);
  e->answer = answer ? json_to_string (answer, FALSE) : NULL;
  g_hash_table_replace (req->emu->idempotency,
      g_strdup (req->idempotency_key), e);
}

void
emu_http_send (Emulator * emu, SoupMessage * msg, GAsyncReadyCallback done,
    gpointer data)
{
  emu->async_pending++;
  soup_session_send_and_read_async (emu->session, msg, G_PRIORITY_DEFAULT,
      emu->cancellable, done, data);
}

GBytes *
emu_http_send_finish (Emulator * emu, GAsyncResult * res, SoupMessage ** msg)
{
  SoupMessage *m = soup_session_get_async_result_message (emu->session, res);
  GBytes *bytes = soup_session_send_and_read_finish (emu->session, res, NULL);

  emu->async_pending--;
  if (msg != NULL)
    *msg = m;
  if (bytes != NULL && (m == NULL
          || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (m))))
    g_clear_pointer (&bytes, g_bytes_unref);
  return bytes;
}

/* ---- answers written over time (slow bodies, event streams) ---- */

struct _EmuStream
{
  Emulator *emu;
  SoupServerMessage *msg;
  EmuStreamTick tick;
  gpointer data;
  GDestroyNotify free_data;
  guint timeout_id;
  gulong finished_id;
};

static void
stream_free (EmuStream * s)
{
  if (s->timeout_id)
    g_source_remove (s->timeout_id);
  g_signal_handler_disconnect (s->msg, s->finished_id);
  g_object_unref (s->msg);
  if (s->free_data)
    s->free_data (s->data);
  g_free (s);
}

static void
stream_finished (SoupServerMessage * msg, gpointer user_data)
{
  EmuStream *s = user_data;

  s->emu->streams = g_list_remove (s->emu->streams, s);
  stream_free (s);
}

static gboolean
stream_tick (gpointer user_data)
{
  EmuStream *s = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  gboolean done = s->tick (body, s->data);

  if (done) {
    soup_message_body_complete (body);
    s->timeout_id = 0;
  }
  soup_server_message_unpause (s->msg);
  return done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

void
emu_request_stream (EmuRequest * req, guint interval_ms, gboolean now,
    EmuStreamTick tick, gpointer data, GDestroyNotify free_data)
{
  EmuStream *s = g_new0 (EmuStream, 1);

  s->emu = req->emu;
  s->msg = g_object_ref (req->msg);
  s->tick = tick;
  s->data = data;
  s->free_data = free_data;
  s->finished_id = g_signal_connect (s->msg, "finished",
      G_CALLBACK (stream_finished), s);
  req->emu->streams = g_list_prepend (req->emu->streams, s);
  soup_server_message_pause (req->msg);
  emu_request_free (req);
  if (!now || stream_tick (s))
    s->timeout_id = g_timeout_add (interval_ms, stream_tick, s);
}

void
emu_streams_close (Emulator * emu)
{
  while (emu->streams) {
    EmuStream *s = emu->streams->data;

    emu->streams = g_list_delete_link (emu->streams, emu->streams);
    stream_free (s);
  }
}
