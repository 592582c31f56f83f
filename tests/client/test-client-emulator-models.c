/* gst-imagegen: the emulator serves every row of the model table — each
 * row's example request creates a task that completes with its images —
 * and refuses, with the service's 422 shape, the fields a row forbids or
 * lacks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "model-examples.h"

#include <string.h>

static const gchar *const auth[] = {
  "Authorization", "Bearer " TEST_KEY, NULL
};

static JsonObject *
post (ImagegenTestEmulator * emu, const gchar * path, JsonObject * body,
    guint * status)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (GBytes) bytes = NULL, answer = NULL;
  gchar *text;

  json_node_set_object (node, body);
  text = json_to_string (node, FALSE);
  bytes = g_bytes_new_take (text, strlen (text));
  answer = imagegen_test_emulator_request (emu, "POST", path, auth, bytes,
      "application/json", status);
  return imagegen_test_json_object (answer);
}

/* Polls @path/@id until the task ends; its answer. */
static JsonObject *
wait_task (ImagegenTestEmulator * emu, const gchar * path, const gchar * id)
{
  g_autofree gchar *url = g_strdup_printf ("%s/%s", path, id);

  while (TRUE) {
    g_autoptr (GBytes) answer = NULL;
    JsonObject *task;
    const gchar *status;
    guint code;

    answer = imagegen_test_emulator_request (emu, "GET", url, auth, NULL,
        NULL, &code);
    g_assert_cmpuint (code, ==, 200);
    task = imagegen_test_json_object (answer);
    status = json_object_get_string_member (task, "status");
    if (g_str_equal (status, "completed") || g_str_equal (status, "failed"))
      return task;
    json_object_unref (task);
    g_usleep (20000);
  }
}

/* A picture the emulator itself made, as the source of edit rows. */
static gchar *
make_source (ImagegenTestEmulator * emu)
{
  const ImagegenModelRow *row = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, TEST_T2I_MODEL);
  g_autoptr (JsonObject) body = test_model_example_body (row, NULL);
  g_autoptr (JsonObject) created = NULL, task = NULL;
  JsonArray *images;
  guint status;

  created = post (emu, row->path, body, &status);
  g_assert_cmpuint (status, ==, 200);
  task = wait_task (emu, row->path, json_object_get_string_member (created,
          "id"));
  images = json_object_get_array_member (task, "images");
  return g_strdup (json_object_get_string_member (json_array_get_object_element
          (images, 0), "url"));
}

static void
test_every_row_served (void)
{
  const gchar *args[] = { "--latency", "20", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  g_autofree gchar *source = make_source (emu);
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    g_autoptr (JsonObject) body = NULL;
    g_autoptr (JsonObject) created = NULL, task = NULL;
    g_autoptr (GBytes) image = NULL;
    JsonArray *images;
    const gchar *url;
    guint status;

    /* Black Forest Labs' rows: test-client-bfl (their own protocol) */
    if (!g_str_equal (row->provider, "runapi"))
      continue;
    body = test_model_example_body (row, source);

    created = post (emu, row->path, body, &status);
    g_assert_cmpuint (status, ==, 200);
    task = wait_task (emu, row->path, json_object_get_string_member (created,
            "id"));
    if (!g_str_equal (json_object_get_string_member (task, "status"),
            "completed"))
      g_error ("%s %s: %s", row->path, row->model,
          json_object_get_string_member (task, "error"));
    images = json_object_get_array_member (task, row->result_field);
    g_assert_cmpuint (json_array_get_length (images), ==,
        imagegen_model_output_count (body));

    /* the result is an image, at the URL's own path */
    url = json_object_get_string_member (json_array_get_object_element
        (images, 0), "url");
    url = strstr (url, "/emulator/results/");
    image = imagegen_test_emulator_request (emu, "GET", url, NULL, NULL, NULL,
        &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (image), >, 8);
  }
}

/* 422 {"error":…, "errors":{field:[message]}} naming @field with @message */
static void
expect_422 (ImagegenTestEmulator * emu, const gchar * path, JsonObject * body,
    const gchar * field, const gchar * message)
{
  g_autoptr (JsonObject) answer = NULL;
  JsonObject *errors;
  guint status;

  answer = post (emu, path, body, &status);
  g_assert_cmpuint (status, ==, 422);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==,
      "Validation failed");
  errors = json_object_get_object_member (answer, "errors");
  g_assert_true (json_object_has_member (errors, field));
  g_assert_cmpstr (json_array_get_string_element
      (json_object_get_array_member (errors, field), 0), ==, message);
}

