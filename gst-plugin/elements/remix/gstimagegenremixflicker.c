/* gst-imagegen: imagegenremix measure-flicker — a number for how steady
 * the output is, beside the input's.
 *
 * Each frame is compared with the one before carried onto it along the
 * input's optical flow (DIS on the small grey frames the flow uses): what
 * is left is change beyond the motion.  The input's figure is what the
 * clip itself changes; an output that flickers scores above it, one that
 * moves with the input near it (the emulator's inversion keeps every
 * difference).  The same flow serves both, so they compare.
 *
 * The output thread's work (live: the streaming thread; so off by
 * default); the sums are under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

/* forgets the frame before: the next one starts a new run */
static void
forget (GstImagegenRemix * remix)
{
  g_clear_pointer (&remix->flicker_in, g_free);
  g_clear_pointer (&remix->flicker_out, g_free);
  g_clear_pointer (&remix->flicker_flow, gst_imagegen_flow_field_free);
}

void
gst_imagegen_remix_flicker_measure (GstImagegenRemix * remix,
    GstBuffer * input, GstBuffer * out, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  GstImagegenFlowField *field = NULL;
  guint8 *grey_in = NULL, *grey_out = NULL;
  gdouble d_in = -1, d_out = -1;
  GError *error = NULL;
  gboolean measure;
  gint w, h;

  GST_OBJECT_LOCK (remix);
  measure = remix->measure_flicker;
  GST_OBJECT_UNLOCK (remix);
  if (!measure || !gst_imagegen_flow_available ()
      || GST_VIDEO_INFO_WIDTH (in_info) <= 0
      || GST_VIDEO_INFO_HEIGHT (in_info) <= 0)
    return;
  /* both at the input's flow size: the output is compared in its shape */
  gst_imagegen_flow_size (GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info), &w, &h);
  grey_in = gst_imagegen_remix_motion_grey (input, in_info, w, h);
  grey_out = gst_imagegen_remix_motion_grey (out, out_info, w, h);
  if (grey_in == NULL || grey_out == NULL) {
    g_free (grey_in);
    g_free (grey_out);
    forget (remix);
    return;
  }
  if (remix->flicker_in != NULL && (w != remix->flicker_width
          || h != remix->flicker_height))
    forget (remix);
  remix->flicker_width = w;
  remix->flicker_height = h;
  if (remix->flicker_in != NULL) {
    if (remix->flow == NULL)
      remix->flow = gst_imagegen_flow_new ();
    /* consecutive frames move alike: the last flow starts this one */
    field = gst_imagegen_flow_compute (remix->flow, grey_in,
        remix->flicker_in, w, h, remix->flicker_flow, FALSE, &error);
    if (field == NULL) {
      GST_WARNING_OBJECT (remix, "%s", error->message);
      g_error_free (error);
    } else {
      d_in = gst_imagegen_flow_carried_difference (remix->flow, field,
          remix->flicker_in, grey_in);
      d_out = gst_imagegen_flow_carried_difference (remix->flow, field,
          remix->flicker_out, grey_out);
    }
  }
  forget (remix);
  remix->flicker_in = grey_in;
  remix->flicker_out = grey_out;
  remix->flicker_flow = field;
  if (d_in < 0 || d_out < 0)
    return;
  g_mutex_lock (&remix->lock);
  remix->flicker_in_sum += d_in;
  remix->flicker_out_sum += d_out;
  remix->flicker_frames++;
  g_mutex_unlock (&remix->lock);
}

void
gst_imagegen_remix_flicker_add_stats (GstImagegenRemix * remix,
    GstStructure * stats)
{
  /* no figure without a frame measured: none is better than a zero */
  g_mutex_lock (&remix->lock);
  if (remix->flicker_frames > 0)
    gst_structure_set (stats,
        "flicker-output", G_TYPE_DOUBLE,
        remix->flicker_out_sum / remix->flicker_frames,
        "flicker-input", G_TYPE_DOUBLE,
        remix->flicker_in_sum / remix->flicker_frames,
        "flicker-frames", G_TYPE_UINT64, remix->flicker_frames, NULL);
  g_mutex_unlock (&remix->lock);
}

void
gst_imagegen_remix_flicker_reset_locked (GstImagegenRemix * remix)
{
  remix->flicker_in_sum = remix->flicker_out_sum = 0;
  remix->flicker_frames = 0;
}

void
gst_imagegen_remix_flicker_stop (GstImagegenRemix * remix)
{
  forget (remix);
}
