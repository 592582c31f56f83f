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
