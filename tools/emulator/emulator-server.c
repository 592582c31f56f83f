/* imagegen-emulator: HTTP routing, auth, idempotency and JSON answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the main context: SoupServer is not thread-safe.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "emulator.h"

#include <string.h>

#define API_PREFIX "/api/v1"
#define SLOW_CHUNK 1024
#define SLOW_INTERVAL_MS 100
/* "trickle": one byte a second, so no idle timeout ever fires */
#define TRICKLE_CHUNK 1
#define TRICKLE_INTERVAL_MS 1000

typedef struct
{
  gchar *hash;
  gchar *task_id;
  gchar *answer;
} IdempotencyEntry;

/* A result body being sent slowly (the "slow" download fault). */
typedef struct
{
  Emulator *emu;
  SoupServerMessage *msg;
  GBytes *data;
  gsize offset;
  gsize chunk;
  guint timeout_id;
  gulong finished_id;
} SlowStream;

/* A half-written raw answer on a stolen connection ("truncate"). */
typedef struct
{
  Emulator *emu;
  GIOStream *stream;
  GBytes *data;
} RawWrite;

static void
idempotency_entry_free (gpointer data)
{
  IdempotencyEntry *e = data;

  g_free (e->hash);
  g_free (e->task_id);
  g_free (e->answer);
  g_free (e);
}

gchar *
emu_time_iso8601 (gint64 real_us)
{
  GDateTime *sec, *dt;
  gchar *s;

  sec = g_date_time_new_from_unix_utc (real_us / G_USEC_PER_SEC);
  dt = g_date_time_add (sec, real_us % G_USEC_PER_SEC);
  s = g_date_time_format_iso8601 (dt);
  g_date_time_unref (dt);
  g_date_time_unref (sec);
  return s;
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

static void
set_common_headers (EmuRequest * req, guint status)
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
  emu_log_request (req->emu->log, req->method, req->path, status, req->auth,
      req->idempotency_key, req->task_id, req->fault);
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
  set_common_headers (req, status);
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

  set_common_headers (req, status);
  soup_server_message_set_response (req->msg, "application/json",
      SOUP_MEMORY_TAKE, body, strlen (body));
  json_node_unref (node);
  finish (req);
}

/* Codes of the {"error":{"code","message"}} shape.  request_conflict and
 * rate_limited are the service's; the others follow their pattern. */
static const gchar *
error_code (guint status)
{
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 402:
      return "insufficient_credits";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "request_conflict";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "validation_failed";
    case 429:
      return "rate_limited";
    case 503:
      return "no_capacity";
    default:
      return status >= 500 ? "server_error" : "client_error";
  }
}

static JsonNode *
error_node (Emulator * emu, guint status, const gchar * message,
    JsonObject * errors)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gboolean as_object = emu->error_shape == EMU_ERROR_SHAPE_OBJECT
      || (emu->error_shape == EMU_ERROR_SHAPE_SERVICE
      && (status == 409 || status == 429));

  if (as_object) {
    JsonObject *e = json_object_new ();

    json_object_set_string_member (e, "code", error_code (status));
    json_object_set_string_member (e, "message", message);
    json_object_set_object_member (obj, "error", e);
  } else {
    json_object_set_string_member (obj, "error", message);
  }
  if (errors)
    json_object_set_object_member (obj, "errors", errors);
  json_node_take_object (node, obj);
  return node;
}

void
emu_request_reply_error (EmuRequest * req, guint status,
    const gchar * message)
{
  emu_request_reply_json (req, status, req->bfl ?
      emu_bfl_error_node (req, status, message) :
      error_node (req->emu, status, message, NULL));
}

void
emu_request_reply_validation (EmuRequest * req, JsonObject * errors)
{
  req->emu->stats.validation_failures++;
  emu_request_reply_json (req, 422, error_node (req->emu, 422,
          "Validation failed", errors));
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

static JsonNode *
object_node (JsonObject * obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

/* ---- faults ---- */

static gboolean
reset_connection (gpointer user_data)
{
  EmuRequest *req = user_data;
  GIOStream *stream;

  stream = soup_server_message_steal_connection (req->msg);
  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
  emu_request_free (req);
  return G_SOURCE_REMOVE;
}

static void
raw_write_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  RawWrite *w = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL,
      NULL);
  g_io_stream_close (w->stream, NULL, NULL);
  g_object_unref (w->stream);
  g_bytes_unref (w->data);
  w->emu->async_pending--;
  g_free (w);
}

