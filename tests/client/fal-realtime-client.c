/* gst-imagegen tests: a small fal realtime client of the emulator's
 * WebSocket (fal-realtime-client.h): tokens, the upgrade, msgpack frames
 * out, results in, their pixels judged against the frame and the prompt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fal-realtime-client.h"

#include <msgpack.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <string.h>

/* the input frame: left half A, right half B */
static const guint8 colour_a[3] = { 200, 40, 60 };
static const guint8 colour_b[3] = { 30, 90, 220 };

/* ---- images ---- */

/* @in (taken) through "appsrc name=src ! … ! appsink name=sink" */
static GBytes *
run_pipeline (const gchar * desc, GstCaps * caps, GBytes * in,
    GstCaps ** out_caps)
{
  g_autoptr (GError) err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  GstSample *sample;
  GstMapInfo map;
  GBytes *out;

  g_assert_no_error (err);
  if (caps)
    g_object_set (src, "caps", caps, NULL);
  gst_element_set_state (p, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src),
      gst_buffer_new_wrapped_bytes (in));
  g_bytes_unref (in);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
      WAIT_S * GST_SECOND);
  g_assert_nonnull (sample);
  gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
  out = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  if (out_caps)
    *out_caps = gst_caps_ref (gst_sample_get_caps (sample));
  gst_sample_unref (sample);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (p);
  return out;
}

/* A 64x64 JPEG, left half colour_a, right half colour_b */
GBytes *
rt_make_frame (void)
{
  guint8 *px = g_malloc (64 * 64 * 3);
  g_autoptr (GstCaps) caps = gst_caps_from_string
      ("video/x-raw,format=RGB,width=64,height=64,framerate=0/1");
  guint i;

  for (i = 0; i < 64 * 64; i++)
    memcpy (px + i * 3, i % 64 < 32 ? colour_a : colour_b, 3);
  return run_pipeline ("appsrc name=src ! videoconvert ! jpegenc quality=95 "
      "! appsink name=sink", caps, g_bytes_new_take (px, 64 * 64 * 3), NULL);
}

/* RGB pixels of a JPEG, rows of 4-byte stride-free RGBx */
static GBytes *
decode (GBytes * jpeg, gint * width, gint * height)
{
  g_autoptr (GstCaps) caps = NULL;
  GBytes *px = run_pipeline ("appsrc name=src ! jpegdec ! videoconvert ! "
      "video/x-raw,format=RGBx ! appsink name=sink", NULL,
      g_bytes_ref (jpeg), &caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);

  gst_structure_get_int (s, "width", width);
  gst_structure_get_int (s, "height", height);
  return px;
}

static void
assert_pixel (GBytes * px, gint width, gint x, gint y, const guint8 rgb[3],
    gboolean inverted)
{
  const guint8 *p = (const guint8 *) g_bytes_get_data (px, NULL) +
      ((gsize) y * width + x) * 4;
  guint k;

  for (k = 0; k < 3; k++) {
    gint want = inverted ? 255 - rgb[k] : rgb[k];

    if (ABS ((gint) p[k] - want) > TOLERANCE)
      g_error ("pixel (%d,%d) channel %u is %u, expected %d", x, y, k, p[k],
          want);
  }
}

/* The prompt's colour: the first three bytes of its SHA-256 */
static void
prompt_colour (const gchar * prompt, guint8 rgb[3])
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = 32;

  g_checksum_update (c, (const guchar *) prompt, -1);
  g_checksum_get_digest (c, digest, &len);
  g_checksum_free (c);
  memcpy (rgb, digest, 3);
}

/* A result image: the frame inverted (or not) with a border in the
 * prompt's colour */
static void
assert_result_image (GBytes * jpeg, const gchar * prompt, gint size,
    gboolean inverted)
{
  gint w = 0, h = 0;
  g_autoptr (GBytes) px = decode (jpeg, &w, &h);
  guint8 border[3];

  g_assert_cmpint (w, ==, size);
  g_assert_cmpint (h, ==, size);
  prompt_colour (prompt, border);
  assert_pixel (px, w, w / 4, h / 2, colour_a, inverted);
  assert_pixel (px, w, 3 * w / 4, h / 2, colour_b, inverted);
  assert_pixel (px, w, 4, h / 2, border, FALSE);
  assert_pixel (px, w, w / 2, h - 5, border, FALSE);
}

/* ---- the socket ---- */

void
rt_msg_free (Msg * m)
{
  g_bytes_unref (m->data);
  g_free (m);
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * data,
    gpointer user_data)
{
  Rt *rt = user_data;
  Msg *m = g_new0 (Msg, 1);

  m->type = type;
  m->data = g_bytes_ref (data);
  g_queue_push_tail (&rt->msgs, m);
}

static void
on_closed (SoupWebsocketConnection * ws, gpointer user_data)
{
  ((Rt *) user_data)->closed = TRUE;
}

static gboolean
timed_out (gpointer data)
{
  g_error ("nothing came within %d s", WAIT_S);
  return G_SOURCE_REMOVE;
}

