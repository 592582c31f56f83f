/* gst-imagegen: cross-fading two frames of the same format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenblend.h"

GstBuffer *
gst_imagegen_blend (GstBuffer * from, GstBuffer * to,
    const GstVideoInfo * info, gdouble weight)
{
  GstMapInfo a, b, o;
  GstBuffer *out;
  guint w = CLAMP ((gint) (weight * 256 + 0.5), 0, 256);
  gsize i, size;

  if (w == 0)
    return gst_buffer_ref (from);
  if (w == 256)
    return gst_buffer_ref (to);

  size = GST_VIDEO_INFO_SIZE (info);
  out = gst_buffer_new_allocate (NULL, size, NULL);
  if (!gst_buffer_map (from, &a, GST_MAP_READ))
    goto fail;
  if (!gst_buffer_map (to, &b, GST_MAP_READ)) {
    gst_buffer_unmap (from, &a);
    goto fail;
  }
  gst_buffer_map (out, &o, GST_MAP_WRITE);
  size = MIN (size, MIN (a.size, b.size));
  /* fixed point, 8 bits of weight: vectorises well */
  for (i = 0; i < size; i++)
    o.data[i] = (a.data[i] * (256 - w) + b.data[i] * w + 128) >> 8;
  gst_buffer_unmap (out, &o);
  gst_buffer_unmap (to, &b);
  gst_buffer_unmap (from, &a);
  return out;

fail:
  gst_buffer_unref (out);
  return gst_buffer_ref (to);
}
