/* gst-imagegen: what an imagegenremix frame shows — its pick's result, a
 * fallback (the input, black, the previous result), or a cross-fade
 * between two results, on the screen component (gstimagegenscreen.c);
 * with motion=flow, the result carried to the frame
 * (gstimagegenremixmotion.c).
 *
 * Runs on the one thread that pushes frames: the streaming thread in live
 * mode, the src task in offline mode.
 *
 * Locks (see gstimagegenremixpriv.h): remix->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"
#include "gstimagegenscale.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

/* The frame that stands in for a result: the input (converted when the
 * output caps differ) or black. */
static GstBuffer *
fallback_frame (GstImagegenRemix * remix, GstBuffer * input,
    GstImagegenRemixFallback fallback, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode scale_mode)
{
  if (fallback == GST_IMAGEGEN_REMIX_FALLBACK_BLACK)
    return gst_imagegen_screen_placeholder (&remix->screen, out_info, TRUE);
  return gst_imagegen_scale (input, in_info, out_info, scale_mode);
}

/* A new buffer with @input's timestamps around @pixels' memory. */
static GstBuffer *
stamp (GstBuffer * pixels, GstBuffer * input)
{
  GstBuffer *out = gst_imagegen_share_pixels (pixels);

  gst_buffer_copy_into (out, input, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  return out;
}

GstBuffer *
gst_imagegen_remix_make_output (GstImagegenRemix * remix, GstBuffer * input,
    GstClockTime time, RemixPick * pick, RemixPick * next, gboolean live,
    gboolean carry)
{
  GstImagegenScaleMode scale_mode;
  GstImagegenRemixFallback placeholder, on_failure;
  GstClockTime transition, pts, end;
  GstVideoInfo in_info, out_info;
  GstBuffer *pixels = NULL, *faded, *out;
  RemixPick *shown = NULL;

  GST_OBJECT_LOCK (remix);
  scale_mode = remix->settings.scale_mode;
  placeholder = remix->placeholder;
  on_failure = remix->on_failure;
  transition = remix->transition_duration;
  GST_OBJECT_UNLOCK (remix);
  g_mutex_lock (&remix->lock);
  in_info = remix->in_info;
  out_info = remix->out_info;
  g_mutex_unlock (&remix->lock);

  if (pick != NULL && pick->image != NULL) {
    shown = pick;
  } else if (!live && pick != NULL
      && on_failure == GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS) {
    shown = remix->shown_pick;
  }
  if (shown != NULL) {
    GstBuffer *placed = gst_imagegen_placement_get (&shown->placed,
        &out_info, scale_mode);

    if (placed != NULL && carry)
      pixels = gst_imagegen_remix_motion_carry (remix, input, time, shown,
          shown == pick ? next : NULL, live, &in_info, &out_info, scale_mode);
    if (placed == NULL)
      shown = NULL;
    else if (pixels == NULL)
      pixels = gst_buffer_ref (placed);
  }
  if (pixels == NULL) {
    GstImagegenRemixFallback fallback = pick == NULL ? placeholder :
        on_failure;
    if (fallback == GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS)
      fallback = GST_IMAGEGEN_REMIX_FALLBACK_INPUT;
    pixels = fallback_frame (remix, input, fallback, &in_info, &out_info,
        scale_mode);
  }
  if (pixels == NULL)
    return NULL;
  if (shown != remix->shown_pick)
    gst_imagegen_remix_replace_pick (&remix->shown_pick, shown);
  /* results fade into each other, never out of a fallback */
  pts = GST_BUFFER_PTS (input);
  end = GST_CLOCK_TIME_IS_VALID (pts) && GST_BUFFER_DURATION_IS_VALID (input)
      ? pts + GST_BUFFER_DURATION (input) : pts;
  faded = gst_imagegen_screen_frame (&remix->screen,
      shown ? shown->image : NULL, pixels, &out_info, pts, end, transition,
      FALSE);
  gst_buffer_unref (pixels);
  out = stamp (faded, input);
  gst_buffer_unref (faded);
  gst_imagegen_remix_flicker_measure (remix, input, out, &in_info, &out_info);
  return out;
}

void
gst_imagegen_remix_forget_shown (GstImagegenRemix * remix)
{
  gst_imagegen_remix_replace_pick (&remix->shown_pick, NULL);
  gst_imagegen_screen_clear (&remix->screen);
}
