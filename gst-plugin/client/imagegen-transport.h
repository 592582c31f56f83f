/* gst-imagegen: transport policy — which URLs may carry the key, and how
 * TLS is checked.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Is @uri's host a loopback name or address (localhost, 127.0.0.0/8,
 * ::1)?  Only the literal forms count: no name is resolved. */
gboolean imagegen_transport_uri_is_loopback (GUri * uri);

/* Checks the base URL (http(s), plain http only to loopback unless
 * allowed) and the TLS settings of @config. */
gboolean imagegen_transport_check_config (const ImagegenClientConfig * config,
    GError ** error);

/* The trust store of @config: NULL for the system's, or one made of
 * tls_ca_file.  FALSE with @error set when that file is unusable. */
gboolean imagegen_transport_tls_database (const ImagegenClientConfig * config,
    GTlsDatabase ** database, GError ** error);

/* Turns a TLS failure of @msg into a sentence that says what was wrong
 * with the peer's certificate.  @cause is not taken. */
GError *imagegen_transport_tls_error (SoupMessage * msg,
    const GError * cause);

G_END_DECLS
