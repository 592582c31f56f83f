/* gst-imagegen: which service an element talks to, and the request fields
 * only Black Forest Labs takes (seed, flex steps and guidance).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gstimagegenfields.h"
#include <gst/gst.h>
#include "imagegen-client.h"

G_BEGIN_DECLS

/**
 * GstImagegenProvider:
 * @GST_IMAGEGEN_PROVIDER_AUTO: from the model id (flux-2-klein-4b and the
 *   other Black Forest Labs ids: bfl; anything else: runapi)
 * @GST_IMAGEGEN_PROVIDER_RUNAPI: RunAPI
 * @GST_IMAGEGEN_PROVIDER_BFL: Black Forest Labs direct
 * @GST_IMAGEGEN_PROVIDER_FAL: fal's queue API
 */
typedef enum
{
  GST_IMAGEGEN_PROVIDER_AUTO,
  GST_IMAGEGEN_PROVIDER_RUNAPI,
  GST_IMAGEGEN_PROVIDER_BFL,
  GST_IMAGEGEN_PROVIDER_FAL,
} GstImagegenProvider;

/**
 * GstImagegenRegion:
 * @GST_IMAGEGEN_REGION_GLOBAL: api.bfl.ai
 * @GST_IMAGEGEN_REGION_EU: api.eu.bfl.ai
 * @GST_IMAGEGEN_REGION_US: api.us.bfl.ai
 *
 * The Black Forest Labs host used when base-url is not set.
 */
typedef enum
{
  GST_IMAGEGEN_REGION_GLOBAL,
  GST_IMAGEGEN_REGION_EU,
  GST_IMAGEGEN_REGION_US,
} GstImagegenRegion;

GType gst_imagegen_provider_get_type (void);
GType gst_imagegen_region_get_type (void);

/* What the provider properties hold (inside GstImagegenSettings). */
typedef struct
{
  GstImagegenProvider provider;
  GstImagegenRegion region;
  gint64 seed;                  /* -1: none */
  guint steps;                  /* 0: the model's default */
  gdouble guidance;             /* 0: the model's default */
} GstImagegenProviderSettings;

/* Offsets from the first of these properties. */
enum
{
  GST_IMAGEGEN_PROVIDER_PROP_PROVIDER,
  GST_IMAGEGEN_PROVIDER_PROP_REGION,
  GST_IMAGEGEN_PROVIDER_PROP_SEED,
  GST_IMAGEGEN_PROVIDER_PROP_STEPS,
  GST_IMAGEGEN_PROVIDER_PROP_GUIDANCE,
  GST_IMAGEGEN_PROVIDER_N_PROPS
};

void gst_imagegen_provider_settings_init (GstImagegenProviderSettings * p);
void gst_imagegen_provider_install_properties (GObjectClass * klass,
    guint first_prop_id);
/* The members of GstImagegenProviderSettings these properties are */
extern const GstImagegenField gst_imagegen_provider_fields[];

/* The service @model goes to under @p's provider choice. */
ImagegenProviderId gst_imagegen_provider_resolve (const
    GstImagegenProviderSettings * p, const gchar * model);

/* The default base URL of @p's region. */
const gchar *gst_imagegen_provider_bfl_base_url (const
    GstImagegenProviderSettings * p);

/* Checks a Black Forest Labs @request (model, prompt, aspect ratio,
 * resolution, extra) with @p's seed, steps and guidance before anything is
 * sent: a row of theirs in the model table for the request's kind, an
 * aspect ratio "W:H", resolution 1k or 2k, then the row's fields (steps
 * and guidance only where the row has them, in its ranges) and its input
 * image count (@n_inputs). */
gboolean gst_imagegen_provider_bfl_check (const GstImagegenProviderSettings *
    p, const ImagegenRequest * request, guint n_inputs, GError ** error);

/* Sets seed, steps and guidance on @request. */
void gst_imagegen_provider_apply (const GstImagegenProviderSettings * p,
    ImagegenRequest * request);

G_END_DECLS
