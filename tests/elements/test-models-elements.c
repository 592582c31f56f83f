/* gst-imagegen: one model of each kind through the elements against the
 * emulator, with every create body checked field by field against the
 * model table through the emulator's request log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include "imagegen-test-fixture.h"
#include "imagegen-models.h"
#include "element-test-util.h"

#define PROMPT "a lighthouse at dusk, oil painting"
#define WIDTH 64
#define HEIGHT 48
#define CAPS "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1"
/* the frame: a flat background with a square in the middle */
#define BG_R 30
#define BG_G 60
#define BG_B 200

static const gchar *latency[] = { "--latency", "100", NULL };

/* Every create body the emulator logged, each checked against its row:
 * nothing forbidden or unknown sent, nothing required missing.  Returns
 * them (JsonObject) for the caller's own field checks. */
static GPtrArray *
checked_bodies (ImagegenTestFixture * f)
{
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_object_unref);
  GPtrArray *lines = imagegen_test_read_log (f->log);
  guint i;

  for (i = 0; i < lines->len; i++) {
    JsonObject *line = g_ptr_array_index (lines, i), *body, *errors;
    const ImagegenModelRow *row;
    const gchar *path;

    if (g_strcmp0 (json_object_get_string_member_with_default (line, "event",
                ""), "create_body") != 0)
      continue;
    path = json_object_get_string_member (line, "create_path");
    body = json_object_get_object_member (line, "body");
    /* Black Forest Labs: the path names the model */
    row = imagegen_models_find_route (path,
        json_object_get_string_member_with_default (body, "model",
            g_str_has_prefix (path, "/v1/") ? path + 4 : NULL), body);
    fail_unless (row != NULL, "no row for %s", path);
    errors = json_object_new ();
    fail_unless (imagegen_model_validate (row, body, errors),
        "%s: the body breaks the table (%u fields)", path,
        json_object_get_size (errors));
    json_object_unref (errors);
    g_ptr_array_add (bodies, json_object_ref (body));
  }
  g_ptr_array_unref (lines);
  return bodies;
}

static gchar **
member_names (JsonObject * body)
{
  GList *names = json_object_get_members (body), *l;
  GPtrArray *out = g_ptr_array_new ();

  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (l = names; l; l = l->next)
    g_ptr_array_add (out, g_strdup (l->data));
  g_list_free (names);
  g_ptr_array_add (out, NULL);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

/* The body's members are exactly @expected (sorted, space-separated). */
static void
assert_members (JsonObject * body, const gchar * expected)
{
  gchar **names = member_names (body);
  gchar *joined = g_strjoinv (" ", names);

  fail_unless_equals_string (joined, expected);
  g_free (joined);
  g_strfreev (names);
}

/* ---- text to image ---- */

static GstHarness *
src_harness (ImagegenTestFixture * f, const gchar * model, const gchar * extra)
{
  GstHarness *h = gst_harness_new ("imagegensrc");

  element_test_point_at (h->element, f->emu);
  g_object_set (h->element, "prompt", PROMPT, "poll-interval", 50, "model",
      model, "num-images", 1, NULL);
  if (extra != NULL)
    gst_util_set_object_arg (G_OBJECT (h->element), "extra", extra);
  gst_harness_set_sink_caps_str (h, "video/x-raw,format=RGBA,width=64,"
      "height=64,framerate=0/1");
  return h;
}

/* An imagegensrc of @model with @extra refuses to start with @message. */
static void
extra_refused (ImagegenTestFixture * f, const gchar * model,
    const gchar * extra, const gchar * message)
{
  GstHarness *h = src_harness (f, model, extra);
  gchar *text = element_test_start_error (h->element);

  fail_unless_equals_string (text, message);
  g_free (text);
  gst_harness_teardown (h);
}

/* One image from @model: its top-left pixel is the emulator's colour for
 * the prompt, so the prompt reached the service. */
static void
check_text_to_image (const gchar * model, const gchar * extra,
    const gchar * members)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, model, extra);
  GstBuffer *buf;
  GstMapInfo map;
  GPtrArray *bodies;
  guint8 rgb[3];
  gint c;

  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  element_test_prompt_colour (PROMPT, 0.0, rgb);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (c = 0; c < 3; c++)
    fail_unless (ABS ((gint) map.data[c] - rgb[c]) <= 12,
        "%s: channel %d is %u, expected %u", model, c, map.data[c], rgb[c]);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  fail_unless_equals_string (json_object_get_string_member
      (g_ptr_array_index (bodies, 0), "model"), model);
  assert_members (g_ptr_array_index (bodies, 0), members);
  g_ptr_array_unref (bodies);
  imagegen_test_fixture_free (f);
}

