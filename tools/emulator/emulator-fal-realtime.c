/* imagegen-emulator: fal's realtime WebSocket (PROTOCOL-FAL.md section 5)
 * at /<model id> of every realtime row: the upgrade authenticated by a
 * token /tokens/ issued or by a key, msgpack frames in, one served at a
 * time as fal's runner does with the rest waiting in a bounded buffer
 * (the oldest dropped), msgpack results and JSON control messages out,
 * the idle timeout, and the frame faults.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sockets live on the main context; a frame's rendering and service time
 * run on a worker so that one slow socket does not stall the server.
 */
#include "config.h"

#include "emulator.h"
#include "imagegen-fal-models.h"

#include <msgpack.h>
#include <string.h>

/* max_buffering when the URL has none: fal's recommended value (what the
 * app decides is not known) */
#define DEFAULT_MAX_BUFFERING 2
/* a token request without token_expiration: fal's clients' default */
#define DEFAULT_TOKEN_TTL_S 120
/* klein realtime's default seed */
#define DEFAULT_SEED 35
/* a 1024 x 1024 JPEG as a data: URI, with room to spare */
#define MAX_FRAME_BYTES EMU_MAX_FILE_SIZE

typedef struct _RtConn RtConn;

typedef struct
{
  gint64 expires_us;            /* monotonic */
  gchar **apps;                 /* allowed_apps; empty: any */
} RtToken;

typedef struct
{
  RtConn *conn;
  guint n;                      /* the frame's number on its connection */
  gchar *id;                    /* rt-<connection>-<n>, for records */
  JsonObject *body;
  /* set when it enters service */
  GBytes *source;
  gchar *prompt;
  guint width, height;
  gboolean interpolate;
  gint64 seed;
  guint service_ms;
  gint64 start_us, end_us;      /* monotonic, the emulator's own */
  gboolean held, rendered;
  GBytes *images[2];            /* [interpolated,] current */
  gchar *error;
} RtFrame;

struct _RtConn
{
  gint ref_count;
  Emulator *emu;
  const ImagegenModelRow *row;
  SoupWebsocketConnection *ws;
  GSocket *socket;
  guint id;
  gchar *token;                 /* NULL: the upgrade carried a key */
  guint max_buffering;
  GQueue pending;
  RtFrame *serving;
  guint frames_in;
  guint answered;
  guint idle_id;
  guint close_code;             /* the emulator's own close, 0: none */
  gboolean closing;
};

struct _EmuFalRt
{
  GHashTable *tokens;           /* token -> RtToken */
  GList *conns;
  GList *held;                  /* RtFrame, in service order */
  guint next_id;
  GMutex lock;                  /* prerendered */
  GHashTable *prerendered;      /* "WxH" -> GBytes */
};

static void serve_next (RtConn * c);

/* ---- tokens ---- */

static void
token_free (gpointer data)
{
  RtToken *t = data;

  g_strfreev (t->apps);
  g_free (t);
}

void
emu_fal_rt_token_issued (Emulator * emu, const gchar * token,
    JsonObject * body)
{
  RtToken *t = g_new0 (RtToken, 1);
  JsonArray *apps = body && json_object_has_member (body, "allowed_apps")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (body,
          "allowed_apps")) ? json_object_get_array_member (body,
      "allowed_apps") : NULL;
  gint64 ttl = body ? json_object_get_int_member_with_default (body,
      "token_expiration", DEFAULT_TOKEN_TTL_S) : DEFAULT_TOKEN_TTL_S;
  guint i, n = apps ? json_array_get_length (apps) : 0;

  if (emu->fal_token_ttl_s > 0)
    ttl = MIN (ttl, (gint64) emu->fal_token_ttl_s);
  t->expires_us = g_get_monotonic_time () + MAX (ttl, 0) * G_USEC_PER_SEC;
  t->apps = g_new0 (gchar *, n + 1);
  for (i = 0; i < n; i++)
    t->apps[i] = g_strdup (json_array_get_string_element (apps, i));
  g_hash_table_replace (emu->fal_rt->tokens, g_strdup (token), t);
}

