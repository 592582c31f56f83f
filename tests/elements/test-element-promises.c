/* gst-imagegen: what the elements' docs promise, against the emulator (issue
 * 21): a typo'd model id gets the nearest ids; fit's borders are
 * transparent where the output has alpha; upscaling gets the frame as it
 * is; Black Forest Labs is asked the size downstream fixes; every model
 * works with a prompt alone; a slideshow lasts num-images × image-duration;
 * an interval of more than a day warns.
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

#define PROMPT "a red kite"

static const gchar *latency[] = { "--latency", "50", NULL };

static JsonObject *
last_body (ImagegenTestFixture * f)
{
  GPtrArray *bodies = imagegen_test_read_create_bodies (f->log);
  JsonObject *body;

  fail_unless (bodies->len > 0, "no create body logged");
  body = json_object_ref (g_ptr_array_index (bodies, bodies->len - 1));
  g_ptr_array_unref (bodies);
  return body;
}

static GstHarness *
src_harness (ImagegenTestFixture * f, const gchar * model, const gchar * caps)
{
  GstHarness *h = gst_harness_new ("imagegensrc");

  element_test_point_at (h->element, f->emu);
  g_object_set (h->element, "prompt", PROMPT, "poll-interval", 20, "model",
      model, NULL);
  gst_harness_set_sink_caps_str (h, caps);
  return h;
}

static const guint8 frame_rgb[3] = { 30, 60, 200 };

static GstElement *
remix_element (ImagegenTestFixture * f, const gchar * model,
    const gchar * prompt)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);

  element_test_point_at (remix, f->emu);
  g_object_set (remix, "model", model, "poll-interval", 20, "max-in-flight", 1,
      NULL);
  if (prompt != NULL)
    g_object_set (remix, "prompt", prompt, NULL);
  gst_util_set_object_arg (G_OBJECT (remix), "mode", "offline");
  return remix;
}

/* One @width x @height frame through imagegenremix offline; its output. */
static GstBuffer *
remix_one (GstElement * remix, gint width, gint height)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=RGBA,width=%d,"
      "height=%d,framerate=30/1", width, height);
  GstHarness *h = gst_harness_new_with_element (remix, "sink", "src");
  GstBuffer *out;
  GstEvent *ev;
  gboolean eos = FALSE;

  gst_object_unref (remix);
  gst_harness_set_src_caps_str (h, caps);
  gst_harness_set_sink_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, element_test_flat_frame (width,
              height, frame_rgb)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos);
  out = gst_harness_try_pull (h);
  gst_harness_teardown (h);
  g_free (caps);
  return out;
}

/* ---- 6: a typo gets the nearest ids, as the error a program reads ---- */

GST_START_TEST (test_model_typo_suggests)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  JsonObject *stats;
  gchar *text;

  element_test_point_at (src, f->emu);
  g_object_set (src, "prompt", PROMPT, "model", "nano-banan", NULL);
  text = element_test_start_error (src);
  gst_object_unref (src);
  fail_unless_equals_string (text, "Unknown model \"nano-banan\" for "
      "imagegensrc; did you mean nano-banana (or nano-banana-2, "
      "nano-banana-pro)? Every id "
      "is in docs/models.md and gst-inspect-1.0 imagegensrc.");
  g_free (text);

  src = remix_element (f, "topaz-upscale", NULL);
  text = element_test_start_error (src);
  gst_object_unref (src);
  fail_unless_equals_string (text, "Unknown model \"topaz-upscale\" for "
      "imagegenremix; did you mean topaz-upscale-image? Every id is in "
      "docs/models.md and gst-inspect-1.0 imagegenremix.");
  g_free (text);

  stats = imagegen_test_emulator_stats (f->emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (stats,
          "tasks_created"), 0);
  json_object_unref (stats);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* topaz-upscale-image lost its factor 8 (RunAPI's contract v0.12.1):
 * refused at start with the factors it takes, before anything is paid
 * for. */
GST_START_TEST (test_upscale_factor_8_refused)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstElement *remix = remix_element (f, "topaz-upscale-image", NULL);
  gchar *text;

  gst_util_set_object_arg (G_OBJECT (remix), "extra",
      "params,upscale_factor=8");
  text = element_test_start_error (remix);
  gst_object_unref (remix);
  fail_unless_equals_string (text, "Extra field \"upscale_factor\" is not "
      "included in the list for model topaz-upscale-image; valid values: "
      "1, 2, 4.");
  g_free (text);
  fail_unless_equals_int (imagegen_test_emulator_stat (f->emu,
          "tasks_created"), 0);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 7: fit's borders ---- */

static GstBuffer *
fitted (ImagegenTestFixture * f, const gchar * format, GstVideoInfo * info)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=%s,width=640,"
      "height=120", format);
  GstHarness *h = src_harness (f, "flux-2-pro-text-to-image", caps);
  GstBuffer *buf;
  GstCaps *out_caps;

  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  out_caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (info, out_caps));
  gst_caps_unref (out_caps);
  gst_harness_teardown (h);
  g_free (caps);
  return buf;
}

