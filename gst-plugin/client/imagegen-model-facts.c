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
#include <stdio.h>

/* The resolutions a request may name, by area in 1024 x 1024 pixels */
static const struct
{
  const gchar *name;
  guint area;
} resolutions[] = {
  {"1k", 1}, {"2k", 4}, {"4k", 16},
};

/* @resolution's area in 1024 x 1024 pixels; 1 when it names none */
static guint
resolution_area (const gchar * resolution)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (resolutions); i++)
    if (g_strcmp0 (resolution, resolutions[i].name) == 0)
      return resolutions[i].area;
  return 1;
}

gboolean
imagegen_models_check_size (const ImagegenProvider * provider,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error)
{
  guint max = provider ? provider->max_aspect : 0;
  gint rw, rh;
  gchar end;

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
    const gchar * aspect_ratio, const gchar * resolution, guint * width,
    guint * height)
{
  gint rw = 1, rh = 1;
  gdouble area = 1024.0 * 1024.0 * resolution_area (resolution);

  if (aspect_ratio == NULL || sscanf (aspect_ratio, "%d:%d", &rw, &rh) != 2
      || rw <= 0 || rh <= 0)
    rw = rh = 1;
  if (provider != NULL && provider->fit_size != NULL) {
    provider->fit_size ((guint) sqrt (area * rw / rh),
        (guint) sqrt (area * rh / rw), width, height);
    return;
  }
  *width = MAX (16, ((gint) (sqrt (area * rw / rh) + 8) / 16) * 16);
  *height = MAX (16, ((gint) (sqrt (area * rh / rw) + 8) / 16) * 16);
}

/* Assumed price of a call whose price is not confirmed: the dearest
 * known one, so that a spending guard errs on the side of the bill. */
#define ASSUMED_PRICE_CENTS 24

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
      ASSUMED_PRICE_CENTS * IMAGEGEN_NANOCENTS_PER_CENT;
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
