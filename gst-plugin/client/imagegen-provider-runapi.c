/* gst-imagegen: RunAPI (Flux 2) — see PROTOCOL.md, section 1.
 *
 * Facts the public material does not confirm are marked "unconfirmed".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-runapi.h"
#include "imagegen-image-type.h"
#include "imagegen-models.h"

#include <math.h>
#include <string.h>

/* ---- tasks ---- */

/* The model table's row for @request; the client checks requests against
 * it before sending, so a missing row is a caller's bug. */
static const ImagegenModelRow *
request_row (const ImagegenRequest * request)
{
  return imagegen_models_find ("runapi", request->endpoint, request->model);
}

static gchar *
runapi_create_path (const ImagegenRequest * request)
{
  const ImagegenModelRow *row = request_row (request);

  return row ? g_strdup (row->path) : NULL;
}

static gchar *
runapi_poll_path (const ImagegenRequest * request, const gchar * task_id)
{
  const ImagegenModelRow *row = request_row (request);
  g_autofree gchar *escaped = g_uri_escape_string (task_id, NULL, FALSE);

  return row ? g_strdup_printf ("%s/%s", row->path, escaped) : NULL;
}

static gchar *
runapi_build_create_body (const ImagegenRequest * request,
    GPtrArray * source_urls)
{
  const ImagegenModelRow *row = request_row (request);
  g_autoptr (JsonNode) root = NULL;

  if (row == NULL)
    return NULL;
  root = imagegen_model_build_body (row, request, source_urls);
  return json_to_string (root, FALSE);
}

/* ---- live prices (RUNAPI-MODELS.md section 4) ---- */

/* {service, action, model, params}: service and action in the route's
 * spelling, params the create body without model and sources. */
static gchar *
runapi_build_quote_body (const ImagegenRequest * request)
{
  const ImagegenModelRow *row = request_row (request);
  g_autoptr (JsonNode) params = NULL;
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj;
  gchar **parts;

  if (row == NULL)
    return NULL;
  params = imagegen_model_build_body (row, request, NULL);
  json_object_remove_member (json_node_get_object (params), "model");
  parts = g_strsplit (row->path + strlen ("/api/v1/"), "/", 2);
  obj = json_object_new ();
  json_object_set_string_member (obj, "service", parts[0]);
  json_object_set_string_member (obj, "action", parts[1]);
  json_object_set_string_member (obj, "model", row->model);
  json_object_set_member (obj, "params", json_node_ref (params));
  json_node_take_object (root, obj);
  g_strfreev (parts);
  return json_to_string (root, FALSE);
}

/* The cents at @name of @obj (fractions kept), in nanocents; -1 when
 * absent or not a number. */
static gint64
cents_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) != G_TYPE_INT64
      && json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return -1;
  return imagegen_nanocents (MAX (json_node_get_double (node), 0));
}

static gboolean
runapi_parse_quote (JsonNode * root, gint64 * nanocents, GError ** error)
{
  JsonObject *quote = imagegen_json_object (imagegen_json_root (root,
          "price quote", error), "price_quote");

  if (quote == NULL) {
    if (error && *error == NULL)
      imagegen_json_malformed (error,
          "malformed price quote answer: no \"price_quote\"");
    return FALSE;
  }
  *nanocents = cents_member (quote, "reservation_amount_cents");
  return TRUE;
}

/* billing.settlement.charged_amount_cents, each level nullable */
static gint64
parse_charged (JsonObject * obj)
{
  return cents_member (imagegen_json_object (imagegen_json_object (obj,
              "billing"), "settlement"), "charged_amount_cents");
}

/* billing.reservation.amount_cents: what the service holds for the task */
static gint64
parse_reserved (JsonObject * obj)
{
  return cents_member (imagegen_json_object (imagegen_json_object (obj,
              "billing"), "reservation"), "amount_cents");
}

/* "error" is a string or {"code","message"}; "message" as a fallback. */
static gchar *
error_text (JsonObject * obj)
{
  JsonObject *eobj = imagegen_json_object (obj, "error");
  const gchar *s;

  if ((s = imagegen_json_string (obj, "error")) != NULL)
    return g_strdup (s);
  if (eobj != NULL) {
    const gchar *code = imagegen_json_string (eobj, "code");

    if ((s = imagegen_json_string (eobj, "message")) != NULL)
      return g_strdup (s);
    if (code != NULL)
      return g_strdup (code);
  }
  if ((s = imagegen_json_string (obj, "message")) != NULL)
    return g_strdup (s);
  return NULL;
}

