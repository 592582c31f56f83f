/* gst-imagegen: transport policy — which URLs may carry the key, and how
 * TLS is checked.
 *
 * The key travels in a header, so a plain http:// base URL would hand it to
 * anyone on the path.  Loopback is the exception: that traffic never leaves
 * the machine (the emulator, a local proxy).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-transport.h"

#include <string.h>

gboolean
imagegen_transport_uri_is_loopback (GUri * uri)
{
  const gchar *host = uri ? g_uri_get_host (uri) : NULL;
  GInetAddress *addr;
  gboolean loopback;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* GUri keeps IPv6 literals without their brackets. */
  addr = g_inet_address_new_from_string (host);
  if (addr == NULL)
    return FALSE;
  loopback = g_inet_address_get_is_loopback (addr);
  g_object_unref (addr);
  return loopback;
}

gboolean
imagegen_transport_check_config (const ImagegenClientConfig * config,
    GError ** error)
{
  const gchar *url = config->base_url ? config->base_url :
      IMAGEGEN_CLIENT_DEFAULT_BASE_URL;
  GUri *uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  const gchar *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  gboolean ok = TRUE;

  if (uri == NULL || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0' || scheme == NULL
      || (g_ascii_strcasecmp (scheme, "https") != 0
          && g_ascii_strcasecmp (scheme, "http") != 0)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "invalid base URL \"%s\": expected https://HOST[:PORT]", url);
    ok = FALSE;
  } else if (g_ascii_strcasecmp (scheme, "http") == 0
      && !config->allow_insecure_http
      && !imagegen_transport_uri_is_loopback (uri)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "refusing plain http:// to %s: the API key would travel "
        "unencrypted; use https:// (or allow-insecure-http for a trusted "
        "network)", g_uri_get_host (uri));
    ok = FALSE;
  } else if (strstr (g_uri_get_path (uri), "/api/v1") != NULL) {
    /* the providers add their paths: every request would be a 404 */
    gchar *root = g_uri_join (G_URI_FLAGS_NONE, scheme, NULL,
        g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);

    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "invalid base URL \"%s\": the base URL must not contain the API "
        "path (/api/v1); use \"%s\"", url, root);
    g_free (root);
    ok = FALSE;
  }
  g_clear_pointer (&uri, g_uri_unref);

  if (ok && config->tls_ca_file != NULL && !config->tls_insecure) {
    GTlsDatabase *db = NULL;

    ok = imagegen_transport_tls_database (config, &db, error);
    g_clear_object (&db);
  }
  return ok;
}

gboolean
imagegen_transport_tls_database (const ImagegenClientConfig * config,
    GTlsDatabase ** database, GError ** error)
{
  GError *err = NULL;
  GList *anchors;

  *database = NULL;
  if (config->tls_ca_file == NULL || *config->tls_ca_file == '\0')
    return TRUE;

  /* g_tls_file_database_new() accepts a file without certificates; such a
   * store would reject every server with a puzzling "unknown CA". */
  anchors = g_tls_certificate_list_new_from_file (config->tls_ca_file, &err);
  if (anchors == NULL) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "cannot use TLS CA file \"%s\": %s", config->tls_ca_file,
        err ? err->message : "no certificate in it");
    g_clear_error (&err);
    return FALSE;
  }
  g_list_free_full (anchors, g_object_unref);

  *database = g_tls_file_database_new (config->tls_ca_file, &err);
  if (*database == NULL) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "cannot use TLS CA file \"%s\": %s", config->tls_ca_file,
        err->message);
    g_clear_error (&err);
    return FALSE;
  }
  return TRUE;
}

GError *
imagegen_transport_tls_error (SoupMessage * msg, const GError * cause)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const gchar *text;
  } reasons[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, "issuer unknown (self-signed or a "
          "private CA: pass its certificate as tls-ca-file)"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, "issued for another host"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet"},
    {G_TLS_CERTIFICATE_EXPIRED, "expired"},
    {G_TLS_CERTIFICATE_REVOKED, "revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "uses an insecure algorithm"},
  };
  GTlsCertificateFlags flags = msg ?
      soup_message_get_tls_peer_certificate_errors (msg) : 0;
  GUri *uri = msg ? soup_message_get_uri (msg) : NULL;
  const gchar *host = uri ? g_uri_get_host (uri) : NULL;
  GString *why = g_string_new (NULL);
  GError *error;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (reasons); i++) {
    if (flags & reasons[i].flag)
      g_string_append_printf (why, "%s%s", why->len ? ", " : "",
          reasons[i].text);
  }
  if (why->len == 0)
    g_string_append (why, cause ? cause->message : "handshake failed");

  error = g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TLS,
      "TLS certificate not trusted: %s (host %s)", why->str,
      host ? host : "?");
  g_string_free (why, TRUE);
  return error;
}

gboolean
imagegen_client_config_check (const ImagegenClientConfig * config,
    GError ** error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return imagegen_transport_check_config (config, error);
}
