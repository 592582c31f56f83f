/* gst-imagegen client tests: a request body each model-table row takes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-models.h"

G_BEGIN_DECLS

/* model, a prompt where the row has one, every required field at its
 * first value or minimum, and @source_url as often as the input field
 * needs.  Free with json_object_unref(). */
JsonObject *test_model_example_body (const ImagegenModelRow * row,
    const gchar * source_url);

G_END_DECLS
