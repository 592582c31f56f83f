/* gst-imagegen: imagegenremix's enumerations (mode, fallback) as GTypes,
 * and its debug category (in this lowest file, so that the files that log
 * refer to no file above them; the element's class initializes it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"
#include "imagegen-enum.h"

GST_DEBUG_CATEGORY (gst_imagegen_remix_debug);

IMAGEGEN_DEFINE_ENUM (gst_imagegen_remix_mode_get_type, "GstImagegenRemixMode",
    {GST_IMAGEGEN_REMIX_MODE_AUTO, "Live when upstream is live", "auto"},
    {GST_IMAGEGEN_REMIX_MODE_LIVE, "Never wait, show the newest result",
        "live"},
    {GST_IMAGEGEN_REMIX_MODE_OFFLINE, "Wait for every frame's result",
        "offline"},
    {GST_IMAGEGEN_REMIX_MODE_ALIGNED, "Live, frames held for the latency "
          "to show their own result", "aligned"});

IMAGEGEN_DEFINE_ENUM (gst_imagegen_remix_fallback_get_type,
    "GstImagegenRemixFallback",
    {GST_IMAGEGEN_REMIX_FALLBACK_INPUT, "The input frame itself", "input"},
    {GST_IMAGEGEN_REMIX_FALLBACK_BLACK, "A black frame", "black"},
    {GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS,
        "The previous result (the input while there is none)", "previous"});
