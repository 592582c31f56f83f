/* gst-imagegen: the model table, row by row — each row's example request
 * validates, and what the row forbids or requires is enforced.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "model-examples.h"
#include "imagegen-poll-schedule.h"
#include "imagegen-provider.h"
#include "imagegen-test-fixture.h"

#include <math.h>
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
      /* FLUX.2 priced per megapixel, FLUX 3 per resolution tier */
      g_assert_true (row->inline_inputs);
      g_assert_true (row->price_per_mp || row->price_key != NULL);
    } else if (g_str_equal (row->provider, "fal")) {
      /* the id is the submit path, frames go as data: URIs; FLUX.2
       * priced per megapixel, FLUX 3 per resolution tier */
      g_assert_true (g_str_has_prefix (row->path, "/"));
      g_assert_cmpstr (row->path + 1, ==, row->model);
      g_assert_cmpstr (row->result_field, ==, "images");
      g_assert_true (row->path_names_model && row->data_uri_inputs);
      g_assert_true (row->price_per_mp || row->reasons);
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
      "2, 4.");
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

/* @request with @extra against @row refuses with @expected; the request
 * keeps @extra. */
static void
expect_fields_refused (const ImagegenModelRow * row, ImagegenRequest * req,
    const gchar * extra, guint n_sources, const gchar * expected)
{
  g_autoptr (GError) error = NULL;

  g_free (req->extra_json);
  req->extra_json = g_strdup (extra);
  g_assert_false (imagegen_models_check_fields (row, req, n_sources, &error));
  g_assert_cmpstr (error->message, ==, expected);
}

/* Black Forest Labs' rows: the path names the model, images go one per
 * field, the size in multiples of 16, flex's fields nowhere else. */
static void
test_bfl_rows (void)
{
  const ImagegenModelRow *klein = imagegen_models_find ("bfl",
      IMAGEGEN_ENDPOINT_REMIX, "flux-2-klein-4b");
  const ImagegenModelRow *flex = imagegen_models_find ("bfl",
      IMAGEGEN_ENDPOINT_REMIX, "flux-2-flex");
  g_autoptr (JsonObject) body = test_model_example_body (klein, "aGk=");
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (JsonNode) built = NULL;
  g_autoptr (GPtrArray) sources = g_ptr_array_new ();
  g_autoptr (JsonObject) no_errors = json_object_new ();
  g_autofree gchar *text = NULL;
  GError *error = NULL;
  guint i;

  /* RunAPI's lookup does not find their ids; the element's kind picks */
  g_assert_null (imagegen_models_find (NULL, IMAGEGEN_ENDPOINT_REMIX,
          "flux-2-klein-4b"));
  g_assert_cmpint (imagegen_models_find ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-klein-4b")->kind, ==,
      IMAGEGEN_KIND_TEXT_TO_IMAGE);
  g_assert_cmpuint (klein->input_max, ==, 4);
  g_assert_cmpuint (flex->input_max, ==, 8);

  /* the flex-only fields on klein are refused, on flex taken */
  json_object_set_int_member (body, "steps", 20);
  g_assert_true (refused (klein, body, "steps", "is not permitted"));
  g_assert_true (imagegen_model_validate (flex, body, no_errors));
  json_object_remove_member (body, "steps");
  json_object_set_double_member (body, "guidance", 1.2);
  g_assert_true (refused (flex, body, "guidance",
          "must be greater than or equal to 1.5"));
  json_object_remove_member (body, "guidance");

  json_object_set_int_member (body, "width", 1000);
  g_assert_true (refused (klein, body, "width", "must be a multiple of 16"));
  json_object_set_int_member (body, "width", 1008);
  json_object_set_string_member (body, "model", "flux-2-klein-4b");
  g_assert_true (refused (klein, body, "model", "is not permitted"));
  json_object_remove_member (body, "model");
  for (i = 2; i <= 5; i++) {
    g_autofree gchar *name = g_strdup_printf ("input_image_%u", i);

    json_object_set_string_member (body, name, "aGk=");
  }
  g_assert_true (refused (klein, body, "input_image_5", "is one input "
          "image too many (the model takes at most 4)"));

  /* the body the client sends: numbered inputs, the request's size */
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "flux-2-klein-4b",
      "a cat");
  req->width = 512;
  req->height = 256;
  req->extra_json = g_strdup ("{\"seed\":7,\"width\":64}");
  g_ptr_array_add (sources, (gpointer) "aGk=");
  g_ptr_array_add (sources, (gpointer) "https://example.com/ref.png");
  built = imagegen_model_build_body (klein, req, sources);
  text = json_to_string (built, FALSE);
  g_assert_cmpstr (text, ==, "{\"prompt\":\"a "
      "cat\",\"input_image\":\"aGk=\",\"input_image_2\":"
      "\"https://example.com/ref.png\",\"seed\":7,\"width\":512,"
      "\"height\":256}");

  /* through the element's check: a flex field, the size from extra */
  expect_fields_refused (klein, req, "{\"steps\":20}", 1, "Model "
      "flux-2-klein-4b has no field \"steps\"; its extra fields: seed "
      "(integer 0 to 2147483647), safety_tolerance (integer 0 to 5), "
      "output_format (jpeg, png), webhook_url (text), webhook_secret "
      "(text).");
  expect_fields_refused (klein, req, "{\"width\":512}", 1, "Extra field "
      "\"width\" is not taken from extra: it comes from the frame size "
      "(aspect-ratio and resolution).");
  expect_fields_refused (flex, req, "{\"steps\":20,\"guidance\":4.5}", 9,
      "Model flux-2-flex takes 1 to 8 source images (input_image).");
  g_assert_true (imagegen_models_check_fields (flex, req, 8, &error));
  g_assert_no_error (error);
}

