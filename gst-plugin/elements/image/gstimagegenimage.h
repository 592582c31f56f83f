/* gst-imagegen: one generated image on its way from the client to a pad.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>
#include "imagegen-client.h"
#include "gstimagegendecode.h"

G_BEGIN_DECLS

typedef struct
{
  gint ref_count;
  ImagegenResult *result;       /* timings, task id; result->image = bytes */
  GError *error;                /* the job's or the decoder's failure */
  gboolean fatal;               /* @error stops the stream (the engine's
                                 * verdict) */
  GstImagegenImageHeader header;
  GstBuffer *raw;               /* decoded, in the decoder's format, or NULL */
  GstVideoInfo raw_info;
  gint64 decoded_us;
} GstImagegenImage;

/* Takes @result.  Parses the header (refusing over @max_pixels) and, when
 * @decode, decodes: the blocking part, for worker threads only. */
GstImagegenImage *gst_imagegen_image_new_from_result (ImagegenResult * result,
    guint64 max_pixels, gboolean decode);
GstImagegenImage *gst_imagegen_image_ref (GstImagegenImage * image);
void gst_imagegen_image_unref (GstImagegenImage * image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstImagegenImage, gst_imagegen_image_unref)

G_END_DECLS
