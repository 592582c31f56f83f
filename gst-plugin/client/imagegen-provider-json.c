/* gst-imagegen: what the providers' answers are read with, and the
 * provider structs' clear functions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-provider.h"
#include "imagegen-image-type.h"

void
imagegen_task_info_clear (ImagegenTaskInfo * info)
{
  g_clear_pointer (&info->id, g_free);
  g_clear_pointer (&info->status, g_free);
  g_clear_pointer (&info->error_message, g_free);
  g_clear_pointer (&info->image_urls, g_ptr_array_unref);
  g_clear_pointer (&info->poll_url, g_free);
}

void
imagegen_upload_target_clear (ImagegenUploadTarget * target)
{
  g_clear_pointer (&target->signed_id, g_free);
  g_clear_pointer (&target->upload_url, g_free);
  g_clear_pointer (&target->headers, g_strfreev);
}

const gchar *
imagegen_image_mime_type (GBytes * image)
{
  const gchar *type = imagegen_image_type_sniff (image);

  /* our own uploads are PNG or JPEG; anything else is the service's to
   * refuse */
  return type != NULL ? type : "image/jpeg";
}

gboolean
imagegen_json_malformed (GError ** error, const gchar * message)
{
  g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_PROTOCOL, message);
  return FALSE;
}

JsonObject *
imagegen_json_root (JsonNode * root, const gchar * what, GError ** error)
{
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed %s answer: not a JSON object", what);
    return NULL;
  }
  return json_node_get_object (root);
}

/* A string member, or NULL when absent, null or of another type. */
const gchar *
imagegen_json_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
imagegen_json_object (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

gboolean
imagegen_json_http_url (const gchar * url)
{
  return url != NULL && (g_str_has_prefix (url, "https://")
      || g_str_has_prefix (url, "http://"));
}

static gboolean
in_words (const gchar * const *words, const gchar * status)
{
  return words != NULL && g_strv_contains (words, status);
}

gboolean
imagegen_json_task_status (JsonObject * obj, const gchar * what,
    const ImagegenStatusWords * words, gboolean required,
    ImagegenTaskInfo * info, GError ** error)
{
  const gchar *status = imagegen_json_string (obj, "status");
  JsonNode *node = json_object_get_member (obj, "status");

  /* present but not a string is a broken answer, not a missing status */
  if (status == NULL && node != NULL && !JSON_NODE_HOLDS_NULL (node)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed %s answer: \"status\" is not a string", what);
    return FALSE;
  }
  if (status == NULL && required) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "malformed %s answer: no status", what);
    return FALSE;
  }
  info->status_unknown = FALSE;
  if (status != NULL && in_words (words->done, status))
    info->state = words->done_state;
  else if (status != NULL && in_words (words->failed, status))
    info->state = IMAGEGEN_TASK_FAILED;
  else {
    info->state = IMAGEGEN_TASK_PENDING;
    info->status_unknown = status != NULL && !in_words (words->pending, status);
  }
  g_free (info->status);
  info->status = g_strdup (status);
  return TRUE;
}

/* Black Forest Labs' and fal's error bodies (FastAPI's shape):
 * {"detail":"text"} or, on 422, {"detail":[{"loc":[…],"msg","type"}]}:
 * "width: …; height: …" (the last part of loc names the field). */
gchar *
imagegen_json_detail_error (JsonNode * root)
{
  JsonObject *obj;
  JsonNode *detail;
  JsonArray *items;
  GString *s;
  guint i;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  detail = json_object_has_member (obj, "detail") ?
      json_object_get_member (obj, "detail") : NULL;
  if (detail == NULL || !JSON_NODE_HOLDS_ARRAY (detail))
    return g_strdup (imagegen_json_string (obj, "detail") ?
        imagegen_json_string (obj, "detail") :
        imagegen_json_string (obj, "message"));

  s = g_string_new (NULL);
  items = json_node_get_array (detail);
  for (i = 0; i < json_array_get_length (items); i++) {
    JsonNode *el = json_array_get_element (items, i);
    JsonObject *item = JSON_NODE_HOLDS_OBJECT (el) ?
        json_node_get_object (el) : NULL;
    JsonNode *loc = item && json_object_has_member (item, "loc") ?
        json_object_get_member (item, "loc") : NULL;
    const gchar *msg = imagegen_json_string (item, "msg"), *field = NULL;

    if (msg == NULL)
      continue;
    if (loc && JSON_NODE_HOLDS_ARRAY (loc)
        && json_array_get_length (json_node_get_array (loc)) > 0) {
      JsonArray *parts = json_node_get_array (loc);
      JsonNode *last = json_array_get_element (parts,
          json_array_get_length (parts) - 1);

      if (JSON_NODE_HOLDS_VALUE (last)
          && json_node_get_value_type (last) == G_TYPE_STRING)
        field = json_node_get_string (last);
    }
    g_string_append_printf (s, "%s%s%s%s", s->len ? "; " : "",
        field ? field : "", field ? ": " : "", msg);
  }
  return g_string_free (s, s->len == 0);
}
