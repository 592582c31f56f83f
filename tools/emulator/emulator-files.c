/* imagegen-emulator: the Files API (base64/URL upload, direct upload)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

typedef struct
{
  gchar *signed_id;
  gchar *filename;
  gint64 byte_size;
  gchar *checksum;
  gchar *content_type;
  GBytes *data;
  gchar *file_id;
} EmuUpload;

typedef struct
{
  EmuRequest *req;
  gchar *file_name;
} UrlFetch;

void
emu_file_free (EmuFile * file)
{
  g_free (file->id);
  g_free (file->file_name);
  g_free (file->mime_type);
  g_bytes_unref (file->data);
  g_free (file);
}

void
emu_upload_free (gpointer data)
{
  EmuUpload *u = data;

  g_free (u->signed_id);
  g_free (u->filename);
  g_free (u->checksum);
  g_free (u->content_type);
  g_clear_pointer (&u->data, g_bytes_unref);
  g_free (u->file_id);
  g_free (u);
}

EmuFile *
emu_files_lookup (Emulator * emu, const gchar * id)
{
  EmuFile *file = g_hash_table_lookup (emu->files, id);

  if (file && g_get_real_time () > file->expires_us)
    return NULL;
  return file;
}

/* The file behind one of our own /emulator/files/ URLs, if any. */
EmuFile *
emu_files_lookup_url (Emulator * emu, const gchar * url)
{
  gchar *prefix = g_strconcat (emu->assets_url, "/emulator/files/", NULL);
  EmuFile *file = NULL;

  if (g_str_has_prefix (url, prefix)) {
    const gchar *rest = url + strlen (prefix);
    gchar *id = g_strndup (rest, strcspn (rest, "/?#"));

    file = emu_files_lookup (emu, id);
    g_free (id);
  }
  g_free (prefix);
  return file;
}

EmuFile *
emu_files_store (Emulator * emu, const gchar * file_name, const gchar * mime,
    GBytes * data)
{
  EmuFile *file = g_new0 (EmuFile, 1);
  const gchar *ext;

  if (mime == NULL)
    mime = imagegen_image_type_sniff (data);
  if (mime == NULL)
    mime = "application/octet-stream";
  file->id = g_uuid_string_random ();
  ext = imagegen_image_type_extension (mime);
  file->file_name = file_name && *file_name ? g_strdup (file_name) :
      g_strconcat ("upload.", ext ? ext : "bin", NULL);
  file->mime_type = g_strdup (mime);
  file->data = g_bytes_ref (data);
  file->created_us = g_get_real_time ();
  file->expires_us = file->created_us + EMU_FILE_LIFETIME_US;
  g_hash_table_insert (emu->files, file->id, file);
  return file;
}

JsonNode *
emu_file_to_json (Emulator * emu, EmuFile * file)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gchar *escaped = g_uri_escape_string (file->file_name, NULL, FALSE);
  gchar *url = g_strdup_printf ("%s/emulator/files/%s/%s", emu->assets_url,
      file->id, escaped);
  gchar *created = emu_time_iso8601 (file->created_us);
  gchar *expires = emu_time_iso8601 (file->expires_us);

  /* the id the SDK's files resource retrieves and deletes by */
  json_object_set_string_member (obj, "id", file->id);
  json_object_set_string_member (obj, "file_name", file->file_name);
  json_object_set_string_member (obj, "url", url);
  json_object_set_int_member (obj, "size_bytes", g_bytes_get_size (file->data));
  json_object_set_string_member (obj, "mime_type", file->mime_type);
  json_object_set_string_member (obj, "created_at", created);
  json_object_set_string_member (obj, "expires_at", expires);
  json_node_take_object (node, obj);
  g_free (escaped);
  g_free (url);
  g_free (created);
  g_free (expires);
  return node;
}

static void
reply_file (EmuRequest * req, EmuFile * file)
{
  JsonNode *node = emu_file_to_json (req->emu, file);

  emu_request_remember (req, NULL, node);
  emu_request_reply_json (req, 200, node);
}

static void
reply_field_error (EmuRequest * req, const gchar * field, const gchar * msg)
{
  JsonObject *errors = json_object_new ();

  emu_errors_add (errors, field, msg);
  emu_request_reply_validation (req, errors);
}

/* Strict base64 (the alphabet, whitespace, padding only at the end); a
 * data: URI prefix is accepted too. NULL when it does not decode. */
GBytes *
emu_base64_decode_strict (const gchar * data)
{
  const gchar *comma, *p;
  gsize n = 0, len;
  gboolean padding = FALSE;
  guchar *out;

  if (g_str_has_prefix (data, "data:")) {
    comma = strchr (data, ',');
    if (comma == NULL || !g_strstr_len (data, comma - data, ";base64"))
      return NULL;
    data = comma + 1;
  }
  for (p = data; *p; p++) {
    if (g_ascii_isspace (*p))
      continue;
    if (*p == '=') {
      padding = TRUE;
    } else if (padding || !(g_ascii_isalnum (*p) || *p == '+' || *p == '/')) {
      return NULL;
    }
    n++;
  }
  if (n == 0 || n % 4 != 0)
    return NULL;
  out = g_base64_decode (data, &len);
  if (len == 0) {
    g_free (out);
    return NULL;
  }
  return g_bytes_new_take (out, len);
}

