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
  v = imagegen_realtime_map_get (map, "image_url");
  g_assert_nonnull (v);
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_STR);
  prefix = g_strndup (v->via.str.ptr, strlen ("data:image/png;base64,"));
  g_assert_cmpstr (prefix, ==, "data:image/png;base64,");
  g_assert_true (str_is (imagegen_realtime_map_get (map, "prompt"),
          "oil paint"));
  g_assert_true (str_is (imagegen_realtime_map_get (map, "image_size"),
          "square_hd"));
  v = imagegen_realtime_map_get (map, "seed");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  g_assert_cmpuint (v->via.u64, ==, 7);
  v = imagegen_realtime_map_get (map, "num_inference_steps");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  v = imagegen_realtime_map_get (map, "output_feedback_strength");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_FLOAT64);
  g_assert_cmpfloat (v->via.f64, ==, 1.0);
  v = imagegen_realtime_map_get (map, "schedule_mu");
  g_assert_cmpint (v->type, ==, MSGPACK_OBJECT_FLOAT64);
  g_assert_cmpfloat (v->via.f64, ==, 2.5);
  v = imagegen_realtime_map_get (map, "enable_interpolation");
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
    const gchar *error;
  } cases[] = {
    {"{\"type\":\"x-fal-message\",\"action\":\"timings\",\"timing\":0.05}",
        IMAGEGEN_REALTIME_MESSAGE},
    {"{\"type\":\"x-fal-error\",\"error\":\"TIMEOUT\",\"reason\":\"no inputs,"
          " reconnect when needed!\"}", IMAGEGEN_REALTIME_IDLE,
        "TIMEOUT: no inputs, reconnect when needed!"},
    {"{\"type\":\"x-fal-error\",\"error\":\"INTERNAL_ERROR\",\"reason\":"
          "\"CUDA out of memory\"}", IMAGEGEN_REALTIME_ERROR,
        "INTERNAL_ERROR: CUDA out of memory"},
    {"{\"type\":\"x-fal-error\",\"error\":\"BUSY\"}",
        IMAGEGEN_REALTIME_ERROR, "BUSY: no reason given"},
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
  /* host, base URL, the URL of /RT */
  const struct
  {
    ImagegenFalHost host;
    const gchar *base, *want;
  } cases[] = {
    {IMAGEGEN_FAL_HOST_REALTIME, NULL, "wss://fal.run/" RT},
    {IMAGEGEN_FAL_HOST_REST, IMAGEGEN_FAL_DEFAULT_BASE_URL,
        "https://rest.fal.ai/" RT},
    {IMAGEGEN_FAL_HOST_REALTIME, "http://127.0.0.1:8080/",
        "ws://127.0.0.1:8080/" RT},
    {IMAGEGEN_FAL_HOST_REALTIME, "https://fal.example.org",
        "wss://fal.example.org/" RT},
    {IMAGEGEN_FAL_HOST_REST, "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/" RT},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *url = imagegen_fal_url (cases[i].base, cases[i].host,
        "/" RT);

    g_assert_cmpstr (url, ==, cases[i].want);
  }
}

/* ---- against the emulator ---- */

/* The emulator (its realtime frames taking @frame_ms), failing as @fault
 * and @fault2 say (NULL: not at all); the client speaks fal to it. */
static void
fixture_start (TestFixture * f, const gchar * frame_ms, const gchar * fault,
    const gchar * fault2)
{
  const gchar *args[] = { "--require-key", TEST_KEY, "--fal-realtime-ms",
    frame_ms, NULL
  };
  const gchar *extra[] = { "--fail", fault, fault2 ? "--fail" : NULL, fault2,
    NULL
  };

  test_fixture_start (f, TRUE, args, fault ? extra : NULL);
  f->config.provider = IMAGEGEN_PROVIDER_FAL;
  test_fixture_client (f);
}

/* The client's realtime counters are @want: "connects=1 reconnects=0
 * tokens=1 frames_sent=1 results=1 superseded=0 service_errors=0
 * drops=0". */
