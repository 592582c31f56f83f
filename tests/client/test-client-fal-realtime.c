/* gst-imagegen: the emulator's fal realtime WebSocket, spoken to directly
 * with libsoup's WebSocket client and msgpack (not through the plugin's
 * client): tokens, the upgrade's auth, frames and results (pixels from the
 * frame and the prompt, msgpack types on the wire), one frame at a time
 * with the oldest waiting one dropped, the idle timeout and every frame
 * fault, judged from what arrives and from the emulator's records.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fal-realtime-client.h"
#include "imagegen-models.h"

#include <msgpack.h>
#include <gst/gst.h>
#include <string.h>

static gint64
count (Rt * rt, const gchar * name)
{
  return imagegen_test_emulator_count (rt->fx.emu, name);
}

/* stats["fal_rt_closes"][@code] once it reached @want (the emulator
 * counts a close when its side of the handshake ends) */
static gint64
closes (Rt * rt, const gchar * code, gint64 want)
{
  gint64 n = 0;
  guint tries;

  for (tries = 0; tries < WAIT_S * 20; tries++) {
    g_autoptr (JsonObject) stats = imagegen_test_emulator_stats (rt->fx.emu);
    JsonObject *c = json_object_get_object_member (stats, "fal_rt_closes");

    n = json_object_get_int_member_with_default (c, code, 0);
    if (n >= want)
      break;
    g_usleep (50000);
  }
  return n;
}

/* The model table's price of one frame in and a @size² result out */
static gint
price_cents (guint size)
{
  const ImagegenModelRow *row = imagegen_models_find_any (RT_PATH + 1);
  g_autoptr (JsonObject) body = json_object_new ();

  json_object_set_string_member (body, row->input_field, "frame");
  json_object_set_int_member (body, "width", size);
  json_object_set_int_member (body, "height", size);
  return imagegen_model_price_cents (row, body, FALSE);
}

/* ---- tests ---- */

/* A token, the socket, a frame: its result derives from the frame and the
 * prompt, square_hd is 1024², the records show it, it is charged */
static void
test_frame (void)
{
  g_autoptr (GPtrArray) frames = NULL;
  JsonObject *line;
  Rt rt;

  rt_start (&rt, "--fal-realtime-ms", "200", NULL);
  rt_open (&rt, 0);
  rt_send_frame (&rt, "a red fox", "square_hd", FALSE);
  rt_assert_result (&rt, "a red fox", 1024, 1);
  g_assert_cmpint (count (&rt, "fal_tokens"), ==, 1);
  g_assert_cmpint (count (&rt, "fal_rt_connects"), ==, 1);
  g_assert_cmpint (count (&rt, "fal_rt_frames"), ==, 1);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stat (rt.fx.emu, "charged_cents"),
      ==, price_cents (1024));
  soup_websocket_connection_close (rt.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  rt_wait_for (&rt.closed);
  g_assert_cmpint (closes (&rt, "1000", 1), ==, 1);
  frames = imagegen_test_read_events (rt.fx.log, "fal_rt_frame");
  g_assert_cmpuint (frames->len, ==, 1);
  line = g_ptr_array_index (frames, 0);
  g_assert_cmpstr (json_object_get_string_member (line, "prompt"), ==,
      "a red fox");
  g_assert_cmpstr (json_object_get_string_member (line, "image_size"), ==,
      "square_hd");
  g_assert_cmpstr (json_object_get_string_member (line, "outcome"), ==,
      "result");
  /* the emulator's own service time, on its own clock */
  g_assert_cmpint (json_object_get_int_member (line, "service_end_us") -
      json_object_get_int_member (line, "service_start_us"), >=, 200000);
  rt_stop (&rt);
}

/* square by default (768²); with interpolation [interpolated, current] */
static void
test_interpolation (void)
{
  Rt rt;

  rt_start (&rt, NULL);
  rt_open (&rt, 0);
  rt_send_frame (&rt, "dusk", NULL, TRUE);
  rt_assert_result (&rt, "dusk", 768, 2);
  rt_stop (&rt);
}

/* --prerendered: one image per size, whatever the frame and the prompt */
static void
test_prerendered (void)
{
  g_autoptr (GBytes) first = NULL;
  Rt rt;
  guint i;

  rt_start (&rt, "--prerendered", NULL);
  rt_open (&rt, 0);
  for (i = 0; i < 2; i++) {
    g_autoptr (JsonObject) timings = NULL;
    Msg *m;

    rt_send_frame (&rt, i ? "one prompt" : "another", NULL, FALSE);
    timings = rt_next_json (&rt);
    m = rt_next_msg (&rt);
    g_assert_cmpint (m->type, ==, SOUP_WEBSOCKET_DATA_BINARY);
    if (first == NULL)
      first = g_bytes_ref (m->data);
    else
      g_assert_true (g_bytes_equal (first, m->data));
    rt_msg_free (m);
  }
  rt_stop (&rt);
}

/* One frame in service (held), max_buffering 1: of five frames the first
 * and the newest are answered, the three between dropped */
