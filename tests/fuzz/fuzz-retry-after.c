/* Fuzz target: the Retry-After header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "imagegen-retry.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GDateTime *now = g_date_time_new_utc (2024, 1, 2, 3, 4, 5);
  gchar *value = g_strndup ((const gchar *) data, size);
  guint ms = 0;

  fuzz_init ();
  if (imagegen_retry_parse_retry_after (value, now, &ms))
    g_assert (ms <= IMAGEGEN_RETRY_AFTER_MAX_MS);
  g_free (value);
  g_date_time_unref (now);
  return 0;
}