GST_START_TEST (test_text_to_image_nano_banana)
{
  /* nano-banana takes a free-text resolution: the property's 1k goes */
  check_text_to_image ("nano-banana", "params,output_format=png",
      "aspect_ratio model output_format output_resolution prompt");
}

GST_END_TEST;

GST_START_TEST (test_text_to_image_seedream)
{
  check_text_to_image ("seedream-4.5-text-to-image",
      "params,output_quality=high,enable_safety_checker=true",
      "aspect_ratio enable_safety_checker model output_quality prompt");
}

GST_END_TEST;

/* Downstream that takes only JPEG: a model with output_format is asked
 * for it (its bytes then pass untouched); Flux 2, without the field, is
 * sent none (checked_bodies() refuses unknown fields) and its PNG is
 * transcoded.  Either way downstream gets a JPEG. */
static void
check_asked_format (const gchar * model, const gchar * want_format)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = gst_harness_new ("imagegensrc");
  GPtrArray *bodies;
  GstBuffer *buf;
  guint8 head[2];

  element_test_point_at (h->element, f->emu);
  g_object_set (h->element, "prompt", PROMPT, "poll-interval", 50, "model",
      model, "num-images", 1, NULL);
  gst_harness_set_sink_caps_str (h, "image/jpeg");
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  gst_buffer_extract (buf, 0, head, 2);
  fail_unless (head[0] == 0xff && head[1] == 0xd8, "%s: not a JPEG", model);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  fail_unless_equals_string (json_object_get_string_member_with_default
      (g_ptr_array_index (bodies, 0), "output_format", NULL), want_format);
  g_ptr_array_unref (bodies);
  imagegen_test_fixture_free (f);
}

GST_START_TEST (test_encoded_downstream_asks_output_format)
{
  check_asked_format ("nano-banana", "jpeg");
  check_asked_format ("flux-2-pro-text-to-image", NULL);
}

GST_END_TEST;

/* output_count=3: one request, three frames, each the emulator's own
 * (it numbers the second and third: "<prompt> #2", "#3"). */
GST_START_TEST (test_output_count_every_image_a_frame)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, "ideogram-v3-text-to-image",
      "params,output_count=3,rendering_speed=turbo");
  const gchar *texts[] = { PROMPT, PROMPT " #2", PROMPT " #3" };
  GPtrArray *bodies;
  JsonObject *stats;
  GstEvent *ev;
  gboolean eos = FALSE;
  guint i;

  g_object_set (h->element, "num-images", 3, NULL);
  gst_harness_play (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *buf = gst_harness_pull (h);
    GstMapInfo map;
    guint8 rgb[3];
    gint c;

    fail_unless (buf != NULL);
    element_test_prompt_colour (texts[i], 0.0, rgb);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    for (c = 0; c < 3; c++)
      fail_unless (ABS ((gint) map.data[c] - rgb[c]) <= 12,
          "frame %u: channel %d is %u, expected %u", i, c, map.data[c],
          rgb[c]);
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
  /* num-images counts images, not requests: EOS after the third */
  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos);
  gst_harness_teardown (h);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  fail_unless_equals_int (json_object_get_int_member (g_ptr_array_index
          (bodies, 0), "output_count"), 3);
  g_ptr_array_unref (bodies);
  stats = imagegen_test_emulator_stats (f->emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (stats,
          "download"), 3);
  json_object_unref (stats);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

static gint64
quotes_asked (ImagegenTestFixture * f)
{
  JsonObject *stats = imagegen_test_emulator_stats (f->emu);
  gint64 n = imagegen_test_emulator_stats_requests (stats, "price_quotes");

  json_object_unref (stats);
  return n;
}

/* Live prices are asked only for the spending guard (max-cost), once per
 * model and parameters, and never before the first image. */
