/* gst-imagegen: the model table, row by row — each row's example request
 * validates, and what the row forbids or requires is enforced.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "model-examples.h"

#include <string.h>

static gboolean
refused (const ImagegenModelRow * row, JsonObject * body,
    const gchar * field, const gchar * message)
{
  g_autoptr (JsonObject) errors = json_object_new ();
  JsonArray *list;

  if (imagegen_model_validate (row, body, errors))
    return FALSE;
  if (!json_object_has_member (errors, field))
    return FALSE;
  list = json_object_get_array_member (errors, field);
  return g_strcmp0 (json_array_get_string_element (list, 0), message) == 0;
}

static void
test_every_row (void)
{
  const ImagegenModelRow *row;
  guint i, n = 0;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++, n++) {
    g_autoptr (JsonObject) body = test_model_example_body (row,
        "https://example.com/in.png");
    g_autoptr (JsonObject) errors = json_object_new ();
    const ImagegenModelField *f;
    g_autoptr (JsonNode) dump = NULL;

    /* the example validates */
    if (!imagegen_model_validate (row, body, errors)) {
      dump = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (dump, errors);
      g_error ("%s %s: example refused: %s", row->path, row->model,
          json_to_string (dump, FALSE));
    }
    if (g_str_equal (row->provider, "bfl")) {
      g_assert_true (g_str_has_prefix (row->path, "/v1/"));
      g_assert_cmpstr (row->result_field, ==, "result.sample");
      g_assert_true (row->inline_inputs && row->price_per_mp);
    } else {
      g_assert_cmpstr (row->provider, ==, "runapi");
      g_assert_true (g_str_has_prefix (row->path, "/api/v1/"));
      g_assert_cmpstr (row->result_field, ==, "images");
    }
    /* an id is one provider's (prices and priors look it up alone) */
    g_assert_true (g_str_equal (imagegen_models_find_any (row->model)->provider,
            row->provider));
    g_assert_cmpint (imagegen_models_find_route (row->path, row->model,
            body) - row, ==, 0);

    /* an unknown field is refused */
    json_object_set_int_member (body, "no_such_field", 1);
    g_assert_true (refused (row, body, "no_such_field", "is not permitted"));
    json_object_remove_member (body, "no_such_field");

    /* so is every field the service names as forbidden */
    if (row->forbidden) {
      gchar **names = g_strsplit (row->forbidden, " ", -1);
      guint k;

      for (k = 0; names[k]; k++) {
        json_object_set_int_member (body, names[k], 1);
        g_assert_true (refused (row, body, names[k], "is not permitted"));
        json_object_remove_member (body, names[k]);
      }
      g_strfreev (names);
    }

    /* and a body without a required field */
    for (f = row->fields; f->name; f++) {
      JsonNode *keep;

      if (!f->required)
        continue;
      keep = json_node_copy (json_object_get_member (body, f->name));
      json_object_remove_member (body, f->name);
      g_assert_true (refused (row, body, f->name, "is required"));
      json_object_set_member (body, f->name, keep);
    }
    if (row->input_min > 0) {
      JsonNode *keep = json_node_copy (json_object_get_member (body,
              row->input_field));

      json_object_remove_member (body, row->input_field);
      g_assert_true (refused (row, body, row->input_field, "is required"));
      json_object_set_member (body, row->input_field, keep);
    }
  }
  /* every action of RUNAPI-MODELS.md section 1 that fits an element */
  g_assert_cmpuint (n, >=, 60);
}

