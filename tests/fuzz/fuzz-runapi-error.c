/* Fuzz target: a RunAPI error body turned into the error a user reads.
 *
 * The first byte picks the HTTP status so every sentence is reached.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-errors.h"
#include "imagegen-provider.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  JsonNode *root;
  gchar *message;
  GError *error;
  guint status;

  fuzz_init ();
  if (size < 1)
    return 0;
  status = 300 + data[0] % 300;
  root = fuzz_parse_json (data + 1, size - 1);
  message = imagegen_provider_runapi.parse_error_body (root);
  error = imagegen_error_new_for_status (status, message, data[0] % 4);
  imagegen_error_add_task_id (error, "task-1");
  imagegen_error_redact (error, "sk-secret-key");
  g_assert (error->domain == IMAGEGEN_CLIENT_ERROR && error->message);
  g_error_free (error);
  g_free (message);
  return fuzz_done (root);
}
