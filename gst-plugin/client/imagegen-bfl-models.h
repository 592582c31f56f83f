/* gst-imagegen: Black Forest Labs' size rules (PROTOCOL.md, section 2),
 * not per model (their models are rows of the model table,
 * imagegen-models.h).
 *
 * Plain GLib, so that the emulator reads the same facts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Size limits of width and height (their docs). */
#define IMAGEGEN_BFL_SIZE_STEP 16
#define IMAGEGEN_BFL_MIN_SIDE 64
/* 4 MP as they count megapixels: 2048 x 2048 (4.19 MP) is over */
#define IMAGEGEN_BFL_MAX_PIXELS 4000000
/* Widest aspect ratio: neither side over 16 times the other */
#define IMAGEGEN_BFL_MAX_ASPECT 16

/* The resolutions every model of theirs makes, NULL terminated */
extern const gchar *const imagegen_bfl_resolutions[];

/* @width and @height fitted to BFL's rules: the same shape, at most
 * IMAGEGEN_BFL_MAX_PIXELS, at least IMAGEGEN_BFL_MIN_SIDE, each side
 * rounded to a multiple of 16. */
void imagegen_bfl_fit_size (guint width, guint height, guint * out_width,
    guint * out_height);

/* The size to ask for a frame of @width x @height: sides multiples of 16
 * of the frame's shape within 0.5 % where one exists near the frame's
 * own size (640 x 360 gives 656 x 368), else the closest shape, so that
 * the result fills the frame without borders. */
void imagegen_bfl_frame_size (guint width, guint height, guint * out_width,
    guint * out_height);

G_END_DECLS
