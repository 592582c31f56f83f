/* imagegen-emulator: a fal realtime connection and its frames — what goes
 * on the wire (control messages, closes, a cut), msgpack frames in,
 * checked against the row as the queue API checks a body, served one at
 * a time (the frame remixed with its prompt on a worker, the rest of the
 * service time waited out on the main loop), msgpack results out, charged
 * at the row's price; the frame faults and held frames
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "emulator-fal-realtime.h"
#include "imagegen-fal-models.h"

#include <msgpack.h>
#include <string.h>

/* klein realtime's default seed */
#define DEFAULT_SEED 35

/* ---- the connection ---- */

RtConn *
emu_rt_conn_ref (RtConn * c)
{
  return g_atomic_rc_box_acquire (c);
}

static void
conn_clear (gpointer data)
{
  RtConn *c = data;

  g_queue_clear_full (&c->pending, (GDestroyNotify) emu_rt_frame_free);
  g_clear_object (&c->ws);
  g_clear_object (&c->socket);
  g_free (c->token);
}

void
emu_rt_conn_unref (RtConn * c)
{
  g_atomic_rc_box_release_full (c, conn_clear);
}

void
emu_rt_send_json (RtConn * c, JsonObject * obj)
{
  JsonNode *node = emu_json_object_node (obj);
  gchar *text = json_to_string (node, FALSE);

  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->ws, text);
  g_free (text);
  json_node_unref (node);
}

/* {"type":"x-fal-error","error":@error,"reason":@reason} */
void
emu_rt_send_fal_error (RtConn * c, const gchar * error, const gchar * reason)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "type", "x-fal-error");
  json_object_set_string_member (o, "error", error);
  json_object_set_string_member (o, "reason", reason);
  emu_rt_send_json (c, o);
}

void
emu_rt_send_unauthorized (RtConn * c)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "status", "error");
  json_object_set_string_member (o, "error", "Unauthorized");
  c->emu->stats.fal_rt_unauthorized++;
  emu_rt_send_json (c, o);
}

void
emu_rt_conn_close (RtConn * c, guint code)
{
  if (c->closing)
    return;
  c->closing = TRUE;
  c->close_code = code;
  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, code, NULL);
}

/* The runner's answer to a failed frame: the error, then close. */
void
emu_rt_conn_fail (RtConn * c, const gchar * error, const gchar * reason)
{
  c->emu->stats.fal_rt_errors++;
  emu_rt_send_fal_error (c, error, reason);
  emu_rt_conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
}

/* The TCP connection shut without a close frame */
void
emu_rt_conn_cut (RtConn * c)
{
  c->closing = TRUE;
  c->close_code = SOUP_WEBSOCKET_CLOSE_ABNORMAL;
  if (c->socket)
    g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
  else
    g_io_stream_close (soup_websocket_connection_get_io_stream (c->ws), NULL,
        NULL);
}

/* ---- frames ---- */

/* A per-frame line: what was asked, what became of it, and the service's
 * start and end on the emulator's monotonic clock */
void
emu_rt_log_frame (RtFrame * f, const gchar * outcome)
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

void
emu_rt_frame_free (RtFrame * f)
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
JsonObject *
emu_rt_decode_frame (GBytes * bytes, gchar ** reason)
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

/* Worker: renders; the main loop waits out the rest of the service time,
 * so that no worker sleeps. */
static void
serve_frame (GTask * task, gpointer source, gpointer data,
    GCancellable * cancellable)
{
  RtFrame *f = data;
  Emulator *emu = f->conn->emu;
  GError *err = NULL;

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
  g_task_return_boolean (task, TRUE);
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
  emu_rt_send_json (c, timings);

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
  emu_rt_log_frame (f, "result");
}

/* The frame in service is over (answered or not): the next one. */
void
emu_rt_frame_over (RtConn * c, RtFrame * f)
{
  if (c->serving == f)
    c->serving = NULL;
  emu_rt_frame_free (f);
  emu_rt_serve_next (c);
}

/* Main loop: once the service time is over (a timeout may fire a little
 * early: it runs again), the frame is answered. */
static gboolean
frame_served (gpointer data)
{
  RtFrame *f = data;
  RtConn *c = f->conn;
  gint64 left = f->start_us + f->service_ms * (gint64) 1000 -
      g_get_monotonic_time ();

  if (left > 0 && !c->closing && !g_atomic_int_get (&c->emu->stopping)) {
    g_timeout_add ((left + 999) / 1000, frame_served, f);
    return G_SOURCE_REMOVE;
  }
  f->end_us = g_get_monotonic_time ();
  c->emu->async_pending--;
  f->rendered = TRUE;
  if (c->closing) {
    emu_rt_log_frame (f, "closed");
  } else if (f->error) {
    emu_rt_log_frame (f, "error");
    emu_rt_conn_fail (c, "INTERNAL_ERROR", f->error);
  } else if (f->held) {
    /* POST /emulator/release sends it */
    return G_SOURCE_REMOVE;
  } else {
    send_result (c, f);
  }
  c->emu->fal_rt->held = g_list_remove (c->emu->fal_rt->held, f);
  emu_rt_frame_over (c, f);
  emu_rt_conn_unref (c);
  return G_SOURCE_REMOVE;
}

static void
frame_rendered (GObject * source, GAsyncResult * res, gpointer data)
{
  frame_served (data);
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
      emu_rt_send_unauthorized (c);
      emu_rt_log_frame (f, "unauthorized");
      return TRUE;
    case EMU_FAULT_DROP:
      emu_rt_log_frame (f, "cut");
      emu_rt_conn_cut (c);
      return TRUE;
    case EMU_FAULT_FRAME_ERROR:
      emu_rt_log_frame (f, "error");
      emu_rt_conn_fail (c, "INTERNAL_ERROR",
          "the emulator's fal-frame:error fault");
      return TRUE;
    case EMU_FAULT_FRAME_TIMEOUT:
      emu_rt_log_frame (f, "timeout");
      emu_rt_send_fal_error (c, "TIMEOUT", "no inputs, reconnect when needed!");
      emu_rt_conn_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL);
      return TRUE;
    default:
      emu_rt_log_frame (f, "closed");
      emu_rt_conn_close (c, fault->close_code);
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
void
emu_rt_serve_next (RtConn * c)
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
    emu_rt_log_frame (f, "invalid");
    emu_rt_conn_fail (c, "INTERNAL_ERROR", reason);
    emu_rt_frame_over (c, f);
    return;
  }
  if (emu_faults_take_after (c->emu->faults, EMU_STAGE_FAL_FRAME, FALSE,
          c->answered, &fault)) {
    gboolean over = apply_fault (c, f, &fault);

    emu_fault_clear (&fault);
    if (over) {
      emu_rt_frame_over (c, f);
      return;
    }
  }
  f->service_ms = service_ms (c->emu);
  c->emu->async_pending++;
  emu_rt_conn_ref (c);
  task = g_task_new (NULL, NULL, frame_rendered, f);
  g_task_set_task_data (task, f, NULL);
  g_task_run_in_thread (task, serve_frame);
  g_object_unref (task);
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
      emu_rt_frame_over (c, f);
      emu_rt_conn_unref (c);
    }
  }
  return released;
}
