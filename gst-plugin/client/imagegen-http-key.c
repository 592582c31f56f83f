/* gst-imagegen: where the API key may go — its own origin, and hosts of
 * the provider's key domain over https.  Nowhere else: upload and result
 * URLs are other hosts'.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-http.h"

#include <string.h>

gboolean
imagegen_http_same_origin (GUri * a, GUri * b)
{
  const gchar *sa, *sb, *ha, *hb;
  gint pa, pb;

  if (a == NULL || b == NULL)
    return FALSE;
  sa = g_uri_get_scheme (a);
  sb = g_uri_get_scheme (b);
  ha = g_uri_get_host (a);
  hb = g_uri_get_host (b);
  if (sa == NULL || sb == NULL || ha == NULL || hb == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (sa, sb) != 0 || g_ascii_strcasecmp (ha, hb) != 0)
    return FALSE;

  pa = g_uri_get_port (a);
  pb = g_uri_get_port (b);
  if (pa == -1)
    pa = g_ascii_strcasecmp (sa, "https") == 0 ? 443 : 80;
  if (pb == -1)
    pb = g_ascii_strcasecmp (sb, "https") == 0 ? 443 : 80;
  return pa == pb;
}

static gboolean
host_in_domain (const gchar * host, const gchar * domain)
{
  gsize hl = strlen (host), dl = strlen (domain);

  return hl > dl && host[hl - dl - 1] == '.'
      && g_ascii_strcasecmp (host + hl - dl, domain) == 0;
}

gboolean
imagegen_http_key_allowed (const ImagegenHttp * http, GUri * uri)
{
  const gchar *host, *api_host;

  if (imagegen_http_same_origin (uri, http->base_uri))
    return TRUE;
  if (uri == NULL || http->base_uri == NULL)
    return FALSE;
  host = g_uri_get_host (uri);
  api_host = g_uri_get_host (http->base_uri);
  if (http->key_hosts != NULL && host != NULL && api_host != NULL)
    return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0
        && g_strv_contains (http->key_hosts, host)
        && g_strv_contains (http->key_hosts, api_host);
  if (http->key_domain == NULL)
    return FALSE;
  return host != NULL && api_host != NULL
      && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0
      && host_in_domain (host, http->key_domain)
      && host_in_domain (api_host, http->key_domain);
}
