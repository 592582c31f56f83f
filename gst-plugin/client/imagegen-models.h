/* gst-imagegen: the models the service takes and the values each accepts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef IMAGEGEN_MODELS_H
#define IMAGEGEN_MODELS_H

#include "imagegen-client.h"

G_BEGIN_DECLS

/* Checks @model (an id of @endpoint's kind), @aspect_ratio (NULL: the
 * service default, where the model has one) and @resolution (NULL: the
 * default) against the model table (PROTOCOL.md, "Models and request
 * fields").  FALSE with an IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT error
 * that names the property (model, aspect-ratio, resolution) and lists the
 * valid values. */
gboolean imagegen_models_check (ImagegenEndpoint endpoint,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error);

/* Background removal: a remix-kind request of this model with one source
 * image and no prompt; the result has real alpha. */
#define IMAGEGEN_MODEL_REMOVE_BACKGROUND "recraft-remove-background"

/* The model ids of @endpoint's kind, "a, b, c"; free with g_free(). */
gchar *imagegen_models_ids (ImagegenEndpoint endpoint);

G_END_DECLS

#endif /* IMAGEGEN_MODELS_H */