typedef struct
{
  EmuRequest *req;
  GBytes *body;
  const gchar *content_type;
} TruncateJob;

/* Claims the full Content-Length, sends half, closes the connection. */
static gboolean
truncate_connection (gpointer user_data)
{
  TruncateJob *job = user_data;
  EmuRequest *req = job->req;
  GIOStream *stream;
  GString *s;
  gsize len = g_bytes_get_size (job->body);

  stream = soup_server_message_steal_connection (req->msg);
  if (stream) {
    RawWrite *w = g_new0 (RawWrite, 1);

    s = g_string_new (NULL);
    g_string_append_printf (s, "HTTP/1.1 200 OK\r\n"
        "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
        "X-Request-ID: %s\r\nConnection: close\r\n\r\n",
        job->content_type, len, req->request_id);
    g_string_append_len (s, g_bytes_get_data (job->body, NULL), len / 2);
    w->emu = req->emu;
    w->stream = stream;
    w->data = g_string_free_to_bytes (s);
    req->emu->async_pending++;
    g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
        g_bytes_get_data (w->data, NULL), g_bytes_get_size (w->data),
        G_PRIORITY_DEFAULT, req->emu->cancellable, raw_write_done, w);
  }
  g_bytes_unref (job->body);
  emu_request_free (req);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
slow_stream_free (SlowStream * s)
{
  if (s->timeout_id)
    g_source_remove (s->timeout_id);
  g_signal_handler_disconnect (s->msg, s->finished_id);
  g_object_unref (s->msg);
  g_bytes_unref (s->data);
  g_free (s);
}

static void
slow_finished (SoupServerMessage * msg, gpointer user_data)
{
  SlowStream *s = user_data;

  s->emu->streams = g_list_remove (s->emu->streams, s);
  slow_stream_free (s);
}

static gboolean
slow_tick (gpointer user_data)
{
  SlowStream *s = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  gsize len = g_bytes_get_size (s->data);
  gsize n = MIN (s->chunk, len - s->offset);

  soup_message_body_append (body, SOUP_MEMORY_COPY,
      (const guint8 *) g_bytes_get_data (s->data, NULL) + s->offset, n);
  s->offset += n;
  if (s->offset >= len) {
    soup_message_body_complete (body);
    s->timeout_id = 0;
  }
  soup_server_message_unpause (s->msg);
  return s->offset < len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
send_slowly (EmuRequest * req, const gchar * content_type, GBytes * data,
    gsize chunk, guint interval_ms)
{
  SlowStream *s = g_new0 (SlowStream, 1);
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);

  set_common_headers (req, 200);
  soup_message_headers_set_content_type (out, content_type, NULL);
  soup_message_headers_set_content_length (out, g_bytes_get_size (data));
  s->emu = req->emu;
  s->msg = g_object_ref (req->msg);
  s->data = g_bytes_ref (data);
  s->chunk = chunk;
  s->finished_id = g_signal_connect (s->msg, "finished",
      G_CALLBACK (slow_finished), s);
  s->timeout_id = g_timeout_add (interval_ms, slow_tick, s);
  req->emu->streams = g_list_prepend (req->emu->streams, s);
  soup_server_message_pause (req->msg);
  emu_request_free (req);
}

/* The same path on the other origin (API <-> assets). */
static void
redirect_elsewhere (EmuRequest * req)
{
  Emulator *emu = req->emu;
  const gchar *origin = req->on_assets ? emu->base_url : emu->assets_url;
  gchar *location = g_strconcat (origin, req->path, NULL);

  soup_message_headers_replace (soup_server_message_get_response_headers
      (req->msg), "Location", location);
  g_free (location);
  set_common_headers (req, 307);
  soup_server_message_set_response (req->msg, "text/plain",
      SOUP_MEMORY_STATIC, "moved\n", 6);
  finish (req);
}

/* A task answer of the wrong shape (EMU_FAULT_CANNED). */
static void
reply_canned (EmuRequest * req, const EmuFault * fault, EmuStage stage)
{
  gchar *id = stage == EMU_STAGE_POLL ? g_path_get_basename (req->path) :
      g_uuid_string_random ();
  gchar *text = g_strdup_printf (fault->canned, id);
  GBytes *b = g_bytes_new_take (text, strlen (text));

  emu_request_reply_bytes (req, 200, "application/json", b);
  g_bytes_unref (b);
  g_free (id);
}