/* docs/live-graphics.md's lower third: the square image in a 640x120
 * strip over video hides nothing beside it. */
GST_START_TEST (test_fit_borders_transparent)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf = fitted (f, "RGBA", &info);
  guint8 *px, rgb[3];
  gint c;

  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  /* the bars: 260 columns each side, alpha 0 */
  px = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
      60 * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + 4 * 10;
  fail_unless_equals_int (px[3], 0);
  px += 4 * 610;
  fail_unless_equals_int (px[3], 0);
  /* the image: opaque, the prompt's colour at its left edge */
  element_test_prompt_colour (PROMPT, 0.5, rgb);
  px = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
      60 * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + 4 * 262;
  fail_unless_equals_int (px[3], 255);
  for (c = 0; c < 3; c++)
    fail_unless (ABS (px[c] - rgb[c]) <= 12, "channel %d: %u, not %u", c,
        px[c], rgb[c]);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buf);

  /* no alpha: the bars stay black */
  buf = fitted (f, "BGRx", &info);
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  px = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
      60 * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + 4 * 10;
  fail_unless (px[0] == 0 && px[1] == 0 && px[2] == 0);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buf);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 8: what is uploaded ---- */

/* The size in a JPEG's first SOF marker. */
static void
jpeg_size (GBytes * bytes, guint * width, guint * height)
{
  gsize len, i = 2;
  const guint8 *d = g_bytes_get_data (bytes, &len);

  *width = *height = 0;
  fail_unless (len > 4 && d[0] == 0xff && d[1] == 0xd8, "not a JPEG");
  while (i + 9 < len && d[i] == 0xff) {
    guint8 marker = d[i + 1];
    guint seg = (d[i + 2] << 8) | d[i + 3];

    if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
        && marker != 0xcc) {
      *height = (d[i + 5] << 8) | d[i + 6];
      *width = (d[i + 7] << 8) | d[i + 8];
      return;
    }
    i += 2 + seg;
  }
  ck_abort_msg ("no SOF marker");
}

/* The size of the source image the last create named, as the emulator
 * keeps it. */
static void
uploaded_size (ImagegenTestFixture * f, const gchar * field, guint * width,
    guint * height)
{
  JsonObject *body = last_body (f);
  /* file URLs are on the assets origin, like the service's file host */
  const gchar *base = imagegen_test_emulator_get_assets_url (f->emu);
  const gchar *url;
  GBytes *bytes;
  guint status = 0;

  if (json_object_has_member (body, field)
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, field)))
    url = json_array_get_string_element (json_object_get_array_member (body,
            field), 0);
  else
    url = json_object_get_string_member (body, field);
  fail_unless (g_str_has_prefix (url, base), "source at %s", url);
  bytes = imagegen_test_emulator_request (f->emu, "GET", url, NULL, NULL,
      NULL, &status);
  fail_unless_equals_int (status, 200);
  jpeg_size (bytes, width, height);
  g_bytes_unref (bytes);
  json_object_unref (body);
}

/* An upscale gets the 1280x720 frame itself (upload-max-side is for
 * models that draw anew: an edit still gets it at 1024x576). */
