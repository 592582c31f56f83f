/* gst-imagegen client: the emulator answers as the service's own fixtures
 * do, and the client reads those answers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"

#include <string.h>

static const gchar *const auth_headers[] = {
  "Authorization", "Bearer " TEST_KEY, NULL
};

/* POST @path with a JSON @body; the answer as an object. */
static JsonObject *
post_json (ImagegenTestEmulator * emu, const gchar * path,
    const gchar * body, guint * status)
{
  g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) answer = imagegen_test_emulator_request (emu, "POST",
      path, auth_headers, b, "application/json", status);

  return imagegen_test_json_object (answer);
}

static JsonObject *
get_json (ImagegenTestEmulator * emu, const gchar * path, guint * status)
{
  g_autoptr (GBytes) answer = imagegen_test_emulator_request (emu, "GET",
      path, auth_headers, NULL, NULL, status);

  return imagegen_test_json_object (answer);
}

/* Prepares a direct upload of @data; returns the answer. */
static JsonObject *
prepare (ImagegenTestEmulator * emu, const gchar * data, gchar ** md5)
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize len = sizeof (digest);
  g_autofree gchar *body = NULL;
  JsonObject *answer;
  guint status = 0;

  g_checksum_update (c, (const guchar *) data, strlen (data));
  g_checksum_get_digest (c, digest, &len);
  g_checksum_free (c);
  *md5 = g_base64_encode (digest, len);
  body = g_strdup_printf ("{\"filename\":\"frame.png\",\"byte_size\":%"
      G_GSIZE_FORMAT ",\"checksum\":\"%s\",\"content_type\":\"image/png\"}",
      strlen (data), *md5);
  answer = post_json (emu, "/api/v1/files/prepare", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (answer);
  return answer;
}

/* PUTs @data to the upload URL of @answer with @headers; the status. */
static guint
put (ImagegenTestEmulator * emu, JsonObject * answer, const gchar * data,
    const gchar * const *headers)
{
  const gchar *url = json_object_get_string_member (answer, "upload_url");
  const gchar *assets = imagegen_test_emulator_get_assets_url (emu);
  g_autoptr (GBytes) b = g_bytes_new (data, strlen (data));
  g_autoptr (GBytes) reply = NULL;
  guint status = 0;

  /* on the assets origin, like the service's storage host */
  g_assert_true (g_str_has_prefix (url, assets));
  reply = imagegen_test_emulator_request (emu, "PUT", url, headers, b, NULL,
      &status);
  return status;
}

/* The SDK's fixture: prepare answers Content-Type and Content-MD5, and the
 * PUT is refused unless it carries exactly those, as a signed URL is. */
static void
test_prepare_headers (void)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  const gchar *data = "not really a png, but bytes to upload";
  g_autoptr (JsonObject) answer = NULL;
  g_autofree gchar *md5 = NULL;
  JsonObject *headers;

  answer = prepare (emu, data, &md5);
  headers = json_object_get_object_member (answer, "headers");
  g_assert_cmpuint (json_object_get_size (headers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (headers, "Content-Type"),
      ==, "image/png");
  g_assert_cmpstr (json_object_get_string_member (headers, "Content-MD5"),
      ==, md5);

  {
    const gchar *none[] = { NULL };
    const gchar *wrong_md5[] = { "Content-Type", "image/png",
      "Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==", NULL
    };
    const gchar *wrong_type[] = { "Content-Type", "image/jpeg",
      "Content-MD5", md5, NULL
    };
    const gchar *exact[] = { "Content-Type", "image/png",
      "Content-MD5", md5, NULL
    };

    g_assert_cmpuint (put (emu, answer, data, none), ==, 400);
    g_assert_cmpuint (put (emu, answer, data, wrong_md5), ==, 400);
    g_assert_cmpuint (put (emu, answer, data, wrong_type), ==, 400);
    g_assert_cmpuint (put (emu, answer, data, exact), ==, 200);
  }
}

/* --upload-headers none: "headers":{} (PROTOCOL.md allows it) and a PUT
 * without any header is taken. */
static void
test_prepare_no_headers (void)
{
  const gchar *args[] = { "--upload-headers", "none", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  const gchar *data = "bytes to upload";
  const gchar *none[] = { NULL };
  g_autoptr (JsonObject) answer = NULL;
  g_autofree gchar *md5 = NULL;

  answer = prepare (emu, data, &md5);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member
          (answer, "headers")), ==, 0);
  g_assert_cmpuint (put (emu, answer, data, none), ==, 200);
}

/* The client's direct upload sends exactly the headers it was given: with
 * the fixture's headers (else the PUT is refused) and with none. */
static void
check_direct_upload (const gchar * upload_headers)
{
  const gchar *args[] = { "--latency", "100", "--upload-headers",
    upload_headers, NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenResult) r = test_run_direct_upload (emu);
  g_autoptr (JsonObject) stats = NULL;

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->retries, ==, 0);
  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "files_put"), ==, 1);
}

