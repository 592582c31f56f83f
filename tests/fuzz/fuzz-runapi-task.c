/* Fuzz target: RunAPI's answer to a task poll.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-task.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  ImagegenTaskInfo info = {.charged_cents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);
  fuzz_check_task (imagegen_provider_runapi.parse_task (root, &info,
          &error), &info, &error, 0);
  fuzz_task_clear (&info, &error);
  return fuzz_done (root);
}
