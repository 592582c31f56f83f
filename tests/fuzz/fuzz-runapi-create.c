/* Fuzz target: RunAPI's answer to a task create.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-task.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  return fuzz_task_answer (data, size, &imagegen_provider_runapi, TRUE);
}