/* Issued, not expired, and (with @row) for @row's app alias */
static gboolean
token_good (Emulator * emu, const gchar * token, const ImagegenModelRow * row)
{
  RtToken *t = g_hash_table_lookup (emu->fal_rt->tokens, token);
  g_auto (GStrv) parts = NULL;

  if (t == NULL || g_get_monotonic_time () >= t->expires_us)
    return FALSE;
  if (row == NULL || t->apps[0] == NULL)
    return TRUE;
  parts = g_strsplit (row->model, "/", 3);
  return parts[1] != NULL && g_strv_contains ((const gchar * const *)
      t->apps, parts[1]);
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

/* A per-frame line: what was asked, what became of it, and the service's
 * start and end on the emulator's monotonic clock */
static void
log_frame (RtFrame * f, const gchar * outcome)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "conn", f->conn->id);
  json_object_set_int_member (o, "frame", f->n);
  json_object_set_string_member (o, "task_id", f->id);
  json_object_set_string_member (o, "outcome", outcome);
  json_object_set_string_member (o, "prompt",
      json_object_get_string_member_with_default (f->body, "prompt", ""));
  json_object_set_string_member (o, "image_size",
      json_object_get_string_member_with_default (f->body, "image_size",
          "square"));
  json_object_set_int_member (o, "service_start_us", f->start_us);
  json_object_set_int_member (o, "service_end_us", f->end_us);
  emu_log_fields (f->conn->emu->log, "fal_rt_frame", o);
}

/* ---- frames ---- */

static void
frame_free (RtFrame * f)
{
  if (f->body)
    json_object_unref (f->body);
  if (f->source)
    g_bytes_unref (f->source);
  g_free (f->prompt);
  g_free (f->id);
  g_clear_pointer (&f->images[0], g_bytes_unref);
  g_clear_pointer (&f->images[1], g_bytes_unref);
  g_free (f->error);
  g_free (f);
}

/* A map of msgpack str keys to scalars as JSON; NULL with @reason. */
static JsonObject *
decode_frame (GBytes * bytes, gchar ** reason)
{
  gsize len, off = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);
  msgpack_unpacked u;
  JsonObject *obj = NULL;
  guint i;

  msgpack_unpacked_init (&u);
  if (msgpack_unpack_next (&u, data, len, &off) != MSGPACK_UNPACK_SUCCESS
      || u.data.type != MSGPACK_OBJECT_MAP) {
    *reason = g_strdup ("input must be a msgpack map");
    goto out;
  }
  obj = json_object_new ();
  for (i = 0; i < u.data.via.map.size && *reason == NULL; i++) {
    const msgpack_object *k = &u.data.via.map.ptr[i].key;
    const msgpack_object *v = &u.data.via.map.ptr[i].val;
    g_autofree gchar *key = NULL;

    if (k->type != MSGPACK_OBJECT_STR) {
      *reason = g_strdup ("input keys must be msgpack str");
      break;
    }
    key = g_strndup (k->via.str.ptr, k->via.str.size);
    switch (v->type) {
      case MSGPACK_OBJECT_STR:{
        g_autofree gchar *s = g_strndup (v->via.str.ptr, v->via.str.size);

        json_object_set_string_member (obj, key, s);
        break;
      }
      case MSGPACK_OBJECT_POSITIVE_INTEGER:
        json_object_set_int_member (obj, key, (gint64) MIN (v->via.u64,
                G_MAXINT64));
        break;
      case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        json_object_set_int_member (obj, key, v->via.i64);
        break;
      case MSGPACK_OBJECT_FLOAT32:
      case MSGPACK_OBJECT_FLOAT64:
        json_object_set_double_member (obj, key, v->via.f64);
        break;
      case MSGPACK_OBJECT_BOOLEAN:
        json_object_set_boolean_member (obj, key, v->via.boolean);
        break;
      case MSGPACK_OBJECT_NIL:
        json_object_set_null_member (obj, key);
        break;
      case MSGPACK_OBJECT_BIN:
        /* the runner decodes with raw=False: bin is bytes, not text */
        *reason = g_strdup_printf ("%s must be a msgpack str, not bin", key);
        break;
      default:
        *reason = g_strdup_printf ("%s has a msgpack type the model does "
            "not take", key);
        break;
    }
  }
