/* imagegen-emulator: the RunAPI SDK's files and uploads resources —
 * files (create, list, retrieve, content, delete) and uploads (create,
 * parts, complete, cancel) — under /api/v1/ and /v1/, in RunAPI's shape.
 *
 * The SDK's files.ts and uploads.ts were not at hand: the file object is
 * PROTOCOL.md's (file_name, url, size_bytes, mime_type, created_at,
 * expires_at) with its id; the rest is documented as the emulator's own in
 * docs/emulator.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

typedef struct
{
  gchar *id;
  gchar *filename;
  gchar *content_type;
  gint64 byte_size;
  gint64 created_us;
  const gchar *status;          /* pending, completed, cancelled */
  GPtrArray *parts;             /* GBytes, in the order added */
  GPtrArray *part_ids;
  gchar *file_id;
} SdkUpload;

static void
sdk_upload_free (gpointer data)
{
  SdkUpload *u = data;

  g_free (u->id);
  g_free (u->filename);
  g_free (u->content_type);
  g_ptr_array_unref (u->parts);
  g_ptr_array_unref (u->part_ids);
  g_free (u->file_id);
  g_free (u);
}

gboolean
emu_sdk_files_claims (const gchar * rest)
{
  /* prepare and confirm are the direct upload's fixed routes */
  if (strcmp (rest, "files/prepare") == 0
      || strcmp (rest, "files/confirm") == 0)
    return FALSE;
  return strcmp (rest, "files") == 0 || g_str_has_prefix (rest, "files/")
      || strcmp (rest, "uploads") == 0 || g_str_has_prefix (rest, "uploads/");
}

static JsonNode *
upload_to_json (Emulator * emu, SdkUpload * u)
{
  JsonObject *obj = json_object_new ();
  JsonArray *ids = json_array_new ();
  gchar *created = emu_time_iso8601 (u->created_us);
  gchar *expires = emu_time_iso8601 (u->created_us + EMU_FILE_LIFETIME_US);
  EmuFile *file = u->file_id ? emu_files_lookup (emu, u->file_id) : NULL;
  guint i;

  json_object_set_string_member (obj, "id", u->id);
  json_object_set_string_member (obj, "status", u->status);
  json_object_set_string_member (obj, "filename", u->filename);
  json_object_set_int_member (obj, "byte_size", u->byte_size);
  json_object_set_string_member (obj, "content_type", u->content_type);
  for (i = 0; i < u->part_ids->len; i++)
    json_array_add_string_element (ids, g_ptr_array_index (u->part_ids, i));
  json_object_set_array_member (obj, "part_ids", ids);
  json_object_set_string_member (obj, "created_at", created);
  json_object_set_string_member (obj, "expires_at", expires);
  if (file)
    json_object_set_member (obj, "file", emu_file_to_json (emu, file));
  else
    json_object_set_null_member (obj, "file");
  g_free (created);
  g_free (expires);
  return emu_json_object_node (obj);
}

static void
reply_field_error (EmuRequest * req, const gchar * field, const gchar * msg)
{
  JsonObject *errors = json_object_new ();

  emu_errors_add (errors, field, msg);
  emu_request_reply_validation (req, errors);
}

