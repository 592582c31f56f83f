/* gst-imagegen: catalogue prices, used when an answer carries no billing.
 *
 * From PROTOCOL.md; the "max" variants have no confirmed price.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"

typedef struct
{
  const gchar *model;
  const gchar *resolution;      /* NULL: any */
  gint cents;
} PriceEntry;

static const PriceEntry prices[] = {
  {"flux-2-pro-text-to-image", NULL, 5},
  {"flux-2-flex-text-to-image", "2k", 24},
  {"flux-2-flex-text-to-image", NULL, 14},
  {"flux-2-pro-remix-image", NULL, 5},
  {"flux-2-flex-remix-image", NULL, 14},
  {"recraft-remove-background", NULL, 1},
};

gint
imagegen_price_cents (const gchar * model, const gchar * resolution)
{
  guint i;

  if (model == NULL)
    return -1;

  for (i = 0; i < G_N_ELEMENTS (prices); i++) {
    if (g_strcmp0 (prices[i].model, model) != 0)
      continue;
    if (prices[i].resolution == NULL
        || g_ascii_strcasecmp (prices[i].resolution,
            resolution ? resolution : "1k") == 0)
      return prices[i].cents;
  }
  return -1;
}