static void
truncate_json (EmuRequest * req)
{
  static const gchar answer[] =
      "{\"id\":\"cut-short\",\"status\":\"processing\",\"note\":"
      "\"the emulator's truncate fault closes the connection half way\"}";
  TruncateJob *job = g_new0 (TruncateJob, 1);

  emu_log_request (req->emu->log, req->method, req->path, 200, req->auth,
      req->idempotency_key, req->task_id, req->fault);
  job->req = req;
  job->body = g_bytes_new_static (answer, sizeof (answer) - 1);
  job->content_type = "application/json";
  emu_request_pause (req);
  g_idle_add (truncate_connection, job);
}

/* Applies a fault that does not depend on the route. Returns FALSE for
 * download-only faults, which the download handler carries out. */
static gboolean
apply_fault (EmuRequest * req, const EmuFault * fault, EmuStage stage)
{
  Emulator *emu = req->emu;

  switch (fault->kind) {
    case EMU_FAULT_REDIRECT:
      redirect_elsewhere (req);
      return TRUE;
    case EMU_FAULT_CANNED:
      reply_canned (req, fault, stage);
      return TRUE;
    case EMU_FAULT_TRUNCATE:
      if (stage == EMU_STAGE_DOWNLOAD)
        return FALSE;
      truncate_json (req);
      return TRUE;
    case EMU_FAULT_STATUS:
      if (fault->status == 429) {
        SoupMessageHeaders *out =
            soup_server_message_get_response_headers (req->msg);

        if (fault->retry_after < 0) {
          /* whole seconds only: round up so the date is >= 1 s ahead */
          gint64 t = g_get_real_time () / G_USEC_PER_SEC + 2;
          GDateTime *dt = g_date_time_new_from_unix_utc (t);
          gchar *date = soup_date_time_to_string (dt, SOUP_DATE_HTTP);

          soup_message_headers_replace (out, "Retry-After", date);
          g_free (date);
          g_date_time_unref (dt);
        } else {
          gchar *secs = g_strdup_printf ("%d", fault->retry_after);

          soup_message_headers_replace (out, "Retry-After", secs);
          g_free (secs);
        }
      }
      emu_request_reply_error (req, fault->status,
          emu_fault_error_message (fault->status));
      return TRUE;
    case EMU_FAULT_RESET:
      emu_log_request (emu->log, req->method, req->path, 0, req->auth,
          req->idempotency_key, req->task_id, req->fault);
      emu_request_pause (req);
      g_idle_add (reset_connection, req);
      return TRUE;
    case EMU_FAULT_HANG:
      emu_log_request (emu->log, req->method, req->path, 0, req->auth,
          req->idempotency_key, req->task_id, req->fault);
      emu_request_pause (req);
      g_ptr_array_add (emu->hung, req);
      return TRUE;
    case EMU_FAULT_BADJSON:{
      GBytes *b = g_bytes_new_static ("{\"id\":", 6);

      emu_request_reply_bytes (req, 200, "application/json", b);
      g_bytes_unref (b);
      return TRUE;
    }
    default:
      return FALSE;
  }
}

/* Takes a fault for @stage. TRUE if it answered the request. */
static gboolean
check_fault (EmuRequest * req, EmuStage stage, EmuFault * fault)
{
  gboolean api = g_str_has_prefix (req->path, API_PREFIX "/") || req->bfl;

  if (!emu_faults_take (req->emu->faults, stage, api, fault))
    return FALSE;
  req->emu->stats.faults_fired++;
  g_free (req->fault);
  req->fault = g_strdup (fault->spec);
  return apply_fault (req, fault, stage);
}

gboolean
emu_request_check_fault (EmuRequest * req, EmuStage stage, EmuFault * fault)
{
  return check_fault (req, stage, fault);
}

/* ---- /api/v1 ---- */

