/* gst-imagegen: the Black Forest Labs models — the one table of their
 * facts (PROTOCOL.md, section 2), read by the client, the elements' checks
 * and the emulator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-bfl-models.h"

#include <math.h>
#include <string.h>

/* ---- BFL MODEL FACTS: one row per model, to move into the shared model
 * table as (provider bfl, action, model) rows.  Prices from their docs;
 * klein 9B's price is not published. ---- */
static const ImagegenBflModel bfl_models[] = {
  {"flux-2-pro", 3.0, 8, FALSE},
  {"flux-2-flex", 5.0, 8, TRUE},
  {"flux-2-max", 7.0, 8, FALSE},
  {"flux-2-klein-4b", 1.4, 4, FALSE},
  {"flux-2-klein-9b", -1.0, 4, FALSE},
};
/* ---- end of BFL model facts ---- */

const ImagegenBflModel *
imagegen_bfl_model_lookup (const gchar * id)
{
  guint i;

  for (i = 0; id != NULL && i < G_N_ELEMENTS (bfl_models); i++)
    if (strcmp (bfl_models[i].id, id) == 0)
      return &bfl_models[i];
  return NULL;
}

gchar *
imagegen_bfl_model_ids (void)
{
  GString *ids = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bfl_models); i++)
    g_string_append_printf (ids, "%s%s", i ? ", " : "", bfl_models[i].id);
  return g_string_free (ids, FALSE);
}

gint
imagegen_bfl_model_price_cents (const gchar * model, guint width,
    guint height)
{
  const ImagegenBflModel *m = imagegen_bfl_model_lookup (model);
  gdouble mp;

  if (m == NULL || m->cents_per_mp < 0 || width == 0 || height == 0)
    return -1;
  mp = (gdouble) width * height / (1024.0 * 1024.0);
  return (gint) ceil (m->cents_per_mp * mp - 1e-9);
}

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
