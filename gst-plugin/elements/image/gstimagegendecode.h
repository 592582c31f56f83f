/* gst-imagegen: encoded result images to raw video frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_IMAGEGEN_DECODE_ERROR (gst_imagegen_decode_error_quark ())
GQuark gst_imagegen_decode_error_quark (void);

typedef enum
{
  GST_IMAGEGEN_DECODE_ERROR_NOT_AN_IMAGE,
  GST_IMAGEGEN_DECODE_ERROR_TOO_MANY_PIXELS,
  GST_IMAGEGEN_DECODE_ERROR_FAILED,
} GstImagegenDecodeError;

/**
 * GstImagegenImageHeader:
 *
 * What the first bytes of an encoded image say, read without decoding.
 */
typedef struct
{
  const gchar *media_type;      /* "image/png", "image/jpeg", "image/webp" */
  guint width;
  guint height;
} GstImagegenImageHeader;

/* Reads the format and size from the header; refuses data that is not a
 * PNG, JPEG or WebP image and images over @max_pixels, before any pixel
 * memory is allocated. */
gboolean gst_imagegen_image_header_parse (GBytes * bytes, guint64 max_pixels,
    GstImagegenImageHeader * header, GError ** error);

/* Loads the decoders' plugins on a thread of their own, once per process,
 * so the first result does not wait for them (a few ms of a one-image
 * gst-launch-1.0 run, docs/performance.md). */
void gst_imagegen_decode_preload (void);

/* Decodes @bytes into a raw frame in the decoder's own format.  Blocks:
 * call it from a worker thread, never from one that keeps time. */
GstBuffer *gst_imagegen_decode (GBytes * bytes, guint64 max_pixels,
    GstVideoInfo * info, GError ** error);

G_END_DECLS
