/* Fuzz target: RunAPI's answer to a task create.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-provider.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);
  if (imagegen_provider_runapi.parse_create (root, &info, &error))
    g_assert (info.id != NULL && *info.id != '\0');
  else
    g_assert (error != NULL);
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
  if (root)
    json_node_unref (root);
  return 0;
}