static gboolean
check_auth (EmuRequest * req)
{
  Emulator *emu = req->emu;
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  const gchar *value = soup_message_headers_get_one (in, "Authorization");
  gchar *token;
  gboolean ok;

  if (value == NULL) {
    req->auth = "missing";
    emu->stats.auth_failures++;
    emu_request_reply_error (req, 401, "Missing API key");
    return FALSE;
  }
  if (g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    token = g_strstrip (g_strdup (value + 7));
  else
    token = g_strdup ("");
  ok = emu->require_key ? strcmp (token, emu->require_key) == 0 :
      token[0] != '\0';
  g_free (token);
  if (!ok) {
    req->auth = "invalid";
    emu->stats.auth_failures++;
    emu_request_reply_error (req, 401, "Invalid API key");
    return FALSE;
  }
  req->auth = "ok";
  return TRUE;
}

static gchar *
hash_request (EmuRequest * req)
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  gchar *canonical = json_to_string (req->body, FALSE);
  gchar *out;

  g_checksum_update (c, (const guchar *) req->path, -1);
  g_checksum_update (c, (const guchar *) "\n", 1);
  g_checksum_update (c, (const guchar *) canonical, -1);
  out = g_strdup (g_checksum_get_string (c));
  g_checksum_free (c);
  g_free (canonical);
  return out;
}

/* Content type, JSON parse, then Idempotency-Key. TRUE to go on. */
static gboolean
read_json_body (EmuRequest * req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  const gchar *ctype = soup_message_headers_get_content_type (in, NULL);
  SoupMessageBody *body;
  GBytes *bytes;
  JsonParser *parser;
  IdempotencyEntry *e;
  gsize len;
  const gchar *data;
  gboolean ok;

  if (ctype == NULL || strstr (ctype, "json") == NULL) {
    emu_request_reply_error (req, 415,
        "Content-Type must be application/json");
    return FALSE;
  }

  body = soup_server_message_get_request_body (req->msg);
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  parser = json_parser_new_immutable ();
  ok = len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
  if (ok)
    req->body = json_node_ref (json_parser_get_root (parser));
  g_object_unref (parser);
  g_bytes_unref (bytes);
  if (!ok) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    return FALSE;
  }

  if (req->idempotency_key == NULL)
    return TRUE;
  req->body_hash = hash_request (req);
  e = g_hash_table_lookup (req->emu->idempotency, req->idempotency_key);
  if (e == NULL)
    return TRUE;
  if (strcmp (e->hash, req->body_hash) != 0) {
    emu_request_reply_error (req, 409,
        "Idempotency key reused with a different request");
    return FALSE;
  }

  /* a replay: answer what the first request got, charge nothing */
  req->emu->stats.idempotent_replays++;
  g_clear_pointer (&req->body_hash, g_free);
  if (e->task_id) {
    EmuTask *task = g_hash_table_lookup (req->emu->tasks, e->task_id);

    req->task_id = g_strdup (e->task_id);
    if (task) {
      emu_request_reply_json (req, 200, emu_task_create_answer (task,
              g_get_real_time (), TRUE));
    } else {
      JsonObject *obj = json_object_new ();

      json_object_set_string_member (obj, "id", e->task_id);
      json_object_set_string_member (obj, "status",
          emu_task_status_name (EMU_TASK_FAILED));
      json_object_set_boolean_member (obj, "task_replayed", TRUE);
      emu_request_reply_json (req, 200, object_node (obj));
    }
  } else {
    GBytes *b = g_bytes_new (e->answer, strlen (e->answer));

    emu_request_reply_bytes (req, 200, "application/json", b);
    g_bytes_unref (b);
  }
  return FALSE;
}

EmuFaultKind
emu_request_take_task_fault (EmuRequest * req)
{
  EmuFault fault;
  EmuFaultKind outcome;

  if (!emu_faults_take (req->emu->faults, EMU_STAGE_TASK, FALSE, &fault))
    return EMU_FAULT_NONE;
  req->emu->stats.faults_fired++;
  outcome = fault.kind;
  g_free (req->fault);
  req->fault = g_strdup (fault.spec);
  emu_fault_clear (&fault);
  return outcome;
}

