/* gst-imagegen: one generated image, decoded off the streaming thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenimage.h"

GstImagegenImage *
gst_imagegen_image_new_from_result (ImagegenResult * result,
    guint64 max_pixels, gboolean decode)
{
  GstImagegenImage *image = g_new0 (GstImagegenImage, 1);

  image->ref_count = 1;
  image->result = result;
  if (result->error != NULL) {
    image->error = g_error_copy (result->error);
    return image;
  }
  if (!gst_imagegen_image_header_parse (result->image, max_pixels,
          &image->header, &image->error))
    return image;
  if (decode)
    image->raw = gst_imagegen_decode (result->image, max_pixels,
        &image->raw_info, &image->error);
  image->decoded_us = g_get_monotonic_time ();
  return image;
}

GstImagegenImage *
gst_imagegen_image_ref (GstImagegenImage * image)
{
  g_atomic_int_inc (&image->ref_count);
  return image;
}

void
gst_imagegen_image_unref (GstImagegenImage * image)
{
  if (!g_atomic_int_dec_and_test (&image->ref_count))
    return;
  imagegen_result_free (image->result);
  g_clear_error (&image->error);
  gst_clear_buffer (&image->raw);
  g_free (image);
}
