/* gst-imagegen: the Black Forest Labs models (PROTOCOL.md, section 2).
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
#define IMAGEGEN_BFL_MAX_PIXELS (4 * 1024 * 1024)

typedef struct
{
  const gchar *id;              /* POST /v1/<id> */
  gdouble cents_per_mp;         /* list price per output megapixel;
                                 * < 0: not published */
  guint max_input_images;       /* input_image … input_image_<n> */
  gboolean steps_guidance;      /* takes steps and guidance (flex) */
} ImagegenBflModel;

/* The row of @id, or NULL when @id is no BFL model. */
const ImagegenBflModel *imagegen_bfl_model_lookup (const gchar * id);

/* Every BFL model id, "a, b, c"; free with g_free(). */
gchar *imagegen_bfl_model_ids (void);

/* List price of a @width x @height output of @model in cents, rounded up;
 * -1 when unknown. */
gint imagegen_bfl_model_price_cents (const gchar * model, guint width,
    guint height);

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
