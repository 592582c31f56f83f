/* gst-imagegen: what RunAPI's files share (imagegen-provider-runapi.c,
 * imagegen-runapi-files.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-provider.h"

G_BEGIN_DECLS

/* The Files API (imagegen-runapi-files.c). */
gchar *imagegen_runapi_build_upload_body (GBytes * image, guint index);
gchar *imagegen_runapi_parse_upload (JsonNode * root, GError ** error);
gchar *imagegen_runapi_build_prepare_body (GBytes * image, guint index);
gboolean imagegen_runapi_parse_prepare (JsonNode * root,
    ImagegenUploadTarget * target, GError ** error);
gchar *imagegen_runapi_build_confirm_body (const ImagegenUploadTarget *
    target);

G_END_DECLS