static gint
bfl_price (const gchar * model, guint width, guint height)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, model, "a cat");

  req->width = width;
  req->height = height;
  return imagegen_request_price_cents (req);
}

/* Per output megapixel (1024 x 1024), rounded up per request. */
/* A required field with choices goes with the row's default when the
 * request sets none: the cheapest value that changes the image. */
static void
test_required_defaults (void)
{
  g_autoptr (ImagegenRequest) req = imagegen_request_new
      (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image", NULL);
  const ImagegenModelRow *topaz = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image");
  const ImagegenModelRow *gpt = imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_REMIX, "gpt-image-1.5");
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) edit = NULL;
  g_autofree gchar *text = NULL;
  GError *error = NULL;

  g_assert_true (imagegen_models_check_request (req, 1, &error));
  g_assert_no_error (error);
  body = imagegen_model_build_body (topaz, req, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (body),
          "upscale_factor"), ==, 2);
  /* remix's auto on a model that lists none: the frame's nearest ratio,
   * and without a frame the row's default */
  g_clear_pointer (&req, imagegen_request_free);
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "gpt-image-1.5",
      "a cat");
  req->aspect_ratio = g_strdup ("auto");
  g_assert_true (imagegen_models_check_request (req, 1, &error));
  edit = imagegen_model_build_body (gpt, req, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object
          (edit), "aspect_ratio"), ==, "1:1");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object
          (edit), "quality"), ==, "medium");
  g_clear_pointer (&edit, json_node_unref);
  req->width = 1920;
  req->height = 1080;
  edit = imagegen_model_build_body (gpt, req, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object
          (edit), "aspect_ratio"), ==, "3:2");
  text = imagegen_models_defaults_text (IMAGEGEN_ENDPOINT_REMIX);
  g_assert_nonnull (strstr (text, "topaz-upscale-image upscale_factor=2"));
}

/* A typo: the nearest ids of the element's kind, not all of them. */
static void
test_unknown_model (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (imagegen_models_refuse_unknown (NULL,
          IMAGEGEN_ENDPOINT_REMIX, "nano-banana-edt", &error));
  g_assert_cmpstr (error->message, ==, "Unknown model \"nano-banana-edt\" "
      "for imagegenremix; did you mean nano-banana-edit (or "
      "nano-banana-2-lite)? Every id is in "
      "docs/models.md and gst-inspect-1.0 imagegenremix.");
  g_clear_error (&error);
  g_assert_false (imagegen_models_refuse_unknown (NULL,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "zzzz", &error));
  g_assert_cmpstr (error->message, ==, "Unknown model \"zzzz\" for "
      "imagegensrc. Every id is in docs/models.md and gst-inspect-1.0 "
      "imagegensrc.");
}

