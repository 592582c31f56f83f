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
element_test_painted_frame (gint width, gint height, ElementTestPaint paint,
    gpointer data)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, width * height * 4, NULL);
  GstMapInfo map;
  gint x, y;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      guint8 *p = map.data + 4 * (y * width + x);

      paint (x, y, p, data);
      p[3] = 255;
    }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

static void
paint_flat (gint x, gint y, guint8 rgb[3], gpointer data)
{
  memcpy (rgb, data, 3);
}

GstBuffer *
element_test_flat_frame (gint width, gint height, const guint8 rgb[3])
{
  return element_test_painted_frame (width, height, paint_flat,
      (gpointer) rgb);
}

GstBuffer *
element_test_convert (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  GstVideoConverter *conv = gst_video_converter_new ((GstVideoInfo *) in_info,
      (GstVideoInfo *) out_info, NULL);
  GstBuffer *out =
      gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out_info), NULL);
  GstVideoFrame a, b;

  fail_unless (conv != NULL);
  fail_unless (gst_video_frame_map (&a, in_info, in, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&b, out_info, out, GST_MAP_WRITE));
  gst_video_converter_frame (conv, &a, &b);
  gst_video_frame_unmap (&b);
  gst_video_frame_unmap (&a);
  gst_video_converter_free (conv);
  return out;
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

/* The text of the oldest message of @type on @bus, or NULL. */
static gchar *
pop_text (GstBus * bus, GstMessageType type)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, type);
  GError *err = NULL;
  gchar *text;

  if (msg == NULL)
    return NULL;
  if (type == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &err, NULL);
  else
    gst_message_parse_warning (msg, &err, NULL);
  text = g_strdup (err->message);
  g_error_free (err);
  gst_message_unref (msg);
  return text;
}

gchar *
element_test_pop_error (GstBus * bus)
{
  gchar *text = pop_text (bus, GST_MESSAGE_ERROR);

  fail_unless (text != NULL, "no error came");
  return text;
}

gchar *
element_test_pop_warning (GstBus * bus)
{
  return pop_text (bus, GST_MESSAGE_WARNING);
}

gchar *
element_test_start_error (GstElement * element)
{
  GstBus *bus = gst_bus_new ();
  gchar *text;

  gst_element_set_bus (element, bus);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  text = element_test_pop_error (bus);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  return text;
}

void
element_test_expect_refused (GstElement * element, GstBus * bus,
    const gchar * property, const gchar * value, const gchar * says,
    const gchar * kept)
{
  gchar *quoted = g_strdup_printf ("\"%s\"", property), *now, *text;

  g_object_set (element, property, value, NULL);
  text = element_test_pop_warning (bus);
  fail_unless (text != NULL, "no warning for %s of %u characters", property,
      (guint) strlen (value));
  fail_unless (strstr (text, quoted) != NULL, "got: %s", text);
  fail_unless (strstr (text, says) != NULL, "got: %s", text);
  g_object_get (element, property, &now, NULL);
  fail_unless_equals_string (now, kept);
  g_free (now);
  g_free (text);
  g_free (quoted);
}

void
element_test_drain_bus (GstBus * bus, gchar ** warning)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus)) != NULL) {
    GError *err;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR,
        "a runtime change's 422 stopped the stream");
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING && *warning == NULL) {
      gst_message_parse_warning (msg, &err, NULL);
      *warning = g_strdup (err->message);
      g_error_free (err);
    }
    gst_message_unref (msg);
  }
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

/* a warning or an error popped from a bus: counted, or the test fails */
static void
note_warning (GstMessage * msg, guint * warnings, gchar ** first)
{
  GError *err = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (msg, &err, NULL);
    fail ("error: %s", err->message);
  }
  gst_message_parse_warning (msg, &err, NULL);
  if (first != NULL && *first == NULL)
    *first = g_strdup (err->message);
  (*warnings)++;
  g_error_free (err);
}

void
element_test_wait_task_event (GstBus * bus, const gchar * event,
    guint * warnings, gchar ** first)
{
  while (TRUE) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
    const GstStructure *s;
    gboolean found = FALSE;

    fail_unless (msg != NULL, "no '%s' task message", event);
    if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT)
      note_warning (msg, warnings, first);
    s = gst_message_get_structure (msg);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (s, "imagegen-task"))
      found = g_str_equal (gst_structure_get_string (s, "event"), event);
    gst_message_unref (msg);
    if (found)
      return;
  }
}

guint
element_test_count_warnings (GstBus * bus, guint * warnings, gchar ** first)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING |
              GST_MESSAGE_ERROR))) {
    note_warning (msg, warnings, first);
    gst_message_unref (msg);
  }
  return *warnings;
}

guint64
element_test_stat (GstElement * element, const gchar * name)
{
  GstStructure *stats;
  guint64 v = 0;
  gint64 i;
  guint u;
  gboolean found = TRUE;

  g_object_get (element, "stats", &stats, NULL);
  if (gst_structure_get_uint (stats, name, &u))
    v = u;
  else if (gst_structure_get_int64 (stats, name, &i))
    v = (guint64) i;
  else
    found = gst_structure_get_uint64 (stats, name, &v);
  gst_structure_free (stats);
  fail_unless (found, "no %s in the stats", name);
  return v;
}
