/* gst-imagegen client: fal realtime through the client — the frame's
 * msgpack map (types on the wire), results and control messages read,
 * the URL mapping; then against the emulator's WebSocket: frames in give
 * results, the newest replaces the waiting frame, a drop reconnects with
 * a new token, x-fal-error fails one frame, Unauthorized re-authenticates,
 * a refused key is an error, freeing the client closes the socket with
 * 1000, and neither key nor token reaches a log line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-fal-models.h"
#include "imagegen-provider.h"
#include "imagegen-realtime-codec.h"

#include <msgpack.h>
#include <string.h>

#define RT "fal-ai/flux-2/klein/realtime"

/* ---- helpers ---- */

static ImagegenRequest *
frame_request (guint side, const gchar * prompt, const gchar * extra)
{
  ImagegenRequest *req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, RT,
      prompt);
  g_autoptr (GBytes) png = test_make_png (side, side);

  imagegen_request_add_source_image (req, png);
  req->extra_json = g_strdup (extra);
  return req;
}

static const msgpack_object *
map_get (const msgpack_object * map, const gchar * name)
{
  guint32 i;

  g_assert_cmpint (map->type, ==, MSGPACK_OBJECT_MAP);
  for (i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;

    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen (name)
        && memcmp (k->via.str.ptr, name, k->via.str.size) == 0)
      return &map->via.map.ptr[i].val;
  }
  return NULL;
}

static gboolean
str_is (const msgpack_object * o, const gchar * s)
{
  return o != NULL && o->type == MSGPACK_OBJECT_STR
      && o->via.str.size == strlen (s)
      && memcmp (o->via.str.ptr, s, o->via.str.size) == 0;
}

/* ---- the frame out ---- */

/* The map holds the row's fields with msgpack's types: strings str (the
 * frame a data: URI), integers int, the row's numbers float64 even when
 * written whole, booleans bool; image_size from the size asked. */
static void
test_encode_types (void)
{
  g_autoptr (ImagegenRequest) req = frame_request (64, "oil paint",
      "{\"seed\":7,\"output_feedback_strength\":1,\"schedule_mu\":2.5,"
      "\"enable_interpolation\":true,\"num_inference_steps\":2}");
  g_autoptr (GBytes) frame = NULL;
  g_autoptr (GError) error = NULL;
  msgpack_unpacked msg;
  const msgpack_object *map, *v;
  gsize off = 0;
  g_autofree gchar *prefix = NULL;

  req->width = req->height = 1024;
  frame = imagegen_realtime_encode_request (&imagegen_provider_fal, req,
      &error);
  g_assert_no_error (error);
  msgpack_unpacked_init (&msg);
  g_assert_cmpint (msgpack_unpack_next (&msg, g_bytes_get_data (frame, NULL),
          g_bytes_get_size (frame), &off), ==, MSGPACK_UNPACK_SUCCESS);
  g_assert_cmpuint (off, ==, g_bytes_get_size (frame));
  map = &msg.data;
  g_assert_cmpuint (map->via.map.size, ==, 8);
  v = map_get (map, "image_url");
  g_assert_nonnull (v);
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_STR);
  prefix = g_strndup (v->via.str.ptr, strlen ("data:image/png;base64,"));
  g_assert_cmpstr (prefix, ==, "data:image/png;base64,");
  g_assert_true (str_is (map_get (map, "prompt"), "oil paint"));
  g_assert_true (str_is (map_get (map, "image_size"), "square_hd"));
  v = map_get (map, "seed");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  g_assert_cmpuint (v->via.u64, ==, 7);
  v = map_get (map, "num_inference_steps");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  v = map_get (map, "output_feedback_strength");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_FLOAT64);
  g_assert_cmpfloat (v->via.f64, ==, 1.0);
  v = map_get (map, "schedule_mu");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_FLOAT64);
  g_assert_cmpfloat (v->via.f64, ==, 2.5);
  v = map_get (map, "enable_interpolation");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_BOOLEAN);
  g_assert_true (v->via.boolean);
  msgpack_unpacked_destroy (&msg);

  /* a small frame asks the small square; none asked: the model's own */
  g_assert_cmpstr (imagegen_fal_realtime_image_size (704, 704, NULL), ==,
      "square");
  g_assert_null (imagegen_fal_realtime_image_size (0, 0, NULL));
}