static const gchar *
get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
url_fetched (GObject * source, GAsyncResult * res, gpointer user_data)
{
  UrlFetch *f = user_data;
  EmuRequest *req = f->req;
  SoupMessage *msg;
  GBytes *bytes = emu_http_send_finish (req->emu, res, &msg);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    reply_field_error (req, "source", "could not be fetched");
  } else if (g_bytes_get_size (bytes) > EMU_MAX_FILE_SIZE) {
    emu_request_reply_error (req, 413, "File too large (maximum is 20 MiB)");
  } else {
    const gchar *ctype = msg ?
        soup_message_headers_get_content_type
        (soup_message_get_response_headers (msg), NULL) : NULL;
    const gchar *mime = imagegen_image_type_sniff (bytes);

    reply_file (req, emu_files_store (req->emu, f->file_name,
            mime ? mime : ctype, bytes));
  }
  if (bytes)
    g_bytes_unref (bytes);
  g_free (f->file_name);
  g_free (f);
}

static gboolean
is_http_url (const gchar * url)
{
  return url && (g_str_has_prefix (url, "http://")
      || g_str_has_prefix (url, "https://"));
}

static void
create_from_url (EmuRequest * req, const gchar * url, const gchar * name)
{
  Emulator *emu = req->emu;
  EmuFile *own;
  SoupMessage *msg;
  UrlFetch *f;
  gchar *basename = NULL;

  if (!is_http_url (url) || (msg = soup_message_new ("GET", url)) == NULL) {
    reply_field_error (req, "source", "url must be a public http(s) URL");
    return;
  }
  if (name == NULL) {
    GUri *uri = soup_message_get_uri (msg);

    basename = g_path_get_basename (g_uri_get_path (uri));
    if (strcmp (basename, "/") == 0 || strcmp (basename, ".") == 0)
      g_clear_pointer (&basename, g_free);
    name = basename;
  }

  own = emu_files_lookup_url (emu, url);
  if (own != NULL) {
    reply_file (req, emu_files_store (emu, name, own->mime_type, own->data));
    g_object_unref (msg);
    g_free (basename);
    return;
  }

  f = g_new0 (UrlFetch, 1);
  f->req = req;
  f->file_name = g_strdup (name);
  emu_request_pause (req);
  emu_http_send (emu, msg, url_fetched, f);
  g_object_unref (msg);
  g_free (basename);
}

void
emu_files_handle_create (EmuRequest * req)
{
  JsonObject *body = json_node_get_object (req->body);
  JsonNode *source_node = json_object_get_member (body, "source");
  JsonObject *source;
  const gchar *type, *name;

  if (source_node == NULL || !JSON_NODE_HOLDS_OBJECT (source_node)) {
    reply_field_error (req, "source", "is required");
    return;
  }
  source = json_node_get_object (source_node);
  type = get_string (source, "type");
  name = get_string (body, "file_name");

  if (g_strcmp0 (type, "base64") == 0) {
    const gchar *data = get_string (source, "data");
    GBytes *bytes = data ? emu_base64_decode_strict (data) : NULL;

    if (bytes == NULL) {
      reply_field_error (req, "source", "data is not valid non-empty base64");
    } else if (g_bytes_get_size (bytes) > EMU_MAX_FILE_SIZE) {
      emu_request_reply_error (req, 413,
          "File too large (maximum is 20 MiB)");
    } else {
      reply_file (req, emu_files_store (req->emu, name, NULL, bytes));
    }
    if (bytes)
      g_bytes_unref (bytes);
  } else if (g_strcmp0 (type, "url") == 0) {
    create_from_url (req, get_string (source, "url"), name);
  } else {
    reply_field_error (req, "source", "type must be base64 or url");
  }
}

