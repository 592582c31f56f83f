/* gst-imagegen: imagegensrc's enumeration (background) as a GType, and its
 * debug category (in this lowest file, so that the files that log refer
 * to no file above them; the element's class initializes it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensrcpriv.h"

GST_DEBUG_CATEGORY (gst_imagegen_src_debug);

GType
gst_imagegen_src_background_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_IMAGEGEN_SRC_BACKGROUND_OPAQUE, "The image as generated", "opaque"},
    {GST_IMAGEGEN_SRC_BACKGROUND_TRANSPARENT,
        "Background removed by a second task: real alpha", "transparent"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstImagegenSrcBackground", values);
    g_once_init_leave (&type, t);
  }
  return type;
}