GST_START_TEST (test_upscale_uploads_the_frame_as_it_is)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstElement *remix = remix_element (f, "topaz-upscale-image", NULL);
  GstBuffer *out;
  guint w, h;

  gst_util_set_object_arg (G_OBJECT (remix), "extra",
      "params,upscale_factor=2");
  out = remix_one (remix, 1280, 720);
  fail_unless (out != NULL);
  gst_buffer_unref (out);
  uploaded_size (f, "source_image_url", &w, &h);
  fail_unless_equals_int (w, 1280);
  fail_unless_equals_int (h, 720);

  out = remix_one (remix_element (f, "nano-banana-edit", "watercolour"),
      1280, 720);
  fail_unless (out != NULL);
  gst_buffer_unref (out);
  uploaded_size (f, "source_image_urls", &w, &h);
  fail_unless_equals_int (w, 1024);
  fail_unless_equals_int (h, 576);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 9: Black Forest Labs at the size downstream fixes ---- */

GST_START_TEST (test_bfl_asks_the_downstream_size)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, "flux-2-klein-4b",
      "video/x-raw,format=RGBA,width=640,height=360");
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf;
  GstCaps *caps;
  JsonObject *body;
  guint8 *px, rgb[3];
  gint c;

  gst_harness_play (h);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  /* the remix path's size for such a frame (imagegen_bfl_frame_size) */
  body = last_body (f);
  fail_unless_equals_int (json_object_get_int_member (body, "width"), 656);
  fail_unless_equals_int (json_object_get_int_member (body, "height"), 368);
  json_object_unref (body);
  /* no bars: the left edge shows the picture's background */
  element_test_prompt_colour (PROMPT, 0.5, rgb);
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  px = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
      180 * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + 4 * 2;
  for (c = 0; c < 3; c++)
    fail_unless (ABS (px[c] - rgb[c]) <= 12, "channel %d: %u, not %u", c,
        px[c], rgb[c]);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 10: every model with a prompt alone, or no extra ---- */

/* @row's required fields with a default are in @body with it. */
static void
assert_defaults_sent (const ImagegenModelRow * row, JsonObject * body)
{
  const ImagegenModelField *fld;

  for (fld = row->fields; fld->name != NULL; fld++) {
    gchar *sent;
    JsonNode *node;

    if (!fld->required || fld->default_value == NULL
        || g_str_equal (fld->name, "aspect_ratio"))
      continue;
    node = json_object_get_member (body, fld->name);
    fail_unless (node != NULL, "%s: no %s", row->model, fld->name);
    sent = json_node_get_value_type (node) == G_TYPE_STRING ?
        g_strdup (json_node_get_string (node)) :
        g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    fail_unless_equals_string (sent, fld->default_value);
    g_free (sent);
  }
}

GST_START_TEST (test_every_text_to_image_model_with_a_prompt_alone)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  const ImagegenModelRow *row;
  JsonObject *body;
  guint i, n = 0;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    GstHarness *h;
    GstBuffer *buf;

    if (row->kind != IMAGEGEN_KIND_TEXT_TO_IMAGE || row->realtime)
      continue;
    h = src_harness (f, row->model, "video/x-raw,format=RGBA,width=32,"
        "height=32");
    gst_harness_play (h);
    buf = gst_harness_pull (h);
    fail_unless (buf != NULL, "%s: no frame", row->model);
    gst_buffer_unref (buf);
    gst_harness_teardown (h);
    body = last_body (f);
    assert_defaults_sent (row, body);
    json_object_unref (body);
    n++;
  }
  fail_unless (n > 30);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_every_remix_model_without_extra)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  const ImagegenModelRow *row;
  guint i, n = 0;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    GstBuffer *out;
    JsonObject *body;
    const gchar *prompt;
    const ImagegenModelField *ratio;

    /* a realtime row is refused at start (test-imagegen-fal) */
    if (row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE || row->realtime)
      continue;
    prompt = imagegen_model_row_field (row, "prompt") ? "watercolour" : NULL;
    out = remix_one (remix_element (f, row->model, prompt), 64, 48);
    fail_unless (out != NULL, "%s: no frame", row->model);
    gst_buffer_unref (out);
    body = last_body (f);
    assert_defaults_sent (row, body);
    /* the default aspect-ratio auto, where the model lists no auto: the
     * frame's shape */
    ratio = imagegen_model_row_field (row, "aspect_ratio");
    if (ratio != NULL && strstr (ratio->choices, "auto") == NULL
        && strstr (ratio->choices, "4:3") != NULL)
      fail_unless_equals_string (json_object_get_string_member (body,
              "aspect_ratio"), "4:3");
    json_object_unref (body);
    n++;
  }
  fail_unless (n > 25);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 12: a slideshow's length ---- */

