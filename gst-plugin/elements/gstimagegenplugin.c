/* gst-imagegen: the plugin, registering the imagegen elements.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "imagegen-version.h"

#include "gstimagegenlog.h"
#include "gstimagegensrc.h"
#include "gstimagegenremix.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  gst_imagegen_debug_init ();
  ret |= GST_ELEMENT_REGISTER (imagegensrc, plugin);
  ret |= GST_ELEMENT_REGISTER (imagegentextsrc, plugin);
  ret |= GST_ELEMENT_REGISTER (imagegenremix, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, imagegen,
    "Remote image generation (text to image, image remix) in pipelines",
    plugin_init, IMAGEGEN_VERSION, GST_LICENSE, GST_PACKAGE_NAME,
    GST_PACKAGE_ORIGIN)