static void
handle_create (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *body = json_node_get_object (req->body);
  JsonObject *errors = json_object_new ();
  const ImagegenModelRow *row;
  EmuFaultKind outcome;
  EmuTask *task;
  guint price;

  emu_log_body (emu->log, req->path, req->body);
  if (!emu_task_validate (req->path, body, errors, &row)) {
    emu_request_reply_validation (req, errors);
    return;
  }
  json_object_unref (errors);

  if (emu->max_active > 0 && emu_tasks_count_active (emu) >= emu->max_active) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (req->msg), "Retry-After", "1");
    emu_request_reply_error (req, 429, "Too many active tasks");
    return;
  }
  price = emu_task_price_cents (row, body);
  if (emu->credits_cents >= 0 && emu->charged_cents +
      emu_tasks_reserved_cents (emu) + price > emu->credits_cents) {
    emu_request_reply_error (req, 402, "Insufficient credits");
    return;
  }

  outcome = emu_request_take_task_fault (req);
  task = emu_task_create (emu, row, body, outcome);
  req->task_id = g_strdup (task->id);
  emu_request_remember (req, task->id, NULL);

  emu_request_reply_json (req, 200, emu_task_create_answer (task,
          g_get_real_time (), FALSE));
}

/* A task is polled at its own create path followed by its id. */
static void
handle_get_task (EmuRequest * req, const gchar * create_path,
    const gchar * id)
{
  EmuTask *task = g_hash_table_lookup (req->emu->tasks, id);

  if (task == NULL || strcmp (task->row->path, create_path) != 0) {
    emu_request_reply_error (req, 404, "Task not found");
    return;
  }
  task->polls++;
  req->task_id = g_strdup (task->id);
  emu_request_reply_json (req, 200, emu_task_to_json (task,
          g_get_real_time ()));
}

/* The SDK's types: /me {id (number), email, name, account:{id, name}},
 * /me/balance {balance_cents, paid_balance_cents, bonus_balance_cents,
 * spent_cents_today, spent_cents_total}. */
static void
handle_me (EmuRequest * req, gboolean balance)
{
  Emulator *emu = req->emu;
  JsonObject *obj = json_object_new ();

  if (balance) {
    gint64 total = emu->credits_cents >= 0 ? emu->credits_cents :
        EMU_UNLIMITED_BALANCE_CENTS;
    gint64 left = MAX (0, total - emu->charged_cents);

    json_object_set_int_member (obj, "balance_cents", left);
    json_object_set_int_member (obj, "paid_balance_cents", left);
    json_object_set_int_member (obj, "bonus_balance_cents", 0);
    /* the emulator's day is its process's life */
    json_object_set_int_member (obj, "spent_cents_today", emu->charged_cents);
    json_object_set_int_member (obj, "spent_cents_total", emu->charged_cents);
  } else {
    JsonObject *account = json_object_new ();

    json_object_set_int_member (obj, "id", 1);
    json_object_set_string_member (obj, "email", "emulator@localhost");
    json_object_set_string_member (obj, "name", "imagegen-emulator");
    json_object_set_int_member (account, "id", 1);
    json_object_set_string_member (account, "name", "Emulator account");
    json_object_set_object_member (obj, "account", account);
  }
  emu_request_reply_json (req, 200, object_node (obj));
}

typedef enum
{
  API_CREATE_T2I,
  API_CREATE_REMIX,
  API_CREATE_REMOVE_BACKGROUND,
  API_GET_T2I,
  API_GET_REMIX,
  API_GET_REMOVE_BACKGROUND,
  API_FILES,
  API_FILES_PREPARE,
  API_FILES_CONFIRM,
  API_ME,
  API_BALANCE,
  API_PRICE_SCHEDULES,
  API_PRICE_QUOTES
} ApiRoute;

/* How the stats count a create path of the model table. */
static ApiRoute
create_route (const gchar * path)
{
  if (g_str_has_suffix (path, "/text_to_image"))
    return API_CREATE_T2I;
  if (g_str_has_suffix (path, "/remove_background"))
    return API_CREATE_REMOVE_BACKGROUND;
  return API_CREATE_REMIX;
}

/* Fixed routes, then every create path of the model table and its task
 * paths (create path + "/" + id).  @create_path is set for both. */
