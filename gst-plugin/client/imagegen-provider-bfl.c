/* gst-imagegen: Black Forest Labs direct (FLUX.2, FLUX 3) — see
 * PROTOCOL.md, section 2, and NEW-MODELS.md section 1.
 *
 * No upload step: frames go inline as base64 in input_image,
 * input_image_2 … (FLUX 3: one images array); the task is polled at the
 * polling_url the submit answer gives; the key travels in x-key.  Facts
 * the public material does not confirm are marked "unconfirmed".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-provider.h"
#include "imagegen-bfl-models.h"
#include "imagegen-models.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A number member of @obj into @value; FALSE when it is none. */
static gboolean
bfl_number (JsonObject * obj, const gchar * name, gdouble * value)
{
  JsonNode *node = obj && json_object_has_member (obj, name) ?
      json_object_get_member (obj, name) : NULL;
  GType type = node && JSON_NODE_HOLDS_VALUE (node) ?
      json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_INT64)
    *value = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

/* ---- request ---- */

/* The output size: the request's own, else @aspect_ratio at about 1 MP
 * (for "2k" the most within their 4 MP), else 1024 x 1024. */
static void
bfl_request_size (const ImagegenRequest * request, guint * width,
    guint * height)
{
  if (request->width > 0 && request->height > 0) {
    *width = request->width;
    *height = request->height;
    return;
  }
  imagegen_models_output_size (&imagegen_provider_bfl, request->model,
      request->aspect_ratio, request->resolution, width, height);
}

static gchar *
bfl_create_path (const ImagegenRequest * request)
{
  g_autofree gchar *escaped = g_uri_escape_string (request->model, NULL,
      FALSE);

  return g_strdup_printf ("/v1/%s", escaped);
}

/* Only used when a submit answer has no polling_url (unconfirmed: older
 * answers of theirs had none). */
static gchar *
bfl_poll_path (const ImagegenRequest * request, const gchar * task_id)
{
  g_autofree gchar *escaped = g_uri_escape_string (task_id, NULL, FALSE);

  return g_strdup_printf ("/v1/get_result?id=%s", escaped);
}

static gchar *
bfl_inline_image (GBytes * image)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (image, &size);

  /* plain base64, as their examples send */
  return g_base64_encode (data, size);
}

/* The seed, steps and guidance the request's own members give (the
 * element's properties) as extra fields, unless extra has them. */
static gchar *
bfl_fields_json (const ImagegenRequest * request)
{
  g_autoptr (JsonNode) extra = request->extra_json ?
      json_from_string (request->extra_json, NULL) : NULL;
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = extra && JSON_NODE_HOLDS_OBJECT (extra) ?
      json_object_ref (json_node_get_object (extra)) : json_object_new ();

  if (request->seed >= 0 && !json_object_has_member (obj, "seed"))
    json_object_set_int_member (obj, "seed", request->seed);
  if (request->steps > 0 && !json_object_has_member (obj, "steps"))
    json_object_set_int_member (obj, "steps", request->steps);
  if (request->guidance > 0 && !json_object_has_member (obj, "guidance"))
    json_object_set_double_member (obj, "guidance", request->guidance);
  json_node_take_object (root, obj);
  return json_to_string (root, FALSE);
}

ImagegenRequest *
imagegen_bfl_table_request (const ImagegenRequest * request)
{
  ImagegenRequest *copy = imagegen_request_copy (request);

  bfl_request_size (request, &copy->width, &copy->height);
  g_free (copy->extra_json);
  copy->extra_json = bfl_fields_json (request);
  return copy;
}

static gchar *
bfl_build_create_body (const ImagegenRequest * request, GPtrArray * sources)
{
  g_autoptr (ImagegenRequest) full = imagegen_bfl_table_request (request);
  const ImagegenModelRow *row = imagegen_models_find ("bfl",
      sources != NULL && sources->len > 0 ? IMAGEGEN_ENDPOINT_REMIX :
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, request->model);
  /* a model id of theirs the table lacks: the shape of their flex row, so
   * that their own 422 says what is wrong */
  const ImagegenModelRow *shape = row ? row : imagegen_models_find ("bfl",
      IMAGEGEN_ENDPOINT_REMIX, "flux-2-flex");
  g_autoptr (JsonNode) root = imagegen_model_build_body (shape, full,
      sources);

  return json_to_string (root, FALSE);
}

/* ---- answers ---- */

/* {"id","polling_url","cost","input_mp","output_mp"}; cost in credits,
 * one credit a cent, with fractions. */