static void
run_two_images (gboolean max_cost, gint64 quotes)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, "gpt-image-1.5", "params,quality=high");
  GstStructure *stats;
  gint64 spent;
  guint i;

  g_object_set (h->element, "num-images", 2, "max-in-flight", 1,
      "max-cost", max_cost ? 1000 : 0, NULL);
  gst_harness_play (h);
  for (i = 0; i < 2; i++)
    gst_buffer_unref (gst_harness_pull (h));
  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_int64 (stats, "spent-cents", &spent));
  /* quality=high: the billing_config variant, 22 a call */
  fail_unless_equals_int64 (spent, 44);
  gst_structure_free (stats);
  gst_harness_teardown (h);
  fail_unless_equals_int64 (quotes_asked (f), quotes);
  imagegen_test_fixture_free (f);
}

GST_START_TEST (test_quotes_only_for_max_cost)
{
  run_two_images (FALSE, 0);
  run_two_images (TRUE, 1);
}

GST_END_TEST;

/* The service's reservation replaces the guard's own figure: a model
 * without a published price is held at 24 cents until the create answer
 * says what the service reserved (the emulator: nothing). */
GST_START_TEST (test_service_reservation_wins)
{
  const gchar *args[] = { "--latency", "3000", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstHarness *h = gst_harness_new ("imagegensrc");
  GstBus *bus = gst_bus_new ();
  GstStructure *stats;
  GstMessage *msg;
  gint64 reserved = -1;
  gint service = -2;

  element_test_point_at (h->element, emu);
  g_object_set (h->element, "prompt", PROMPT, "poll-interval", 50, "model",
      "qwen-3-text-to-image", "max-cost", 1000, NULL);
  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h, "video/x-raw,format=RGBA,width=64,"
      "height=64,framerate=0/1");
  gst_harness_play (h);
  while (service == -2 && (msg = gst_bus_timed_pop_filtered (bus,
              60 * GST_SECOND, GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (gst_structure_has_name (s, "imagegen-task")
        && g_str_equal (gst_structure_get_string (s, "event"), "submitted"))
      gst_structure_get_int (s, "reserved-cents", &service);
    gst_message_unref (msg);
  }
  fail_unless_equals_int (service, 0);
  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_int64 (stats, "reserved-cents", &reserved));
  fail_unless_equals_int64 (reserved, 0);
  gst_structure_free (stats);
  gst_buffer_unref (gst_harness_pull (h));
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_wrong_extra_refused_at_start)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);

  extra_refused (f, "seedream-4.5-text-to-image", "params,output_quality=best",
      "Extra field \"output_quality\" is not included in the list for model "
      "seedream-4.5-text-to-image; valid values: basic, high.");
  imagegen_test_assert_requests (f->emu, "create_text_to_image", 0, NULL);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* Black Forest Labs from the same table: klein's own fields through extra
 * (winning over the seed property) reach the body, which the emulator
 * checks against the same row; flex's fields and the size are refused
 * at start, with the row's choices. */
GST_START_TEST (test_bfl_extra_from_the_table)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, "flux-2-klein-4b",
      "params,seed=11,safety_tolerance=3");
  GstBuffer *buf;
  GPtrArray *bodies;
  JsonObject *body;

  g_object_set (h->element, "seed", (gint64) 5, NULL);
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  body = g_ptr_array_index (bodies, 0);
  assert_members (body, "height prompt safety_tolerance seed width");
  fail_unless_equals_int (json_object_get_int_member (body, "seed"), 11);
  fail_unless_equals_int (json_object_get_int_member (body, "width") % 16, 0);
  g_ptr_array_unref (bodies);

  extra_refused (f, "flux-2-klein-4b", "params,steps=20", "Model "
      "flux-2-klein-4b has no field \"steps\"; its extra fields: seed "
      "(integer 0 to 2147483647), safety_tolerance (integer 0 to 5), "
      "output_format (jpeg, png), webhook_url (text), webhook_secret "
      "(text).");
  extra_refused (f, "flux-2-flex", "params,guidance=1.2", "Extra field "
      "\"guidance\" must be greater than or equal to 1.5 for model "
      "flux-2-flex; valid values: number 1.5 to 10.");
  extra_refused (f, "flux-2-pro", "params,width=512", "Extra field "
      "\"width\" is not taken from extra: it comes from the frame size "
      "(aspect-ratio and resolution).");
  imagegen_test_assert_requests (f->emu, "bfl_create", 1, NULL);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- frame in, frame out ---- */