static void
test_validation_errors (void)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  const ImagegenModelRow *seedream = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "seedream-4.5-text-to-image");
  const ImagegenModelRow *topaz = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image");
  const ImagegenModelRow *kontext = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_REMIX, "flux-kontext-pro");
  g_autoptr (JsonObject) body = NULL;

  /* forbidden for this model */
  body = test_model_example_body (seedream, NULL);
  json_object_set_string_member (body, "output_format", "png");
  expect_422 (emu, seedream->path, body, "output_format", "is not permitted");
  json_object_remove_member (body, "output_format");
  /* required, missing */
  json_object_remove_member (body, "output_quality");
  expect_422 (emu, seedream->path, body, "output_quality", "is required");
  json_object_unref (g_steal_pointer (&body));

  /* a value outside the row's list, and a prompt where there is none */
  body = test_model_example_body (topaz, "https://example.com/a.png");
  json_object_set_int_member (body, "upscale_factor", 3);
  expect_422 (emu, topaz->path, body, "upscale_factor",
      "is not included in the list");
  json_object_set_int_member (body, "upscale_factor", 2);
  json_object_set_string_member (body, "prompt", "sharper");
  expect_422 (emu, topaz->path, body, "prompt", "is not permitted");
  json_object_unref (g_steal_pointer (&body));

  /* Kontext edits with one URL, not an array; the edit range of
   * safety_tolerance is 0-2 */
  body = test_model_example_body (kontext, "https://example.com/a.png");
  json_object_set_int_member (body, "safety_tolerance", 5);
  expect_422 (emu, kontext->path, body, "safety_tolerance",
      "must be less than or equal to 2");
  json_object_unref (g_steal_pointer (&body));

  /* a model of another path */
  body = test_model_example_body (seedream, NULL);
  expect_422 (emu, topaz->path, body, "model",
      "is not available on this endpoint");
}

/* Waits for the quote of @req (a safety net, not a bound on speed);
 * whole cents, or -1. */
static gint
wait_quote (ImagegenClient * client, const ImagegenRequest * req)
{
  guint i;
  gint64 nanocents = -1;

  for (i = 0; i < 3000 && nanocents < 0; i++) {
    nanocents = imagegen_client_get_quote (client, req);
    if (nanocents < 0)
      g_usleep (10000);
  }
  g_assert_true (nanocents < 0
      || nanocents % IMAGEGEN_NANOCENTS_PER_CENT == 0);
  return imagegen_cents_shown (nanocents);
}

static void
test_quotes (void)
{
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (NULL);
  g_autoptr (ImagegenRequest) topaz = NULL, qwen = NULL, topaz2 = NULL;
  g_autoptr (JsonObject) stats = NULL;
  ImagegenClientConfig config;
  ImagegenClient *client;

  test_config_init (&config, emu);
  client = imagegen_client_new (&config);

  /* a billing_config variant: ×8 costs 40, not the unit price of 10 */
  topaz = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX,
      "topaz-upscale-image", NULL);
  topaz->extra_json = g_strdup ("{\"upscale_factor\":8}");
  g_assert_cmpint (imagegen_client_get_quote (client, topaz), ==, -1);
  imagegen_client_prefetch_quote (client, topaz);
  imagegen_client_prefetch_quote (client, topaz);
  g_assert_cmpint (wait_quote (client, topaz), ==, 40);

  /* other parameters, another quote */
  topaz2 = imagegen_request_copy (topaz);
  g_free (topaz2->extra_json);
  topaz2->extra_json = g_strdup ("{\"upscale_factor\":2}");
  g_assert_cmpint (imagegen_client_get_quote (client, topaz2), ==, -1);
  imagegen_client_prefetch_quote (client, topaz2);
  g_assert_cmpint (wait_quote (client, topaz2), ==, 10);

  /* no published price: no figure, and it is not asked again */
  qwen = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "qwen-3-text-to-image", "a fox");
  imagegen_client_prefetch_quote (client, qwen);
  while (imagegen_client_get_jobs_pending (client) > 0)
    g_usleep (10000);
  g_assert_cmpint (imagegen_client_get_quote (client, qwen), ==, -1);
  imagegen_client_prefetch_quote (client, qwen);
  while (imagegen_client_get_jobs_pending (client) > 0)
    g_usleep (10000);

  stats = imagegen_test_emulator_stats (emu);
  g_assert_cmpint (imagegen_test_emulator_stats_requests (stats,
          "price_quotes"), ==, 3);
  g_assert_cmpint (imagegen_test_emulator_stats_int (stats, "tasks_created"),
      ==, 0);
  imagegen_client_free (client);
  imagegen_client_config_clear (&config);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/emulator-models/every-row-served",
      test_every_row_served, "/emulator-models/validation-errors",
      test_validation_errors, "/emulator-models/quotes", test_quotes, NULL);
}