GST_START_TEST (test_slideshow_images_last_image_duration)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstHarness *h = src_harness (f, "flux-2-pro-text-to-image",
      "video/x-raw,format=RGBA,width=32,height=32");
  GstVideoInfo info;
  GstCaps *caps;
  guint i;

  g_object_set (h->element, "num-images", 3, "image-duration",
      2 * GST_SECOND, NULL);
  gst_harness_play (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *buf = gst_harness_pull (h);

    fail_unless (buf != NULL);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), i * 2 * GST_SECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), 2 * GST_SECOND);
    gst_buffer_unref (buf);
  }
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless_equals_int (GST_VIDEO_INFO_FPS_N (&info), 0);
  gst_caps_unref (caps);
  gst_harness_teardown (h);

  /* a framerate fixed downstream: one frame of it per image, as before */
  h = src_harness (f, "flux-2-pro-text-to-image",
      "video/x-raw,format=RGBA,width=32,height=32,framerate=30/1");
  g_object_set (h->element, "num-images", 2, NULL);
  gst_harness_play (h);
  for (i = 0; i < 2; i++) {
    GstBuffer *buf = gst_harness_pull (h);

    fail_unless (buf != NULL);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
        gst_util_uint64_scale (i, GST_SECOND, 30));
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (h);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

/* Through videorate to 30/1: 3 images of 1 s are about 90 frames. */
GST_START_TEST (test_slideshow_through_videorate)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  gchar *launch = g_strdup_printf ("imagegensrc num-images=3 "
      "prompt=\"" PROMPT "\" api-key=k base-url=\"%s\" poll-interval=20 ! "
      "video/x-raw,width=32,height=32 ! videorate ! "
      "video/x-raw,framerate=30/1 ! fakesink name=sink",
      imagegen_test_emulator_get_base_url (f->emu));
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gint frames = 0;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &frames,
      NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_unless (frames >= 88 && frames <= 92, "%d frames", frames);
  gst_object_unref (bus);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (launch);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

/* ---- 13: interval=-1 ---- */

/* The first warning of @remix (taken) at start, or NULL. */
static gchar *
start_warning (GstElement * remix)
{
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  gchar *text;

  gst_element_set_bus (remix, bus);
  h = gst_harness_new_with_element (remix, "sink", "src");
  gst_object_unref (remix);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGBA,width=64,"
      "height=48,framerate=30/1");
  text = element_test_pop_warning (bus);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  return text;
}

GST_START_TEST (test_interval_over_a_day_warns)
{
  ImagegenTestFixture *f = imagegen_test_fixture_new (TRUE, latency, NULL);
  GstElement *remix = remix_element (f, "flux-2-pro-remix-image", "ink");
  gchar *text;

  g_object_set (remix, "interval", G_MAXUINT64, NULL);
  text = start_warning (remix);
  fail_unless_equals_string (text, "The interval is longer than a day, so "
      "only the first frame of the stream is picked (and shot changes, if "
      "pick-mode says so).");
  g_free (text);

  remix = remix_element (f, "flux-2-pro-remix-image", "ink");
  g_object_set (remix, "interval", 24 * 3600 * GST_SECOND, NULL);
  text = start_warning (remix);
  fail_unless (text == NULL, "warned: %s", text);
  imagegen_test_fixture_free (f);
}

GST_END_TEST;

static Suite *
promises_suite (void)
{
  return element_test_suite ("imagegen-promises", 240,
      ELEMENT_TEST (test_model_typo_suggests),
      ELEMENT_TEST (test_upscale_factor_8_refused),
      ELEMENT_TEST (test_fit_borders_transparent),
      ELEMENT_TEST (test_upscale_uploads_the_frame_as_it_is),
      ELEMENT_TEST (test_bfl_asks_the_downstream_size),
      ELEMENT_TEST (test_every_text_to_image_model_with_a_prompt_alone),
      ELEMENT_TEST (test_every_remix_model_without_extra),
      ELEMENT_TEST (test_slideshow_images_last_image_duration),
      ELEMENT_TEST (test_slideshow_through_videorate),
      ELEMENT_TEST (test_interval_over_a_day_warns), NULL);
}

GST_CHECK_MAIN (promises);