static gboolean
parse_task_common (JsonObject * obj, ImagegenTaskInfo * info,
    gboolean status_required, GError ** error)
{
  /* including the words the SDKs map (success, cancelled...); any other
   * is still running, as the JS and Go SDKs read it ("queued" in one
   * mock) */
  static const gchar *const pending[] = { "pending", "processing", NULL };
  static const gchar *const completed[] = {
    "completed", "success", "complete", "succeeded", "finished", NULL
  };
  static const gchar *const failed[] = {
    "failed", "error", "generate_failed", "create_task_failed", "canceled",
    "cancelled", "timeout", NULL
  };
  static const ImagegenStatusWords words = {
    pending, completed, failed, IMAGEGEN_TASK_COMPLETED
  };
  JsonNode *id_node = json_object_get_member (obj, "id");

  if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node)) {
    g_free (info->id);
    if (json_node_get_value_type (id_node) == G_TYPE_STRING)
      info->id = g_strdup (json_node_get_string (id_node));
    else if (json_node_get_value_type (id_node) == G_TYPE_INT64)
      info->id = g_strdup_printf ("%" G_GINT64_FORMAT,
          json_node_get_int (id_node));
    else
      info->id = NULL;
  }

  info->charged_nanocents = parse_charged (obj);
  info->reserved_nanocents = parse_reserved (obj);
  if (!imagegen_json_task_status (obj, "task", &words, status_required, info,
          error))
    return FALSE;

  if (info->state == IMAGEGEN_TASK_FAILED) {
    g_free (info->error_message);
    info->error_message = error_text (obj);
  } else if (info->state == IMAGEGEN_TASK_COMPLETED) {
    JsonNode *images = json_object_get_member (obj, "images");
    JsonArray *arr;
    guint i;

    if (info->image_urls)
      g_ptr_array_set_size (info->image_urls, 0);
    else
      info->image_urls = g_ptr_array_new_with_free_func (g_free);

    /* Each image is {"url": …}; a bare string is accepted too. */
    arr = images && JSON_NODE_HOLDS_ARRAY (images) ?
        json_node_get_array (images) : NULL;
    for (i = 0; arr && i < json_array_get_length (arr); i++) {
      JsonNode *el = json_array_get_element (arr, i);
      const gchar *url = NULL;

      if (JSON_NODE_HOLDS_OBJECT (el))
        url = imagegen_json_string (json_node_get_object (el), "url");
      else if (json_node_get_value_type (el) == G_TYPE_STRING)
        url = json_node_get_string (el);
      if (imagegen_json_http_url (url))
        g_ptr_array_add (info->image_urls, g_strdup (url));
    }

    if (info->image_urls->len == 0) {
      return imagegen_json_malformed (error,
          "task completed without any image URL");
    }
  }
  return TRUE;
}

static gboolean
runapi_parse_create (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "create", error);

  if (obj == NULL)
    return FALSE;
  if (!parse_task_common (obj, info, FALSE, error))
    return FALSE;
  if (info->id == NULL || *info->id == '\0') {
    return imagegen_json_malformed (error,
        "malformed create answer: no task id");
  }
  info->replayed = json_object_has_member (obj, "task_replayed")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "task_replayed"))
      && json_object_get_boolean_member (obj, "task_replayed");
  return TRUE;
}

static gboolean
runapi_parse_task (JsonNode * root, ImagegenTaskInfo * info, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "task", error);

  if (obj == NULL)
    return FALSE;
  return parse_task_common (obj, info, TRUE, error);
}

/* Three shapes: {"error":"text"}, {"error":{"code","message"}} and
 * {"error":"text","errors":{field:[…]}}.  Field messages are the most
 * useful part ("prompt is too short"), so they replace the generic text. */
static gchar *
runapi_parse_error_body (JsonNode * root)
{
  JsonObject *obj, *fields;
  GString *s;
  GList *names, *l;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);

  fields = imagegen_json_object (obj, "errors");
  if (fields == NULL || json_object_get_size (fields) == 0)
    return error_text (obj);

  s = g_string_new (NULL);
  names = json_object_get_members (fields);
  for (l = names; l; l = l->next) {
    const gchar *field = l->data;
    JsonNode *node = json_object_get_member (fields, field);

    if (JSON_NODE_HOLDS_ARRAY (node)) {
      JsonArray *arr = json_node_get_array (node);
      guint i;

      for (i = 0; i < json_array_get_length (arr); i++) {
        JsonNode *el = json_array_get_element (arr, i);

        if (json_node_get_value_type (el) != G_TYPE_STRING)
          continue;
        g_string_append_printf (s, "%s%s %s", s->len ? "; " : "", field,
            json_node_get_string (el));
      }
    } else if (json_node_get_value_type (node) == G_TYPE_STRING) {
      g_string_append_printf (s, "%s%s %s", s->len ? "; " : "", field,
          json_node_get_string (node));
    }
  }
  g_list_free (names);

  if (s->len == 0) {
    g_string_free (s, TRUE);
    return error_text (obj);
  }
  return g_string_free (s, FALSE);
}

const ImagegenProvider imagegen_provider_runapi = {
  .name = "runapi",
  .upload_path = "/api/v1/files",
  .build_upload_body = imagegen_runapi_build_upload_body,
  .parse_upload = imagegen_runapi_parse_upload,
  .create_path = runapi_create_path,
  .build_create_body = runapi_build_create_body,
  .parse_create = runapi_parse_create,
  .poll_path = runapi_poll_path,
  .parse_task = runapi_parse_task,
  .parse_error_body = runapi_parse_error_body,
  .prepare_path = "/api/v1/files/prepare",
  .confirm_path = "/api/v1/files/confirm",
  .build_prepare_body = imagegen_runapi_build_prepare_body,
  .parse_prepare = imagegen_runapi_parse_prepare,
  .build_confirm_body = imagegen_runapi_build_confirm_body,
  .auth_header = "Authorization",
  .auth_prefix = "Bearer ",
  .default_base_url = IMAGEGEN_CLIENT_DEFAULT_BASE_URL,
  .quote_path = "/api/v1/price_quotes",
  .build_quote_body = runapi_build_quote_body,
  .parse_quote = runapi_parse_quote,
  .key_env = "RUNAPI_API_KEY",
  .base_url_env = "RUNAPI_BASE_URL",
};
