/* imagegen-emulator: the emulator's own asset routes, outside any API —
 * result images (/emulator/results/), uploaded files (/emulator/files/)
 * and direct-upload URLs (/emulator/uploads/), on the API origin or the
 * assets one (--assets-port).  No key is needed, and none must come.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

static gboolean
carries_key (EmuRequest * req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);

  /* either service's key header */
  return soup_message_headers_get_one (in, "Authorization") != NULL
      || soup_message_headers_get_one (in, "x-key") != NULL;
}

/* Every request on the assets origin is counted, and those with a key. */
void
emu_assets_count (EmuRequest * req)
{
  req->emu->stats.assets_requests++;
  if (carries_key (req))
    req->emu->stats.assets_with_authorization++;
}

/* The completed image @name is, exactly as its task answered it:
 * <id>.<ext> or <id>_<index>.<ext>; NULL if none. */
static GBytes *
find_result (Emulator * emu, const gchar * name, EmuTask ** found)
{
  g_autofree gchar *id = g_strndup (name, strcspn (name, "._"));
  g_autofree gchar *expected = NULL;
  const gchar *under = strchr (name, '_');
  guint index = under ? (guint) g_ascii_strtoull (under + 1, NULL, 10) : 0;
  EmuTask *task = g_hash_table_lookup (emu->tasks, id);

  if (task == NULL || !task->terminal || task->status != EMU_TASK_COMPLETED
      || index >= task->images->len)
    return NULL;
  expected = emu_task_result_url (task, index);
  if (!g_str_has_suffix (expected, name)
      || expected[strlen (expected) - strlen (name) - 1] != '/')
    return NULL;
  *found = task;
  return g_ptr_array_index (task->images, index);
}

void
emu_assets_handle_result (EmuRequest * req, const gchar * name,
    GHashTable * query)
{
  Emulator *emu = req->emu;
  EmuTask *task = NULL;
  GBytes *image;
  EmuFault fault = { 0, };

  if (!emu_request_check_method (req, "GET"))
    return;
  emu->stats.download++;
  if (carries_key (req))
    emu->stats.download_with_authorization++;

  if (!emu_transport_check_fault (req, EMU_STAGE_DOWNLOAD, &fault)) {
    image = find_result (emu, name, &task);
    if (image == NULL) {
      emu_request_reply_error (req, 404, "Not found");
    } else {
      req->task_id = g_strdup (task->id);
      emu_transport_send_image (req, &fault, imagegen_image_type_sniff (image),
          image);
    }
  }
  emu_fault_clear (&fault);
}

void
emu_assets_handle_file (EmuRequest * req, const gchar * rest,
    GHashTable * query)
{
  gchar *id = g_strndup (rest, strcspn (rest, "/"));
  EmuFile *file;

  if (emu_request_check_method (req, "GET")) {
    file = emu_files_lookup (req->emu, id);
    if (file == NULL)
      emu_request_reply_error (req, 404, "Not found");
    else
      emu_request_reply_bytes (req, 200, file->mime_type, file->data);
  }
  g_free (id);
}

void
emu_assets_handle_upload (EmuRequest * req, const gchar * signed_id,
    GHashTable * query)
{
  if (!emu_request_check_method (req, "PUT"))
    return;
  req->emu->stats.files_put++;
  /* an upload URL lives on another host: the key must never go there */
  if (carries_key (req)) {
    req->emu->stats.upload_put_with_authorization++;
    emu_request_reply_error (req, 400,
        "Authorization header not allowed on upload URLs");
    return;
  }
  if (!emu_transport_faulted (req, EMU_STAGE_UPLOAD))
    emu_files_handle_put (req, signed_id);
}