static void
test_direct_upload_fixture_headers (void)
{
  check_direct_upload ("fixture");
}

static void
test_direct_upload_no_headers (void)
{
  check_direct_upload ("none");
}

/* The two error shapes the service answers, raw and as the client reads
 * them. */
static ImagegenResult *
run_failing (const gchar * shape, const gchar * spec)
{
  const gchar *args[] = { "--latency", "100", "--error-shape", shape,
    "--fail", spec, NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  ImagegenClientConfig config;
  ImagegenResult *r;

  test_config_init (&config, emu);
  config.max_retries = 0;
  r = test_run_config (&config, NULL);
  imagegen_client_config_clear (&config);
  return r;
}

static void
test_error_shapes_raw (void)
{
  const gchar *service[] = { "--fail", "create:429", "--fail", "create:500",
    NULL
  };
  const gchar *object[] = { "--error-shape", "object", NULL };
  const gchar *text[] = { "--error-shape", "text", "--fail", "create:429",
    NULL
  };
  const gchar *body = "{\"model\":\"" TEST_T2I_MODEL "\",\"prompt\":\"hi\"}";
  ImagegenTestEmulator *emu;
  JsonObject *e, *answer;
  guint status = 0;

  /* default: the service's own shapes per route */
  emu = imagegen_test_emulator_start (service);
  answer = post_json (emu, "/api/v1/flux_2/text_to_image", body, &status);
  g_assert_cmpuint (status, ==, 429);
  e = json_object_get_object_member (answer, "error");
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==,
      "rate_limited");
  g_assert_nonnull (json_object_get_string_member (e, "message"));
  json_object_unref (answer);
  answer = post_json (emu, "/api/v1/flux_2/text_to_image", body, &status);
  g_assert_cmpuint (status, ==, 500);
  g_assert_nonnull (json_object_get_string_member (answer, "error"));
  json_object_unref (answer);
  imagegen_test_emulator_stop (emu);

  /* object: everywhere, the 422's field list too */
  emu = imagegen_test_emulator_start (object);
  answer = post_json (emu, "/api/v1/flux_2/text_to_image", body, &status);
  g_assert_cmpuint (status, ==, 422);
  e = json_object_get_object_member (answer, "error");
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==,
      "validation_failed");
  g_assert_true (json_object_has_member (json_object_get_object_member
          (answer, "errors"), "prompt"));
  json_object_unref (answer);
  imagegen_test_emulator_stop (emu);

  emu = imagegen_test_emulator_start (text);
  answer = post_json (emu, "/api/v1/flux_2/text_to_image", body, &status);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==,
      "Too many requests");
  json_object_unref (answer);
  imagegen_test_emulator_stop (emu);
}

static void
test_error_shapes_client (void)
{
  g_autoptr (ImagegenResult) conflict = run_failing ("service", "create:409");
  g_autoptr (ImagegenResult) object = run_failing ("object", "create:402");
  /* a poll's 429 (a create's is held, not failed: client.md) */
  g_autoptr (ImagegenResult) text = run_failing ("text", "poll:429");

  g_assert_error (conflict->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_CONFLICT);
  g_assert_cmpstr (conflict->error->message, ==, "idempotency key conflict "
      "(HTTP 409): Idempotency key reused with a different request");
  g_assert_error (object->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_CREDITS);
  g_assert_cmpstr (object->error->message, ==,
      "insufficient credits (HTTP 402): Insufficient credits");
  g_assert_error (text->error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_RATE_LIMITED);
  g_assert_true (g_str_has_prefix (text->error->message,
          "rate limited (HTTP 429): Too many requests (task "));
}

/* The create answer carries the reservation; the client still reports the
 * cost it was charged, once. */
static void
test_create_billing (void)
{
  const gchar *args[] = { "--latency", "100", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (ImagegenTestEmulator) client_emu =
      imagegen_test_emulator_start (args);
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  JsonObject *billing;
  guint status = 0;

  answer = post_json (emu, "/api/v1/flux_2/text_to_image",
      "{\"model\":\"flux-2-flex-text-to-image\",\"prompt\":\"a red kite\","
      "\"output_resolution\":\"2k\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  billing = json_object_get_object_member (answer, "billing");
  g_assert_nonnull (billing);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member
          (billing, "reservation"), "amount_cents"), ==, 24);
  g_assert_true (json_object_get_null_member (billing, "settlement"));
  g_assert_true (json_object_get_null_member (billing, "refund"));

  {
    ImagegenClientConfig config;

    test_config_init (&config, client_emu);
    r = test_run_config (&config, NULL);
    imagegen_client_config_clear (&config);
  }
  g_assert_no_error (r->error);
  g_assert_cmpint (r->cost_nanocents, ==,
      5 * IMAGEGEN_NANOCENTS_PER_CENT);
  stats = imagegen_test_emulator_stats (client_emu);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "charged_cents"),
      ==, 5);
}