/* GET files: {"data":[file…],"has_more":false}, newest first */
static void
files_list (EmuRequest * req)
{
  JsonObject *obj = json_object_new ();
  JsonArray *data = json_array_new ();
  GList *files = g_hash_table_get_values (req->emu->files), *l;
  gint64 now = g_get_real_time ();

  for (l = files; l; l = l->next) {
    EmuFile *f = l->data;

    if (now <= f->expires_us)
      json_array_add_element (data, emu_file_to_json (req->emu, f));
  }
  g_list_free (files);
  json_object_set_array_member (obj, "data", data);
  json_object_set_boolean_member (obj, "has_more", FALSE);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

static void
files_one (EmuRequest * req, const gchar * id, const gchar * what)
{
  EmuFile *file = emu_files_lookup (req->emu, id);

  if (file == NULL) {
    emu_request_reply_error (req, 404, "File not found");
  } else if (what && strcmp (what, "content") == 0) {
    if (emu_request_check_method (req, "GET"))
      emu_request_reply_bytes (req, 200, file->mime_type, file->data);
  } else if (what) {
    emu_request_reply_error (req, 404, "Not found");
  } else if (strcmp (req->method, "DELETE") == 0) {
    JsonObject *obj = json_object_new ();

    json_object_set_string_member (obj, "id", id);
    json_object_set_boolean_member (obj, "deleted", TRUE);
    g_hash_table_remove (req->emu->files, id);
    emu_request_reply_json (req, 200, emu_json_object_node (obj));
  } else if (emu_request_check_method (req, "GET")) {
    emu_request_reply_json (req, 200, emu_file_to_json (req->emu, file));
  }
}

/* POST uploads {filename, byte_size, content_type} */
static void
upload_create (EmuRequest * req)
{
  JsonObject *body = json_node_get_object (req->body);
  const gchar *name = json_object_get_string_member_with_default (body,
      "filename", NULL);
  gint64 size = json_object_get_int_member_with_default (body, "byte_size",
      0);
  SdkUpload *u;

  if (name == NULL || *name == '\0') {
    reply_field_error (req, "filename", "is required");
    return;
  }
  if (size <= 0 || size > EMU_MAX_FILE_SIZE) {
    reply_field_error (req, "byte_size", "must be 1 to 20 MiB");
    return;
  }
  if (req->emu->sdk_uploads == NULL)
    req->emu->sdk_uploads = g_hash_table_new_full (g_str_hash, g_str_equal,
        NULL, sdk_upload_free);
  u = g_new0 (SdkUpload, 1);
  u->id = g_uuid_string_random ();
  u->filename = g_strdup (name);
  u->content_type = g_strdup (json_object_get_string_member_with_default
      (body, "content_type", "application/octet-stream"));
  u->byte_size = size;
  u->created_us = g_get_real_time ();
  u->status = "pending";
  u->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  u->part_ids = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_insert (req->emu->sdk_uploads, u->id, u);
  emu_request_reply_json (req, 200, upload_to_json (req->emu, u));
}

/* POST uploads/{id}/parts {data: base64} → {id, upload_id, size_bytes} */
static void
upload_part (EmuRequest * req, SdkUpload * u)
{
  JsonObject *body = json_node_get_object (req->body), *obj;
  const gchar *data = json_object_get_string_member_with_default (body,
      "data", NULL);
  GBytes *bytes = data ? emu_base64_decode_strict (data) : NULL;
  gchar *id;

  if (bytes == NULL) {
    reply_field_error (req, "data", "is not valid non-empty base64");
    return;
  }
  id = g_uuid_string_random ();
  g_ptr_array_add (u->parts, bytes);
  g_ptr_array_add (u->part_ids, id);
  obj = json_object_new ();
  json_object_set_string_member (obj, "id", id);
  json_object_set_string_member (obj, "upload_id", u->id);
  json_object_set_int_member (obj, "size_bytes", g_bytes_get_size (bytes));
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

/* POST uploads/{id}/complete: the parts joined, in the order added, must
 * make byte_size; the upload then carries the file object. */
static void
upload_complete (EmuRequest * req, SdkUpload * u)
{
  GByteArray *all = g_byte_array_new ();
  GBytes *bytes;
  guint i;

  for (i = 0; i < u->parts->len; i++) {
    gsize n;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (u->parts, i), &n);

    g_byte_array_append (all, d, n);
  }
  bytes = g_byte_array_free_to_bytes (all);
  if ((gint64) g_bytes_get_size (bytes) != u->byte_size) {
    g_bytes_unref (bytes);
    reply_field_error (req, "byte_size", "does not match the parts' size");
    return;
  }
  u->file_id = g_strdup (emu_files_store (req->emu, u->filename,
          u->content_type, bytes)->id);
  g_bytes_unref (bytes);
  u->status = "completed";
  emu_request_reply_json (req, 200, upload_to_json (req->emu, u));
}

static void
uploads (EmuRequest * req, const gchar * rest)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", 3);
  SdkUpload *u;

  if (parts[1] == NULL) {
    if (emu_request_check_method (req, "POST"))
      upload_create (req);
    return;
  }
  u = req->emu->sdk_uploads ? g_hash_table_lookup (req->emu->sdk_uploads,
      parts[1]) : NULL;
  if (u == NULL || parts[2] == NULL) {
    emu_request_reply_error (req, 404, u ? "Not found" : "Upload not found");
    return;
  }
  if (!emu_request_check_method (req, "POST"))
    return;
  if (strcmp (parts[2], "cancel") == 0 && strcmp (u->status, "pending") == 0) {
    u->status = "cancelled";
    emu_request_reply_json (req, 200, upload_to_json (req->emu, u));
  } else if (strcmp (u->status, "pending") != 0) {
    emu_request_reply_error (req, 409, "Upload is no longer pending");
  } else if (strcmp (parts[2], "parts") == 0) {
    upload_part (req, u);
  } else if (strcmp (parts[2], "complete") == 0) {
    upload_complete (req, u);
  } else {
    emu_request_reply_error (req, 404, "Not found");
  }
}

/* @rest: "files…" or "uploads…" */
void
emu_sdk_files_handle (EmuRequest * req, const gchar * rest, GHashTable * query)
{
  req->emu->stats.files++;
  if (!emu_runapi_check_auth (req))
    return;
  if (emu_transport_faulted (req, EMU_STAGE_UPLOAD))
    return;
  if (strcmp (req->method, "POST") == 0) {
    switch (emu_request_read_json (req)) {
      case EMU_BODY_READ:
        break;
      default:
        /* answered (an error, or a remembered answer) */
        return;
    }
  }
  if (strcmp (rest, "files") == 0) {
    if (strcmp (req->method, "POST") == 0)
      emu_files_handle_create (req);
    else if (emu_request_check_method (req, "GET"))
      files_list (req);
  } else if (g_str_has_prefix (rest, "files/")) {
    g_auto (GStrv) parts = g_strsplit (rest + strlen ("files/"), "/", 2);

    files_one (req, parts[0], parts[1]);
  } else {
    uploads (req, rest);
  }
}
