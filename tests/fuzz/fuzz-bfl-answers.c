/* Fuzz target: every Black Forest Labs answer the client reads — submit,
 * result poll, error body and a 429's retry_after — from one input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-task.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const ImagegenProvider *bfl = &imagegen_provider_bfl;
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);

  if (fuzz_check_create (bfl->parse_create (root, &info, &error), &info,
          &error))
    g_assert (info.poll_url == NULL || g_str_has_prefix (info.poll_url,
            "http"));
  fuzz_task_clear (&info, &error);

  fuzz_check_task (bfl->parse_task (root, &info, &error), &info, &error, 1);
  fuzz_task_clear (&info, &error);

  g_free (bfl->parse_error_body (root));
  g_free (bfl->body_retry_after (root));
  return fuzz_done (root);
}
