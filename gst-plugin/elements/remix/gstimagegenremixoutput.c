/* gst-imagegen: what an imagegenremix frame shows — its pick's result, a
 * fallback (the input, black, the previous result), or a cross-fade
 * between two results.
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
#include "gstimagegenblend.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

GstBuffer *
gst_imagegen_remix_placed_image (RemixPick * pick, const GstVideoInfo * info,
    GstImagegenScaleMode scale_mode)
{
  if (pick->image == NULL || pick->image->raw == NULL)
    return NULL;
  if (pick->placed == NULL || !gst_video_info_is_equal (&pick->placed_info,
          info)) {
    gst_clear_buffer (&pick->placed);
    pick->placed = gst_imagegen_scale (pick->image->raw,
        &pick->image->raw_info, info, scale_mode);
    pick->placed_info = *info;
  }
  return pick->placed;
}

static GstBuffer *
black_frame (GstImagegenRemix * remix, const GstVideoInfo * info)
{
  if (remix->black == NULL || gst_buffer_get_size (remix->black) !=
      GST_VIDEO_INFO_SIZE (info)) {
    gst_clear_buffer (&remix->black);
    remix->black = gst_imagegen_solid_frame (info, 0x000000ff);
  }
  return remix->black;
}

/* The frame that stands in for a result: the input (converted when the
 * output caps differ) or black. */
static GstBuffer *
fallback_frame (GstImagegenRemix * remix, GstBuffer * input,
    GstImagegenRemixFallback fallback, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode scale_mode)
{
  if (fallback == GST_IMAGEGEN_REMIX_FALLBACK_BLACK)
    return gst_buffer_ref (black_frame (remix, out_info));
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

/* Cross-fades from the result shown before to @shown's @pixels when the
 * shown result changes; @shown is NULL when no result shows. */
static GstBuffer *
transition (GstImagegenRemix * remix, RemixPick * shown, GstBuffer * pixels,
    GstBuffer * input, const GstVideoInfo * out_info)
{
  GstClockTime duration, end, pts = GST_BUFFER_PTS (input);

  GST_OBJECT_LOCK (remix);
  duration = remix->transition_duration;
  GST_OBJECT_UNLOCK (remix);

  if (shown != remix->shown_pick) {
    gst_clear_buffer (&remix->fade_from);
    if (duration > 0 && shown != NULL && remix->shown_pick != NULL
        && remix->shown_pixels != NULL && GST_CLOCK_TIME_IS_VALID (pts)) {
      remix->fade_from = gst_buffer_ref (remix->shown_pixels);
      remix->fade_start = pts;
    }
    gst_imagegen_remix_replace_pick (&remix->shown_pick, shown);
  }
  gst_buffer_replace (&remix->shown_pixels, pixels);

  if (remix->fade_from == NULL)
    return gst_buffer_ref (pixels);
  if (!GST_CLOCK_TIME_IS_VALID (pts) || pts < remix->fade_start
      || pts >= remix->fade_start + duration
      || gst_buffer_get_size (remix->fade_from) != gst_buffer_get_size
      (pixels)) {
    gst_clear_buffer (&remix->fade_from);
    return gst_buffer_ref (pixels);
  }
  /* a frame shows the mix at its end, so the last one is all new */
  end = pts + (GST_BUFFER_DURATION_IS_VALID (input) ?
      GST_BUFFER_DURATION (input) : 0);
  return gst_imagegen_blend (remix->fade_from, pixels, out_info,
      (gdouble) (end - remix->fade_start) / duration);
}

GstBuffer *
gst_imagegen_remix_make_output (GstImagegenRemix * remix, GstBuffer * input,
    RemixPick * pick, gboolean live)
{
  GstImagegenScaleMode scale_mode;
  GstImagegenRemixFallback placeholder, on_failure;
  GstVideoInfo in_info, out_info;
  GstBuffer *pixels = NULL, *faded, *out;
  RemixPick *shown = NULL;

  GST_OBJECT_LOCK (remix);
  scale_mode = remix->settings.scale_mode;
  placeholder = remix->placeholder;
  on_failure = remix->on_failure;
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
    pixels = gst_imagegen_remix_placed_image (shown, &out_info, scale_mode);
    if (pixels != NULL)
      pixels = gst_buffer_ref (pixels);
    else
      shown = NULL;
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
  faded = transition (remix, shown, pixels, input, &out_info);
  gst_buffer_unref (pixels);
  out = stamp (faded, input);
  gst_buffer_unref (faded);
  return out;
}

void
gst_imagegen_remix_forget_shown (GstImagegenRemix * remix)
{
  gst_imagegen_remix_replace_pick (&remix->shown_pick, NULL);
  gst_clear_buffer (&remix->shown_pixels);
  gst_clear_buffer (&remix->fade_from);
}