/* /me and /me/balance with the SDK's fields and types. */
static void
test_account (void)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  g_autoptr (JsonObject) me = NULL;
  g_autoptr (JsonObject) balance = NULL;
  static const gchar *const balance_fields[] = { "balance_cents",
    "paid_balance_cents", "bonus_balance_cents", "spent_cents_today",
    "spent_cents_total", NULL
  };
  JsonObject *account;
  guint status = 0, i;

  me = get_json (emu, "/api/v1/me", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_node_get_value_type (json_object_get_member (me,
              "id")), ==, G_TYPE_INT64);
  g_assert_nonnull (json_object_get_string_member (me, "email"));
  g_assert_nonnull (json_object_get_string_member (me, "name"));
  account = json_object_get_object_member (me, "account");
  g_assert_nonnull (account);
  g_assert_true (json_object_has_member (account, "id"));
  g_assert_nonnull (json_object_get_string_member (account, "name"));

  balance = get_json (emu, "/api/v1/me/balance", &status);
  g_assert_cmpuint (status, ==, 200);
  for (i = 0; balance_fields[i]; i++)
    g_assert_cmpuint (json_node_get_value_type (json_object_get_member
            (balance, balance_fields[i])), ==, G_TYPE_INT64);
}

/* Task objects carry only fixture fields unless --task-extensions. */
static void
check_task_fields (gboolean extensions)
{
  const gchar *args[] = { "--latency", "0", extensions ?
        "--task-extensions" : NULL, NULL
  };
  static const gchar *const extra[] = { "model", "prompt", "created_at",
    "completed_at", NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autoptr (JsonObject) created = NULL;
  g_autoptr (JsonObject) task = NULL;
  g_autofree gchar *path = NULL;
  guint status = 0, i;

  created = post_json (emu, "/api/v1/flux_2/text_to_image",
      "{\"model\":\"" TEST_T2I_MODEL "\",\"prompt\":\"a red kite\"}",
      &status);
  g_assert_cmpuint (status, ==, 200);
  path = g_strdup_printf ("/api/v1/flux_2/text_to_image/%s",
      json_object_get_string_member (created, "id"));
  /* the test waits for the emulator's own state, not a clock */
  for (i = 0; i < 3000; i++) {
    g_clear_pointer (&task, json_object_unref);
    task = get_json (emu, path, &status);
    if (g_strcmp0 (json_object_get_string_member (task, "status"),
            "completed") == 0)
      break;
    g_usleep (10 * 1000);
  }
  g_assert_cmpstr (json_object_get_string_member (task, "status"), ==,
      "completed");
  g_assert_true (json_object_has_member (task, "images"));
  for (i = 0; extra[i]; i++)
    g_assert_cmpint (json_object_has_member (task, extra[i]), ==, extensions);
}

static void
test_task_fields (void)
{
  check_task_fields (FALSE);
  check_task_fields (TRUE);
}

/* An unknown path answers 404 in the shape of the provider whose path it
 * is: RunAPI's words under /v1/ (older pages' /v1/text_to_image) as
 * RunAPI, any other /v1/ path as Black Forest Labs.  (The SDK's /v1/files
 * is served: test-client-emulator-wire.c.) */
static void
test_unknown_path_shapes (void)
{
  static const gchar *const runapi[] = { "/v1/files/prepare",
    "/v1/me/balance", "/v1/text_to_image", "/api/v1/nothing", "/nothing",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  g_autoptr (JsonObject) bfl = NULL;
  guint status = 0, i;

  for (i = 0; runapi[i]; i++) {
    g_autoptr (JsonObject) answer = get_json (emu, runapi[i], &status);

    g_test_message ("GET %s", runapi[i]);
    g_assert_cmpuint (status, ==, 404);
    g_assert_cmpstr (json_object_get_string_member_with_default (answer,
            "error", NULL), ==, "Not found");
    g_assert_false (json_object_has_member (answer, "detail"));
  }
  bfl = get_json (emu, "/v1/flux-3-video", &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (json_object_get_string_member_with_default (bfl,
          "detail", NULL), ==, "Not Found");
  g_assert_false (json_object_has_member (bfl, "error"));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/fixtures/prepare-headers",
      test_prepare_headers, "/client/fixtures/prepare-no-headers",
      test_prepare_no_headers, "/client/fixtures/direct-upload-fixture-headers",
      test_direct_upload_fixture_headers,
      "/client/fixtures/direct-upload-no-headers",
      test_direct_upload_no_headers, "/client/fixtures/error-shapes-raw",
      test_error_shapes_raw, "/client/fixtures/error-shapes-client",
      test_error_shapes_client, "/client/fixtures/create-billing",
      test_create_billing, "/client/fixtures/account", test_account,
      "/client/fixtures/task-fields", test_task_fields,
      "/client/fixtures/unknown-path-shapes", test_unknown_path_shapes, NULL);
}
