/* gst-imagegen: imagegensrc background=transparent against the emulator:
 * the generated image goes on to a background-removal task and frames
 * carry its alpha.
 *
 * The emulator's text-to-image paints a gradient background and shapes
 * from the prompt's SHA-256 (docs/emulator.md, "Images"); its
 * remove-background makes a pixel transparent where it has its row's
 * left-edge colour.  So the left edge is alpha 0 and the middle of the
 * last shape drawn (on top of the others) is alpha 255.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <gst/app/gstappsink.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define PROMPT "a broadcast logo"
#define SIDE 128
#define CAPS "video/x-raw,format=RGBA,width=128,height=128,framerate=10/1"
#define GENERATED 1024          /* 1:1 at 1k */
#define BORDER 16

static const gchar *latency_200[] = { "--latency", "200", NULL };

static void
sha256 (const guint8 * data, gsize len, guint8 out[32])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &n);
  g_checksum_free (sum);
}

/* Where the last shape's middle lands in a SIDE x SIDE frame, and its
 * colour; the background colour of that row. */
static void
subject (guint * x, guint * y, guint8 colour[3], guint8 background[3])
{
  guint8 h1[32], shapes[64];
  const guint8 *s;
  guint n, inner = GENERATED - 2 * BORDER, cy, k;

  sha256 ((const guint8 *) PROMPT, strlen (PROMPT), h1);
  sha256 (h1, 32, shapes);
  sha256 (shapes, 32, shapes + 32);
  n = 3 + h1[6] % 4;
  s = shapes + (n - 1) * 8;
  cy = BORDER + s[2] * inner / 255;
  *x = (BORDER + s[1] * inner / 255) * SIDE / GENERATED;
  *y = cy * SIDE / GENERATED;
  memcpy (colour, s + 4, 3);
  for (k = 0; k < 3; k++)
    background[k] = (h1[k] * (GENERATED - 1 - cy) + h1[3 + k] * cy) /
        (GENERATED - 1);
}

static void
rgba_at (GstBuffer * buf, guint x, guint y, guint8 px[4])
{
  gst_buffer_extract (buf, (y * SIDE + x) * 4, px, 4);
}

static gboolean
near (const guint8 * a, const guint8 * b, gint tolerance)
{
  gint k;

  for (k = 0; k < 3; k++)
    if (ABS ((gint) a[k] - (gint) b[k]) > tolerance)
      return FALSE;
  return TRUE;
}

/* Two paid tasks, the second the background removal; frames carry alpha
 * 0 on the background and 255 on the subject, with its colours. */
GST_START_TEST (test_transparent_alpha)
{
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (latency_200);
  GstHarness *h = gst_harness_new ("imagegensrc");
  GstBus *bus = gst_bus_new ();
  guint8 colour[3], background[3], px[4];
  GstStructure *stats;
  JsonObject *emu_stats;
  guint x, y, i, requests;
  gint64 spent;
  GstBuffer *buf = NULL;

  subject (&x, &y, colour, background);
  /* the test needs a shape unlike its background */
  fail_if (near (colour, background, 40), "choose another prompt");

  element_test_point_at (h->element, emu);
  g_object_set (h->element, "is-live", TRUE, "prompt", PROMPT, "poll-interval",
      50, "background", 1, NULL);
  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h, CAPS);
  gst_harness_use_testclock (h);
  gst_harness_play (h);
  element_test_wait_completed (bus, 2);

  /* frames made before the cut-out came show the placeholder */
  for (i = 0; i < 3; i++) {
    fail_unless (gst_harness_crank_single_clock_wait (h));
    gst_clear_buffer (&buf);
    buf = gst_harness_pull (h);
    rgba_at (buf, x, y, px);
    if (px[3] != 0)
      break;
  }
  fail_unless_equals_int (px[3], 255);
  fail_unless (near (px, colour, 12), "subject %u,%u,%u, want %u,%u,%u",
      px[0], px[1], px[2], colour[0], colour[1], colour[2]);
  rgba_at (buf, 0, 0, px);
  fail_unless_equals_int (px[3], 0);
  /* the emulator keeps shapes 16 of 1024 pixels (2 here) off the edges */
  rgba_at (buf, 1, SIDE - 1, px);
  fail_unless_equals_int (px[3], 0);
  rgba_at (buf, 1, y, px);
  fail_unless_equals_int (px[3], 0);
  gst_buffer_unref (buf);

  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "requests", &requests));
  fail_unless (gst_structure_get_int64 (stats, "spent-cents", &spent));
  fail_unless_equals_int (requests, 2);
  fail_unless_equals_int (spent, 5 + 1);
  gst_structure_free (stats);
  emu_stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (emu_stats,
          "create_text_to_image"), 1);
  fail_unless_equals_int (imagegen_test_emulator_stats_requests (emu_stats,
          "create_remove_background"), 1);
  json_object_unref (emu_stats);

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  gst_object_unref (bus);
  imagegen_test_emulator_stop (emu);
}

GST_END_TEST;

/* Through compositor over a blue picture: the background shows blue, the
 * subject its own colours. */
GST_START_TEST (test_transparent_composited)
{
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (latency_200);
  guint8 colour[3], background[3], px[4], blue[3] = { 0, 0, 255 };
  gchar *desc;
  GstElement *pipeline, *sink;
  GstSample *sample = NULL;
  GstBuffer *buf;
  guint x, y, i;

  subject (&x, &y, colour, background);
  fail_if (near (colour, blue, 40), "choose another prompt");
  desc = g_strdup_printf ("compositor name=c ! video/x-raw,format=RGBA "
      "! appsink name=sink sync=false "
      "videotestsrc is-live=true pattern=solid-color foreground-color="
      "0xff0000ff ! " CAPS " ! c.sink_0 "
      "imagegensrc is-live=true background=transparent prompt=\"" PROMPT
      "\" api-key=test-key base-url=%s poll-interval=50 ! " CAPS
      " ! c.sink_1", imagegen_test_emulator_get_base_url (emu));
  pipeline = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pipeline != NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  /* frames until the cut-out is in (before, the placeholder lets the blue
   * through, or the programme has not started) */
  for (i = 0; i < 600; i++) {
    if (sample != NULL)
      gst_sample_unref (sample);
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        10 * GST_SECOND);
    fail_unless (sample != NULL);
    rgba_at (gst_sample_get_buffer (sample), x, y, px);
    if (near (px, colour, 12))
      break;
  }
  fail_unless (i < 600, "the subject never showed: %u,%u,%u, want %u,%u,%u",
      px[0], px[1], px[2], colour[0], colour[1], colour[2]);
  buf = gst_sample_get_buffer (sample);
  rgba_at (buf, 0, 0, px);
  fail_unless (near (px, blue, 2), "background %u,%u,%u", px[0], px[1],
      px[2]);
  rgba_at (buf, 1, y, px);
  fail_unless (near (px, blue, 2));
  gst_sample_unref (sample);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  imagegen_test_emulator_stop (emu);
}

GST_END_TEST;

static Suite *
imagegensrc_transparent_suite (void)
{
  return element_test_suite ("imagegensrc-transparent", 180,
      ELEMENT_TEST (test_transparent_alpha),
      ELEMENT_TEST (test_transparent_composited), NULL);
}

GST_CHECK_MAIN (imagegensrc_transparent);