static void
test_buffer (void)
{
  g_autoptr (GPtrArray) frames = NULL;
  const gchar *outcomes[] = { "result", "dropped", "dropped", "dropped",
    "result"
  };
  guint i;
  Rt rt;

  rt_start (&rt, "--fail", "fal-frame:held", NULL);
  rt_open (&rt, 1);
  for (i = 0; i < 5; i++) {
    g_autofree gchar *prompt = g_strdup_printf ("f%u", i);

    rt_send_frame (&rt, prompt, NULL, FALSE);
  }
  g_assert_cmpint (imagegen_test_emulator_wait_count (rt.fx.emu,
          "fal_rt_frames", 5), ==, 5);
  g_assert_cmpint (count (&rt, "fal_rt_dropped"), ==, 3);
  g_assert_cmpuint (imagegen_test_emulator_release (rt.fx.emu, 1), ==, 1);
  rt_assert_result (&rt, "f0", 768, 1);
  rt_assert_result (&rt, "f4", 768, 1);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 2);
  frames = imagegen_test_read_events (rt.fx.log, "fal_rt_frame");
  g_assert_cmpuint (frames->len, ==, 5);
  for (i = 0; i < frames->len; i++) {
    JsonObject *l = g_ptr_array_index (frames, i);
    const gchar *prompt = json_object_get_string_member (l, "prompt");

    g_assert_cmpstr (json_object_get_string_member (l, "outcome"), ==,
        outcomes[prompt[1] - '0']);
  }
  rt_stop (&rt);
}

/* No input for the idle time: TIMEOUT, then close 1000 */
static void
test_idle (void)
{
  Rt rt;

  rt_start (&rt, "--fal-realtime-idle", "1", NULL);
  rt_open (&rt, 0);
  rt_assert_fal_error (&rt, "TIMEOUT", "no inputs, reconnect when needed!");
  rt_wait_for (&rt.closed);
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), ==, 1000);
  g_assert_cmpint (closes (&rt, "1000", 1), ==, 1);
  rt_stop (&rt);
}

/* Upgrades without a token or key, with a token never issued, with an
 * expired one: 401, logged without the token; a key is enough.  A token
 * that expires while its socket is open: the next frame gets
 * Unauthorized, the socket stays open. */
static void
test_refused (void)
{
  g_autofree gchar *token = NULL;
  g_autofree gchar *log = NULL;
  guint status = 0;
  Rt rt;

  rt_start (&rt, "--fal-token-ttl", "1", "--require-key", TEST_KEY, NULL);
  g_assert_cmpuint (rt_connect (&rt, NULL, NULL, 0), ==, 401);
  g_assert_cmpuint (rt_connect (&rt, "emu-jwt-forged", NULL, 0), ==, 401);
  g_assert_cmpuint (rt_connect (&rt, NULL, "Key wrong", 0), ==, 401);
  g_assert_cmpuint (rt_connect (&rt, NULL, "Key " TEST_KEY, 61), ==, 400);
  token = rt_get_token (&rt, &status);
  g_assert_cmpuint (rt_connect (&rt, token, NULL, 0), ==, 101);
  /* a deliberate wait past the token's one second */
  g_usleep (1500000);
  rt_send_frame (&rt, "late", NULL, FALSE);
  rt_assert_unauthorized (&rt);
  g_assert_false (rt.closed);
  g_assert_cmpint (count (&rt, "fal_rt_unauthorized"), ==, 1);
  soup_websocket_connection_close (rt.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  rt_wait_for (&rt.closed);
  g_assert_cmpuint (rt_connect (&rt, token, NULL, 0), ==, 401);
  g_assert_cmpint (count (&rt, "fal_rt_refused"), ==, 5);
  g_assert_cmpuint (rt_connect (&rt, NULL, "Key " TEST_KEY, 0), ==, 101);
  g_assert_cmpint (imagegen_test_emulator_wait_count (rt.fx.emu,
          "fal_rt_connects", 2), ==, 2);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 0);
  g_file_get_contents (rt.fx.log, &log, NULL, NULL);
  g_assert_null (strstr (log, token));
  g_assert_null (strstr (log, "emu-jwt-forged"));
  g_assert_nonnull (strstr (log, "\"auth\":\"missing\""));
  g_assert_nonnull (strstr (log, "\"auth\":\"invalid\""));
  rt_stop (&rt);
}

/* The token endpoint's faults */
static void
test_token_faults (void)
{
  guint status = 0;
  g_autofree gchar *t = NULL;
  Rt rt;

  rt_start (&rt, "--fail", "fal-token:401", "--fail", "fal-token:403", NULL);
  g_assert_null (rt_get_token (&rt, &status));
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (rt_get_token (&rt, &status));
  g_assert_cmpuint (status, ==, 403);
  t = rt_get_token (&rt, &status);
  g_assert_nonnull (t);
  g_assert_true (imagegen_test_emulator_fail (rt.fx.emu, "fal-connect:503"));
  g_assert_cmpuint (rt_connect (&rt, t, NULL, 0), ==, 503);
  g_assert_cmpint (count (&rt, "fal_rt_refused"), ==, 1);
  rt_stop (&rt);
}

