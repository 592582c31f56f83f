/* gst-imagegen: helpers the element tests share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-test-util.h"

#include <gst/check/gstcheck.h>
#include <string.h>

void
element_test_prompt_colour (const gchar * prompt, gdouble fraction,
    guint8 rgb[3])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof (digest);
  gint i;

  g_checksum_update (sum, (const guchar *) prompt, -1);
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);
  for (i = 0; i < 3; i++)
    rgb[i] = digest[i] + (digest[3 + i] - digest[i]) * fraction;
}

void
element_test_wait_completed (GstBus * bus, guint n)
{
  guint seen = 0;

  while (seen < n) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    const GstStructure *s;

    fail_unless (msg != NULL, "%u of %u tasks completed", seen, n);
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "imagegen-task")
        && g_strcmp0 (gst_structure_get_string (s, "event"), "completed") == 0)
      seen++;
    gst_message_unref (msg);
  }
}

void
element_test_point_at (GstElement * element, ImagegenTestEmulator * emu)
{
  g_object_set (element, "api-key", "test-key", "base-url",
      imagegen_test_emulator_get_base_url (emu), NULL);
}

GstBuffer *
element_test_flat_frame (gint width, gint height, const guint8 rgb[3])
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, width * height * 4, NULL);
  GstMapInfo map;
  gsize i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < map.size; i += 4) {
    memcpy (map.data + i, rgb, 3);
    map.data[i + 3] = 255;
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

void
element_test_assert_near (const guint8 * px, const guint8 rgb[3],
    gint tolerance)
{
  gint i;

  for (i = 0; i < 3; i++)
    fail_unless (ABS ((gint) px[i] - (gint) rgb[i]) <= tolerance,
        "channel %d is %u, expected %u (±%d)", i, px[i], rgb[i], tolerance);
}

Suite *
element_test_suite (const gchar * name, guint timeout_s, ...)
{
  Suite *s = suite_create (name);
  TCase *tc = tcase_create ("general");
  const gchar *fname;
  va_list ap;

  suite_add_tcase (s, tc);
  if (timeout_s > 0)
    tcase_set_timeout (tc, timeout_s);
  va_start (ap, timeout_s);
  while ((fname = va_arg (ap, const gchar *)) != NULL)
    _tcase_add_test (tc, va_arg (ap, TFun), fname, 0, 0, 0, 1);
  va_end (ap);
  return s;
}

void
element_test_harness_start (ElementTestHarness * e,
    const gchar * const *emu_args, GstElement * element,
    const gchar * sink_pad, const gchar * src_pad)
{
  e->emu = imagegen_test_emulator_start (emu_args);
  element_test_point_at (element, e->emu);
  e->bus = gst_bus_new ();
  gst_element_set_bus (element, e->bus);
  /* configured before the harness, which starts filters at once */
  e->h = gst_harness_new_with_element (element, sink_pad, src_pad);
  gst_object_unref (element);
  gst_harness_use_testclock (e->h);
  e->clock = gst_harness_get_testclock (e->h);
}

void
element_test_harness_stop (ElementTestHarness * e)
{
  gst_element_set_bus (e->h->element, NULL);
  gst_harness_teardown (e->h);
  gst_object_unref (e->bus);
  gst_object_unref (e->clock);
  imagegen_test_emulator_stop (e->emu);
}

void
element_test_wait_eos (GstHarness * h)
{
  GstEvent *ev;
  gboolean eos = FALSE;

  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos, "no EOS came out");
}

/* The error text of the start @element (taken) refuses. */
gchar *
element_test_start_error (GstElement * element)
{
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *text;

  gst_object_ref_sink (element);
  gst_element_set_bus (element, bus);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  text = g_strdup (err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
  return text;
}
