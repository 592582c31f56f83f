/* gst-imagegen: fal realtime frames — the input map out, results and
 * control messages in.  See imagegen-realtime-codec.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-realtime-codec.h"

#include <string.h>

/* ---- out ---- */

static void pack_node (msgpack_packer * pk, JsonNode * node,
    gboolean as_number);

static void
pack_string (msgpack_packer * pk, const gchar * s)
{
  gsize len = strlen (s);

  msgpack_pack_str (pk, len);
  msgpack_pack_str_body (pk, s, len);
}

static void
pack_object (msgpack_packer * pk, JsonObject * obj,
    const ImagegenModelRow * row)
{
  GList *members = json_object_get_members (obj), *l;

  msgpack_pack_map (pk, g_list_length (members));
  for (l = members; l; l = l->next) {
    const ImagegenModelField *f = row ? imagegen_model_row_field (row,
        l->data) : NULL;

    pack_string (pk, l->data);
    pack_node (pk, json_object_get_member (obj, l->data), f != NULL
        && f->type == IMAGEGEN_FIELD_NUMBER);
  }
  g_list_free (members);
}

/* @as_number: a number field of the row, float64 even when whole (the
 * runner's schema reads a float) */
static void
pack_node (msgpack_packer * pk, JsonNode * node, gboolean as_number)
{
  guint i;

  switch (json_node_get_node_type (node)) {
    case JSON_NODE_OBJECT:
      pack_object (pk, json_node_get_object (node), NULL);
      return;
    case JSON_NODE_ARRAY:{
      JsonArray *arr = json_node_get_array (node);

      msgpack_pack_array (pk, json_array_get_length (arr));
      for (i = 0; i < json_array_get_length (arr); i++)
        pack_node (pk, json_array_get_element (arr, i), FALSE);
      return;
    }
    case JSON_NODE_NULL:
      msgpack_pack_nil (pk);
      return;
    case JSON_NODE_VALUE:
      break;
  }
  switch (json_node_get_value_type (node)) {
    case G_TYPE_STRING:
      pack_string (pk, json_node_get_string (node));
      break;
    case G_TYPE_BOOLEAN:
      if (json_node_get_boolean (node))
        msgpack_pack_true (pk);
      else
        msgpack_pack_false (pk);
      break;
    case G_TYPE_INT64:
      if (as_number)
        msgpack_pack_double (pk, json_node_get_double (node));
      else
        msgpack_pack_int64 (pk, json_node_get_int (node));
      break;
    default:
      msgpack_pack_double (pk, json_node_get_double (node));
      break;
  }
}

GBytes *
imagegen_realtime_encode (const ImagegenModelRow * row, JsonObject * body)
{
  msgpack_sbuffer sbuf;
  msgpack_packer pk;
  GBytes *bytes;

  msgpack_sbuffer_init (&sbuf);
  msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
  pack_object (&pk, body, row);
  /* the buffer is malloc()ed: handed over, not copied */
  bytes = g_bytes_new_with_free_func (sbuf.data, sbuf.size, free, sbuf.data);
  return bytes;
}

GBytes *
imagegen_realtime_encode_request (const ImagegenProvider * provider,
    const ImagegenRequest * req, GError ** error)
{
  const ImagegenModelRow *row = imagegen_models_find (provider->name,
      req->endpoint, req->model);
  guint n = req->source_images ? req->source_images->len : 0;
  g_autoptr (ImagegenRequest) full = NULL;
  g_autoptr (GPtrArray) sources = NULL;
  g_autoptr (JsonNode) body = NULL;

  if (row == NULL || !row->realtime) {
    imagegen_models_refuse (error, "Model %s is not served over fal's "
        "realtime WebSocket.", req->model ? req->model : "");
    return NULL;
  }
  if (!imagegen_models_check_fields (row, req, n + (req->source_urls ?
              req->source_urls->len : 0), error))
    return NULL;
  if (n != 1) {
    imagegen_models_refuse (error, "Model %s takes one frame as an encoded "
        "image, %u given.", req->model, n);
    return NULL;
  }
  full = provider->table_request ? provider->table_request (req) :
      imagegen_request_copy (req);
  sources = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sources, provider->inline_image (g_ptr_array_index
          (req->source_images, 0)));
  body = imagegen_model_build_body (row, full, sources);
  return imagegen_realtime_encode (row, json_node_get_object (body));
}

/* ---- in ---- */

/* The top-level words a control message is told by. */
typedef struct
{
  gchar *type, *error, *reason, *status;
} Control;

static gboolean
key_is (const msgpack_object * key, const gchar * name)
{
  return key->type == MSGPACK_OBJECT_STR && key->via.str.size == strlen (name)
      && memcmp (key->via.str.ptr, name, key->via.str.size) == 0;
}

const msgpack_object *
imagegen_realtime_map_get (const msgpack_object * map, const gchar * name)
{
  guint32 i;

  if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
    return NULL;
  for (i = 0; i < map->via.map.size; i++)
    if (key_is (&map->via.map.ptr[i].key, name))
      return &map->via.map.ptr[i].val;
  return NULL;
}

static gchar *
map_string (const msgpack_object * map, const gchar * name)
{
  const msgpack_object *v = imagegen_realtime_map_get (map, name);

  if (v == NULL || v->type != MSGPACK_OBJECT_STR)
    return NULL;
  return g_strndup (v->via.str.ptr, v->via.str.size);
}

