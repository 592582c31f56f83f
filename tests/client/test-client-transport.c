/* gst-imagegen client: where the key goes, plain http and TLS trust.
 *
 * The emulator's --assets-port puts result, file and upload URLs on a
 * second origin and counts every request that reaches it with an
 * Authorization header; --tls-cert makes it speak https with the test CA's
 * certificate from tests/data/tls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static gchar *
tls_file (const gchar * name)
{
  const gchar *dir = g_getenv ("IMAGEGEN_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, "tls", name, NULL);
}

/* Starts an emulator speaking https with the test certificate. */
static ImagegenTestEmulator *
start_tls_emulator (void)
{
  g_autofree gchar *cert = tls_file ("server.pem");
  g_autofree gchar *key = tls_file ("server-key.pem");
  const gchar *args[] = { "--latency", "200", "--tls-cert", cert,
    "--tls-key", key, "--assets-port", "0", NULL
  };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);

  g_assert_true (g_str_has_prefix (imagegen_test_emulator_get_base_url (emu),
          "https://127.0.0.1:"));
  return emu;
}

/* ---- plain http ---- */

static void
test_insecure_http_refused (void)
{
  ImagegenClientConfig config;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GError) error = NULL;

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  /* Refused before any connection: 192.0.2.0/24 is never reached. */
  config.base_url = g_strdup ("http://192.0.2.10:8080");
  config.api_key = g_strdup (TEST_KEY);

  g_assert_false (imagegen_client_config_check (&config, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message,
          "refusing plain http:// to 192.0.2.10"));

  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (r->error->message, ==, error->message);
  g_assert_null (strstr (r->error->message, TEST_KEY));
  g_assert_cmpint (r->created_us, ==, 0);
  imagegen_client_config_clear (&config);
}

/* allow_insecure_http lifts the refusal: the job gets as far as the name
 * lookup (.invalid never resolves, so nothing is sent anywhere). */
static void
test_insecure_http_allowed (void)
{
  ImagegenClientConfig config;
  g_autoptr (ImagegenResult) r = NULL;

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  config.base_url = g_strdup ("http://imagegen-does-not-exist.invalid");
  config.api_key = g_strdup (TEST_KEY);
  config.max_retries = 0;
  g_assert_false (imagegen_client_config_check (&config, NULL));

  config.allow_insecure_http = TRUE;
  g_assert_true (imagegen_client_config_check (&config, NULL));
  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_NETWORK);
  g_test_message ("%s", r->error->message);
  imagegen_client_config_clear (&config);
}

static void
test_loopback_http (void)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;
  const gchar *url = imagegen_test_emulator_get_base_url (emu);

  test_config_init (&config, emu);
  /* The same server by name: "localhost" counts as loopback too. */
  g_free (config.base_url);
  config.base_url = g_strdup_printf ("http://localhost:%s",
      strrchr (url, ':') + 1);
  g_assert_true (imagegen_client_config_check (&config, NULL));
  r = test_run_config (&config, NULL);
  g_assert_no_error (r->error);
  imagegen_client_config_clear (&config);
}

/* ---- where the key goes ---- */

static void
test_download_origin (void)
{
  const gchar *args[] = { "--assets-port", "0", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = test_run_config (&config, NULL);
  g_assert_no_error (r->error);
  g_assert_true (g_str_has_prefix (r->image_url,
          imagegen_test_emulator_get_assets_url (emu)));

  test_assert_no_key_on_assets (emu, 1);
  imagegen_client_config_clear (&config);
}

static void
test_upload_put (void)
{
  const gchar *args[] = { "--assets-port", "0", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;

  r = test_run_direct_upload (emu);
  g_assert_no_error (r->error);
  g_assert_nonnull (r->image);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "files_prepare"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "files_put"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "files_confirm"), ==, 1);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats, "files"),
      ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "upload_put_requests_with_authorization"), ==, 0);
  /* The PUT, the render's fetch of the file and the download. */
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests"), >=, 2);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests_with_authorization"), ==, 0);
}

/* An API answer that redirects to another origin is an error: following
 * it would hand the key to that origin. */
static void
redirect_api (const gchar * spec)
{
  const gchar *args[] = { "--assets-port", "0", "--fail", spec, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message,
          "unexpected redirect (HTTP 307)"));

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests"), ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests_with_authorization"), ==, 0);
  imagegen_client_config_clear (&config);
}

static void
test_redirect_create (void)
{
  redirect_api ("create:redirect");
}

static void
test_redirect_poll (void)
{
  redirect_api ("poll:redirect");
}

/* A download that redirects (here from the assets origin to the API's
 * own) is followed, still without the key. */
static void
test_redirect_download (void)
{
  const gchar *args[] = { "--assets-port", "0", "--fail", "download:redirect",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = test_run_config (&config, NULL);
  g_assert_no_error (r->error);
  g_assert_true (test_is_png (r->image));

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats, "download"),
      ==, 2);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "download_requests_with_authorization"), ==, 0);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests_with_authorization"), ==, 0);
  imagegen_client_config_clear (&config);
}

/* ---- TLS ---- */

static void
test_tls_untrusted (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start_tls_emulator ();
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TLS);
  g_test_message ("%s", r->error->message);
  g_assert_true (g_str_has_prefix (r->error->message,
          "TLS certificate not trusted: issuer unknown"));
  /* Not a transient fault: no retry. */
  g_assert_cmpuint (r->retries, ==, 0);

  /* The handshake failed, so no request (and no key) got through. */
  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "create_text_to_image"), ==, 0);
  imagegen_client_config_clear (&config);
}

static void
test_tls_ca_file (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start_tls_emulator ();
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  config.tls_ca_file = tls_file ("ca.pem");
  r = test_run_config (&config, NULL);
  g_assert_no_error (r->error);
  g_assert_true (g_str_has_prefix (r->image_url, "https://"));
  g_assert_true (test_is_png (r->image));
  imagegen_client_config_clear (&config);
}

static void
test_tls_insecure (void)
{
  g_autoptr (ImagegenTestEmulator) emu = start_tls_emulator ();
  g_autoptr (ImagegenResult) r = NULL;
  ImagegenClientConfig config;

  test_config_init (&config, emu);
  config.tls_insecure = TRUE;
  r = test_run_config (&config, NULL);
  g_assert_no_error (r->error);
  g_assert_true (test_is_png (r->image));
  imagegen_client_config_clear (&config);
}

static void
test_tls_bad_ca_file (void)
{
  ImagegenClientConfig config;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (GError) error = NULL;

  imagegen_client_config_init (&config);
  config.api_key = g_strdup (TEST_KEY);
  /* A file without any certificate in it. */
  config.tls_ca_file = tls_file ("README.md");
  g_assert_false (imagegen_client_config_check (&config, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "cannot use TLS CA file"));

  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  imagegen_client_config_clear (&config);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv,
      "/client/transport/insecure-http-refused", test_insecure_http_refused,
      "/client/transport/insecure-http-allowed", test_insecure_http_allowed,
      "/client/transport/loopback-http", test_loopback_http,
      "/client/transport/download-origin", test_download_origin,
      "/client/transport/upload-put", test_upload_put,
      "/client/transport/redirect-create", test_redirect_create,
      "/client/transport/redirect-poll", test_redirect_poll,
      "/client/transport/redirect-download", test_redirect_download,
      "/client/transport/tls-untrusted", test_tls_untrusted,
      "/client/transport/tls-ca-file", test_tls_ca_file,
      "/client/transport/tls-insecure", test_tls_insecure,
      "/client/transport/tls-bad-ca-file", test_tls_bad_ca_file, NULL);
}