static gboolean
match_api (const gchar * path, ApiRoute * route, gchar ** create_path,
    const gchar ** id)
{
  static const struct
  {
    const gchar *path;
    ApiRoute route;
  } fixed[] = {
    {"/files", API_FILES},
    {"/files/prepare", API_FILES_PREPARE},
    {"/files/confirm", API_FILES_CONFIRM},
    {"/me", API_ME},
    {"/me/balance", API_BALANCE},
    {"/price_schedules", API_PRICE_SCHEDULES},
    {"/price_quotes", API_PRICE_QUOTES},
  };
  const gchar *rest = path + strlen (API_PREFIX), *slash;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fixed); i++) {
    if (strcmp (rest, fixed[i].path) == 0) {
      *route = fixed[i].route;
      return TRUE;
    }
  }
  if (emu_task_path_known (path)) {
    *route = create_route (path);
    *create_path = g_strdup (path);
    return TRUE;
  }
  slash = strrchr (path, '/');
  if (slash == NULL || slash[1] == '\0')
    return FALSE;
  *create_path = g_strndup (path, slash - path);
  if (!emu_task_path_known (*create_path)) {
    g_clear_pointer (create_path, g_free);
    return FALSE;
  }
  *route = create_route (*create_path) + (API_GET_T2I - API_CREATE_T2I);
  *id = slash + 1;
  return TRUE;
}

static gboolean
check_method (EmuRequest * req, const gchar * allowed)
{
  if (strcmp (req->method, allowed) == 0)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers
      (req->msg), "Allow", allowed);
  emu_request_reply_error (req, 405, "Method not allowed");
  return FALSE;
}

static void
handle_api (EmuRequest * req)
{
  EmuStats *st = &req->emu->stats;
  const gchar *id = NULL;
  g_autofree gchar *create_path = NULL;
  ApiRoute route;
  EmuStage stage = EMU_STAGE_ANY;
  gboolean post = TRUE;
  EmuFault fault = { 0, };

  req->auth = "none";
  if (!match_api (req->path, &route, &create_path, &id)) {
    emu_request_reply_error (req, 404, "Not found");
    return;
  }
  switch (route) {
    case API_CREATE_T2I:
    case API_CREATE_REMIX:
    case API_CREATE_REMOVE_BACKGROUND:
      stage = EMU_STAGE_CREATE;
      break;
    case API_GET_T2I:
    case API_GET_REMIX:
    case API_GET_REMOVE_BACKGROUND:
      stage = EMU_STAGE_POLL;
      post = FALSE;
      break;
    case API_FILES:
    case API_FILES_PREPARE:
    case API_FILES_CONFIRM:
      stage = EMU_STAGE_UPLOAD;
      break;
    case API_ME:
    case API_BALANCE:
    case API_PRICE_SCHEDULES:
      post = FALSE;
      break;
    case API_PRICE_QUOTES:
      break;
  }
  if (!check_method (req, post ? "POST" : "GET"))
    return;

  switch (route) {
    case API_CREATE_T2I:
      st->create_text_to_image++;
      break;
    case API_CREATE_REMIX:
      st->create_remix++;
      break;
    case API_CREATE_REMOVE_BACKGROUND:
      st->create_remove_background++;
      break;
    case API_GET_T2I:
    case API_GET_REMIX:
    case API_GET_REMOVE_BACKGROUND:
      st->get_task++;
      break;
    case API_FILES:
      st->files++;
      break;
    case API_FILES_PREPARE:
      st->files_prepare++;
      break;
    case API_FILES_CONFIRM:
      st->files_confirm++;
      break;
    case API_ME:
    case API_BALANCE:
      st->me++;
      break;
    case API_PRICE_SCHEDULES:
      st->price_schedules++;
      break;
    case API_PRICE_QUOTES:
      st->price_quotes++;
      break;
  }

  /* prices need no key (RUNAPI-MODELS.md section 4) */
  if (route != API_PRICE_SCHEDULES && route != API_PRICE_QUOTES
      && !check_auth (req))
    return;
  if (check_fault (req, stage, &fault)) {
    emu_fault_clear (&fault);
    return;
  }
  emu_fault_clear (&fault);
  if (post && !read_json_body (req))
    return;

  switch (route) {
    case API_CREATE_T2I:
    case API_CREATE_REMIX:
    case API_CREATE_REMOVE_BACKGROUND:
      handle_create (req);
      break;
    case API_GET_T2I:
    case API_GET_REMIX:
    case API_GET_REMOVE_BACKGROUND:
      handle_get_task (req, create_path, id);
      break;
    case API_FILES:
      emu_files_handle_create (req);
      break;
    case API_FILES_PREPARE:
      emu_files_handle_prepare (req);
      break;
    case API_FILES_CONFIRM:
      emu_files_handle_confirm (req);
      break;
    case API_ME:
      handle_me (req, FALSE);
      break;
    case API_BALANCE:
      handle_me (req, TRUE);
      break;
    case API_PRICE_SCHEDULES:
      emu_prices_handle_schedules (req);
      break;
    case API_PRICE_QUOTES:
      emu_prices_handle_quote (req);
      break;
  }
}