/* The same checks as any row: a field the row lacks, a value out of its
 * range, no frame, are refused before anything is sent. */
static void
test_encode_refused (void)
{
  const gchar *extras[] = { "{\"guidance_scale\":3}",
    "{\"num_inference_steps\":9}", "{\"image_size\":\"landscape_4_3\"}"
  };
  g_autoptr (ImagegenRequest) none = imagegen_request_new
      (IMAGEGEN_ENDPOINT_REMIX, RT, "x");
  GError *error = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (extras); i++) {
    g_autoptr (ImagegenRequest) req = frame_request (32, "x", extras[i]);

    g_assert_null (imagegen_realtime_encode_request (&imagegen_provider_fal,
            req, &error));
    g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  g_assert_null (imagegen_realtime_encode_request (&imagegen_provider_fal,
          none, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* ---- frames in ---- */

typedef enum
{ AS_BIN, AS_STR, AS_DATA_URI } ContentType;

/* A result map of @n images, the last one's content @bytes as @how. */
static GBytes *
pack_result (guint n, const gchar * bytes, ContentType how)
{
  msgpack_sbuffer sbuf;
  msgpack_packer pk;
  g_autofree gchar *uri = NULL;
  guint i;

  msgpack_sbuffer_init (&sbuf);
  msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
  msgpack_pack_map (&pk, 2);
  msgpack_pack_str_with_body (&pk, "images", 6);
  msgpack_pack_array (&pk, n);
  for (i = 0; i < n; i++) {
    const gchar *content = i + 1 < n ? "earlier" : bytes;

    msgpack_pack_map (&pk, 4);
    msgpack_pack_str_with_body (&pk, "content", 7);
    if (how == AS_BIN) {
      msgpack_pack_bin_with_body (&pk, content, strlen (content));
    } else {
      g_autofree gchar *b64 = g_base64_encode ((const guchar *) content,
          strlen (content));

      g_free (uri);
      uri = how == AS_DATA_URI ? g_strconcat ("data:image/jpeg;base64,",
          b64, NULL) : g_strdup (content);
      msgpack_pack_str_with_body (&pk, uri, strlen (uri));
    }
    msgpack_pack_str_with_body (&pk, "width", 5);
    msgpack_pack_int (&pk, 768);
    msgpack_pack_str_with_body (&pk, "height", 6);
    msgpack_pack_int (&pk, 768);
    msgpack_pack_str_with_body (&pk, "content_type", 12);
    msgpack_pack_str_with_body (&pk, "image/jpeg", 10);
  }
  msgpack_pack_str_with_body (&pk, "seed", 4);
  msgpack_pack_int (&pk, 35);
  return g_bytes_new_with_free_func (sbuf.data, sbuf.size, free, sbuf.data);
}

/* The last image is the result (with interpolation, the current frame),
 * its content bin, or str of raw bytes or a data: URI. */
static void
test_decode_results (void)
{
  const ContentType hows[] = { AS_BIN, AS_STR, AS_DATA_URI };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (hows); i++) {
    g_autoptr (GBytes) frame = pack_result (i == 0 ? 2 : 1, "JPEGBYTES",
        hows[i]);
    ImagegenRealtimeAnswer a;

    imagegen_realtime_decode (frame, TRUE, &a);
    g_assert_cmpint (a.kind, ==, IMAGEGEN_REALTIME_RESULT);
    g_assert_cmpmem (g_bytes_get_data (a.image, NULL),
        g_bytes_get_size (a.image), "JPEGBYTES", 9);
    g_assert_cmpstr (a.content_type, ==, "image/jpeg");
    g_assert_cmpuint (a.width, ==, 768);
    g_assert_cmpint (a.seed, ==, 35);
    imagegen_realtime_answer_clear (&a);
  }
}

/* Control messages, JSON text frames, told apart as fal's clients do. */
static void
test_decode_control (void)
{
  const struct
  {
    const gchar *text;
    ImagegenRealtimeKind kind;
    const gchar *error, *reason;
  } cases[] = {
    {"{\"type\":\"x-fal-message\",\"action\":\"timings\",\"timing\":0.05}",
        IMAGEGEN_REALTIME_MESSAGE},
    {"{\"type\":\"x-fal-error\",\"error\":\"TIMEOUT\",\"reason\":\"no inputs,"
          " reconnect when needed!\"}", IMAGEGEN_REALTIME_IDLE, "TIMEOUT",
        "no inputs, reconnect when needed!"},
    {"{\"type\":\"x-fal-error\",\"error\":\"INTERNAL_ERROR\",\"reason\":"
          "\"CUDA out of memory\"}", IMAGEGEN_REALTIME_ERROR,
        "INTERNAL_ERROR", "CUDA out of memory"},
    {"{\"status\":\"error\",\"error\":\"Unauthorized\"}",
        IMAGEGEN_REALTIME_UNAUTHORIZED, "Unauthorized"},
    {"{\"status\":\"ok\"}", IMAGEGEN_REALTIME_OTHER},
    {"not json", IMAGEGEN_REALTIME_MALFORMED},
  };
  g_autoptr (GBytes) no_image = pack_result (1, "", AS_BIN);
  ImagegenRealtimeAnswer a;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GBytes) frame = g_bytes_new_static (cases[i].text,
        strlen (cases[i].text));

    imagegen_realtime_decode (frame, FALSE, &a);
    g_assert_cmpint (a.kind, ==, cases[i].kind);
    g_assert_cmpstr (a.error, ==, cases[i].error);
    g_assert_cmpstr (a.reason, ==, cases[i].reason);
    g_assert_null (a.image);
    imagegen_realtime_answer_clear (&a);
  }
  /* a result without image bytes is not a result */
  imagegen_realtime_decode (no_image, TRUE, &a);
  g_assert_cmpint (a.kind, ==, IMAGEGEN_REALTIME_MALFORMED);
  imagegen_realtime_answer_clear (&a);
}