/* After one result the connection is cut without a close frame */
static void
test_drop (void)
{
  Rt rt;

  rt_start (&rt, "--fail", "fal-frame:drop@1", NULL);
  rt_open (&rt, 0);
  rt_send_frame (&rt, "one", NULL, FALSE);
  rt_assert_result (&rt, "one", 768, 1);
  rt_send_frame (&rt, "two", NULL, FALSE);
  g_assert_null (rt_next_msg (&rt));
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), !=, 1000);
  g_assert_cmpint (closes (&rt, "1006", 1), ==, 1);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 1);
  rt_stop (&rt);
}

/* error, timeout and close@CODE end the socket as the runner would;
 * unauthorized answers one frame and the socket goes on */
static void
test_frame_faults (void)
{
  Rt rt;

  rt_start (&rt, NULL);
  g_assert_true (imagegen_test_emulator_fail (rt.fx.emu, "fal-frame:error"));
  rt_open (&rt, 0);
  rt_send_frame (&rt, "a", NULL, FALSE);
  rt_assert_fal_error (&rt, "INTERNAL_ERROR", NULL);
  rt_wait_for (&rt.closed);
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), ==, 1000);

  g_assert_true (imagegen_test_emulator_fail (rt.fx.emu, "fal-frame:timeout"));
  rt_open (&rt, 0);
  rt_send_frame (&rt, "b", NULL, FALSE);
  rt_assert_fal_error (&rt, "TIMEOUT", "no inputs");
  rt_wait_for (&rt.closed);
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), ==, 1000);

  g_assert_true (imagegen_test_emulator_fail (rt.fx.emu,
          "fal-frame:close@4001"));
  rt_open (&rt, 0);
  rt_send_frame (&rt, "c", NULL, FALSE);
  g_assert_null (rt_next_msg (&rt));
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), ==, 4001);
  g_assert_cmpint (closes (&rt, "4001", 1), ==, 1);

  g_assert_true (imagegen_test_emulator_fail (rt.fx.emu,
          "fal-frame:unauthorized"));
  rt_open (&rt, 0);
  rt_send_frame (&rt, "d", NULL, FALSE);
  rt_assert_unauthorized (&rt);
  rt_send_frame (&rt, "e", NULL, FALSE);
  rt_assert_result (&rt, "e", 768, 1);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 1);
  g_assert_cmpint (closes (&rt, "1000", 2), ==, 2);
  rt_stop (&rt);
}

/* What the runner cannot read: a text frame, a bin where a str belongs,
 * a field the row refuses; each an INTERNAL_ERROR, then close 1000 */
static void
test_bad_input (void)
{
  msgpack_sbuffer buf;
  msgpack_packer pk;
  Rt rt;

  rt_start (&rt, NULL);
  rt_open (&rt, 0);
  soup_websocket_connection_send_text (rt.ws, "{\"prompt\":\"x\"}");
  rt_assert_fal_error (&rt, "INTERNAL_ERROR", "inputs must be msgpack binary");
  rt_wait_for (&rt.closed);

  rt_open (&rt, 0);
  msgpack_sbuffer_init (&buf);
  msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
  msgpack_pack_map (&pk, 1);
  msgpack_pack_str_with_body (&pk, "prompt", 6);
  msgpack_pack_bin_with_body (&pk, "x", 1);
  soup_websocket_connection_send_binary (rt.ws, buf.data, buf.size);
  msgpack_sbuffer_destroy (&buf);
  rt_assert_fal_error (&rt, "INTERNAL_ERROR", "prompt must be a msgpack str");
  rt_wait_for (&rt.closed);

  rt_open (&rt, 0);
  rt_send_frame (&rt, "x", "landscape_4_3", FALSE);
  rt_assert_fal_error (&rt, "INTERNAL_ERROR", "image_size");
  rt_wait_for (&rt.closed);
  g_assert_cmpint (soup_websocket_connection_get_close_code (rt.ws), ==, 1000);
  g_assert_cmpint (count (&rt, "fal_rt_results"), ==, 0);
  rt_stop (&rt);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (NULL, NULL);
  frame_jpeg = rt_make_frame ();
  ret = imagegen_test_run (&argc, &argv,
      "/fal-realtime/frame", test_frame,
      "/fal-realtime/interpolation", test_interpolation,
      "/fal-realtime/prerendered", test_prerendered,
      "/fal-realtime/buffer", test_buffer,
      "/fal-realtime/idle", test_idle,
      "/fal-realtime/refused", test_refused,
      "/fal-realtime/token-faults", test_token_faults,
      "/fal-realtime/drop", test_drop,
      "/fal-realtime/frame-faults", test_frame_faults,
      "/fal-realtime/bad-input", test_bad_input, NULL);
  g_bytes_unref (frame_jpeg);
  return ret;
}