void
emu_files_handle_prepare (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *body = json_node_get_object (req->body);
  JsonObject *errors = json_object_new ();
  JsonObject *answer, *headers;
  JsonNode *size_node = json_object_get_member (body, "byte_size");
  const gchar *filename = get_string (body, "filename");
  const gchar *checksum = get_string (body, "checksum");
  gint64 size = 0;
  EmuUpload *u;
  gchar *url;
  JsonNode *node;

  if (filename == NULL || *filename == '\0')
    emu_errors_add (errors, "filename", "is required");
  if (checksum == NULL || *checksum == '\0')
    emu_errors_add (errors, "checksum", "is required");
  if (size_node && JSON_NODE_HOLDS_VALUE (size_node)
      && json_node_get_value_type (size_node) == G_TYPE_INT64)
    size = json_node_get_int (size_node);
  if (size <= 0)
    emu_errors_add (errors, "byte_size", "must be a positive integer");
  if (json_object_get_size (errors) > 0) {
    emu_request_reply_validation (req, errors);
    return;
  }
  json_object_unref (errors);
  if (size > EMU_MAX_FILE_SIZE) {
    emu_request_reply_error (req, 413, "File too large (maximum is 20 MiB)");
    return;
  }

  u = g_new0 (EmuUpload, 1);
  u->signed_id = g_uuid_string_random ();
  u->filename = g_strdup (filename);
  u->byte_size = size;
  u->checksum = g_strdup (checksum);
  u->content_type = g_strdup (get_string (body, "content_type"));
  if (u->content_type == NULL || *u->content_type == '\0') {
    g_free (u->content_type);
    u->content_type = g_strdup ("application/octet-stream");
  }
  g_hash_table_insert (emu->uploads, u->signed_id, u);

  url = g_strdup_printf ("%s/emulator/uploads/%s", emu->assets_url,
      u->signed_id);
  answer = json_object_new ();
  headers = json_object_new ();
  json_object_set_string_member (answer, "signed_id", u->signed_id);
  json_object_set_string_member (answer, "upload_url", url);
  /* the SDK's fixture: the PUT must repeat these, as a signed URL's
   * signature covers them */
  if (emu->upload_headers) {
    json_object_set_string_member (headers, "Content-Type", u->content_type);
    json_object_set_string_member (headers, "Content-MD5", u->checksum);
  }
  json_object_set_object_member (answer, "headers", headers);
  g_free (url);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, answer);
  emu_request_remember (req, NULL, node);
  emu_request_reply_json (req, 200, node);
}

/* The headers /files/prepare answered must come back exactly: a signed
 * upload URL refuses a PUT whose Content-Type or Content-MD5 differ. */
static gboolean
check_signed_headers (EmuRequest * req, EmuUpload * u)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  const gchar *md5 = soup_message_headers_get_one (in, "Content-MD5");
  const gchar *type = soup_message_headers_get_one (in, "Content-Type");

  if (g_strcmp0 (md5, u->checksum) != 0) {
    emu_request_reply_error (req, 400, md5 ? "Content-MD5 does not match "
        "the signed upload" : "Content-MD5 header missing");
    return FALSE;
  }
  if (g_strcmp0 (type, u->content_type) != 0) {
    emu_request_reply_error (req, 400, type ? "Content-Type does not match "
        "the signed upload" : "Content-Type header missing");
    return FALSE;
  }
  return TRUE;
}

void
emu_files_handle_put (EmuRequest * req, const gchar * signed_id)
{
  EmuUpload *u = g_hash_table_lookup (req->emu->uploads, signed_id);
  GBytes *bytes;
  GChecksum *md5;
  guint8 digest[16];
  gsize digest_len = sizeof (digest);
  gchar *b64;
  gsize len;
  gconstpointer data;

  if (u == NULL) {
    emu_request_reply_error (req, 404, "Upload not found");
    return;
  }
  if (req->emu->upload_headers && !check_signed_headers (req, u))
    return;
  bytes = soup_message_body_flatten (soup_server_message_get_request_body
      (req->msg));
  data = g_bytes_get_data (bytes, &len);
  md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (md5, data, len);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_checksum_free (md5);
  b64 = g_base64_encode (digest, digest_len);

  if ((gint64) len != u->byte_size) {
    gchar *msg = g_strdup_printf ("Size mismatch: expected %" G_GINT64_FORMAT
        " bytes, got %" G_GSIZE_FORMAT, u->byte_size, len);

    emu_request_reply_error (req, 400, msg);
    g_free (msg);
  } else if (strcmp (b64, u->checksum) != 0) {
    emu_request_reply_error (req, 400, "Checksum mismatch");
  } else {
    if (u->data)
      g_bytes_unref (u->data);
    u->data = g_bytes_ref (bytes);
    emu_request_reply_bytes (req, 200, NULL, NULL);
  }
  g_free (b64);
  g_bytes_unref (bytes);
}

void
emu_files_handle_confirm (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *body = json_node_get_object (req->body);
  const gchar *signed_id = get_string (body, "signed_id");
  EmuUpload *u = signed_id ? g_hash_table_lookup (emu->uploads,
      signed_id) : NULL;
  EmuFile *file = NULL;

  if (signed_id == NULL) {
    reply_field_error (req, "signed_id", "is required");
    return;
  }
  if (u == NULL) {
    reply_field_error (req, "signed_id", "is invalid");
    return;
  }
  if (u->data == NULL) {
    reply_field_error (req, "signed_id", "has no uploaded data");
    return;
  }
  if (u->file_id)
    file = emu_files_lookup (emu, u->file_id);
  if (file == NULL) {
    const gchar *mime = imagegen_image_type_sniff (u->data);

    file = emu_files_store (emu, u->filename, mime ? mime : u->content_type,
        u->data);
    g_free (u->file_id);
    u->file_id = g_strdup (file->id);
  }
  reply_file (req, file);
}
