/* Fuzz target: every Black Forest Labs answer the client reads — submit,
 * result poll, error body and a 429's retry_after — from one input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-errors.h"
#include "imagegen-provider.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const ImagegenProvider *bfl = &imagegen_provider_bfl;
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);

  if (bfl->parse_create (root, &info, &error)) {
    g_assert (info.id != NULL && *info.id != '\0');
    g_assert (info.poll_url == NULL || g_str_has_prefix (info.poll_url,
            "http"));
  } else {
    g_assert (error != NULL);
  }
  g_clear_error (&error);
  imagegen_task_info_clear (&info);

  info = (ImagegenTaskInfo) {.charged_nanocents = -1 };
  if (bfl->parse_task (root, &info, &error)) {
    if (info.state == IMAGEGEN_TASK_COMPLETED)
      g_assert (info.image_urls != NULL && info.image_urls->len == 1);
    else if (info.state == IMAGEGEN_TASK_FAILED)
      error = imagegen_error_new_for_failed_task (info.error_message);
  } else {
    g_assert (error != NULL);
  }
  g_clear_error (&error);
  imagegen_task_info_clear (&info);

  g_free (bfl->parse_error_body (root));
  g_free (bfl->body_retry_after (root));
  if (root)
    json_node_unref (root);
  return 0;
}
