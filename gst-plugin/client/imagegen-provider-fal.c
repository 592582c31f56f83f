/* gst-imagegen: fal's queue API (PROTOCOL-FAL.md, sections 1, 2 and 6).
 *
 * Submit POSTs the model input to the full id below the queue host; the
 * status, its event stream, the result and the cancel live below the
 * owner and app alone (fal's JS client builds them so and ignores the
 * URLs the submit answer gives).  A status of COMPLETED covers failures
 * too: its error says so, else the result GET gives the images or the
 * model's error.  The key goes as "Authorization: Key …" to fal's API
 * hosts only; frames go inline as data: URIs, which every model of
 * theirs we serve takes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-provider.h"
#include "imagegen-fal-models.h"
#include "imagegen-models.h"

#include <string.h>

/* ---- paths ---- */

/* "/owner/app" of @model, with its "workflows/" or "comfy/" namespace;
 * NULL for an id of fewer than two parts. */
static gchar *
fal_app_path (const gchar * model)
{
  g_auto (GStrv) parts = g_strsplit (model ? model : "", "/", -1);
  guint ns = parts[0] && (strcmp (parts[0], "workflows") == 0
      || strcmp (parts[0], "comfy") == 0) ? 1 : 0;
  g_autofree gchar *owner = NULL, *app = NULL;

  if (g_strv_length (parts) < ns + 2 || *parts[ns] == '\0'
      || *parts[ns + 1] == '\0')
    return NULL;
  owner = g_uri_escape_string (parts[ns], NULL, FALSE);
  app = g_uri_escape_string (parts[ns + 1], NULL, FALSE);
  return g_strdup_printf ("%s%s/%s/%s", ns ? "/" : "", ns ? parts[0] : "",
      owner, app);
}

/* @what below the request's path: "/owner/app/requests/<id><what>". */
static gchar *
fal_request_path (const ImagegenRequest * request, const gchar * task_id,
    const gchar * what)
{
  g_autofree gchar *app = fal_app_path (request->model);
  g_autofree gchar *id = g_uri_escape_string (task_id, NULL, FALSE);

  return app ? g_strdup_printf ("%s/requests/%s%s", app, id, what) : NULL;
}

static gchar *
fal_create_path (const ImagegenRequest * request)
{
  g_autofree gchar *app = fal_app_path (request->model);

  return app ? g_strdup_printf ("/%s", request->model) : NULL;
}

/* their JS client always sends logs=0 or logs=1 */
static gchar *
fal_poll_path (const ImagegenRequest * request, const gchar * task_id)
{
  return fal_request_path (request, task_id, "/status?logs=0");
}

static gchar *
fal_status_stream_path (const ImagegenRequest * request,
    const gchar * task_id)
{
  return fal_request_path (request, task_id, "/status/stream?logs=0");
}

static gchar *
fal_result_path (const ImagegenRequest * request, const gchar * task_id)
{
  return fal_request_path (request, task_id, "");
}

static gchar *
fal_cancel_path (const ImagegenRequest * request, const gchar * task_id)
{
  return fal_request_path (request, task_id, "/cancel");
}

/* ---- request ---- */

static gchar *
fal_inline_image (GBytes * image)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (image, &size);
  g_autofree gchar *b64 = g_base64_encode (data, size);

  return g_strdup_printf ("data:%s;base64,%s",
      imagegen_image_mime_type (image), b64);
}

/* @name = @value in @obj when @row takes it and @obj has none. */
static void
fal_set_default (const ImagegenModelRow * row, JsonObject * obj,
    const gchar * name, JsonNode * value)
{
  if (row != NULL && imagegen_model_row_field (row, name) != NULL
      && !json_object_has_member (obj, name))
    json_object_set_member (obj, name, value);
  else
    json_node_unref (value);
}

/* The size asked: the request's own, else its aspect ratio and
 * resolution's (realtime: its square preset); the seed, steps and guidance properties as fal's fields,
 * for the rows that take them (unless extra sets them). */
