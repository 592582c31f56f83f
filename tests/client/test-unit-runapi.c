/* gst-imagegen client, unit tests without any network: the RunAPI provider's bodies: error answers, tasks, uploads, creates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"
#include "imagegen-provider.h"
#include "imagegen-test-fixture.h"

#include <string.h>

static JsonNode *
parse (const gchar * json)
{
  g_autoptr (JsonParser) p = json_parser_new ();

  g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
  return json_node_ref (json_parser_get_root (p));
}

static void
test_error_bodies (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  struct
  {
    const gchar *body;
    const gchar *message;
  } cases[] = {
    {"{\"error\":\"Invalid API key\"}", "Invalid API key"},
    {"{\"error\":{\"code\":\"rate_limited\",\"message\":\"Slow down\"}}",
        "Slow down"},
    {"{\"error\":\"Validation failed\",\"errors\":{\"prompt\":"
          "[\"is too short (minimum is 3 characters)\"],"
          "\"aspect_ratio\":[\"is not included in the list\"]}}",
        "prompt is too short (minimum is 3 characters); "
          "aspect_ratio is not included in the list"},
    {"{\"error\":\"Validation failed\",\"errors\":{}}", "Validation failed"},
    {"{\"message\":\"Oops\",\"code\":\"x\"}", "Oops"},
    {"[1,2]", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    JsonNode *root = parse (cases[i].body);
    gchar *m = p->parse_error_body (root);

    g_assert_cmpstr (m, ==, cases[i].message);
    g_free (m);
    json_node_unref (root);
  }
}

/* @json as RunAPI's answer to a poll (or, with @create, to a create),
 * read into @info. */
static gboolean
read_answer (const gchar * json, gboolean create, ImagegenTaskInfo * info,
    GError ** error)
{
  JsonNode *root = parse (json);
  gboolean ok = create ?
      imagegen_provider_runapi.parse_create (root, info, error) :
      imagegen_provider_runapi.parse_task (root, info, error);

  json_node_unref (root);
  return ok;
}