static void
assert_stats (TestFixture * f, const gchar * want)
{
  ImagegenRealtimeStats st;
  g_autofree gchar *got = NULL;

  imagegen_client_get_realtime_stats (f->client, &st);
  got = g_strdup_printf ("connects=%u reconnects=%u tokens=%u "
      "frames_sent=%u results=%u superseded=%u service_errors=%u drops=%u",
      st.connects, st.reconnects, st.tokens, st.frames_sent, st.results,
      st.superseded, st.service_errors, st.drops);
  g_assert_cmpstr (got, ==, want);
}

/* The prompts of the frames the emulator served with @outcome, in order,
 * "a,b", once it logged @n of them (its line follows the result: a
 * safety net of 10 s, not a bound). */
static gchar *
served (TestFixture * f, const gchar * outcome, guint n)
{
  g_autoptr (GPtrArray) lines = NULL;
  GString *s = g_string_new (NULL);
  guint i, tries, found = 0;

  for (tries = 0; tries < 500; tries++) {
    g_clear_pointer (&lines, g_ptr_array_unref);
    lines = imagegen_test_read_log (f->fx.log);
    for (i = 0, found = 0; i < lines->len; i++)
      if (g_strcmp0 (json_object_get_string_member_with_default
              (g_ptr_array_index (lines, i), "outcome", ""), outcome) == 0)
        found++;
    if (found >= n)
      break;
    g_usleep (20000);
  }

  for (i = 0; i < lines->len; i++) {
    JsonObject *l = g_ptr_array_index (lines, i);

    if (g_strcmp0 (json_object_get_string_member_with_default (l, "event",
                ""), "fal_rt_frame") == 0
        && g_strcmp0 (json_object_get_string_member_with_default (l,
                "outcome", ""), outcome) == 0)
      g_string_append_printf (s, "%s%s", s->len ? "," : "",
          json_object_get_string_member (l, "prompt"));
  }
  return g_string_free (s, FALSE);
}

static ImagegenResult *
run_frame (TestFixture * f, const gchar * prompt, guint side)
{
  g_autoptr (ImagegenRequest) req = frame_request (side, prompt, NULL);

  /* the output size asked: the nearest square */
  req->width = req->height = side;
  return test_run_job (f->client, req, f->w);
}

static void
assert_result (ImagegenResult * r, guint side)
{
  guint w, h;

  g_assert_no_error (r->error);
  g_assert_true (test_is_jpeg (r->image));
  g_assert_true (test_image_size (r->image, &w, &h));
  g_assert_cmpuint (w, ==, side);
  g_assert_cmpuint (h, ==, side);
  g_assert_cmpstr (r->content_type, ==, "image/jpeg");
}

/* Frames in give results drawn from them: the size asked (768 by
 * default, 1024 for a large frame), a different frame a different
 * picture, the price the engine reserves; one socket, one token. */
static void
test_frames (void)
{
  g_autoptr (ImagegenRequest) req = frame_request (64, "oil", NULL);
  g_autoptr (ImagegenResult) a = NULL, b = NULL, c = NULL;
  TestFixture f;

  fixture_start (&f, "50", NULL, NULL);
  a = test_run_job (f.client, req, f.w);
  assert_result (a, 768);
  g_assert_cmpstr (a->task_id, ==, "rt-1");
  g_assert_cmpint (a->cost_nanocents, ==, imagegen_models_price_nanocents
      (&imagegen_provider_fal, req, NULL));
  /* the row's own assumed figure (klein 4b edit's: 1 cent for the first
   * output megapixel) at 768 x 768, not the dearest call in the table,
   * which at video rate would end any budget in a second */
  g_assert_cmpint (a->cost_nanocents, ==, IMAGEGEN_NANOCENTS_PER_CENT);
  g_assert_cmpint (a->created_us, <=, a->completed_us);
  b = run_frame (&f, "oil", 48);
  assert_result (b, 768);
  /* the emulator draws the frame: another frame, another picture */
  g_assert_false (g_bytes_equal (a->image, b->image));
  c = run_frame (&f, "watercolour", 1024);
  assert_result (c, 1024);
  g_assert_cmpstr (c->task_id, ==, "rt-3");

  assert_stats (&f, "connects=1 reconnects=0 tokens=1 frames_sent=3 "
      "results=3 superseded=0 service_errors=0 drops=0");
  imagegen_test_assert_requests (f.fx.emu, "fal_tokens", 1,
      "fal_rt_connects", 1, "fal_rt_results", 3, NULL);
  g_assert_cmpuint (test_waiter_count_events (f.w, "submitted"), ==, 3);
  test_fixture_stop (&f);
}