static ImagegenRequest *
fal_table_request (const ImagegenRequest * request)
{
  ImagegenRequest *copy = imagegen_request_copy (request);
  const ImagegenModelRow *row = imagegen_models_find ("fal",
      request->endpoint == IMAGEGEN_ENDPOINT_UPLOAD ?
      IMAGEGEN_ENDPOINT_REMIX : request->endpoint, request->model);
  g_autoptr (JsonNode) extra = request->extra_json ?
      json_from_string (request->extra_json, NULL) : NULL;
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = extra && JSON_NODE_HOLDS_OBJECT (extra) ?
      json_object_ref (json_node_get_object (extra)) : json_object_new ();

  if (copy->width == 0 || copy->height == 0)
    imagegen_models_output_size (&imagegen_provider_fal, request->model,
        request->aspect_ratio, request->resolution, &copy->width,
        &copy->height);
  if (request->seed >= 0)
    fal_set_default (row, obj, "seed", json_node_init_int (json_node_alloc
            (), request->seed));
  if (request->steps > 0)
    fal_set_default (row, obj, "num_inference_steps",
        json_node_init_int (json_node_alloc (), request->steps));
  if (request->guidance > 0)
    fal_set_default (row, obj, "guidance_scale",
        json_node_init_double (json_node_alloc (), request->guidance));
  /* realtime answers squares: the one nearest the size asked */
  if (row != NULL && row->realtime && imagegen_fal_realtime_image_size
      (request->width, request->height, request->resolution) != NULL)
    fal_set_default (row, obj, "image_size",
        json_node_init_string (json_node_alloc (),
            imagegen_fal_realtime_image_size (request->width,
                request->height, request->resolution)));
  json_node_take_object (root, obj);
  g_free (copy->extra_json);
  copy->extra_json = json_object_get_size (obj) > 0 || request->extra_json ?
      json_to_string (root, FALSE) : NULL;
  return copy;
}

static gchar *
fal_build_create_body (const ImagegenRequest * request, GPtrArray * sources)
{
  g_autoptr (ImagegenRequest) full = fal_table_request (request);
  gboolean remix = sources != NULL && sources->len > 0;
  const ImagegenModelRow *row = imagegen_models_find ("fal", remix ?
      IMAGEGEN_ENDPOINT_REMIX : IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      request->model);
  /* an id of theirs the table lacks: klein's shape, so that their own
   * 422 says what is wrong */
  const ImagegenModelRow *shape = row ? row : imagegen_models_find ("fal",
      remix ? IMAGEGEN_ENDPOINT_REMIX : IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      remix ? "fal-ai/flux-2/klein/4b/edit" : "fal-ai/flux-2/klein/4b");
  g_autoptr (JsonNode) root = imagegen_model_build_body (shape, full,
      sources);

  return json_to_string (root, FALSE);
}

/* ---- answers ---- */

/* {"status":"IN_QUEUE","request_id","response_url","status_url",
 * "cancel_url","queue_position"} */
static gboolean
fal_parse_create (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "submit", error);
  const gchar *id;

  if (obj == NULL)
    return FALSE;
  id = imagegen_json_string (obj, "request_id");
  if (id == NULL || *id == '\0') {
    g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed submit answer: no request_id");
    return FALSE;
  }
  info->id = g_strdup (id);
  info->state = IMAGEGEN_TASK_PENDING;
  info->status = g_strdup (imagegen_json_string (obj, "status") ?
      imagegen_json_string (obj, "status") : "IN_QUEUE");
  return TRUE;
}

/* The text of a member that may be a string or any JSON. */
static gchar *
fal_member_text (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj && json_object_has_member (obj, name) ?
      json_object_get_member (obj, name) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* {"status":"IN_QUEUE|IN_PROGRESS|COMPLETED", "error", "error_type", …};
 * a failed or cancelled request is COMPLETED too, with its error. */
static gboolean
fal_parse_task (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "status", error);
  const gchar *status;
  g_autofree gchar *failure = NULL, *type = NULL;

  if (obj == NULL)
    return FALSE;
  status = imagegen_json_string (obj, "status");
  if (status == NULL) {
    g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL, "malformed status answer: no status");
    return FALSE;
  }
  if (info->id == NULL && imagegen_json_string (obj, "request_id") != NULL)
    info->id = g_strdup (imagegen_json_string (obj, "request_id"));
  g_free (info->status);
  info->status = g_strdup (status);
  info->status_unknown = FALSE;
  if (strcmp (status, "COMPLETED") != 0) {
    /* IN_QUEUE, IN_PROGRESS, and any word they add later: their JS
     * client polls on through it, bounded here by the job timeout */
    info->state = IMAGEGEN_TASK_PENDING;
    info->status_unknown = strcmp (status, "IN_QUEUE") != 0
        && strcmp (status, "IN_PROGRESS") != 0;
    return TRUE;
  }
  failure = fal_member_text (obj, "error");
  if (failure == NULL) {
    info->state = IMAGEGEN_TASK_RESULT_READY;
    return TRUE;
  }
  type = fal_member_text (obj, "error_type");
  info->state = IMAGEGEN_TASK_FAILED;
  g_free (info->error_message);
  info->error_message = g_strdup_printf ("%s%s%s%s", failure,
      type ? " (" : "", type ? type : "", type ? ")" : "");
  return TRUE;
}

