/* gst-imagegen: money as the client counts it — exact nanocents — and the
 * one rounding rule for figures that are shown (imagegen-client.h, "Money").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-client.h"

#include <math.h>
#include <string.h>

/* what a gint64 of nanocents holds, with room for sums: 90 million
 * dollars */
#define MAX_CENTS 9.0e9

gint64
imagegen_nanocents (gdouble cents)
{
  /* the ceiling keeps a figure beyond G_MAXINT64 from wrapping round */
  if (!(cents >= 0))
    return -1;
  return (gint64) llround (MIN (cents, MAX_CENTS) *
      IMAGEGEN_NANOCENTS_PER_CENT);
}

gint
imagegen_cents_shown (gint64 nanocents)
{
  if (nanocents < 0)
    return -1;
  /* rounded up: a shown bill is never smaller than the real one */
  return (gint) MIN ((nanocents + IMAGEGEN_NANOCENTS_PER_CENT - 1) /
      IMAGEGEN_NANOCENTS_PER_CENT, G_MAXINT);
}

gdouble
imagegen_cents_exact (gint64 nanocents)
{
  if (nanocents < 0)
    return -1.0;
  return (gdouble) nanocents / IMAGEGEN_NANOCENTS_PER_CENT;
}

gchar *
imagegen_cents_to_string (gint64 nanocents)
{
  gchar *text, *end;

  if (nanocents < 0)
    return g_strdup ("unknown");
  text = g_strdup_printf ("%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT,
      nanocents / IMAGEGEN_NANOCENTS_PER_CENT,
      nanocents % IMAGEGEN_NANOCENTS_PER_CENT);
  /* "1.500000000" reads "1.5", "5.000000000" reads "5" */
  end = text + strlen (text) - 1;
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  return text;
}