static gboolean
bfl_parse_create (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "submit", error);
  const gchar *id, *polling_url;
  gdouble cost;

  if (obj == NULL)
    return FALSE;
  id = imagegen_json_string (obj, "id");
  polling_url = imagegen_json_string (obj, "polling_url");
  if (id == NULL || *id == '\0') {
    return imagegen_json_malformed (error, "malformed submit answer: no id");
  }
  if (polling_url != NULL && !imagegen_json_http_url (polling_url)) {
    return imagegen_json_malformed (error,
        "malformed submit answer: \"polling_url\" is not an http(s) URL");
  }
  info->id = g_strdup (id);
  info->poll_url = g_strdup (polling_url);
  info->state = IMAGEGEN_TASK_PENDING;
  info->status = g_strdup ("Pending");
  /* their own bill, fractions kept; without it the table's formula */
  if (bfl_number (obj, "cost", &cost) && cost >= 0)
    info->charged_nanocents = imagegen_nanocents (cost);
  return TRUE;
}

/* The words of a failed task, moderation said in a way the error mapping
 * recognises ("content moderated: …"). */
static gchar *
bfl_failure_text (const gchar * status, JsonObject * obj)
{
  JsonNode *details = json_object_has_member (obj, "details") ?
      json_object_get_member (obj, "details") : NULL;
  g_autofree gchar *detail_text = NULL;

  if (details != NULL && !JSON_NODE_HOLDS_NULL (details))
    detail_text = json_to_string (details, FALSE);
  if (strcmp (status, "Content Moderated") == 0)
    return g_strdup_printf ("the result was flagged by the provider's "
        "moderation (Content Moderated)%s%s", detail_text ? ": " : "",
        detail_text ? detail_text : "");
  if (strcmp (status, "Request Moderated") == 0)
    return g_strdup_printf ("the prompt or input image was flagged by the "
        "provider's moderation (Request Moderated)%s%s",
        detail_text ? ": " : "", detail_text ? detail_text : "");
  if (strcmp (status, "Task not found") == 0)
    return g_strdup ("the provider has no such task (Task not found)");
  return g_strdup_printf ("%s%s%s", status, detail_text ? ": " : "",
      detail_text ? detail_text : "");
}

/* {"id","status","result":{"sample","seed"},"progress","details"} */
static gboolean
bfl_parse_task (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  static const gchar *const failed[] = {
    "Error", "Content Moderated", "Request Moderated", "Task not found", NULL
  };
  static const gchar *const in_progress[] = {
    "Pending", "Reasoning", "Generating", NULL
  };
  static const gchar *const ready[] = { "Ready", NULL };
  /* Pending, FLUX 3's Reasoning (expanding the prompt) and Generating */
  static const ImagegenStatusWords words = {
    in_progress, ready, failed, IMAGEGEN_TASK_COMPLETED
  };
  JsonObject *obj = imagegen_json_root (root, "result", error), *result;
  JsonNode *node;
  const gchar *sample;

  if (obj == NULL
      || !imagegen_json_task_status (obj, "result", &words, TRUE, info, error))
    return FALSE;
  if (info->id == NULL && imagegen_json_string (obj, "id") != NULL)
    info->id = g_strdup (imagegen_json_string (obj, "id"));

  if (info->state == IMAGEGEN_TASK_COMPLETED) {
    node = json_object_has_member (obj, "result") ?
        json_object_get_member (obj, "result") : NULL;
    result = node && JSON_NODE_HOLDS_OBJECT (node) ?
        json_node_get_object (node) : NULL;
    sample = imagegen_json_string (result, "sample");
    if (!imagegen_json_http_url (sample)) {
      return imagegen_json_malformed (error,
          "task ready without a result.sample URL");
    }
    info->image_urls = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (info->image_urls, g_strdup (sample));
  } else if (info->state == IMAGEGEN_TASK_FAILED) {
    g_free (info->error_message);
    info->error_message = bfl_failure_text (info->status, obj);
  }
  return TRUE;
}

/* {"detail": …, "retry_after": seconds} on a 429 */
static gchar *
bfl_body_retry_after (JsonNode * root)
{
  gdouble secs;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !bfl_number (json_node_get_object (root), "retry_after", &secs)
      || secs < 0)
    return NULL;
  return g_strdup_printf ("%u", (guint) MIN (ceil (secs), 3600));
}

const ImagegenProvider imagegen_provider_bfl = {
  .name = "bfl",
  .create_path = bfl_create_path,
  .build_create_body = bfl_build_create_body,
  .parse_create = bfl_parse_create,
  .poll_path = bfl_poll_path,
  .parse_task = bfl_parse_task,
  .parse_error_body = imagegen_json_detail_error,
  .auth_header = "x-key",
  .auth_prefix = "",
  /* their polling URLs may name a regional host of the same domain
   * (unconfirmed) */
  .key_domain = "bfl.ai",
  .default_base_url = IMAGEGEN_BFL_DEFAULT_BASE_URL,
  .inline_image = bfl_inline_image,
  .fit_size = imagegen_bfl_fit_size,
  .resolutions = imagegen_bfl_resolutions,
  .max_aspect = IMAGEGEN_BFL_MAX_ASPECT,
  .table_request = imagegen_bfl_table_request,
  .body_retry_after = bfl_body_retry_after,
  .key_env = "BFL_API_KEY",
  .base_url_env = "BFL_BASE_URL",
};