out:
  msgpack_unpacked_destroy (&u);
  if (*reason != NULL)
    g_clear_pointer (&obj, json_object_unref);
  return obj;
}

/* The row's checks (as the queue API's), then the data: URI; fills the
 * frame's service fields; FALSE with @reason */
static gboolean
check_frame (RtFrame * f, gchar ** reason)
{
  g_autoptr (JsonObject) errors = json_object_new ();
  const gchar *url, *size;
  GList *members;

  if (!imagegen_model_validate (f->conn->row, f->body, errors)) {
    const gchar *field;

    members = json_object_get_members (errors);
    field = members->data;
    *reason = g_strdup_printf ("%s %s", field,
        json_array_get_string_element (json_object_get_array_member (errors,
                field), 0));
    g_list_free (members);
    return FALSE;
  }
  url = json_object_get_string_member_with_default (f->body,
      f->conn->row->input_field, "");
  if (!g_str_has_prefix (url, "data:image/") || strstr (url, ";base64,")
      == NULL || (f->source = emu_base64_decode_strict (url)) == NULL) {
    *reason = g_strdup_printf ("%s must be a data:image/…;base64, URI",
        f->conn->row->input_field);
    return FALSE;
  }
  size = json_object_get_string_member_with_default (f->body, "image_size",
      NULL);
  if (!imagegen_fal_realtime_size (size, &f->width, &f->height)) {
    *reason = g_strdup ("image_size must be square or square_hd");
    return FALSE;
  }
  f->prompt = g_strdup (json_object_get_string_member_with_default (f->body,
          "prompt", ""));
  f->interpolate = json_object_get_boolean_member_with_default (f->body,
      "enable_interpolation", FALSE);
  f->seed = json_object_get_int_member_with_default (f->body, "seed",
      DEFAULT_SEED);
  return TRUE;
}

/* --prerendered: one image per size, whatever the frame and prompt */
static GBytes *
prerendered (Emulator * emu, guint width, guint height, GError ** error)
{
  struct _EmuFalRt *rt = emu->fal_rt;
  g_autofree gchar *key = g_strdup_printf ("%ux%u", width, height);
  GBytes *image;

  g_mutex_lock (&rt->lock);
  image = g_hash_table_lookup (rt->prerendered, key);
  if (image == NULL && (image = emu_image_draw_prompt ("pre-rendered",
              width, height, TRUE, error)) != NULL)
    g_hash_table_insert (rt->prerendered, g_steal_pointer (&key), image);
  if (image)
    g_bytes_ref (image);
  g_mutex_unlock (&rt->lock);
  return image;
}

/* Worker: renders, then waits out the rest of the service time. */
static void
serve_frame (GTask * task, gpointer source, gpointer data,
    GCancellable * cancellable)
{
  RtFrame *f = data;
  Emulator *emu = f->conn->emu;
  GError *err = NULL;
  gint64 left;

  if (emu->prerendered)
    f->images[1] = prerendered (emu, f->width, f->height, &err);
  else
    f->images[1] = emu_image_remix_prompted (f->source, f->prompt, f->width,
        f->height, TRUE, &err);
  if (f->images[1] && f->interpolate)
    f->images[0] = emu->prerendered ? g_bytes_ref (f->images[1]) :
        emu_image_remix_prompted (f->source, f->prompt, f->width, f->height,
        FALSE, &err);
  if (err != NULL) {
    f->error = g_strdup_printf ("cannot decode image_url: %s", err->message);
    g_error_free (err);
  }
  left = f->start_us + f->service_ms * (gint64) 1000 - g_get_monotonic_time ();
  if (left > 0 && !g_atomic_int_get (&emu->stopping))
    g_usleep (left);
  f->end_us = g_get_monotonic_time ();
  g_task_return_boolean (task, TRUE);
}

