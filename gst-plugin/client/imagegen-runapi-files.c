/* gst-imagegen: RunAPI's Files API — a source image uploaded in one POST,
 * or directly (prepare, PUT, confirm).  See PROTOCOL.md, section 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-runapi.h"
#include "imagegen-image-type.h"

#include <string.h>

static gchar *
upload_file_name (GBytes * image, guint index)
{
  return g_strdup_printf ("frame-%u.%s", index,
      imagegen_image_type_extension (imagegen_image_mime_type (image)));
}

/* The JSON text @b built; @b is freed */
static gchar *
body_text (JsonBuilder * b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  g_object_unref (b);
  return json_to_string (root, FALSE);
}

gchar *
imagegen_runapi_build_upload_body (GBytes * image, guint index)
{
  JsonBuilder *b = json_builder_new ();
  gsize size;
  const guint8 *data = g_bytes_get_data (image, &size);
  gchar *b64 = g_base64_encode (data, size);
  gchar *name = upload_file_name (image, index);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "base64");
  /* Plain base64, as the SDKs send; a data: URI is unconfirmed. */
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, b64);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "file_name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);

  g_free (b64);
  g_free (name);
  return body_text (b);
}

gchar *
imagegen_runapi_parse_upload (JsonNode * root, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "upload", error);
  const gchar *url;

  if (obj == NULL)
    return NULL;
  url = imagegen_json_string (obj, "url");
  if (!imagegen_json_http_url (url)) {
    imagegen_json_malformed (error,
        "malformed upload answer: no http(s) \"url\"");
    return NULL;
  }
  return g_strdup (url);
}

gchar *
imagegen_runapi_build_prepare_body (GBytes * image, guint index)
{
  JsonBuilder *b = json_builder_new ();
  gsize size;
  const guint8 *data = g_bytes_get_data (image, &size);
  guint8 digest[16];
  gsize digest_len = sizeof (digest);
  GChecksum *md5 = g_checksum_new (G_CHECKSUM_MD5);
  gchar *b64, *name = upload_file_name (image, index);

  g_checksum_update (md5, data, size);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_checksum_free (md5);
  b64 = g_base64_encode (digest, digest_len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "filename");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "byte_size");
  json_builder_add_int_value (b, (gint64) size);
  json_builder_set_member_name (b, "checksum");
  json_builder_add_string_value (b, b64);
  json_builder_set_member_name (b, "content_type");
  json_builder_add_string_value (b, imagegen_image_mime_type (image));
  json_builder_end_object (b);

  g_free (b64);
  g_free (name);
  return body_text (b);
}

/* {"signed_id","upload_url","headers":{name: value}}; headers may be
 * missing or empty, and only string values are kept. */
gboolean
imagegen_runapi_parse_prepare (JsonNode * root,
    ImagegenUploadTarget * target, GError ** error)
{
  JsonObject *obj = imagegen_json_root (root, "upload prepare", error);
  JsonObject *headers;
  const gchar *signed_id, *url;
  GPtrArray *list;

  if (obj == NULL)
    return FALSE;
  signed_id = imagegen_json_string (obj, "signed_id");
  url = imagegen_json_string (obj, "upload_url");
  if (signed_id == NULL || *signed_id == '\0'
      || !imagegen_json_http_url (url)) {
    return imagegen_json_malformed (error,
        "malformed upload prepare answer: "
        "no \"signed_id\" or no http(s) \"upload_url\"");
  }

  list = g_ptr_array_new ();
  headers = imagegen_json_object (obj, "headers");
  if (headers != NULL) {
    GList *names = json_object_get_members (headers), *l;

    for (l = names; l; l = l->next) {
      const gchar *value = imagegen_json_string (headers, l->data);

      /* A header soup cannot send would abort the request later. */
      if (value == NULL || !g_utf8_validate (l->data, -1, NULL)
          || *(const gchar *) l->data == '\0'
          || strpbrk (l->data, " :\r\n\t") != NULL
          || strpbrk (value, "\r\n") != NULL)
        continue;
      g_ptr_array_add (list, g_strdup (l->data));
      g_ptr_array_add (list, g_strdup (value));
    }
    g_list_free (names);
  }
  g_ptr_array_add (list, NULL);

  target->signed_id = g_strdup (signed_id);
  target->upload_url = g_strdup (url);
  target->headers = (gchar **) g_ptr_array_free (list, FALSE);
  return TRUE;
}

gchar *
imagegen_runapi_build_confirm_body (const ImagegenUploadTarget * target)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "signed_id");
  json_builder_add_string_value (b, target->signed_id);
  json_builder_end_object (b);
  return body_text (b);
}
