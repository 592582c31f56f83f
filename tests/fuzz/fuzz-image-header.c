/* Fuzz target: the elements' image header parser, which must refuse a
 * hostile result before any pixel memory is allocated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"
#include "gstimagegendecode.h"

#define MAX_PIXELS (8192 * 8192)

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstImagegenImageHeader header;
  GError *error = NULL;
  GBytes *bytes;

  fuzz_init ();
  bytes = g_bytes_new (data, size);
  if (gst_imagegen_image_header_parse (bytes, MAX_PIXELS, &header, &error)) {
    g_assert (header.width > 0 && header.height > 0);
    g_assert ((guint64) header.width * header.height <= MAX_PIXELS);
  } else {
    g_assert (error != NULL);
  }
  g_clear_error (&error);
  g_bytes_unref (bytes);
  return 0;
}