static void
test_kinds_and_lookup (void)
{
  const ImagegenModelRow *t2i, *edit;

  /* one id, two actions: the element's kind picks the row */
  t2i = imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "gpt-image-2");
  edit = imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_REMIX, "gpt-image-2");
  g_assert_cmpstr (t2i->path, ==, "/api/v1/gpt_image_2/text_to_image");
  g_assert_cmpstr (edit->path, ==, "/api/v1/gpt_image_2/edit_image");

  /* Kontext: one path, the body's source_image_url picks edit */
  edit = imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_REMIX,
      "flux-kontext-pro");
  g_assert_cmpstr (edit->path, ==, "/api/v1/flux_kontext/text_to_image");
  g_assert_cmpstr (edit->input_field, ==, "source_image_url");
  g_assert_true (imagegen_models_find_route (edit->path, "flux-kontext-pro",
          NULL) != edit);

  g_assert_cmpint (imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_REMIX,
          "recraft-remove-background")->kind, ==,
      IMAGEGEN_KIND_REMOVE_BACKGROUND);
  g_assert_null (imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "recraft-crisp-upscale"));
}

static void
expect_refused (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * prompt, const gchar * extra, guint n_sources,
    const gchar * expected)
{
  g_autoptr (ImagegenRequest) req = imagegen_request_new (endpoint, model,
      prompt);
  g_autoptr (GError) error = NULL;

  req->extra_json = g_strdup (extra);
  g_assert_false (imagegen_models_check_request (req, n_sources, &error));
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_check_request (void)
{
  g_autoptr (ImagegenRequest) ok = NULL;
  GError *error = NULL;

  ok = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image",
      NULL);
  ok->extra_json = g_strdup ("{\"upscale_factor\":4}");
  g_assert_true (imagegen_models_check_request (ok, 1, &error));
  g_assert_no_error (error);

  expect_refused (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image", NULL,
      "{\"upscale_factor\":3}", 1, "Extra field \"upscale_factor\" is not "
      "included in the list for model topaz-upscale-image; valid values: 1, "
      "2, 4, 8.");
  expect_refused (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image", NULL,
      NULL, 1, "Model topaz-upscale-image needs the extra field "
      "\"upscale_factor\"; valid values: 1, 2, 4, 8.");
  expect_refused (IMAGEGEN_ENDPOINT_REMIX, "recraft-remove-background",
      "a cat", NULL, 1, "Model recraft-remove-background takes no prompt; "
      "unset the prompt property.");
  expect_refused (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "nano-banana", "a cat",
      "{\"sed\":7}", 0, "Model nano-banana has no field \"sed\"; its extra "
      "fields: reference_image_urls (up to 8 http(s) URLs), output_format "
      "(png, jpeg, jpg).");
  expect_refused (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "imagen-4", "a cat",
      "{\"seed\":-1}", 0, "Extra field \"seed\" must be greater than or "
      "equal to 0 for model imagen-4; valid values: integer 0 to "
      "2147483647.");
  expect_refused (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "imagen-4", "a cat",
      "{\"prompt\":\"x\"}", 0, "Extra field \"prompt\" is not taken from "
      "extra: it comes from prompt.");
  expect_refused (IMAGEGEN_ENDPOINT_REMIX, "flux-kontext-pro", "a cat",
      NULL, 2, "Model flux-kontext-pro takes exactly 1 source image "
      "(source_image_url); reference images need a model that takes "
      "several.");
  expect_refused (IMAGEGEN_ENDPOINT_REMIX, "nano-banana-edit", "a cat",
      NULL, 11, "Model nano-banana-edit takes 1 to 10 source images "
      "(source_image_urls).");
  expect_refused (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "seedream-4.5-text-to-image",
      "a cat", NULL, 0, "The aspect-ratio property must be set for model "
      "seedream-4.5-text-to-image; valid values: 1:1, 4:3, 3:4, 16:9, 9:16, "
      "2:3, 3:2, 21:9.");
  expect_refused (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "qwen-2-text-to-image",
      "", NULL, 0, "No prompt: set the prompt property.");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/models/every-row", test_every_row);
  g_test_add_func ("/models/kinds-and-lookup", test_kinds_and_lookup);
  g_test_add_func ("/models/check-request", test_check_request);
  return g_test_run ();
}