/* ---- the socket ---- */

static RtConn *
conn_ref (RtConn * c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

static void
conn_unref (RtConn * c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;
  g_queue_clear_full (&c->pending, (GDestroyNotify) frame_free);
  g_clear_object (&c->ws);
  g_clear_object (&c->socket);
  g_free (c->token);
  g_free (c);
}

static void
send_json (RtConn * c, JsonObject * obj)
{
  JsonNode *node = emu_json_object_node (obj);
  gchar *text = json_to_string (node, FALSE);

  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->ws, text);
  g_free (text);
  json_node_unref (node);
}

/* {"type":"x-fal-error","error":@error,"reason":@reason} */
static void
send_fal_error (RtConn * c, const gchar * error, const gchar * reason)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "type", "x-fal-error");
  json_object_set_string_member (o, "error", error);
  json_object_set_string_member (o, "reason", reason);
  send_json (c, o);
}

static void
send_unauthorized (RtConn * c)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "status", "error");
  json_object_set_string_member (o, "error", "Unauthorized");
  c->emu->stats.fal_rt_unauthorized++;
  send_json (c, o);
}

static void
conn_close (RtConn * c, guint code)
{
  if (c->closing)
    return;
  c->closing = TRUE;
  c->close_code = code;
  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, code, NULL);
}

/* The runner's answer to a failed frame: the error, then close. */
static void
conn_fail (RtConn * c, const gchar * error, const gchar * reason)
{
  c->emu->stats.fal_rt_errors++;
  send_fal_error (c, error, reason);
  conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
}

/* The TCP connection shut without a close frame */
static void
conn_cut (RtConn * c)
{
  c->closing = TRUE;
  c->close_code = SOUP_WEBSOCKET_CLOSE_ABNORMAL;
  if (c->socket)
    g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
  else
    g_io_stream_close (soup_websocket_connection_get_io_stream (c->ws), NULL,
        NULL);
}

static void
arm_idle (RtConn * c);

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
  send_fal_error (c, "TIMEOUT", "no inputs, reconnect when needed!");
  conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
  return G_SOURCE_REMOVE;
}

static void
arm_idle (RtConn * c)
{
  if (c->idle_id)
    g_source_remove (c->idle_id);
  c->idle_id = c->closing ? 0 : g_timeout_add_seconds_full (G_PRIORITY_DEFAULT,
      c->emu->fal_realtime_idle_s, on_idle, conn_ref (c),
      (GDestroyNotify) conn_unref);
}

/* {"images":[{"content":bin,"width","height","content_type"}…],"seed"} */
static void
send_result (RtConn * c, RtFrame * f)
{
  Emulator *emu = c->emu;
  JsonObject *timings = json_object_new (), *priced;
  msgpack_sbuffer buf;
  msgpack_packer pk;
  guint i, first = f->images[0] ? 0 : 1;

  json_object_set_string_member (timings, "type", "x-fal-message");
  json_object_set_string_member (timings, "action", "timings");
  json_object_set_double_member (timings, "timing",
      (f->end_us - f->start_us) / (gdouble) G_USEC_PER_SEC);
  send_json (c, timings);

  msgpack_sbuffer_init (&buf);
  msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
  msgpack_pack_map (&pk, 2);
  msgpack_pack_str_with_body (&pk, "images", 6);
  msgpack_pack_array (&pk, 2 - first);
  for (i = first; i < 2; i++) {
    gsize len;
    const void *data = g_bytes_get_data (f->images[i], &len);

    msgpack_pack_map (&pk, 4);
    msgpack_pack_str_with_body (&pk, "content", 7);
    msgpack_pack_bin_with_body (&pk, data, len);
    msgpack_pack_str_with_body (&pk, "width", 5);
    msgpack_pack_unsigned_int (&pk, f->width);
    msgpack_pack_str_with_body (&pk, "height", 6);
    msgpack_pack_unsigned_int (&pk, f->height);
    msgpack_pack_str_with_body (&pk, "content_type", 12);
    msgpack_pack_str_with_body (&pk, "image/jpeg", 10);
  }
  msgpack_pack_str_with_body (&pk, "seed", 4);
  msgpack_pack_int64 (&pk, f->seed);
  soup_websocket_connection_send_binary (c->ws, buf.data, buf.size);
  msgpack_sbuffer_destroy (&buf);

  /* charged as the queue API charges the row, at the result's size */
  priced = json_object_new ();
  json_object_set_string_member (priced, c->row->input_field, "frame");
  json_object_set_int_member (priced, "width", f->width);
  json_object_set_int_member (priced, "height", f->height);
  emu->charged_cents += MAX (0, imagegen_model_price_cents (c->row, priced,
          FALSE));
  json_object_unref (priced);
  emu->stats.fal_rt_results++;
  c->answered++;
  log_frame (f, "result");
}

