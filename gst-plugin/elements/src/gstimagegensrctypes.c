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
#include "imagegen-enum.h"

GST_DEBUG_CATEGORY (gst_imagegen_src_debug);

IMAGEGEN_DEFINE_ENUM (gst_imagegen_src_background_get_type,
    "GstImagegenSrcBackground",
    {GST_IMAGEGEN_SRC_BACKGROUND_OPAQUE, "The image as generated", "opaque"},
    {GST_IMAGEGEN_SRC_BACKGROUND_TRANSPARENT,
        "Background removed by a second task: real alpha", "transparent"});
