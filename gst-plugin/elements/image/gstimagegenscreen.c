/* gst-imagegen: the picture on screen, shared by imagegensrc's live mode
 * and imagegenremix's output.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstimagegenscreen.h"
#include "gstimagegenblend.h"
#include "gstimagegensquare.h"

void
gst_imagegen_placement_set_image (GstImagegenPlacement * placement,
    GstImagegenImage * image)
{
  if (image != NULL)
    gst_imagegen_image_ref (image);
  gst_imagegen_placement_clear (placement);
  placement->image = image;
}

void
gst_imagegen_placement_set_square (GstImagegenPlacement * placement,
    const GstVideoInfo * frame_info)
{
  placement->squared = frame_info != NULL;
  if (frame_info != NULL)
    placement->square_of = *frame_info;
  gst_clear_buffer (&placement->placed);
}

GstBuffer *
gst_imagegen_placement_get (GstImagegenPlacement * placement,
    const GstVideoInfo * info, GstImagegenScaleMode mode)
{
  GstImagegenImage *image = placement->image;

  if (image == NULL || image->raw == NULL)
    return NULL;
  if (placement->placed == NULL
      || !gst_video_info_is_equal (&placement->info, info)) {
    gst_clear_buffer (&placement->placed);
    if (placement->squared)
      placement->placed = gst_imagegen_square_place (image->raw,
          &image->raw_info, &placement->square_of, info, mode);
    else
      placement->placed = gst_imagegen_scale (image->raw, &image->raw_info,
          info, mode);
    placement->info = *info;
  }
  return placement->placed;
}

void
gst_imagegen_placement_move (GstImagegenPlacement * to,
    GstImagegenPlacement * from)
{
  gst_imagegen_placement_clear (to);
  *to = *from;
  from->image = NULL;
  from->placed = NULL;
}

void
gst_imagegen_placement_clear (GstImagegenPlacement * placement)
{
  g_clear_pointer (&placement->image, gst_imagegen_image_unref);
  gst_clear_buffer (&placement->placed);
}

void
gst_imagegen_screen_init (GstImagegenScreen * screen)
{
  memset (screen, 0, sizeof (*screen));
  screen->fade_start = GST_CLOCK_TIME_NONE;
}

void
gst_imagegen_screen_clear (GstImagegenScreen * screen)
{
  g_clear_pointer (&screen->image, gst_imagegen_image_unref);
  gst_clear_buffer (&screen->shown);
  gst_clear_buffer (&screen->fade_from);
  gst_clear_buffer (&screen->placeholder);
  screen->fade_start = GST_CLOCK_TIME_NONE;
}

GstBuffer *
gst_imagegen_screen_placeholder (GstImagegenScreen * screen,
    const GstVideoInfo * info, gboolean black)
{
  guint32 rgba = black || !GST_VIDEO_INFO_HAS_ALPHA (info) ? 0x000000ff :
      0x00000000;

  if (screen->placeholder == NULL || screen->placeholder_rgba != rgba
      || !gst_video_info_is_equal (&screen->placeholder_info, info)) {
    gst_clear_buffer (&screen->placeholder);
    screen->placeholder = gst_imagegen_solid_frame (info, rgba);
    screen->placeholder_info = *info;
    screen->placeholder_rgba = rgba;
  }
  return screen->placeholder ? gst_buffer_ref (screen->placeholder) : NULL;
}

GstBuffer *
gst_imagegen_screen_frame (GstImagegenScreen * screen,
    GstImagegenImage * image, GstBuffer * pixels, const GstVideoInfo * info,
    GstClockTime pts, GstClockTime end, GstClockTime transition,
    gboolean fade_stand_in)
{
  if (image != screen->image) {
    gst_clear_buffer (&screen->fade_from);
    if (transition > 0 && image != NULL && screen->shown != NULL
        && (screen->image != NULL || fade_stand_in)
        && GST_CLOCK_TIME_IS_VALID (pts)) {
      screen->fade_from = g_steal_pointer (&screen->shown);
      screen->fade_info = screen->shown_info;
      screen->fade_start = pts;
    }
    g_clear_pointer (&screen->image, gst_imagegen_image_unref);
    if (image != NULL)
      screen->image = gst_imagegen_image_ref (image);
  }
  gst_buffer_replace (&screen->shown, pixels);
  screen->shown_info = *info;

  if (screen->fade_from == NULL)
    return gst_buffer_ref (pixels);
  /* over, a seek back, or the caps changed since it began */
  if (transition == 0 || !GST_CLOCK_TIME_IS_VALID (pts)
      || pts < screen->fade_start || pts >= screen->fade_start + transition
      || !gst_video_info_is_equal (&screen->fade_info, info)) {
    gst_clear_buffer (&screen->fade_from);
    return gst_buffer_ref (pixels);
  }
  if (!GST_CLOCK_TIME_IS_VALID (end) || end < pts)
    end = pts;
  return gst_imagegen_blend (screen->fade_from, pixels, info,
      (gdouble) (end - screen->fade_start) / transition);
}
