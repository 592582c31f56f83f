/* gst-imagegen: what kind of image some bytes are (imagegen-image-type.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "imagegen-image-type.h"

const gchar *
imagegen_image_type_sniff (GBytes * bytes)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);

  if (n >= 8 && memcmp (d, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
    return "image/jpeg";
  if (n >= 12 && memcmp (d, "RIFF", 4) == 0 && memcmp (d + 8, "WEBP", 4) == 0)
    return "image/webp";
  if (n >= 6 && memcmp (d, "GIF8", 4) == 0)
    return "image/gif";
  return NULL;
}

/* The image types the sniffer knows and their usual file name endings */
static const struct
{
  const gchar *mime;
  const gchar *extension;
} extensions[] = {
  {"image/png", "png"}, {"image/jpeg", "jpg"}, {"image/webp", "webp"},
  {"image/gif", "gif"},
};

const gchar *
imagegen_image_type_extension (const gchar * mime)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_strcmp0 (mime, extensions[i].mime) == 0)
      return extensions[i].extension;
  return NULL;
}
