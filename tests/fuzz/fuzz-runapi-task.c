/* Fuzz target: RunAPI's answer to a task poll.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-errors.h"
#include "imagegen-provider.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);
  if (imagegen_provider_runapi.parse_task (root, &info, &error)) {
    /* What the client does next with a good answer. */
    if (info.state == IMAGEGEN_TASK_COMPLETED)
      g_assert (info.image_urls != NULL && info.image_urls->len > 0);
    else if (info.state == IMAGEGEN_TASK_FAILED)
      error = imagegen_error_new_for_failed_task (info.error_message);
  } else {
    g_assert (error != NULL);
  }
  g_clear_error (&error);
  imagegen_task_info_clear (&info);
  if (root)
    json_node_unref (root);
  return 0;
}