/* The frame in service is over (answered or not): the next one. */
static void
frame_over (RtConn * c, RtFrame * f)
{
  if (c->serving == f)
    c->serving = NULL;
  frame_free (f);
  serve_next (c);
}

static void
frame_served (GObject * source, GAsyncResult * res, gpointer data)
{
  RtFrame *f = data;
  RtConn *c = f->conn;

  c->emu->async_pending--;
  f->rendered = TRUE;
  if (c->closing) {
    log_frame (f, "closed");
  } else if (f->error) {
    log_frame (f, "error");
    conn_fail (c, "INTERNAL_ERROR", f->error);
  } else if (f->held) {
    /* POST /emulator/release sends it */
    return;
  } else {
    send_result (c, f);
  }
  c->emu->fal_rt->held = g_list_remove (c->emu->fal_rt->held, f);
  frame_over (c, f);
  conn_unref (c);
}

/* What a frame fault does; TRUE when the frame is not served. */
static gboolean
apply_fault (RtConn * c, RtFrame * f, EmuFault * fault)
{
  c->emu->stats.faults_fired++;
  switch (fault->kind) {
    case EMU_FAULT_HELD:
      f->held = TRUE;
      c->emu->fal_rt->held = g_list_append (c->emu->fal_rt->held, f);
      return FALSE;
    case EMU_FAULT_UNAUTHORIZED:
      send_unauthorized (c);
      log_frame (f, "unauthorized");
      return TRUE;
    case EMU_FAULT_DROP:
      log_frame (f, "cut");
      conn_cut (c);
      return TRUE;
    case EMU_FAULT_FRAME_ERROR:
      log_frame (f, "error");
      conn_fail (c, "INTERNAL_ERROR", "the emulator's fal-frame:error fault");
      return TRUE;
    case EMU_FAULT_FRAME_TIMEOUT:
      log_frame (f, "timeout");
      send_fal_error (c, "TIMEOUT", "no inputs, reconnect when needed!");
      conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
      return TRUE;
    default:
      log_frame (f, "closed");
      conn_close (c, fault->close_code);
      return TRUE;
  }
}

static guint
service_ms (Emulator * emu)
{
  if (emu->fal_realtime_ms >= 0)
    return (guint) emu->fal_realtime_ms;
  if (!emu->latency_given)
    return EMU_FAL_RT_DEFAULT_MS;
  return emu->latency_min_ms == emu->latency_max_ms ? emu->latency_min_ms :
      (guint) g_rand_int_range (emu->rand, emu->latency_min_ms,
      emu->latency_max_ms + 1);
}

