/* gst-imagegen: what kind of image some bytes are, from their signature.
 * The one sniffer of the client, the providers and the emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "image/png", "image/jpeg", "image/webp" or "image/gif"; NULL when @bytes
 * start with none of their signatures. */
const gchar *imagegen_image_type_sniff (GBytes * bytes);

/* The usual file name ending of @mime ("png", "jpg", "webp", "gif",
 * without the dot); NULL for a type the sniffer does not know. */
const gchar *imagegen_image_type_extension (const gchar * mime);

G_END_DECLS