/* Five frames at once: the first goes, each newer one replaces the one
 * waiting; the service sees frames 1 and 5 only, jobs 2 to 4 end
 * cancelled, unpaid and counted. */
static void
test_newest_replaces (void)
{
  g_autofree gchar *seen = NULL;
  guint i, ok = 0, superseded = 0;
  TestFixture f;

  fixture_start (&f, "200", NULL, NULL);
  for (i = 1; i <= 5; i++) {
    g_autofree gchar *prompt = g_strdup_printf ("frame %u", i);
    g_autoptr (ImagegenRequest) req = frame_request (32, prompt, NULL);

    imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb,
        f.w);
  }
  for (i = 0; i < 5; i++) {
    g_autoptr (ImagegenResult) r = test_waiter_pop (f.w);

    if (r->error == NULL) {
      assert_result (r, 768);
      ok++;
      continue;
    }
    g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpstr (r->error->message, ==, "superseded by a newer frame");
    g_assert_cmpint (r->cost_nanocents, ==, 0);
    g_assert_null (r->task_id);
    superseded++;
  }
  g_assert_cmpuint (ok, ==, 2);
  g_assert_cmpuint (superseded, ==, 3);
  seen = served (&f, "result", 2);
  g_assert_cmpstr (seen, ==, "frame 1,frame 5");
  assert_stats (&f, "connects=1 reconnects=0 tokens=1 frames_sent=2 "
      "results=2 superseded=3 service_errors=0 drops=0");
  imagegen_test_assert_requests (f.fx.emu, "fal_rt_frames", 2,
      "fal_rt_dropped", 0, NULL);
  test_fixture_stop (&f);
}

/* The connection cut after the first result: the frame in flight goes
 * again on a new socket with a new token, and the next frames work. */
static void
test_drop_reconnects (void)
{
  g_autoptr (ImagegenResult) a = NULL, b = NULL, c = NULL;
  g_autofree gchar *seen = NULL;
  TestFixture f;

  fixture_start (&f, "50", "fal-frame:drop@1", NULL);
  a = run_frame (&f, "one", 32);
  assert_result (a, 768);
  b = run_frame (&f, "two", 32);
  assert_result (b, 768);
  c = run_frame (&f, "three", 32);
  assert_result (c, 768);

  seen = served (&f, "result", 3);
  g_assert_cmpstr (seen, ==, "one,two,three");
  imagegen_test_assert_requests (f.fx.emu, "fal_tokens", 2,
      "fal_rt_connects", 2, NULL);
  assert_stats (&f, "connects=2 reconnects=1 tokens=2 frames_sent=4 "
      "results=3 superseded=0 service_errors=0 drops=1");
  g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_INFO,
          "realtime socket dropped"), ==, 1);
  g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_INFO,
          "realtime socket reconnected"), ==, 1);
  test_fixture_stop (&f);
}

/* A token lives the config's realtime_token_lifetime_s (2 s here, 120
 * by default): the client fetches the next one at 90 % of it in the
 * background, with no frame sent and no new socket, and goes on doing so;
 * the next frame then works (on the open socket, or after an Unauthorized
 * on a new one: either way the picture goes on). */
static void
test_token_renewed (void)
{
  const gchar *args[] = { "--require-key", TEST_KEY, "--fal-realtime-ms",
    "50", NULL
  };
  g_autoptr (ImagegenResult) a = NULL, b = NULL;
  TestFixture f;

  test_fixture_start (&f, TRUE, args, NULL);
  f.config.provider = IMAGEGEN_PROVIDER_FAL;
  f.config.realtime_token_lifetime_s = 2;
  test_fixture_client (&f);
  a = run_frame (&f, "one", 32);
  assert_result (a, 768);
  g_assert_cmpint (imagegen_test_emulator_wait_count (f.fx.emu,
          "fal_tokens", 3), >=, 3);
  imagegen_test_assert_requests (f.fx.emu, "fal_rt_connects", 1,
      "fal_rt_frames", 1, NULL);
  b = run_frame (&f, "two", 32);
  assert_result (b, 768);
  test_fixture_stop (&f);
}