/* Runs the main context until *@flag */
void
rt_wait_for (gboolean * flag)
{
  guint id = g_timeout_add_seconds (WAIT_S, timed_out, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
connected (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Rt *rt = user_data;
  g_autoptr (GError) err = NULL;
  SoupMessage *msg = g_object_get_data (G_OBJECT (source), "rt-msg");

  rt->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &err);
  rt->status = soup_message_get_status (msg);
  if (rt->ws) {
    g_signal_connect (rt->ws, "message", G_CALLBACK (on_message), rt);
    g_signal_connect (rt->ws, "closed", G_CALLBACK (on_closed), rt);
    soup_websocket_connection_set_max_incoming_payload_size (rt->ws,
        16 * 1024 * 1024);
  }
  rt->done = TRUE;
}

/* The emulator, logged, with the options that follow (NULL after the
 * last) */
void
rt_start (Rt * rt, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const gchar *arg;
  va_list ap;

  va_start (ap, rt);
  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  memset (rt, 0, sizeof (*rt));
  imagegen_test_fixture_start (&rt->fx, TRUE,
      (const gchar * const *) args->pdata, NULL);
  rt->session = soup_session_new ();
  /* loopback only: no system proxy */
  soup_session_set_proxy_resolver (rt->session, NULL);
  g_queue_init (&rt->msgs);
}

void
rt_stop (Rt * rt)
{
  if (rt->ws && soup_websocket_connection_get_state (rt->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_close (rt->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    rt_wait_for (&rt->closed);
  }
  g_clear_object (&rt->ws);
  g_clear_object (&rt->session);
  g_queue_clear_full (&rt->msgs, (GDestroyNotify) rt_msg_free);
  imagegen_test_fixture_stop (&rt->fx);
}

/* POST /tokens/ with the key; the bare JSON string it answers */
gchar *
rt_get_token (Rt * rt, guint * status)
{
  const gchar *headers[] = { "Authorization", "Key " TEST_KEY, NULL };
  g_autoptr (GBytes) body = g_bytes_new_static (TOKEN_BODY,
      strlen (TOKEN_BODY));
  g_autoptr (GBytes) answer = imagegen_test_emulator_request (rt->fx.emu,
      "POST", "/tokens/", headers, body, "application/json", status);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const gchar *data = g_bytes_get_data (answer, &len);

  if (*status != 200)
    return NULL;
  g_assert_true (json_parser_load_from_data (parser, data, len, NULL));
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_parser_get_root (parser)));
  return g_strdup (json_node_get_string (json_parser_get_root (parser)));
}

/* Opens the socket with @token (NULL: @key in Authorization, if any)
 * and @max_buffering (0: none); the upgrade's status */
guint
rt_connect (Rt * rt, const gchar * token, const gchar * key,
    guint max_buffering)
{
  const gchar *base = imagegen_test_emulator_get_base_url (rt->fx.emu);
  g_autofree gchar *url = NULL;
  GString *q = g_string_new (NULL);
  SoupMessage *msg;

  if (token)
    g_string_append_printf (q, "%sfal_jwt_token=%s", q->len ? "&" : "?", token);
  if (max_buffering)
    g_string_append_printf (q, "%smax_buffering=%u", q->len ? "&" : "?",
        max_buffering);
  url = g_strdup_printf ("ws%s%s%s", base + 4, RT_PATH, q->str);
  g_string_free (q, TRUE);
  g_clear_object (&rt->ws);
  g_queue_clear_full (&rt->msgs, (GDestroyNotify) rt_msg_free);
  msg = soup_message_new ("GET", url);
  if (key)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", key);
  g_object_set_data_full (G_OBJECT (rt->session), "rt-msg", msg,
      g_object_unref);
  rt->done = FALSE;
  rt->closed = FALSE;
  soup_session_websocket_connect_async (rt->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, connected, rt);
  rt_wait_for (&rt->done);
  return rt->status;
}

/* A token, then the socket */
void
rt_open (Rt * rt, guint max_buffering)
{
  guint status = 0;
  g_autofree gchar *token = rt_get_token (rt, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (rt_connect (rt, token, NULL, max_buffering), ==, 101);
  g_assert_nonnull (rt->ws);
}

GBytes *frame_jpeg;

/* A frame: the msgpack map fal's clients send; @size NULL: none */
void
rt_send_frame (Rt * rt, const gchar * prompt, const gchar * size,
    gboolean interpolate)
{
  g_autofree gchar *b64 = g_base64_encode (g_bytes_get_data (frame_jpeg,
          NULL), g_bytes_get_size (frame_jpeg));
  g_autofree gchar *uri = g_strconcat ("data:image/jpeg;base64,", b64, NULL);
  msgpack_sbuffer buf;
  msgpack_packer pk;

  msgpack_sbuffer_init (&buf);
  msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
  msgpack_pack_map (&pk, 3 + (size != NULL) + (interpolate ? 1 : 0));
  msgpack_pack_str_with_body (&pk, "image_url", 9);
  msgpack_pack_str_with_body (&pk, uri, strlen (uri));
  msgpack_pack_str_with_body (&pk, "prompt", 6);
  msgpack_pack_str_with_body (&pk, prompt, strlen (prompt));
  msgpack_pack_str_with_body (&pk, "num_inference_steps", 19);
  msgpack_pack_int (&pk, 3);
  if (size) {
    msgpack_pack_str_with_body (&pk, "image_size", 10);
    msgpack_pack_str_with_body (&pk, size, strlen (size));
  }
  if (interpolate) {
    msgpack_pack_str_with_body (&pk, "enable_interpolation", 20);
    msgpack_pack_true (&pk);
  }
  soup_websocket_connection_send_binary (rt->ws, buf.data, buf.size);
  msgpack_sbuffer_destroy (&buf);
}

/* The next message (waits for it); NULL once the socket closed first */
Msg *
rt_next_msg (Rt * rt)
{
  guint id = g_timeout_add_seconds (WAIT_S, timed_out, NULL);

  while (g_queue_is_empty (&rt->msgs) && !rt->closed)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return g_queue_pop_head (&rt->msgs);
}

/* The next message is JSON text: its object */
JsonObject *
rt_next_json (Rt * rt)
{
  Msg *m = rt_next_msg (rt);
  JsonObject *obj;

  g_assert_nonnull (m);
  g_assert_cmpint (m->type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  obj = imagegen_test_json_object (m->data);
  g_assert_nonnull (obj);
  rt_msg_free (m);
  return obj;
}

void
rt_assert_fal_error (Rt * rt, const gchar * error, const gchar * reason)
{
  g_autoptr (JsonObject) o = rt_next_json (rt);

  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==,
      "x-fal-error");
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, error);
  if (reason)
    g_assert_nonnull (strstr (json_object_get_string_member (o, "reason"),
            reason));
}

void
rt_assert_unauthorized (Rt * rt)
{
  g_autoptr (JsonObject) o = rt_next_json (rt);

  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==,
      "Unauthorized");
}