static void
test_task_parsing (void)
{
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;

  g_assert_true (read_answer
      ("{\"id\":\"t1\",\"status\":\"success\",\"images\":[{\"url\":"
          "\"https://cdn.example/a.png\"}],\"billing\":{\"reservation\":null,"
          "\"settlement\":{\"charged_amount_cents\":14}},\"extra\":[1]}", FALSE,
          &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_COMPLETED);
  g_assert_cmpstr (info.id, ==, "t1");
  g_assert_cmpstr (g_ptr_array_index (info.image_urls, 0), ==,
      "https://cdn.example/a.png");
  g_assert_cmpint (info.charged_nanocents, ==,
      14 * IMAGEGEN_NANOCENTS_PER_CENT);
  imagegen_task_info_clear (&info);

  g_assert_false (read_answer
      ("{\"id\":\"t1\",\"status\":\"completed\",\"images\":[]}", FALSE, &info,
          &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  imagegen_task_info_clear (&info);

  /* unknown: still running, as the JS and Go SDKs take it */
  g_assert_true (read_answer ("{\"id\":\"t1\",\"status\":\"queued_somewhere\"}",
          FALSE, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_PENDING);
  g_assert_true (info.status_unknown);
  g_assert_cmpstr (info.status, ==, "queued_somewhere");
  imagegen_task_info_clear (&info);

  /* the words the SDKs map */
  {
    static const struct
    {
      const gchar *json;
      ImagegenTaskState state;
    } words[] = {
      {"{\"id\":\"t\",\"status\":\"succeeded\",\"images\":[\"https://a/b\"]}",
          IMAGEGEN_TASK_COMPLETED},
      {"{\"id\":\"t\",\"status\":\"finished\",\"images\":[\"https://a/b\"]}",
          IMAGEGEN_TASK_COMPLETED},
      {"{\"id\":\"t\",\"status\":\"cancelled\"}", IMAGEGEN_TASK_FAILED},
      {"{\"id\":\"t\",\"status\":\"canceled\"}", IMAGEGEN_TASK_FAILED},
      {"{\"id\":\"t\",\"status\":\"timeout\"}", IMAGEGEN_TASK_FAILED},
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (words); i++) {
      g_assert_true (read_answer (words[i].json, FALSE, &info, &error));
      g_assert_cmpint (info.state, ==, words[i].state);
      g_assert_false (info.status_unknown);
      imagegen_task_info_clear (&info);
    }
  }

  g_assert_true (read_answer ("{\"id\":\"t1\",\"status\":\"generate_failed\","
          "\"error\":{\"message\":\"boom\"}}", FALSE, &info, &error));
  g_assert_cmpint (info.state, ==, IMAGEGEN_TASK_FAILED);
  g_assert_cmpstr (info.error_message, ==, "boom");
  imagegen_task_info_clear (&info);

  g_assert_false (read_answer ("{\"status\":\"pending\"}",
          TRUE, &info, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
}

static void
test_prepare_parsing (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  ImagegenUploadTarget t = { 0, };
  GError *error = NULL;
  JsonNode *root;
  gchar *body;

  root = parse ("{\"signed_id\":\"s1\",\"upload_url\":\"https://up.example/"
      "x?sig=1\",\"headers\":{\"Content-MD5\":\"abc\",\"Bad Name\":\"x\","
      "\"X-Num\":5,\"X-CRLF\":\"a\\r\\nInjected: 1\"}}");
  g_assert_true (p->parse_prepare (root, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (t.signed_id, ==, "s1");
  g_assert_cmpstr (t.upload_url, ==, "https://up.example/x?sig=1");
  /* Only well-formed string headers are kept. */
  g_assert_cmpuint (g_strv_length (t.headers), ==, 2);
  g_assert_cmpstr (t.headers[0], ==, "Content-MD5");
  g_assert_cmpstr (t.headers[1], ==, "abc");
  body = p->build_confirm_body (&t);
  g_assert_cmpstr (body, ==, "{\"signed_id\":\"s1\"}");
  g_free (body);
  imagegen_upload_target_clear (&t);
  json_node_unref (root);

  root = parse ("{\"signed_id\":\"s1\",\"upload_url\":\"file:///etc/passwd\"}");
  g_assert_false (p->parse_prepare (root, &t, &error));
  g_assert_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  json_node_unref (root);
}

static void
test_create_body (void)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  g_autoptr (ImagegenRequest) req = NULL;
  g_autoptr (GPtrArray) urls = g_ptr_array_new ();
  gchar *body, *path;

  req = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "flux-2-pro-text-to-image", "a cat");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-2-pro-text-to-image\","
      "\"prompt\":\"a cat\"}");
  g_free (body);
  path = p->create_path (req);
  g_assert_cmpstr (path, ==, "/api/v1/flux_2/text_to_image");
  g_free (path);

  req->endpoint = IMAGEGEN_ENDPOINT_REMIX;
  g_free (req->model);
  req->model = g_strdup ("flux-2-pro-remix-image");
  req->aspect_ratio = g_strdup ("16:9");
  req->resolution = g_strdup ("2k");
  g_ptr_array_add (urls, (gpointer) "https://x/1.jpg");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-2-pro-remix-image\","
      "\"prompt\":\"a cat\",\"aspect_ratio\":\"16:9\","
      "\"output_resolution\":\"2k\","
      "\"source_image_urls\":[\"https://x/1.jpg\"]}");
  g_free (body);
  path = p->poll_path (req, "a/b");
  g_assert_cmpstr (path, ==, "/api/v1/flux_2/remix_image/a%2Fb");
  g_free (path);

  /* Flux Kontext edits through text_to_image with one source_image_url,
   * and takes no resolution: the row decides what is sent */
  g_free (req->model);
  req->model = g_strdup ("flux-kontext-pro");
  req->extra_json = g_strdup ("{\"safety_tolerance\":1}");
  body = p->build_create_body (req, urls);
  g_assert_cmpstr (body, ==, "{\"model\":\"flux-kontext-pro\","
      "\"prompt\":\"a cat\",\"aspect_ratio\":\"16:9\","
      "\"source_image_url\":\"https://x/1.jpg\",\"safety_tolerance\":1}");
  g_free (body);
  path = p->create_path (req);
  g_assert_cmpstr (path, ==, "/api/v1/flux_kontext/text_to_image");
  g_free (path);

  /* no row: the client refuses to build anything */
  g_free (req->model);
  req->model = g_strdup ("m");
  g_assert_null (p->create_path (req));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/errors/bodies", test_error_bodies,
      "/provider/task", test_task_parsing, "/provider/prepare",
      test_prepare_parsing, "/provider/create-body", test_create_body, NULL);
}