/* A yellow square on the background. */
static void
paint_square (gint x, gint y, guint8 rgb[3], gpointer data)
{
  gboolean square = ABS (x - WIDTH / 2) < 12 && ABS (y - HEIGHT / 2) < 12;

  rgb[0] = square ? 220 : BG_R;
  rgb[1] = square ? 200 : BG_G;
  rgb[2] = square ? 40 : BG_B;
}

/* One frame through imagegenremix offline with @model; @sink_caps pick the
 * output size and format. */
static GstBuffer *
remix_one_full (ImagegenTestFixture * f, const gchar * model,
    const gchar * prompt, const gchar * aspect_ratio, const gchar * extra,
    const gchar * sink_caps, guint max_cost)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GstHarness *h;
  GstBuffer *out;
  GstEvent *ev;
  gboolean eos = FALSE;

  element_test_point_at (remix, f->emu);
  g_object_set (remix, "prompt", prompt, "model", model, "poll-interval", 50,
      "max-cost", max_cost, "max-in-flight", 1, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "offline");
  if (aspect_ratio != NULL)
    g_object_set (remix, "aspect-ratio", aspect_ratio, NULL);
  if (extra != NULL)
    gst_util_set_object_arg (G_OBJECT (remix), "extra", extra);
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_sink_caps_str (h, sink_caps);
  gst_harness_set_src_caps_str (h, CAPS);
  fail_unless_equals_int (gst_harness_push (h, element_test_painted_frame (WIDTH, HEIGHT,
              paint_square, NULL)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  out = gst_harness_pull (h);
  gst_harness_teardown (h);
  return out;
}

static GstBuffer *
remix_one (ImagegenTestFixture * f, const gchar * model, const gchar * prompt,
    const gchar * aspect_ratio, const gchar * extra, const gchar * sink_caps)
{
  return remix_one_full (f, model, prompt, aspect_ratio, extra, sink_caps, 0);
}

static void
pixel (GstBuffer * buf, gint width, gint x, gint y, guint8 px[4])
{
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  memcpy (px, map.data + 4 * (y * width + x), 4);
  gst_buffer_unmap (buf, &map);
}

/* The emulator's edit inverts the source: the corner shows the inverted
 * background. */
static void
check_edit (const gchar * model, const gchar * aspect_ratio,
    const gchar * input_field, const gchar * members)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstBuffer *out = remix_one (f, model, "watercolour", aspect_ratio, NULL,
      CAPS);
  GPtrArray *bodies;
  JsonObject *body;
  guint8 px[4];

  pixel (out, WIDTH, 2, 2, px);
  fail_unless (ABS (px[0] - (255 - BG_R)) <= 12
      && ABS (px[2] - (255 - BG_B)) <= 12, "%s: corner %u,%u,%u", model,
      px[0], px[1], px[2]);
  gst_buffer_unref (out);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  body = g_ptr_array_index (bodies, 0);
  assert_members (body, members);
  if (g_str_has_suffix (input_field, "_urls")) {
    fail_unless_equals_int (json_array_get_length
        (json_object_get_array_member (body, input_field)), 1);
  } else {
    fail_unless (g_str_has_prefix (json_object_get_string_member (body,
                input_field), "http"));
  }
  g_ptr_array_unref (bodies);
  imagegen_test_fixture_free (f);
}

GST_START_TEST (test_edit_flux_kontext)
{
  /* one scalar source_image_url, through text_to_image; no resolution */
  check_edit ("flux-kontext-pro", "4:3", "source_image_url",
      "aspect_ratio model prompt source_image_url");
}

GST_END_TEST;

GST_START_TEST (test_edit_nano_banana)
{
  /* auto is in nano-banana-edit's list: sent as it is */
  check_edit ("nano-banana-edit", NULL, "source_image_urls",
      "aspect_ratio model prompt source_image_urls");
}

GST_END_TEST;

