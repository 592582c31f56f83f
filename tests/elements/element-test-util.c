/* gst-imagegen: helpers the element tests share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-test-util.h"

#include <gst/check/gstcheck.h>

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