static gint64
closes_1000 (TestFixture * f)
{
  g_autoptr (JsonObject) st = imagegen_test_emulator_stats (f->fx.emu);

  return json_object_get_int_member_with_default
      (json_object_get_object_member (st, "fal_rt_closes"), "1000", 0);
}

/* The emulator records a socket closed with 1000: after the client's
 * close, or between the frames when its idle timer closes the socket (a
 * safety net of 10 s, not a bound). */
static void
wait_close_1000 (TestFixture * f)
{
  guint i;

  for (i = 0; i < 500 && closes_1000 (f) == 0; i++)
    g_usleep (20000);
  g_assert_cmpint (closes_1000 (f), ==, 1);
}

/* between the frames: past a token's second of life, on the emulator's
 * clock */
static void
wait_token_expired (TestFixture * f)
{
  g_usleep (1500 * 1000);
}

/* Two frames against the emulator started with @args (faults, knobs):
 * what each job ends with, the client's counters after, the lines
 * logged. */
typedef struct
{
  const gchar *path;
  const gchar *args[5];
  guint request_timeout_s;      /* 0: the default */
  void (*between) (TestFixture * f);    /* or NULL */
  struct
  {
    gint code;                  /* -1: a result */
    const gchar *message;       /* the error's, exact */
  } frames[2];
  const gchar *stats;
  const gchar *warning;         /* in one WARNING line, or NULL */
  const gchar *info;            /* in one INFO line, or NULL */
} FaultCase;

#define FAIL(a) "--fail", a
#define RESULT {-1}
#define CLEAN "superseded=0 service_errors=0 drops=0"
#define NET "could not connect to fal's realtime service after 3 retries: " \
  "HTTP 503 on the upgrade."

