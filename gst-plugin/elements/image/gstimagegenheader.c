/* gst-imagegen: format and size of an encoded image from its header, so that
 * a hostile or broken result is refused before any pixel is allocated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstimagegendecode.h"

G_DEFINE_QUARK (gst-imagegen-decode-error-quark,
    gst_imagegen_decode_error);

static guint
read_be16 (const guint8 * p)
{
  return (p[0] << 8) | p[1];
}

/* byte by byte: header fields are not aligned */
static guint32
read_be32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static guint32
read_le32 (const guint8 * p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static guint
read_le16 (const guint8 * p)
{
  return p[0] | (p[1] << 8);
}

static guint
read_le24 (const guint8 * p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16);
}

static gboolean
parse_png (const guint8 * d, gsize size, GstImagegenImageHeader * h)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
    0x1a, '\n'
  };

  if (size < 24 || memcmp (d, signature, 8) != 0 || memcmp (d + 12, "IHDR",
          4) != 0)
    return FALSE;
  h->media_type = "image/png";
  h->width = read_be32 (d + 16);
  h->height = read_be32 (d + 20);
  return TRUE;
}

static gboolean
is_jpeg_frame_marker (guint8 m)
{
  /* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) */
  return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static gboolean
parse_jpeg (const guint8 * d, gsize size, GstImagegenImageHeader * h)
{
  gsize pos = 2;

  if (size < 4 || d[0] != 0xff || d[1] != 0xd8)
    return FALSE;

  while (pos + 4 <= size) {
    guint8 marker;
    guint length;

    if (d[pos] != 0xff)
      return FALSE;
    marker = d[pos + 1];
    if (marker == 0xff) {       /* fill byte */
      pos++;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    length = read_be16 (d + pos + 2);
    if (length < 2)
      return FALSE;
    if (is_jpeg_frame_marker (marker)) {
      if (pos + 9 > size)
        return FALSE;
      h->media_type = "image/jpeg";
      h->height = read_be16 (d + pos + 5);
      h->width = read_be16 (d + pos + 7);
      return TRUE;
    }
    if (marker == 0xda || marker == 0xd9)       /* scan or end, no frame */
      return FALSE;
    pos += 2 + length;
  }
  return FALSE;
}

static gboolean
parse_webp (const guint8 * d, gsize size, GstImagegenImageHeader * h)
{
  if (size < 30 || memcmp (d, "RIFF", 4) != 0 || memcmp (d + 8, "WEBP",
          4) != 0)
    return FALSE;

  h->media_type = "image/webp";
  if (memcmp (d + 12, "VP8 ", 4) == 0) {
    h->width = read_le16 (d + 26) & 0x3fff;
    h->height = read_le16 (d + 28) & 0x3fff;
  } else if (memcmp (d + 12, "VP8L", 4) == 0) {
    guint32 bits = read_le32 (d + 21);
    h->width = (bits & 0x3fff) + 1;
    h->height = ((bits >> 14) & 0x3fff) + 1;
  } else if (memcmp (d + 12, "VP8X", 4) == 0) {
    h->width = read_le24 (d + 24) + 1;
    h->height = read_le24 (d + 27) + 1;
  } else {
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_imagegen_image_header_parse (GBytes * bytes, guint64 max_pixels,
    GstImagegenImageHeader * header, GError ** error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  memset (header, 0, sizeof (*header));
  if (data == NULL || !(parse_png (data, size, header)
          || parse_jpeg (data, size, header)
          || parse_webp (data, size, header))) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_NOT_AN_IMAGE,
        "the result (%" G_GSIZE_FORMAT " bytes) is not a PNG, JPEG or WebP "
        "image", size);
    return FALSE;
  }
  if (header->width == 0 || header->height == 0) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_NOT_AN_IMAGE,
        "the result is a %s image with an empty size (%ux%u)",
        header->media_type, header->width, header->height);
    return FALSE;
  }
  if ((guint64) header->width * header->height > max_pixels) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_TOO_MANY_PIXELS,
        "the result image is %ux%u, more than max-pixels (%" G_GUINT64_FORMAT
        " pixels)", header->width, header->height, max_pixels);
    return FALSE;
  }
  return TRUE;
}