/* ---- /emulator/ spaces outside the API ---- */

static gboolean
has_authorization (EmuRequest * req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);

  /* either service's key header */
  return soup_message_headers_get_one (in, "Authorization") != NULL
      || soup_message_headers_get_one (in, "x-key") != NULL;
}

static void
handle_download (EmuRequest * req, const gchar * name)
{
  Emulator *emu = req->emu;
  const gchar *ctype;
  gchar *id = NULL, *expected = NULL, *under;
  EmuTask *task = NULL;
  GBytes *image = NULL;
  EmuFault fault = { 0, };
  guint index = 0;

  if (!check_method (req, "GET"))
    return;
  emu->stats.download++;
  if (has_authorization (req))
    emu->stats.download_with_authorization++;

  if (check_fault (req, EMU_STAGE_DOWNLOAD, &fault))
    goto out;

  /* <id>.<ext> or <id>_<index>.<ext>: exactly what the task answered */
  id = g_strndup (name, strcspn (name, "._"));
  under = strchr (name, '_');
  if (under != NULL)
    index = (guint) g_ascii_strtoull (under + 1, NULL, 10);
  task = g_hash_table_lookup (emu->tasks, id);
  if (task == NULL || !task->terminal || task->status != EMU_TASK_COMPLETED
      || index >= task->images->len) {
    emu_request_reply_error (req, 404, "Not found");
    goto out;
  }
  expected = emu_task_result_url (task, index);
  if (!g_str_has_suffix (expected, name)
      || expected[strlen (expected) - strlen (name) - 1] != '/') {
    emu_request_reply_error (req, 404, "Not found");
    goto out;
  }
  image = g_ptr_array_index (task->images, index);
  ctype = emu_image_sniff_mime (image);
  req->task_id = g_strdup (task->id);

  switch (fault.kind) {
    case EMU_FAULT_SLOW:
      send_slowly (req, ctype, image, SLOW_CHUNK, SLOW_INTERVAL_MS);
      break;
    case EMU_FAULT_TRICKLE:
      send_slowly (req, ctype, image, TRICKLE_CHUNK,
          TRICKLE_INTERVAL_MS);
      break;
    case EMU_FAULT_TRUNCATE:{
      TruncateJob *job = g_new0 (TruncateJob, 1);

      emu_log_request (emu->log, req->method, req->path, 200, req->auth,
          req->idempotency_key, req->task_id, req->fault);
      job->req = req;
      job->body = g_bytes_ref (image);
      job->content_type = ctype;
      emu_request_pause (req);
      g_idle_add (truncate_connection, job);
      break;
    }
    case EMU_FAULT_NOTIMAGE:{
      static const gchar text[] =
          "This is not an image: the emulator's notimage fault.\n";
      GBytes *b = g_bytes_new_static (text, sizeof (text) - 1);

      emu_request_reply_bytes (req, 200, ctype, b);
      g_bytes_unref (b);
      break;
    }
    default:
      emu_request_reply_bytes (req, 200, ctype, image);
      break;
  }

out:
  emu_fault_clear (&fault);
  g_free (expected);
  g_free (id);
}

static void
handle_file_get (EmuRequest * req, const gchar * rest)
{
  gchar *id = g_strndup (rest, strcspn (rest, "/"));
  EmuFile *file;

  if (check_method (req, "GET")) {
    file = emu_files_lookup (req->emu, id);
    if (file == NULL)
      emu_request_reply_error (req, 404, "Not found");
    else
      emu_request_reply_bytes (req, 200, file->mime_type, file->data);
  }
  g_free (id);
}

static void
handle_upload_put (EmuRequest * req, const gchar * signed_id)
{
  EmuFault fault = { 0, };

  if (!check_method (req, "PUT"))
    return;
  req->emu->stats.files_put++;
  /* an upload URL lives on another host: the key must never go there */
  if (has_authorization (req)) {
    req->emu->stats.upload_put_with_authorization++;
    emu_request_reply_error (req, 400,
        "Authorization header not allowed on upload URLs");
    return;
  }
  if (!check_fault (req, EMU_STAGE_UPLOAD, &fault))
    emu_files_handle_put (req, signed_id);
  emu_fault_clear (&fault);
}

