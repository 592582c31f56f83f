/* gst-imagegen: the extra property as the JSON the client sends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include "imagegen-client.h"

G_BEGIN_DECLS

/* @extra's fields as a JSON object ("params,seed=7" → {"seed":7}); NULL
 * for a NULL @extra, or with @error set for a field of a type JSON cannot
 * carry.  The structure's name is ignored. */
gchar *gst_imagegen_extra_to_json (const GstStructure * extra,
    GError ** error);

G_END_DECLS
