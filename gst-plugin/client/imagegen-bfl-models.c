/* gst-imagegen: Black Forest Labs' size rules (PROTOCOL.md, section 2),
 * the same for every model of theirs; the models themselves are rows of
 * the model table (imagegen-model-table.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-bfl-models.h"

#include <math.h>
#include <string.h>

/* 2k: the most within IMAGEGEN_BFL_MAX_PIXELS */
const gchar *const imagegen_bfl_resolutions[] = { "1k", "2k", NULL };

static guint
round_side (gdouble v)
{
  guint side = (guint) (v / IMAGEGEN_BFL_SIZE_STEP + 0.5) *
      IMAGEGEN_BFL_SIZE_STEP;

  return MAX (side, IMAGEGEN_BFL_MIN_SIDE);
}

void
imagegen_bfl_fit_size (guint width, guint height, guint * out_width,
    guint * out_height)
{
  gdouble w = MAX (width, 1), h = MAX (height, 1);
  gdouble scale = sqrt ((gdouble) IMAGEGEN_BFL_MAX_PIXELS / (w * h));

  if (scale < 1.0) {
    w *= scale;
    h *= scale;
  }
  *out_width = round_side (w);
  *out_height = round_side (h);
  /* rounding up may cross the limit: step the longer side down */
  while ((guint64) * out_width * *out_height > IMAGEGEN_BFL_MAX_PIXELS) {
    if (*out_width >= *out_height)
      *out_width -= IMAGEGEN_BFL_SIZE_STEP;
    else
      *out_height -= IMAGEGEN_BFL_SIZE_STEP;
  }
}

void
imagegen_bfl_frame_size (guint width, guint height, guint * out_width,
    guint * out_height)
{
  gdouble ratio = (gdouble) MAX (width, 1) / MAX (height, 1), best = G_MAXDOUBLE;
  guint fw, fh, d;
  gint sign;

  imagegen_bfl_fit_size (width, height, &fw, &fh);
  *out_width = fw;
  *out_height = fh;
  /* widths ever further from the frame's, larger first */
  for (d = 0; d <= fw / 2 && best > 0.005; d += IMAGEGEN_BFL_SIZE_STEP) {
    for (sign = 1; sign >= -1 && best > 0.005; sign -= 2) {
      gint cw = (gint) fw + sign * (gint) d;
      guint ch;
      gdouble err;

      if (cw < IMAGEGEN_BFL_MIN_SIDE || (d == 0 && sign < 0))
        continue;
      ch = round_side (cw / ratio);
      if ((guint64) cw * ch > IMAGEGEN_BFL_MAX_PIXELS)
        continue;
      err = fabs ((gdouble) cw / ch / ratio - 1.0);
      if (err < best - 1e-12) {
        best = err;
        *out_width = cw;
        *out_height = ch;
      }
    }
  }
}