static EmuRequest *
request_new (Emulator * emu, SoupServerMessage * msg, const char *path)
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

/* The second origin (--assets-port): results, files and upload URLs only,
 * like a CDN.  Every request that reaches it with a key is counted. */
static void
assets_callback (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  EmuRequest *req = request_new (user_data, msg, path);

  req->on_assets = TRUE;
  req->emu->stats.assets_requests++;
  if (has_authorization (req))
    req->emu->stats.assets_with_authorization++;

  if (g_str_has_prefix (path, "/emulator/results/"))
    handle_download (req, path + strlen ("/emulator/results/"));
  else if (g_str_has_prefix (path, "/emulator/files/"))
    handle_file_get (req, path + strlen ("/emulator/files/"));
  else if (g_str_has_prefix (path, "/emulator/uploads/"))
    handle_upload_put (req, path + strlen ("/emulator/uploads/"));
  else
    emu_request_reply_error (req, 404, "Not found");
}

static void
server_callback (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  EmuRequest *req = request_new (user_data, msg, path);

  if (g_str_has_prefix (path, API_PREFIX "/"))
    handle_api (req);
  else if (g_str_has_prefix (path, "/v1/"))
    emu_bfl_handle (req, query);
  else if (g_str_has_prefix (path, "/emulator/results/"))
    handle_download (req, path + strlen ("/emulator/results/"));
  else if (g_str_has_prefix (path, "/emulator/files/"))
    handle_file_get (req, path + strlen ("/emulator/files/"));
  else if (g_str_has_prefix (path, "/emulator/uploads/"))
    handle_upload_put (req, path + strlen ("/emulator/uploads/"));
  else if (g_str_has_prefix (path, "/emulator/"))
    emu_control_handle (req);
  else
    emu_request_reply_error (req, 404, "Not found");
}

/* A server on 127.0.0.1:@port (0: any free port), https with --tls-cert;
 * NULL on failure.  @url receives its origin. */
static SoupServer *
listen_on (Emulator * emu, guint * port, SoupServerCallback callback,
    gchar ** url, GError ** error)
{
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  SoupServer *server;
  GSList *uris;

  server = soup_server_new ("server-header",
      "imagegen-emulator/" PACKAGE_VERSION " ", "tls-certificate",
      emu->tls_certificate, NULL);
  soup_server_add_handler (server, NULL, callback, emu, NULL);
  if (emu->tls_certificate)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  if (!soup_server_listen_local (server, *port, options, error)) {
    g_object_unref (server);
    return NULL;
  }

  uris = soup_server_get_uris (server);
  if (uris)
    *port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  *url = g_strdup_printf ("%s://127.0.0.1:%u",
      emu->tls_certificate ? "https" : "http", *port);
  return server;
}

gboolean
emu_server_start (Emulator * emu, GError ** error)
{
  emu->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      idempotency_entry_free);
  emu->hung = g_ptr_array_new_with_free_func ((GDestroyNotify)
      emu_request_free);
  guint assets_port;

  emu->server = listen_on (emu, &emu->port, server_callback, &emu->base_url,
      error);
  if (emu->server == NULL)
    return FALSE;

  if (emu->assets_port < 0) {
    emu->assets_url = g_strdup (emu->base_url);
    return TRUE;
  }
  assets_port = (guint) emu->assets_port;
  emu->assets_server = listen_on (emu, &assets_port, assets_callback,
      &emu->assets_url, error);
  emu->assets_port = (gint) assets_port;
  return emu->assets_server != NULL;
}

void
emu_server_stop (Emulator * emu)
{
  while (emu->streams) {
    SlowStream *s = emu->streams->data;

    emu->streams = g_list_delete_link (emu->streams, emu->streams);
    slow_stream_free (s);
  }
  if (emu->server)
    soup_server_disconnect (emu->server);
  if (emu->assets_server)
    soup_server_disconnect (emu->assets_server);
  g_clear_pointer (&emu->hung, g_ptr_array_unref);
  g_clear_object (&emu->server);
  g_clear_object (&emu->assets_server);
  g_clear_pointer (&emu->idempotency, g_hash_table_unref);
}