static const FaultCase fault_cases[] = {
  /* an x-fal-error fails its frame, uncharged; the runner closes with
   * 1000 and the next frame opens another socket */
  {.path = "/realtime/service-error",.args = {FAIL ("fal-frame:error")},
      .frames = {{IMAGEGEN_CLIENT_ERROR_TASK_FAILED, "fal's realtime "
                  "service failed the frame: INTERNAL_ERROR: the emulator's "
                  "fal-frame:error fault. (task rt-1)"}, RESULT},
      .stats = "connects=2 reconnects=0 tokens=2 frames_sent=2 results=1 "
      "superseded=0 service_errors=1 drops=0",.warning = "INTERNAL_ERROR"},
  /* Unauthorized on the open socket: a new token, a new socket, the
   * frame again */
  {.path = "/realtime/unauthorized",.args = {FAIL ("fal-frame:unauthorized")},
      .frames = {RESULT, RESULT},
      .stats = "connects=2 reconnects=1 tokens=2 frames_sent=3 results=2 "
      CLEAN,.info = "realtime token refused"},
  /* a second in a row is the key's fault; the next frame starts over */
  {.path = "/realtime/unauthorized-twice",
        .args = {FAIL ("fal-frame:unauthorized"),
            FAIL ("fal-frame:unauthorized")},
        .frames = {{IMAGEGEN_CLIENT_ERROR_AUTH, "fal's realtime service "
                    "refused a new token too (Unauthorized on the open "
                    "socket): the key may not be allowed to use " RT ". (task "
                    "rt-1)"}, RESULT},
      .stats = "connects=3 reconnects=1 tokens=3 frames_sent=3 results=1 "
        CLEAN},
  /* a token that expires on the open socket: the next frame is answered
   * Unauthorized, and goes again with a new token */
  {.path = "/realtime/expired-token",.args = {"--fal-token-ttl", "1"},
      .between = wait_token_expired,.frames = {RESULT, RESULT},
      .stats = "connects=2 reconnects=1 tokens=2 frames_sent=3 results=2 "
      CLEAN,.info = "realtime token refused"},
  /* TIMEOUT while a frame is in flight: the socket closes (1000), the
   * frame goes again on the next */
  {.path = "/realtime/timeout-in-flight",.args = {FAIL ("fal-frame:timeout")},
      .frames = {RESULT, RESULT},
      .stats = "connects=2 reconnects=0 tokens=2 frames_sent=3 results=2 "
      CLEAN,.info = "realtime socket idle"},
  /* an idle socket's TIMEOUT is neither an error nor a drop; the next
   * frame opens another */
  {.path = "/realtime/idle",.args = {"--fal-realtime-idle", "1"},
      .between = wait_close_1000,.frames = {RESULT, RESULT},
      .stats = "connects=2 reconnects=0 tokens=2 frames_sent=2 results=2 "
      CLEAN,.info = "realtime socket idle"},
  /* no answer within request_timeout_s is a drop: a new socket, a new
   * token, the frame again (the service held the first) */
  {.path = "/realtime/no-answer",.args = {FAIL ("fal-frame:held")},
      .request_timeout_s = 1,.frames = {RESULT, RESULT},
      .stats = "connects=2 reconnects=1 tokens=2 frames_sent=3 results=2 "
      "superseded=0 service_errors=0 drops=1",
      .info = "no answer within 1 s"},
  /* a refused upgrade is retried as the client's retries say, with a
   * fresh token each time; after them the frame fails */
  {.path = "/realtime/connect-retried",.args = {FAIL ("fal-connect:503")},
      .frames = {RESULT, RESULT},
      .stats = "connects=1 reconnects=0 tokens=2 frames_sent=2 results=2 "
      CLEAN,.info = "realtime connect failed"},
  {.path = "/realtime/connect-refused",.args = {FAIL ("fal-connect:503:*")},
      .frames = {{IMAGEGEN_CLIENT_ERROR_NETWORK, NET},
          {IMAGEGEN_CLIENT_ERROR_NETWORK, NET}},
      .stats = "connects=0 reconnects=0 tokens=8 frames_sent=0 results=0 "
      CLEAN},
  /* a key the token endpoint refuses, nothing connected */
  {.path = "/realtime/token-refused",.args = {FAIL ("fal-token:401"),
          FAIL ("fal-token:403")},
      .frames = {{IMAGEGEN_CLIENT_ERROR_AUTH, "fal's token endpoint "
                  "refused a realtime token: invalid API key (HTTP 401)"},
          {IMAGEGEN_CLIENT_ERROR_FORBIDDEN, "fal's token endpoint refused a "
                "realtime token: access denied (HTTP 403)"}},
      .stats = "connects=0 reconnects=0 tokens=0 frames_sent=0 results=0 "
      CLEAN},
};

static void
test_faults (gconstpointer data)
{
  const FaultCase *c = data;
  const gchar *args[] = { "--require-key", TEST_KEY, "--fal-realtime-ms",
    "50", NULL
  };
  TestFixture f;
  guint i;

  test_fixture_start (&f, TRUE, args, c->args);
  f.config.provider = IMAGEGEN_PROVIDER_FAL;
  if (c->request_timeout_s)
    f.config.request_timeout_s = c->request_timeout_s;
  test_fixture_client (&f);
  for (i = 0; i < 2; i++) {
    g_autoptr (ImagegenResult) r = run_frame (&f, i ? "two" : "one", 32);

    if (i == 0 && c->between)
      c->between (&f);
    if (c->frames[i].code < 0) {
      assert_result (r, 768);
      continue;
    }
    g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, c->frames[i].code);
    g_assert_cmpstr (r->error->message, ==, c->frames[i].message);
    /* failed or refused: nothing to pay */
    g_assert_cmpint (r->cost_nanocents, <=, 0);
  }
  assert_stats (&f, c->stats);
  g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_WARNING,
          c->warning ? c->warning : "realtime"), ==, c->warning ? 1 : 0);
  if (c->info)
    g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_INFO,
            c->info), >=, 1);
  test_fixture_stop (&f);
}

