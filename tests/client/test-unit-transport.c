/* gst-imagegen client, unit tests without any network: the transport: loopback hosts, the config check, origins.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"
#include "imagegen-http.h"
#include "imagegen-transport.h"
#include "imagegen-test-fixture.h"

#include <string.h>

static void
test_loopback (void)
{
  static const struct
  {
    const gchar *url;
    gboolean loopback;
  } cases[] = {
    {"http://127.0.0.1:8080", TRUE},
    {"http://127.1.2.3/", TRUE},
    {"http://localhost", TRUE},
    {"http://LocalHost:9/x", TRUE},
    {"http://[::1]:8080", TRUE},
    {"http://10.0.0.1", FALSE},
    {"http://128.0.0.1", FALSE},
    {"http://runapi.ai", FALSE},
    {"http://127.0.0.1.nip.io", FALSE},
    {"http://localhost.example.com", FALSE},
    {"http://[::2]", FALSE},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GUri) uri = g_uri_parse (cases[i].url, SOUP_HTTP_URI_FLAGS,
        NULL);

    g_assert_nonnull (uri);
    g_assert_cmpint (imagegen_transport_uri_is_loopback (uri), ==,
        cases[i].loopback);
  }
}

static void
test_config_check (void)
{
  ImagegenClientConfig c;
  GError *error = NULL;

  imagegen_client_config_init (&c);
  g_assert_true (imagegen_client_config_check (&c, NULL));
  g_assert_false (c.tls_insecure);
  g_assert_false (c.allow_insecure_http);
  g_assert_null (c.tls_ca_file);

  g_free (c.base_url);
  c.base_url = g_strdup ("ftp://runapi.ai");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_free (c.base_url);
  c.base_url = g_strdup ("http://runapi.ai");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_true (g_str_has_prefix (error->message,
          "refusing plain http:// to runapi.ai"));
  g_clear_error (&error);
  c.allow_insecure_http = TRUE;
  g_assert_true (imagegen_client_config_check (&c, NULL));

  g_free (c.base_url);
  c.base_url = g_strdup ("http://[::1]:9");
  c.allow_insecure_http = FALSE;
  g_assert_true (imagegen_client_config_check (&c, NULL));

  c.tls_ca_file = g_strdup ("/nonexistent/ca.pem");
  g_assert_false (imagegen_client_config_check (&c, &error));
  g_assert_true (g_str_has_prefix (error->message, "cannot use TLS CA file"));
  g_clear_error (&error);
  imagegen_client_config_clear (&c);
}

static void
test_origin (void)
{
  g_autoptr (GUri) a = g_uri_parse ("https://runapi.ai", G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) b = g_uri_parse ("https://RUNAPI.ai:443/api/v1/x",
      G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) c = g_uri_parse ("http://runapi.ai/api", G_URI_FLAGS_NONE,
      NULL);
  g_autoptr (GUri) d = g_uri_parse ("https://cdn.runapi.ai/x.png",
      G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) e = g_uri_parse ("https://runapi.ai:8443/x",
      G_URI_FLAGS_NONE, NULL);

  g_assert_true (imagegen_http_same_origin (a, b));
  g_assert_false (imagegen_http_same_origin (a, c));
  g_assert_false (imagegen_http_same_origin (a, d));
  g_assert_false (imagegen_http_same_origin (a, e));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/transport/loopback", test_loopback,
      "/transport/config-check", test_config_check, "/http/origin", test_origin,
      NULL);
}