/* Models that keep the frame's pixels get it whole, unless their own
 * limit is smaller. */
static void
test_upload_max_side (void)
{
  ImagegenModelRow row = *imagegen_models_find (NULL,
      IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image");

  g_assert_cmpuint (imagegen_model_upload_max_side (&row, 1024), ==, 0);
  row.input_max_side = 2048;
  g_assert_cmpuint (imagegen_model_upload_max_side (&row, 1024), ==, 2048);
  g_assert_cmpuint (imagegen_model_upload_max_side (imagegen_models_find
          (NULL, IMAGEGEN_ENDPOINT_REMIX, "nano-banana-edit"), 1024), ==,
      1024);
  g_assert_cmpuint (imagegen_model_upload_max_side (imagegen_models_find
          (NULL, IMAGEGEN_ENDPOINT_REMIX, "ideogram-v3-reframe"), 1024), ==,
      0);
  g_assert_cmpuint (imagegen_model_upload_max_side (imagegen_models_find
          (NULL, IMAGEGEN_ENDPOINT_REMIX, "recraft-remove-background"), 1024),
      ==, 0);
}

static void
test_bfl_prices (void)
{
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (ImagegenRequest) full = NULL;

  const ImagegenModelRow *pro_edit = imagegen_models_find ("bfl",
      IMAGEGEN_ENDPOINT_REMIX, "flux-2-pro");
  g_autoptr (JsonObject) body = json_object_new ();

  /* BFL's formula in credits of a cent, MP of 10^6 pixels: the first
   * output MP, each further output MP, each input MP; rounded up only
   * for the whole-cent figure.  klein 4B: 1.4 + 0.048576 x 0.1 */
  g_assert_cmpint (bfl_price ("flux-2-klein-4b", 1024, 1024), ==, 2);
  /* under 1 MP out: the first MP's price, 1.4 */
  g_assert_cmpint (bfl_price ("flux-2-klein-4b", 1000, 500), ==, 2);
  /* pro 3 + 1.5, flex 5 + 5, max 7 + 3 a further MP */
  g_assert_cmpint (bfl_price ("flux-2-pro", 1024, 768), ==, 3);
  g_assert_cmpint (bfl_price ("flux-2-pro", 2000, 1000), ==, 5);
  g_assert_cmpint (bfl_price ("flux-2-flex", 2000, 2000), ==, 20);
  g_assert_cmpint (bfl_price ("flux-2-max", 1000, 1000), ==, 7);
  g_assert_cmpint (bfl_price ("flux-2-max", 1024, 1024), ==, 8);
  /* klein 9B's is published: 1.5 + 0.2 */
  g_assert_cmpint (bfl_price ("flux-2-klein-9b", 1000, 1000), ==, 2);
  /* no size: 1 MP out */
  g_assert_cmpint (bfl_price ("flux-2-pro", 0, 0), ==, 3);
  /* the exact figure: pro, 1 MP in, 1 MP out is 4.5 credits; inputs not
   * measured count at the output's size */
  json_object_set_int_member (body, "width", 1000);
  json_object_set_int_member (body, "height", 1000);
  g_assert_cmpfloat_with_epsilon (imagegen_model_price_exact (pro_edit, body,
          1.0, FALSE), 4.5, 1e-9);
  json_object_set_string_member (body, "input_image", "x");
  json_object_set_string_member (body, "input_image_2", "y");
  g_assert_cmpfloat_with_epsilon (imagegen_model_price_exact (pro_edit, body,
          -1, FALSE), 6.0, 1e-9);
  g_assert_cmpint (imagegen_model_price_cents (pro_edit, body, FALSE), ==,
      6);
  /* the previews: their base model's price, unconfirmed (so no figure
   * for the elements' guard) */
  g_assert_cmpint (bfl_price ("flux-2-pro-preview", 1000, 1000), ==, -1);
  g_assert_cmpint (imagegen_model_price_cents (imagegen_models_find ("bfl",
              IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro-preview"), body,
          FALSE), ==, 3);
  g_assert_false (imagegen_models_find ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "flux-2-klein-9b-preview")->price_confirmed);

  /* the provider's: the aspect ratio's size at about 1 MP (16:9 is
   * 1360 x 768, 0.996 MP: 3 cents on pro) */
  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro",
      "a cat");
  req->aspect_ratio = g_strdup ("16:9");
  full = imagegen_bfl_table_request (req);
  g_assert_cmpuint (full->width % 16, ==, 0);
  g_assert_cmpuint (full->height % 16, ==, 0);
  {
    /* 2k asks for the most their 4 MP (10^6 pixels) allows */
    g_autoptr (ImagegenRequest) big = imagegen_request_new
        (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro", "a cat");
    g_autoptr (ImagegenRequest) sized = NULL;

    big->aspect_ratio = g_strdup ("1:1");
    big->resolution = g_strdup ("2k");
    sized = imagegen_bfl_table_request (big);
    g_assert_cmpuint (sized->width, ==, 2000);
    g_assert_cmpuint (sized->height, ==, 2000);
  }
  /* exact: credits with fractions, not rounded to cents */
  g_assert_cmpint (imagegen_models_price_nanocents (&imagegen_provider_bfl,
          req, NULL), ==, imagegen_nanocents (3.0 + MAX (full->width *
              full->height / 1e6 - 1, 0) * 1.5));
}

/* The poll schedule's prior is the row's, else the default. */
static void
test_poll_priors (void)
{
  gint64 lo, hi;

  imagegen_poll_schedule_prior ("flux-2-pro-text-to-image", &lo, &hi);
  g_assert_cmpint (lo, ==, 3000000);
  g_assert_cmpint (hi, ==, 12000000);
  imagegen_poll_schedule_prior ("flux-2-max-remix-image", &lo, &hi);
  g_assert_cmpint (lo, ==, 5000000);
  g_assert_cmpint (hi, ==, 20000000);
  imagegen_poll_schedule_prior ("nano-banana", &lo, &hi);
  g_assert_cmpint (lo, ==, IMAGEGEN_MODEL_DEFAULT_PRIOR_MIN_MS * 1000);
  g_assert_cmpint (hi, ==, IMAGEGEN_MODEL_DEFAULT_PRIOR_MAX_MS * 1000);
  imagegen_poll_schedule_prior ("no-such-model", &lo, &hi);
  g_assert_cmpint (hi, ==, IMAGEGEN_MODEL_DEFAULT_PRIOR_MAX_MS * 1000);
}

/* FLUX 3: a price per resolution tier, the same for an edit with
 * references (they are free); a poll prior of tens of seconds; and
 * job-timeout's default leaves room for the slowest row's typical time
 * (a 4k FLUX 3 edit, up to 100 s) several times over. */
static void
test_flux3_prices_and_time (void)
{
  const struct
  {
    const gchar *model;
    const gchar *resolution;
    gdouble cents;
  } cases[] = {
    {"flux-3-image", "768sq", 4.1}, {"flux-3-image", "1k", 4.8},
    {"flux-3-image", "2k", 10}, {"flux-3-image", "4k", 60.7},
    {"flux-3-image-klein", "1k", 0.9}, {"flux-3-image-klein", "4k", 3.6},
    {"flux-3.1-image", "4k", 28},
  };
  ImagegenClientConfig config;
  const ImagegenModelRow *row;
  g_autoptr (GBytes) png = test_make_png (64, 64);
  gint64 lo, hi;
  gboolean known;
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (ImagegenRequest) t2i = imagegen_request_new
        (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, cases[i].model, "a cat");
    g_autoptr (ImagegenRequest) edit = imagegen_request_new
        (IMAGEGEN_ENDPOINT_REMIX, cases[i].model, "a cat");

    t2i->resolution = g_strdup (cases[i].resolution);
    edit->resolution = g_strdup (cases[i].resolution);
    for (k = 0; k < 10; k++)
      imagegen_request_add_source_image (edit, png);
    g_assert_cmpfloat_with_epsilon ((gdouble) imagegen_models_price_nanocents
        (&imagegen_provider_bfl, t2i, &known) / IMAGEGEN_NANOCENTS_PER_CENT,
        cases[i].cents, 1e-6);
    g_assert_true (known);
    g_assert_cmpfloat_with_epsilon ((gdouble) imagegen_models_price_nanocents
        (&imagegen_provider_bfl, edit, &known) / IMAGEGEN_NANOCENTS_PER_CENT,
        cases[i].cents, 1e-6);
  }

  imagegen_poll_schedule_prior ("flux-3-image", &lo, &hi);
  g_assert_cmpint (lo, >=, 20000000);
  g_assert_cmpint (hi, >=, 90000000);
  imagegen_client_config_init (&config);
  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    g_assert_cmpuint ((guint64) row->prior_max_ms * 3, <=,
        (guint64) config.job_timeout_s * 1000);
  imagegen_client_config_clear (&config);
}

