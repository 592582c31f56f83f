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

void
imagegen_models_output_size (const ImagegenProvider * provider,
    const gchar * aspect_ratio, const gchar * resolution, guint * width,
    guint * height)
{
  gint rw = 1, rh = 1;
  gdouble area = 1024.0 * 1024.0;

  if (aspect_ratio == NULL || sscanf (aspect_ratio, "%d:%d", &rw, &rh) != 2
      || rw <= 0 || rh <= 0)
    rw = rh = 1;
  if (g_strcmp0 (resolution, "2k") == 0)
    area *= 4;
  else if (g_strcmp0 (resolution, "4k") == 0)
    area *= 16;
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

  /* an id is one provider's: Black Forest Labs' ids are none of RunAPI's */
  if (row == NULL && provider == NULL)
    row = imagegen_models_find ("bfl", endpoint, request->model);
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
