/* gst-imagegen: string-array (GStrv) properties that gst-launch can set.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void gst_imagegen_strv_enable_parsing (void);

G_END_DECLS