/* Sizes have one answer: what a Black Forest Labs request without a size
 * asks is what imagegensrc offers downstream for it.  (A client test: in
 * an element test the provider's table would be linked twice.) */
static void
test_output_size_one_answer (void)
{
  const gchar *ratios[] = { "16:9", "9:16", "1:1", "21:9", NULL };
  const struct
  {
    const gchar *ratio, *resolution;
    guint width, height;
  } tiers[] = {
    {"16:9", "4k", 5456, 3072}, {"auto", "768sq", 768, 768},
    {"16:9", "1.5k", 2048, 1152},
  };
  guint i, w, h;

  for (i = 0; ratios[i] != NULL; i++) {
    g_autoptr (ImagegenRequest) req = imagegen_request_new
        (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-2-pro", "a cat");
    g_autoptr (ImagegenRequest) full = NULL;

    req->aspect_ratio = g_strdup (ratios[i]);
    req->resolution = g_strdup ("2k");
    full = imagegen_bfl_table_request (req);
    imagegen_models_output_size (&imagegen_provider_bfl, "flux-2-pro",
        ratios[i], "2k", &w, &h);
    g_assert_cmpuint (full->width, ==, w);
    g_assert_cmpuint (full->height, ==, h);
  }
  /* RunAPI: about 1 MP at 1k, sides multiples of 16 */
  imagegen_models_output_size (NULL, NULL, "16:9", "1k", &w, &h);
  g_assert_cmpuint (w, ==, 1360);
  g_assert_cmpuint (h, ==, 768);
  /* FLUX 3's tiers are equal areas, beyond FLUX.2's 4 MP (NEW-MODELS.md
   * 1.1) */
  for (i = 0; i < G_N_ELEMENTS (tiers); i++) {
    imagegen_models_output_size (&imagegen_provider_bfl, "flux-3-image",
        tiers[i].ratio, tiers[i].resolution, &w, &h);
    g_assert_cmpuint (w, ==, tiers[i].width);
    g_assert_cmpuint (h, ==, tiers[i].height);
  }
}

/* Black Forest Labs' sizes are the table's answer: what the elements
 * refuse at start is what imagegen_models_check_size() refuses. */
static void
test_bfl_size_rules (void)
{
  const ImagegenProvider *bfl = imagegen_provider_get (IMAGEGEN_PROVIDER_BFL);
  GError *error = NULL;

  g_assert_true (imagegen_models_check_size (bfl, "flux-2-pro", "21:9", "2k",
          NULL));
  g_assert_true (imagegen_models_check_size (bfl, "flux-2-pro", "auto", NULL,
          NULL));
  g_assert_false (imagegen_models_check_size (bfl, "flux-2-pro", "17:1",
          "1k", &error));
  g_assert_cmpstr (error->message, ==, "Invalid aspect-ratio \"17:1\" for "
      "model flux-2-pro; valid values: W:H such as 1:1, 16:9 or 9:16, or "
      "auto.");
  g_clear_error (&error);
  g_assert_false (imagegen_models_check_size (bfl, "flux-2-pro", "1:1", "4k",
          &error));
  g_assert_cmpstr (error->message, ==, "Invalid resolution \"4k\" for "
      "model flux-2-pro; valid values: 1k, 2k.");
  g_clear_error (&error);
  /* FLUX 3's rows list their own tiers and ratios */
  g_assert_true (imagegen_models_check_size (bfl, "flux-3-image", "7:5",
          "768sq", NULL));
  g_assert_false (imagegen_models_check_size (bfl, "flux-3.1-image", "1:1",
          "768sq", &error));
  g_assert_cmpstr (error->message, ==, "Invalid resolution \"768sq\" for "
      "model flux-3.1-image; valid values: 1k, 2k, 4k.");
  g_clear_error (&error);
  /* RunAPI's models say their sizes in their own fields */
  g_assert_true (imagegen_models_check_size (imagegen_provider_get
          (IMAGEGEN_PROVIDER_RUNAPI), "flux-2-pro-text-to-image", "17:1", "4k",
          NULL));
}

/* What the steps and guidance properties accept is the table's range */
static void
test_field_range (void)
{
  g_autofree gchar *ids = NULL;
  gdouble min, max;

  g_assert_true (imagegen_models_field_range ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "steps", &min, &max, &ids));
  g_assert_cmpfloat (min, ==, 1);
  g_assert_cmpfloat (max, ==, 50);
  g_assert_cmpstr (ids, ==, "flux-2-flex");
  g_assert_true (imagegen_models_field_range ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "guidance", &min, &max, NULL));
  g_assert_cmpfloat (min, ==, 1.5);
  g_assert_cmpfloat (max, ==, 10);
  g_assert_false (imagegen_models_field_range ("bfl",
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "no_such_field", &min, &max,
          NULL));
  g_assert_cmpfloat (max, ==, 0);
}

