/* gst-imagegen client, unit tests without any network: the image type sniffed from bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-image-type.h"
#include "imagegen-provider.h"
#include "imagegen-test-fixture.h"

#include <string.h>

/* One sniffer for the client, the providers and the emulator: a WebP
 * reference is uploaded as image/webp (it used to be called JPEG). */
static void
test_image_type (void)
{
  static const struct
  {
    const gchar *bytes;
    gsize size;
    const gchar *type;
  } cases[] = {
    {"\x89PNG\r\n\x1a\n\0\0", 10, "image/png"},
    {"\xff\xd8\xff\xe0", 4, "image/jpeg"},
    {"RIFF\0\0\0\0WEBPVP8 ", 16, "image/webp"},
    {"GIF89a", 6, "image/gif"},
    {"\x89PNG\r\n", 6, NULL},
    {"<html>", 6, NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GBytes) b = g_bytes_new_static (cases[i].bytes, cases[i].size);

    g_assert_cmpstr (imagegen_image_type_sniff (b), ==, cases[i].type);
    g_assert_cmpstr (imagegen_image_mime_type (b), ==,
        cases[i].type ? cases[i].type : "image/jpeg");
  }
  /* the upload's file name ending, the client's and the emulator's */
  g_assert_cmpstr (imagegen_image_type_extension ("image/jpeg"), ==, "jpg");
  g_assert_cmpstr (imagegen_image_type_extension ("image/webp"), ==, "webp");
  g_assert_null (imagegen_image_type_extension ("application/octet-stream"));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/image-type", test_image_type, NULL);
}
