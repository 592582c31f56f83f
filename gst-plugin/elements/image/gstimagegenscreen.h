/* gst-imagegen: the picture on screen — the current image placed at the
 * output caps with the scale mode, the cross-fade from the picture shown
 * before, and the placeholder.  Knows no element: imagegensrc (live) and
 * imagegenremix give it their images and frame times, and lock around it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>
#include "gstimagegenimage.h"
#include "gstimagegenscale.h"

G_BEGIN_DECLS

/* One image placed at one format: placed again only when the format
 * changes. */
typedef struct
{
  GstImagegenImage *image;      /* NULL: none */
  GstBuffer *placed;            /* image placed into info, NULL: not yet */
  GstVideoInfo info;
  gboolean squared;             /* the image answers a frame of square_of
                                 * fitted into a square */
  GstVideoInfo square_of;
} GstImagegenPlacement;

/* @image (may be NULL) from now on; it is placed at the next get. */
void gst_imagegen_placement_set_image (GstImagegenPlacement * placement,
    GstImagegenImage * image);
/* The image answers a frame of @frame_info that was fitted into a square
 * (gst_imagegen_square_fit()); NULL: it does not.  Kept over set_image. */
void gst_imagegen_placement_set_square (GstImagegenPlacement * placement,
    const GstVideoInfo * frame_info);
/* The image placed at @info with @mode (borrowed), placed now when it was
 * not yet at @info (the way back from the square when set_square() said
 * so); NULL without an image or its decoded pixels. */
GstBuffer *gst_imagegen_placement_get (GstImagegenPlacement * placement,
    const GstVideoInfo * info, GstImagegenScaleMode mode);
/* Takes what @from holds; @from is left empty. */
void gst_imagegen_placement_move (GstImagegenPlacement * to,
    GstImagegenPlacement * from);
void gst_imagegen_placement_clear (GstImagegenPlacement * placement);

typedef struct
{
  GstImagegenImage *image;      /* what the last frame showed, NULL: a
                                 * stand-in (placeholder, input) */
  GstBuffer *shown;             /* the last frame's picture, unfaded */
  GstVideoInfo shown_info;
  GstBuffer *fade_from;         /* during a cross-fade: the old picture */
  GstVideoInfo fade_info;
  GstClockTime fade_start;
  GstBuffer *placeholder;
  GstVideoInfo placeholder_info;
  guint32 placeholder_rgba;
} GstImagegenScreen;

void gst_imagegen_screen_init (GstImagegenScreen * screen);
/* Forgets what was shown: the next picture does not fade in. */
void gst_imagegen_screen_clear (GstImagegenScreen * screen);

/* The placeholder at @info: transparent where the format has alpha,
 * black otherwise or when @black (a new reference). */
GstBuffer *gst_imagegen_screen_placeholder (GstImagegenScreen * screen,
    const GstVideoInfo * info, gboolean black);

/* The frame from @pts to @end (NONE: @pts) showing @pixels (in @info),
 * which are @image placed or, with @image NULL, a stand-in.  When the
 * image differs from the last frame's, the last frame's picture fades out
 * over @transition from @pts on, a stand-in only when @fade_stand_in.  A
 * frame shows the mix at its end, so the fade's last frame is all new.
 * Returns a new reference. */
GstBuffer *gst_imagegen_screen_frame (GstImagegenScreen * screen,
    GstImagegenImage * image, GstBuffer * pixels, const GstVideoInfo * info,
    GstClockTime pts, GstClockTime end, GstClockTime transition,
    gboolean fade_stand_in);

G_END_DECLS