static gint64
map_int (const msgpack_object * map, const gchar * name, gint64 fallback)
{
  const msgpack_object *v = imagegen_realtime_map_get (map, name);

  if (v != NULL && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
    return (gint64) MIN (v->via.u64, (guint64) G_MAXINT64);
  if (v != NULL && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return v->via.i64;
  return fallback;
}

/* An image's content: bin, or str with raw bytes or a base64 data: URI. */
static GBytes *
content_bytes (const msgpack_object * v)
{
  const gchar *comma;
  guchar *data;
  gsize len;

  if (v == NULL)
    return NULL;
  if (v->type == MSGPACK_OBJECT_BIN)
    return g_bytes_new (v->via.bin.ptr, v->via.bin.size);
  if (v->type != MSGPACK_OBJECT_STR)
    return NULL;
  if (v->via.str.size > 5 && memcmp (v->via.str.ptr, "data:", 5) == 0
      && (comma = memchr (v->via.str.ptr, ',', v->via.str.size)) != NULL) {
    g_autofree gchar *b64 = g_strndup (comma + 1, v->via.str.size -
        (comma + 1 - v->via.str.ptr));

    data = g_base64_decode (b64, &len);
    return g_bytes_new_take (data, len);
  }
  return g_bytes_new (v->via.str.ptr, v->via.str.size);
}

static void
read_result (const msgpack_object * map, const msgpack_object * images,
    ImagegenRealtimeAnswer * a)
{
  const msgpack_object *img;

  a->kind = IMAGEGEN_REALTIME_MALFORMED;
  if (images->type != MSGPACK_OBJECT_ARRAY || images->via.array.size == 0)
    return;
  /* with interpolation: [interpolated, current] */
  img = &images->via.array.ptr[images->via.array.size - 1];
  a->image = content_bytes (imagegen_realtime_map_get (img, "content"));
  if (a->image == NULL || g_bytes_get_size (a->image) == 0) {
    g_clear_pointer (&a->image, g_bytes_unref);
    return;
  }
  a->kind = IMAGEGEN_REALTIME_RESULT;
  a->content_type = map_string (img, "content_type");
  if (a->content_type == NULL)
    a->content_type = g_strdup ("image/jpeg");
  a->width = (guint) CLAMP (map_int (img, "width", 0), 0, G_MAXUINT);
  a->height = (guint) CLAMP (map_int (img, "height", 0), 0, G_MAXUINT);
  a->seed = map_int (map, "seed", -1);
}

static void
read_json_control (GBytes * frame, Control * c)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const gchar *data = g_bytes_get_data (frame, &size);
  JsonNode *root;
  JsonObject *obj;
  const gchar *names[] = { "type", "error", "reason", "status" };
  gchar **fields[] = { &c->type, &c->error, &c->reason, &c->status };
  guint i;

  if (!json_parser_load_from_data (parser, data, size, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  obj = json_node_get_object (root);
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    JsonNode *n = json_object_get_member (obj, names[i]);

    if (n != NULL && JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_STRING)
      *fields[i] = g_strdup (json_node_get_string (n));
  }
  /* anything parsed is at least "other" */
  c->type = c->type ? c->type : g_strdup ("");
}

static void
classify (Control * c, ImagegenRealtimeAnswer * a)
{
  if (c->type == NULL) {
    a->kind = IMAGEGEN_REALTIME_MALFORMED;
  } else if (g_strcmp0 (c->status, "error") == 0
      && g_strcmp0 (c->error, "Unauthorized") == 0) {
    a->kind = IMAGEGEN_REALTIME_UNAUTHORIZED;
    a->error = g_steal_pointer (&c->error);
  } else if (strcmp (c->type, "x-fal-error") == 0) {
    a->kind = g_strcmp0 (c->error, "TIMEOUT") == 0 ?
        IMAGEGEN_REALTIME_IDLE : IMAGEGEN_REALTIME_ERROR;
    a->error = g_strdup_printf ("%s: %s", c->error ? c->error : "UNKNOWN",
        c->reason ? c->reason : "no reason given");
  } else {
    a->kind = strcmp (c->type, "x-fal-message") == 0 ?
        IMAGEGEN_REALTIME_MESSAGE : IMAGEGEN_REALTIME_OTHER;
  }
  g_free (c->type);
  g_free (c->error);
  g_free (c->reason);
  g_free (c->status);
}

void
imagegen_realtime_decode (GBytes * frame, gboolean binary,
    ImagegenRealtimeAnswer * a)
{
  Control c = { NULL, };
  msgpack_unpacked msg;
  gsize size;
  const gchar *data = g_bytes_get_data (frame, &size);
  gsize off = 0;

  memset (a, 0, sizeof (*a));
  a->seed = -1;
  if (!binary) {
    read_json_control (frame, &c);
    classify (&c, a);
    return;
  }
  msgpack_unpacked_init (&msg);
  if (msgpack_unpack_next (&msg, data, size, &off) == MSGPACK_UNPACK_SUCCESS
      && msg.data.type == MSGPACK_OBJECT_MAP) {
    const msgpack_object *images =
        imagegen_realtime_map_get (&msg.data, "images");

    if (images != NULL) {
      read_result (&msg.data, images, a);
      msgpack_unpacked_destroy (&msg);
      return;
    }
    c.type = map_string (&msg.data, "type");
    c.type = c.type ? c.type : g_strdup ("");
    c.error = map_string (&msg.data, "error");
    c.reason = map_string (&msg.data, "reason");
    c.status = map_string (&msg.data, "status");
  }
  msgpack_unpacked_destroy (&msg);
  classify (&c, a);
}

void
imagegen_realtime_answer_clear (ImagegenRealtimeAnswer * a)
{
  g_clear_pointer (&a->image, g_bytes_unref);
  g_clear_pointer (&a->content_type, g_free);
  g_clear_pointer (&a->error, g_free);
}
