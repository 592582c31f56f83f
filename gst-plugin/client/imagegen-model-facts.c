/* gst-imagegen: the model table's answers to what a call costs and what
 * size it makes, for a given provider: the one place each is decided
 * (docs/engine.md, "One answer per fact").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"
#include "imagegen-provider.h"
#include <math.h>
#include <string.h>
#include <stdio.h>

/* The side of the square whose area @resolution names: 1k 1024, 1.5k
 * 1536, 4k 4096, FLUX 3's 768sq 768; anything else 1k's. */
static gdouble
resolution_side (const gchar * resolution)
{
  gchar *end;
  gdouble v = resolution ? g_ascii_strtod (resolution, &end) : 0;

  if (v <= 0 || v > 16384)
    return 1024;
  if (g_str_equal (end, "k"))
    return v * 1024;
  return g_str_equal (end, "sq") ? v : 1024;
}

/* @provider's row of @model when it names a resolution tier of its own
 * (FLUX 3's resolution field) rather than following the provider's size
 * rules; else NULL. */
static const ImagegenModelRow *
tier_row (const ImagegenProvider * provider, const gchar * model)
{
  const ImagegenModelRow *row = provider && model ?
      imagegen_models_find (provider->name, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      model) : NULL;

  return row && imagegen_model_row_field (row, "resolution") ? row : NULL;
}

gboolean
imagegen_models_check_size (const ImagegenProvider * provider,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error)
{
  guint max = provider ? provider->max_aspect : 0;
  const ImagegenModelRow *row = tier_row (provider, model);
  gint rw, rh;
  gchar end;

  /* a provider's size rules are for its exact-size rows (FLUX.2); a tier
   * row (FLUX 3) lists its own ratios and resolutions */
  if (row != NULL)
    return imagegen_models_check_row (row, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
        aspect_ratio, resolution, error);

  if (max > 0 && aspect_ratio != NULL && g_strcmp0 (aspect_ratio, "auto")
      && (sscanf (aspect_ratio, "%d:%d%c", &rw, &rh, &end) != 2 || rw <= 0
          || rh <= 0 || (guint) rw > max * rh || (guint) rh > max * rw)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Invalid aspect-ratio \"%s\" "
        "for model %s; valid values: W:H such as 1:1, 16:9 or 9:16, or "
        "auto.", aspect_ratio, model);
    return FALSE;
  }
  if (provider != NULL && provider->resolutions != NULL && resolution != NULL
      && !g_strv_contains (provider->resolutions, resolution)) {
    g_autofree gchar *valid = g_strjoinv (", ",
        (gchar **) provider->resolutions);

    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Invalid resolution \"%s\" "
        "for model %s; valid values: %s.", resolution, model, valid);
    return FALSE;
  }
  return TRUE;
}

void
imagegen_models_output_size (const ImagegenProvider * provider,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, guint * width, guint * height)
{
  gint rw = 1, rh = 1;
  gdouble area = resolution_side (resolution);

  area *= area;
  if (aspect_ratio == NULL || sscanf (aspect_ratio, "%d:%d", &rw, &rh) != 2
      || rw <= 0 || rh <= 0)
    rw = rh = 1;
  /* the provider's size rules are for its exact-size rows (FLUX.2); a
   * tier row (FLUX 3) makes the tier's area */
  if (provider != NULL && provider->fit_size != NULL
      && tier_row (provider, model) == NULL) {
    provider->fit_size ((guint) sqrt (area * rw / rh),
        (guint) sqrt (area * rh / rw), width, height);
    return;
  }
  *width = MAX (16, ((gint) (sqrt (area * rw / rh) + 8) / 16) * 16);
  *height = MAX (16, ((gint) (sqrt (area * rh / rw) + 8) / 16) * 16);
}

/* Assumed price of a call whose price is not confirmed: the dearest
 * confirmed one in the table (a tier's or a per-call price), so that a
 * spending guard errs on the side of the bill. */
static gdouble
dearest_price_cents (void)
{
  gdouble dearest = 0;
  const ImagegenModelRow *row;
  guint i, k;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    g_auto (GStrv) overrides = NULL;

    if (!row->price_confirmed || row->price_cents < 0)
      continue;
    dearest = MAX (dearest, row->price_cents);
    overrides = row->price_overrides ?
        g_strsplit (row->price_overrides, " ", -1) : NULL;
    for (k = 0; overrides != NULL && overrides[k] != NULL; k++) {
      const gchar *eq = strchr (overrides[k], '=');

      if (eq != NULL)
        dearest = MAX (dearest, g_ascii_strtod (eq + 1, NULL));
    }
  }
  return dearest;
}

gint64
imagegen_models_price_nanocents (const ImagegenProvider * provider,
    const ImagegenRequest * request, gboolean * known)
{
  ImagegenEndpoint endpoint = request->endpoint == IMAGEGEN_ENDPOINT_UPLOAD ?
      IMAGEGEN_ENDPOINT_REMIX : request->endpoint;
  g_autoptr (ImagegenRequest) full = provider && provider->table_request ?
      provider->table_request (request) : NULL;
  const ImagegenModelRow *row = imagegen_models_find (provider ?
      provider->name : NULL, endpoint, request->model);
  g_autoptr (JsonNode) body = NULL;
  gint64 nanocents = -1;

  /* an id is one provider's: without a provider, the one whose rows
   * have it */
  if (row == NULL && provider == NULL && imagegen_models_find_any
      (request->model) != NULL)
    row = imagegen_models_find (imagegen_models_find_any
        (request->model)->provider, endpoint, request->model);
  if (row != NULL) {
    /* a per-megapixel row reads the size the body carries */
    body = imagegen_model_build_body (row, full ? full : request, NULL);
    nanocents = imagegen_nanocents (imagegen_model_price_exact (row,
            json_node_get_object (body), -1, TRUE));
  }
  if (known != NULL)
    *known = nanocents >= 0;
  return nanocents >= 0 ? nanocents :
      imagegen_nanocents (dearest_price_cents ());
}

gint
imagegen_request_price_cents (const ImagegenRequest * request)
{
  gboolean known;
  gint64 nanocents = imagegen_models_price_nanocents (NULL, request, &known);

  return known ? imagegen_cents_shown (nanocents) : -1;
}

gint
imagegen_price_cents (const gchar * model, const gchar * resolution)
{
  ImagegenRequest request = { 0, };
  guint e;
  gint cents = -1;

  request.model = (gchar *) model;
  request.resolution = (gchar *) resolution;
  for (e = IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE; cents < 0
      && e <= IMAGEGEN_ENDPOINT_REMIX; e++) {
    request.endpoint = e;
    cents = imagegen_request_price_cents (&request);
  }
  return cents;
}
