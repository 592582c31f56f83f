/* Fuzz target: Files API answers (the file object of an upload or a
 * confirm, and the prepare answer of a direct upload).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-provider.h"

#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const ImagegenProvider *p = &imagegen_provider_runapi;
  ImagegenUploadTarget target = { 0, };
  GError *error = NULL;
  JsonNode *root;
  gchar *url, *body;
  guint i;

  fuzz_init ();
  root = fuzz_parse_json (data, size);

  url = p->parse_upload (root, &error);
  g_assert ((url == NULL) == (error != NULL));
  g_clear_error (&error);
  g_free (url);

  if (p->parse_prepare (root, &target, &error)) {
    /* Every kept header is one soup can send. */
    for (i = 0; target.headers[i]; i += 2) {
      g_assert (target.headers[i + 1] != NULL);
      g_assert (strpbrk (target.headers[i], ": \r\n") == NULL);
      g_assert (strpbrk (target.headers[i + 1], "\r\n") == NULL);
    }
    body = p->build_confirm_body (&target);
    g_free (body);
  } else {
    g_assert (error != NULL);
  }
  g_clear_error (&error);
  imagegen_upload_target_clear (&target);
  return fuzz_done (root);
}
