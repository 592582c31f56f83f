/* gst-imagegen: the plugin-wide "imagegen" debug category.
 *
 * The elements keep a category each for what is theirs (timing, caps);
 * everything about requests goes here, so GST_DEBUG=imagegen:5 explains a
 * whole job: its HTTP exchanges, retries, polls and outcome.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenlog.h"

GST_DEBUG_CATEGORY (gst_imagegen_debug);

void
gst_imagegen_debug_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_imagegen_debug, "imagegen", 0,
        "imagegen elements: requests, tasks and the API client");
    g_once_init_leave (&done, 1);
  }
}

void
gst_imagegen_client_log (ImagegenLogLevel level, const gchar * file,
    const gchar * function, gint line, const gchar * message,
    gpointer user_data)
{
#ifndef GST_DISABLE_GST_DEBUG
  static const GstDebugLevel levels[] = {
    [IMAGEGEN_LOG_WARNING] = GST_LEVEL_WARNING,
    [IMAGEGEN_LOG_INFO] = GST_LEVEL_INFO,
    [IMAGEGEN_LOG_DEBUG] = GST_LEVEL_DEBUG,
    [IMAGEGEN_LOG_TRACE] = GST_LEVEL_LOG,
  };
  GstDebugLevel gst_level = (guint) level < G_N_ELEMENTS (levels) ?
      levels[level] : GST_LEVEL_LOG;

  gst_imagegen_debug_init ();
  if (gst_level > gst_debug_category_get_threshold (gst_imagegen_debug))
    return;
  gst_debug_log (gst_imagegen_debug, gst_level, file, function, line,
      user_data ? G_OBJECT (user_data) : NULL, "%s", message);
#endif
}