/* One base URL: fal's own hosts by default (wss://fal.run for the socket,
 * https://rest.fal.ai for tokens), else the base URL itself with the
 * socket's scheme. */
static void
test_urls (void)
{
  const struct
  {
    const gchar *base;
    ImagegenFalHost host;
    const gchar *want;
  } cases[] = {
    {NULL, IMAGEGEN_FAL_HOST_REALTIME, "wss://fal.run/" RT},
    {IMAGEGEN_FAL_DEFAULT_BASE_URL, IMAGEGEN_FAL_HOST_REST,
        "https://rest.fal.ai/" RT},
    {"http://127.0.0.1:8080/", IMAGEGEN_FAL_HOST_REALTIME,
        "ws://127.0.0.1:8080/" RT},
    {"https://fal.example.org", IMAGEGEN_FAL_HOST_REALTIME,
        "wss://fal.example.org/" RT},
    {"http://127.0.0.1:8080", IMAGEGEN_FAL_HOST_REST,
        "http://127.0.0.1:8080/" RT},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *url = imagegen_fal_url (cases[i].base, cases[i].host,
        "/" RT);

    g_assert_cmpstr (url, ==, cases[i].want);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/realtime/encode-types", test_encode_types);
  g_test_add_func ("/realtime/encode-refused", test_encode_refused);
  g_test_add_func ("/realtime/decode-results", test_decode_results);
  g_test_add_func ("/realtime/decode-control", test_decode_control);
  g_test_add_func ("/realtime/urls", test_urls);
  return g_test_run ();
}