/* A frame cancelled in flight ends at once, at its price (fal has it);
 * its late result is not taken for the next frame's. */
static void
test_cancel_in_flight (void)
{
  g_autoptr (ImagegenRequest) req = frame_request (32, "held", NULL);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (ImagegenResult) a = NULL, b = NULL;
  g_autofree gchar *seen = NULL;
  TestFixture f;

  fixture_start (&f, "50", "fal-frame:held", NULL);
  imagegen_client_submit (f.client, req, cancel, NULL, test_waiter_done_cb,
      f.w);
  imagegen_test_emulator_wait_count (f.fx.emu, "fal_rt_frames", 1);
  g_cancellable_cancel (cancel);
  a = test_waiter_pop (f.w);
  g_assert_error (a->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (a->cost_nanocents, ==, imagegen_models_price_nanocents
      (&imagegen_provider_fal, req, NULL));
  /* the next frame waits for the held one's answer, then goes */
  req->prompt[0] = 'H';
  imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb, f.w);
  g_assert_cmpuint (imagegen_test_emulator_release (f.fx.emu, 1), ==, 1);
  b = test_waiter_pop (f.w);
  assert_result (b, 768);
  seen = served (&f, "result", 2);
  g_assert_cmpstr (seen, ==, "held,Held");
  assert_stats (&f, "connects=1 reconnects=0 tokens=1 frames_sent=2 "
      "results=2 superseded=0 service_errors=0 drops=0");
  test_fixture_stop (&f);
}

/* Freeing the client closes the socket at once with 1000; a frame in
 * flight ends cancelled at its price. */
static void
test_free_closes (void)
{
  g_autoptr (ImagegenRequest) req = frame_request (32, "held", NULL);
  g_autoptr (ImagegenResult) b = NULL;
  TestFixture f;

  fixture_start (&f, "50", "fal-frame:held", NULL);
  imagegen_client_submit (f.client, req, NULL, NULL, test_waiter_done_cb, f.w);
  imagegen_test_emulator_wait_count (f.fx.emu, "fal_rt_frames", 1);
  g_clear_pointer (&f.client, imagegen_client_free);
  b = test_waiter_pop (f.w);
  g_assert_error (b->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (b->cost_nanocents, >, 0);
  /* the close is answered before the free returns; its record may lag */
  wait_close_1000 (&f);
  test_fixture_stop (&f);
}

/* Neither the key nor a token reaches the client's log lines, all levels,
 * through a drop and a reconnect. */
static void
test_no_secret_logged (void)
{
  g_autoptr (ImagegenResult) a = NULL, b = NULL;
  TestFixture f;

  fixture_start (&f, "50", "fal-frame:drop@1", NULL);
  a = run_frame (&f, "one", 32);
  b = run_frame (&f, "two", 32);
  assert_result (b, 768);
  g_assert_cmpuint (test_waiter_count_log (f.w, IMAGEGEN_LOG_DEBUG,
          "realtime connect: GET ws://"), ==, 2);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, TEST_KEY), ==, 0);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, "emu-jwt-"), ==, 0);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, "fal_jwt_token"), ==, 0);
  test_fixture_stop (&f);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/realtime/encode-types", test_encode_types);
  g_test_add_func ("/realtime/encode-refused", test_encode_refused);
  g_test_add_func ("/realtime/decode-results", test_decode_results);
  g_test_add_func ("/realtime/decode-control", test_decode_control);
  g_test_add_func ("/realtime/urls", test_urls);
  g_test_add_func ("/realtime/frames", test_frames);
  g_test_add_func ("/realtime/newest-replaces", test_newest_replaces);
  g_test_add_func ("/realtime/drop-reconnects", test_drop_reconnects);
  g_test_add_func ("/realtime/token-renewed", test_token_renewed);
  for (i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    g_test_add_data_func (fault_cases[i].path, &fault_cases[i], test_faults);
  g_test_add_func ("/realtime/cancel-in-flight", test_cancel_in_flight);
  g_test_add_func ("/realtime/free-closes", test_free_closes);
  g_test_add_func ("/realtime/no-secret-logged", test_no_secret_logged);
  return g_test_run ();
}