/* The emulator's routes are the table's paths */
static void
test_find_path (void)
{
  const ImagegenModelRow *row =
      imagegen_models_find_any ("flux-2-pro-text-to-image");

  g_assert_nonnull (row);
  g_assert_cmpstr (imagegen_models_find_path (row->path)->path, ==,
      row->path);
  g_assert_null (imagegen_models_find_path ("/api/v1/no/such/path"));
  g_assert_null (imagegen_models_find_path (NULL));
  g_assert_null (imagegen_models_find_any (NULL));
}

/* A call the table prices at no confirmed figure is assumed to cost the
 * dearest confirmed call there: FLUX 3 Image at 4k, above FLUX.2's 24
 * cents that was written down by hand before. */
static void
test_assumed_price (void)
{
  g_autoptr (ImagegenRequest) unknown =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "no-such-model",
      "a cat");
  g_autoptr (ImagegenRequest) flux3 =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-3-image",
      "a cat");
  const ImagegenModelRow *row;
  gboolean known = TRUE;
  gint64 assumed;
  guint i;

  assumed = imagegen_models_price_nanocents (NULL, unknown, &known);
  g_assert_false (known);
  flux3->resolution = g_strdup ("4k");
  g_assert_cmpint (assumed, ==, imagegen_models_price_nanocents
      (&imagegen_provider_bfl, flux3, &known));
  g_assert_true (known);
  g_assert_cmpint (assumed, ==, imagegen_nanocents (60.7));
  /* no row's base price is above it */
  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (row->price_confirmed)
      g_assert_cmpint (imagegen_nanocents (row->price_cents), <=, assumed);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/models/every-row", test_every_row,
      "/models/kinds-and-lookup", test_kinds_and_lookup,
      "/models/check-request", test_check_request, "/models/bfl-rows",
      test_bfl_rows, "/models/required-defaults", test_required_defaults,
      "/models/unknown-model", test_unknown_model, "/models/upload-max-side",
      test_upload_max_side, "/models/bfl-prices", test_bfl_prices,
      "/models/poll-priors", test_poll_priors, "/models/output-size",
      test_output_size_one_answer, "/models/bfl-size-rules",
      test_bfl_size_rules, "/models/field-range", test_field_range,
      "/models/find-path", test_find_path, "/models/flux3-prices-and-time",
      test_flux3_prices_and_time, "/models/assumed-price", test_assumed_price,
      NULL);
}
