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

/* The emulator's options to speak https with the test certificate (and
 * keep its assets on their own origin): filled in by main(). */
static const gchar *tls_args[8];

static void
tls_args_init (void)
{
  const gchar *args[] = { "--latency", "200", "--tls-cert",
    tls_file ("server.pem"), "--tls-key", tls_file ("server-key.pem"),
    "--assets-port", "0", NULL
  };

  memcpy (tls_args, args, sizeof (args) - sizeof (args[0]));
}

/* ---- plain http ---- */

/* A config with TEST_KEY, to which @tweak adds a fault: the check
 * refuses it with a sentence starting @prefix, and a job run with it ends
 * in the same error, before any connection; the job's result. */
static ImagegenResult *
refused_config (void (*tweak) (ImagegenClientConfig * config),
    const gchar * prefix)
{
  ImagegenClientConfig config;
  g_autoptr (GError) error = NULL;
  ImagegenResult *r;

  imagegen_client_config_init (&config);
  config.api_key = g_strdup (TEST_KEY);
  tweak (&config);
  g_assert_false (imagegen_client_config_check (&config, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));

  r = test_run_config (&config, NULL);
  g_assert_error (r->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (r->error->message, ==, error->message);
  g_assert_cmpint (r->created_us, ==, 0);
  imagegen_client_config_clear (&config);
  return r;
}

/* Refused before any connection: 192.0.2.0/24 is never reached. */
static void
plain_http_far (ImagegenClientConfig * config)
{
  g_free (config->base_url);
  config->base_url = g_strdup ("http://192.0.2.10:8080");
}

static void
test_insecure_http_refused (void)
{
  g_autoptr (ImagegenResult) r = refused_config (plain_http_far,
      "refusing plain http:// to 192.0.2.10");

  g_assert_null (strstr (r->error->message, TEST_KEY));
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

  imagegen_test_assert_requests (emu, "files_prepare", 1, "files_put", 1,
      "files_confirm", 1, "files", 0, NULL);
  imagegen_test_assert_stats (emu, "upload_put_requests_with_authorization", 0,
      "assets_requests_with_authorization", 0, NULL);
  /* The PUT, the render's fetch of the file and the download. */
  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats,
          "assets_requests"), >=, 2);
}

/* ---- where the key goes, TLS: one job each ---- */

/* An API answer that redirects to another origin is an error: following
 * it would hand the key to that origin. */
static void
nothing_on_assets (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  imagegen_test_assert_stats (f->fx.emu, "assets_requests", 0,
      "assets_requests_with_authorization", 0, NULL);
}

/* A download that redirects (here from the assets origin to the API's
 * own) is followed, still without the key. */
static void
redirect_followed (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r)
{
  g_assert_true (test_is_png (r->image));
  imagegen_test_assert_requests (f->fx.emu, "download", 2, NULL);
  imagegen_test_assert_stats (f->fx.emu, "download_requests_with_authorization", 0,
      "assets_requests_with_authorization", 0, NULL);
}

/* The handshake failed, so no request (and no key) got through. */
static void
nothing_created (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  imagegen_test_assert_requests (f->fx.emu, "create_text_to_image", 0, NULL);
}

static void
trust_test_ca (ImagegenClientConfig * config)
{
  config->tls_ca_file = tls_file ("ca.pem");
}

static void
over_https (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_true (g_str_has_prefix (r->image_url, "https://"));
  g_assert_true (test_is_png (r->image));
}

static void
trust_anything (ImagegenClientConfig * config)
{
  config->tls_insecure = TRUE;
}

static void
png_came (const TestJobCase * c, TestFixture * f, ImagegenResult * r)
{
  g_assert_true (test_is_png (r->image));
}

#define ASSETS "--assets-port", "0"

static const TestJobCase cases[] = {
  {.path = "/client/transport/download-origin",.args = {ASSETS},.ok = TRUE,
      .check = test_check_assets_origin},
  {.path = "/client/transport/redirect-create",.args = {ASSETS, "--fail",
              "create:redirect"},.code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "unexpected redirect (HTTP 307)",
      .check = nothing_on_assets},
  {.path = "/client/transport/redirect-poll",.args = {ASSETS, "--fail",
              "poll:redirect"},.code = IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        .prefix = "unexpected redirect (HTTP 307)",
      .check = nothing_on_assets},
  {.path = "/client/transport/redirect-download",.args = {ASSETS, "--fail",
              "download:redirect"},.ok = TRUE,.check = redirect_followed},
  /* not a transient fault: no retry */
  {.path = "/client/transport/tls-untrusted",.more_args = tls_args,
        .code = IMAGEGEN_CLIENT_ERROR_TLS, TEST_RETRIES (0),
        .prefix = "TLS certificate not trusted: issuer unknown",
      .check = nothing_created},
  {.path = "/client/transport/tls-ca-file",.more_args = tls_args,
      .tweak = trust_test_ca,.ok = TRUE,.check = over_https},
  {.path = "/client/transport/tls-insecure",.more_args = tls_args,
      .tweak = trust_anything,.ok = TRUE,.check = png_came},
};

/* A file without any certificate in it. */
static void
ca_file_without_certificates (ImagegenClientConfig * config)
{
  config->tls_ca_file = tls_file ("README.md");
}

static void
test_tls_bad_ca_file (void)
{
  g_autoptr (ImagegenResult) r =
      refused_config (ca_file_without_certificates, "cannot use TLS CA file");
}

int
main (int argc, char **argv)
{
  tls_args_init ();
  return test_run_with_cases (&argc, &argv, cases, G_N_ELEMENTS (cases),
      "/client/transport/insecure-http-refused", test_insecure_http_refused,
      "/client/transport/insecure-http-allowed", test_insecure_http_allowed,
      "/client/transport/loopback-http", test_loopback_http,
      "/client/transport/upload-put", test_upload_put,
      "/client/transport/tls-bad-ca-file", test_tls_bad_ca_file, NULL);
}