static const msgpack_object *
map_get (const msgpack_object * map, const gchar * key)
{
  guint i;

  g_assert_cmpint (map->type, ==, MSGPACK_OBJECT_MAP);
  for (i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;

    g_assert_cmpint (k->type, ==, MSGPACK_OBJECT_STR);
    if (k->via.str.size == strlen (key)
        && memcmp (k->via.str.ptr, key, k->via.str.size) == 0)
      return &map->via.map.ptr[i].val;
  }
  g_error ("no %s in the result", key);
  return NULL;
}

/* The timings message, then the result of @prompt: @n images of @size,
 * the last the frame inverted, msgpack types checked */
void
rt_assert_result (Rt * rt, const gchar * prompt, gint size, guint n)
{
  g_autoptr (JsonObject) t = rt_next_json (rt);
  Msg *m;
  msgpack_unpacked u;
  const msgpack_object *images, *img, *o;
  gsize off = 0;
  guint i;

  g_assert_cmpstr (json_object_get_string_member (t, "type"), ==,
      "x-fal-message");
  g_assert_cmpstr (json_object_get_string_member (t, "action"), ==, "timings");
  g_assert_true (json_object_has_member (t, "timing"));
  m = rt_next_msg (rt);
  g_assert_nonnull (m);
  g_assert_cmpint (m->type, ==, SOUP_WEBSOCKET_DATA_BINARY);
  msgpack_unpacked_init (&u);
  g_assert_cmpint (msgpack_unpack_next (&u, g_bytes_get_data (m->data, NULL),
          g_bytes_get_size (m->data), &off), ==, MSGPACK_UNPACK_SUCCESS);
  images = map_get (&u.data, "images");
  g_assert_cmpint (images->type, ==, MSGPACK_OBJECT_ARRAY);
  g_assert_cmpuint (images->via.array.size, ==, n);
  for (i = 0; i < n; i++) {
    g_autoptr (GBytes) jpeg = NULL;

    img = &images->via.array.ptr[i];
    o = map_get (img, "content");
    g_assert_cmpint (o->type, ==, MSGPACK_OBJECT_BIN);
    jpeg = g_bytes_new (o->via.bin.ptr, o->via.bin.size);
    o = map_get (img, "width");
    g_assert_cmpint (o->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
    g_assert_cmpint (o->via.u64, ==, size);
    o = map_get (img, "height");
    g_assert_cmpint (o->via.u64, ==, size);
    o = map_get (img, "content_type");
    g_assert_cmpint (o->type, ==, MSGPACK_OBJECT_STR);
    g_assert_cmpint (o->via.str.size, ==, 10);
    g_assert_true (memcmp (o->via.str.ptr, "image/jpeg", 10) == 0);
    /* [interpolated, current]: the current one is the frame's remix */
    assert_result_image (jpeg, prompt, size, i == n - 1);
  }
  o = map_get (&u.data, "seed");
  g_assert_cmpint (o->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  msgpack_unpacked_destroy (&u);
  rt_msg_free (m);
}