/* The model's output: {"images":[{"url",…}…],"seed",
 * "has_nsfw_concepts":[bool…]}; result URLs may be any https host. */
static gboolean
fal_parse_result (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "result", error);
  JsonNode *node, *flags;
  JsonArray *images;
  guint i;

  if (obj == NULL)
    return FALSE;
  node = json_object_get_member (obj, "images");
  images = node && JSON_NODE_HOLDS_ARRAY (node) ?
      json_node_get_array (node) : NULL;
  flags = json_object_get_member (obj, "has_nsfw_concepts");
  if (flags != NULL && JSON_NODE_HOLDS_ARRAY (flags)) {
    JsonArray *list = json_node_get_array (flags);

    for (i = 0; i < json_array_get_length (list); i++) {
      JsonNode *el = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) ==
          G_TYPE_BOOLEAN && json_node_get_boolean (el)) {
        info->state = IMAGEGEN_TASK_FAILED;
        info->error_message = g_strdup ("the result was flagged by the "
            "provider's moderation (content moderated: has_nsfw_concepts)");
        return TRUE;
      }
    }
  }
  info->image_urls = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; images != NULL && i < json_array_get_length (images); i++) {
    JsonNode *el = json_array_get_element (images, i);
    const gchar *url = imagegen_json_string (JSON_NODE_HOLDS_OBJECT (el) ?
        json_node_get_object (el) : NULL, "url");

    if (!imagegen_json_http_url (url)) {
      g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
          IMAGEGEN_CLIENT_ERROR_PROTOCOL,
          "malformed result answer: an image without an http(s) url");
      return FALSE;
    }
    g_ptr_array_add (info->image_urls, g_strdup (url));
  }
  if (info->image_urls->len == 0) {
    g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed result answer: no images");
    return FALSE;
  }
  info->state = IMAGEGEN_TASK_COMPLETED;
  return TRUE;
}

/* fal's API hosts: the queue, the direct run and the REST (tokens and
 * storage) hosts.  Not their CDN (results) nor upload URLs. */
static const gchar *const fal_key_hosts[] = {
  "queue.fal.run", "fal.run", "rest.fal.ai", NULL
};

const ImagegenProvider imagegen_provider_fal = {
  .name = "fal",
  /* the submit */
  .create_path = fal_create_path,
  .build_create_body = fal_build_create_body,
  .parse_create = fal_parse_create,
  /* completion: the status stream, else polls; then the result */
  .status_stream_path = fal_status_stream_path,
  .poll_path = fal_poll_path,
  .parse_task = fal_parse_task,
  .result_path = fal_result_path,
  .parse_result = fal_parse_result,
  /* a request given up, and error bodies */
  .cancel_path = fal_cancel_path,
  .parse_error_body = imagegen_json_detail_error,
  /* the key's header and the hosts it may go to */
  .auth_header = "Authorization",
  .auth_prefix = "Key ",
  .key_hosts = fal_key_hosts,
  /* where the key and the base URL come from */
  .key_env = "FAL_KEY",
  .key_id_env = "FAL_KEY_ID",
  .key_secret_env = "FAL_KEY_SECRET",
  .base_url_env = "FAL_BASE_URL",
  .default_base_url = IMAGEGEN_FAL_DEFAULT_BASE_URL,
  /* frames inline; sizes and prices from the model table */
  .inline_image = fal_inline_image,
  .table_request = fal_table_request,
};