/* One frame at a time, as fal's runner: the oldest waiting one. */
static void
serve_next (RtConn * c)
{
  EmuFault fault = { 0, };
  g_autofree gchar *reason = NULL;
  RtFrame *f;
  GTask *task;

  if (c->serving != NULL || c->closing || g_queue_is_empty (&c->pending))
    return;
  f = c->serving = g_queue_pop_head (&c->pending);
  f->start_us = f->end_us = g_get_monotonic_time ();
  if (!check_frame (f, &reason)) {
    log_frame (f, "invalid");
    conn_fail (c, "INTERNAL_ERROR", reason);
    frame_over (c, f);
    return;
  }
  if (emu_faults_take_after (c->emu->faults, EMU_STAGE_FAL_FRAME, FALSE,
          c->answered, &fault)) {
    gboolean over = apply_fault (c, f, &fault);

    emu_fault_clear (&fault);
    if (over) {
      frame_over (c, f);
      return;
    }
  }
  f->service_ms = service_ms (c->emu);
  c->emu->async_pending++;
  conn_ref (c);
  task = g_task_new (NULL, NULL, frame_served, f);
  g_task_set_task_data (task, f, NULL);
  g_task_run_in_thread (task, serve_frame);
  g_object_unref (task);
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
    conn_fail (c, "INTERNAL_ERROR", "inputs must be msgpack binary");
    return;
  }
  if (c->token && !token_good (c->emu, c->token, NULL)) {
    /* fal's answer to an expired token is not known: the defensive one */
    send_unauthorized (c);
    return;
  }
  body = decode_frame (message, &reason);
  if (body == NULL) {
    conn_fail (c, "INTERNAL_ERROR", reason);
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
    log_frame (oldest, "dropped");
    frame_free (oldest);
  }
  serve_next (c);
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
      frame_over (c, f);
      conn_unref (c);
    }
  }
  rt->conns = g_list_remove (rt->conns, c);
  conn_unref (c);
}

static void
on_websocket (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * ws, gpointer user_data)
{
  Emulator *emu = user_data;
  RtConn *c = g_new0 (RtConn, 1);
  const gchar *query = g_uri_get_query (soup_server_message_get_uri (msg));
  GHashTable *form = query ? soup_form_decode (query) : NULL;
  const gchar *mb = form ? g_hash_table_lookup (form, "max_buffering") : NULL;
  JsonObject *o = json_object_new ();
  GSocket *socket = soup_server_message_get_socket (msg);

  c->ref_count = 1;
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
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      MAX_FRAME_BYTES);
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
  const gchar *mb = query ? g_hash_table_lookup (query, "max_buffering") :
      NULL;

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

/* ---- held frames ---- */

guint
emu_fal_rt_release (Emulator * emu, guint want, JsonArray * ids)
{
  struct _EmuFalRt *rt = emu->fal_rt;
  guint released = 0;
  GList *l, *next;

  for (l = rt->held; l && released < want; l = next) {
    RtFrame *f = l->data;
    RtConn *c = f->conn;

    next = l->next;
    rt->held = g_list_delete_link (rt->held, l);
    json_array_add_string_element (ids, f->id);
    released++;
    f->held = FALSE;
    /* else frame_served() answers it */
    if (f->rendered) {
      if (!c->closing)
        send_result (c, f);
      frame_over (c, f);
      conn_unref (c);
    }
  }
  return released;
}

/* ---- life ---- */

void
emu_fal_rt_init (Emulator * emu)
{
  emu->fal_rt = g_new0 (struct _EmuFalRt, 1);
  emu->fal_rt->tokens = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, token_free);
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
    conn_close (l->data, SOUP_WEBSOCKET_CLOSE_NORMAL);
  /* the close frames go out, the peers' answers are not awaited */
  while (g_main_context_iteration (NULL, FALSE));
  while (rt->held) {
    RtFrame *f = rt->held->data;
    RtConn *c = f->conn;

    rt->held = g_list_delete_link (rt->held, rt->held);
    if (f->rendered) {
      frame_over (c, f);
      conn_unref (c);
    }
  }
  while (rt->conns) {
    RtConn *c = rt->conns->data;

    rt->conns = g_list_delete_link (rt->conns, rt->conns);
    g_signal_handlers_disconnect_by_data (c->ws, c);
    if (c->idle_id)
      g_source_remove (c->idle_id);
    c->idle_id = 0;
    conn_unref (c);
  }
  g_hash_table_unref (rt->tokens);
  g_hash_table_unref (rt->prerendered);
  g_mutex_clear (&rt->lock);
  g_clear_pointer (&emu->fal_rt, g_free);
}