GST_START_TEST (test_remove_background_alpha)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstBuffer *out = remix_one (f, "recraft-remove-background", NULL, NULL,
      NULL, CAPS);
  GPtrArray *bodies;
  guint8 px[4];

  /* background gone, the square kept */
  pixel (out, WIDTH, 2, 2, px);
  fail_unless_equals_int (px[3], 0);
  pixel (out, WIDTH, WIDTH / 2, HEIGHT / 2, px);
  fail_unless_equals_int (px[3], 255);
  fail_unless (ABS (px[0] - 220) <= 12 && ABS (px[2] - 40) <= 12);
  gst_buffer_unref (out);

  /* no prompt, no aspect ratio, no resolution: only what the row takes */
  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  assert_members (g_ptr_array_index (bodies, 0), "model source_image_url");
  g_ptr_array_unref (bodies);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_upscale)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  /* twice the frame downstream: the emulator's ×2 fills it unscaled */
  GstBuffer *out = remix_one (f, "topaz-upscale-image", NULL, NULL,
      "params,upscale_factor=2", "video/x-raw,format=RGBA,width=128,"
      "height=96,framerate=30/1");
  GPtrArray *bodies;
  JsonObject *body;
  guint8 px[4];

  fail_unless_equals_int (gst_buffer_get_size (out), 128 * 96 * 4);
  /* colours kept, not inverted; the square's edge lands where it was ×2 */
  pixel (out, 128, 4, 4, px);
  fail_unless (ABS (px[0] - BG_R) <= 12 && ABS (px[2] - BG_B) <= 12);
  pixel (out, 128, 64, 48, px);
  fail_unless (ABS (px[0] - 220) <= 12 && ABS (px[2] - 40) <= 12);
  pixel (out, 128, 64 - 26, 48, px);
  fail_unless (ABS (px[0] - BG_R) <= 12);
  gst_buffer_unref (out);

  bodies = checked_bodies (f);
  fail_unless_equals_int (bodies->len, 1);
  body = g_ptr_array_index (bodies, 0);
  assert_members (body, "model source_image_url upscale_factor");
  fail_unless_equals_int (json_object_get_int_member (body,
          "upscale_factor"), 2);
  g_ptr_array_unref (bodies);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* The request log's POST paths, in order. */
static GPtrArray *
posted_paths (ImagegenTestFixture * f)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  gchar *text = NULL, **lines;
  guint i;

  fail_unless (g_file_get_contents (f->log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    JsonNode *root = json_from_string (lines[i], NULL);
    JsonObject *line = root ? json_node_get_object (root) : NULL;

    if (line != NULL && g_strcmp0 (json_object_get_string_member_with_default
            (line, "method", ""), "POST") == 0)
      g_ptr_array_add (paths, g_strdup (json_object_get_string_member (line,
                  "path")));
    if (root)
      json_node_unref (root);
  }
  g_strfreev (lines);
  g_free (text);
  return paths;
}

/* imagegenremix prepares its request on a worker: the quote still leaves
 * after the create, not before it. */
GST_START_TEST (test_remix_quote_after_create)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstBuffer *out = remix_one_full (f, "nano-banana-edit", "watercolour",
      NULL, NULL, CAPS, 1000);
  GPtrArray *paths;

  gst_buffer_unref (out);
  paths = posted_paths (f);
  /* upload, create, quote */
  fail_unless_equals_int (paths->len, 3);
  fail_unless_equals_string (g_ptr_array_index (paths, 1),
      "/api/v1/nano_banana/edit_image");
  fail_unless_equals_string (g_ptr_array_index (paths, 2),
      "/api/v1/price_quotes");
  g_ptr_array_unref (paths);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

static Suite *
models_suite (void)
{
  return element_test_suite ("imagegen-models", 120,
      ELEMENT_TEST (test_text_to_image_nano_banana),
      ELEMENT_TEST (test_text_to_image_seedream),
      ELEMENT_TEST (test_encoded_downstream_asks_output_format),
      ELEMENT_TEST (test_output_count_every_image_a_frame),
      ELEMENT_TEST (test_quotes_only_for_max_cost),
      ELEMENT_TEST (test_service_reservation_wins),
      ELEMENT_TEST (test_remix_quote_after_create),
      ELEMENT_TEST (test_wrong_extra_refused_at_start),
      ELEMENT_TEST (test_bfl_extra_from_the_table),
      ELEMENT_TEST (test_edit_flux_kontext),
      ELEMENT_TEST (test_edit_nano_banana),
      ELEMENT_TEST (test_remove_background_alpha), ELEMENT_TEST (test_upscale),
      NULL);
}

GST_CHECK_MAIN (models);
