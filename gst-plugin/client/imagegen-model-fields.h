/* gst-imagegen: what imagegen-model-fields.c and imagegen-model-body.c
 * share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-models.h"

G_BEGIN_DECLS

/* @value is one of the space-separated words of @list */
gboolean imagegen_in_words (const gchar * list, const gchar * value);
/* @node holds a value of @type */
gboolean imagegen_node_is (JsonNode * node, GType type);

G_END_DECLS
