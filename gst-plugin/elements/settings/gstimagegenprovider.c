/* gst-imagegen: the provider, region, seed, steps and guidance properties
 * both elements share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenprovider.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"
#include "imagegen-enum.h"

IMAGEGEN_DEFINE_ENUM (gst_imagegen_provider_get_type, "GstImagegenProvider",
    {GST_IMAGEGEN_PROVIDER_AUTO, "From the model id", "auto"},
    {GST_IMAGEGEN_PROVIDER_RUNAPI, "RunAPI", "runapi"},
    {GST_IMAGEGEN_PROVIDER_BFL, "Black Forest Labs direct", "bfl"},
    {GST_IMAGEGEN_PROVIDER_FAL, "fal (queue API)", "fal"});

IMAGEGEN_DEFINE_ENUM (gst_imagegen_region_get_type, "GstImagegenRegion",
    {GST_IMAGEGEN_REGION_GLOBAL, "Global (" IMAGEGEN_BFL_DEFAULT_BASE_URL ")",
        "global"},
    {GST_IMAGEGEN_REGION_EU, "EU (" IMAGEGEN_BFL_EU_BASE_URL ")", "eu"},
    {GST_IMAGEGEN_REGION_US, "US (" IMAGEGEN_BFL_US_BASE_URL ")", "us"});

void
gst_imagegen_provider_settings_init (GstImagegenProviderSettings * p)
{
  p->provider = GST_IMAGEGEN_PROVIDER_AUTO;
  p->region = GST_IMAGEGEN_REGION_GLOBAL;
  p->seed = -1;
  p->steps = 0;
  p->guidance = 0;
}

/* A property for the Black Forest Labs field @name, in the range and for
 * the models the model table gives it (0: the model's default). */
static void
install_bfl_field (GObjectClass * klass, guint prop_id, const gchar * name,
    const gchar * nick, const gchar * what, const gchar * fal_name,
    gboolean integer)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  g_autofree gchar *ids = NULL, *text = NULL;
  const gchar *blurb;
  const ImagegenEndpoint endpoints[] = { IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
    IMAGEGEN_ENDPOINT_REMIX
  };
  gdouble min, max, fal_min, fal_max;
  guint i;

  imagegen_models_field_range ("bfl", IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, name,
      &min, &max, &ids);
  /* fal's rows, text and edit, name the same knob after their own field */
  for (i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (imagegen_models_field_range ("fal", endpoints[i], fal_name,
            &fal_min, &fal_max, NULL)) {
      min = MIN (min, fal_min);
      max = MAX (max, fal_max);
    }
  text = g_strdup_printf ("%s, %g to %g (%s on Black Forest Labs, and fal's "
      "models with %s, only; 0: the model's default)", what, min, max, ids,
      fal_name);
  /* G_PARAM_STATIC_STRINGS keeps the pointer */
  blurb = g_intern_string (text);
  g_object_class_install_property (klass, prop_id, integer ?
      g_param_spec_uint (name, nick, blurb, 0, (guint) max, 0, rw) :
      g_param_spec_double (name, nick, blurb, 0, max, 0, rw));
}

void
gst_imagegen_provider_install_properties (GObjectClass * klass, guint first)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags rw_ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  /**
   * GstImagegenSrc:provider:
   *
   * The service: auto picks the provider whose model table rows have the
   * model id: Black Forest Labs direct for theirs (flux-2-pro,
   * flux-2-klein-4b …), fal for fal's (fal-ai/flux-2/klein/4b/edit …),
   * RunAPI otherwise.  With Black Forest Labs the key comes from api-key,
   * api-key-file or BFL_API_KEY, with fal from them or FAL_KEY (or
   * FAL_KEY_ID and FAL_KEY_SECRET), and images are asked for at an exact
   * size.  The same property exists on imagegenremix.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROVIDER_PROP_PROVIDER,
      g_param_spec_enum ("provider", "Provider",
          "Image service (auto: the one whose model ids include the model, "
          "such as Black Forest Labs for flux-2-klein-4b and fal for "
          "fal-ai/flux-2/klein/4b, else RunAPI)",
          gst_imagegen_provider_get_type (), GST_IMAGEGEN_PROVIDER_AUTO,
          rw_ready));

  /**
   * GstImagegenSrc:region:
   *
   * The Black Forest Labs host when base-url is not set: global
   * (api.bfl.ai), eu or us.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROVIDER_PROP_REGION,
      g_param_spec_enum ("region", "Region",
          "Black Forest Labs host when base-url is not set",
          gst_imagegen_region_get_type (), GST_IMAGEGEN_REGION_GLOBAL,
          rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROVIDER_PROP_SEED,
      g_param_spec_int64 ("seed", "Seed",
          "Seed of the generation, for repeatable images (Black Forest Labs "
          "and fal only; -1: random)", -1, G_MAXINT32, -1, rw));

  install_bfl_field (klass, first + GST_IMAGEGEN_PROVIDER_PROP_STEPS,
      "steps", "Steps", "Denoising steps", "num_inference_steps", TRUE);
  install_bfl_field (klass, first + GST_IMAGEGEN_PROVIDER_PROP_GUIDANCE,
      "guidance", "Guidance", "How closely the image follows the prompt",
      "guidance_scale", FALSE);

  gst_type_mark_as_plugin_api (gst_imagegen_provider_get_type (), 0);
  gst_type_mark_as_plugin_api (gst_imagegen_region_get_type (), 0);
}

const GstImagegenField gst_imagegen_provider_fields[] = {
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROVIDER_PROP_PROVIDER,
      GstImagegenProviderSettings, provider),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROVIDER_PROP_REGION,
      GstImagegenProviderSettings, region),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROVIDER_PROP_SEED,
      GstImagegenProviderSettings, seed),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROVIDER_PROP_STEPS,
      GstImagegenProviderSettings, steps),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROVIDER_PROP_GUIDANCE,
      GstImagegenProviderSettings, guidance),
  GST_IMAGEGEN_FIELDS_END
};

ImagegenProviderId
gst_imagegen_provider_resolve (const GstImagegenProviderSettings * p,
    const gchar * model)
{
  switch (p->provider) {
    case GST_IMAGEGEN_PROVIDER_BFL:
      return IMAGEGEN_PROVIDER_BFL;
    case GST_IMAGEGEN_PROVIDER_FAL:
      return IMAGEGEN_PROVIDER_FAL;
    case GST_IMAGEGEN_PROVIDER_RUNAPI:
      return IMAGEGEN_PROVIDER_RUNAPI;
    default:
      return imagegen_provider_for_model (model);
  }
}

const gchar *
gst_imagegen_provider_bfl_base_url (const GstImagegenProviderSettings * p)
{
  switch (p->region) {
    case GST_IMAGEGEN_REGION_EU:
      return IMAGEGEN_BFL_EU_BASE_URL;
    case GST_IMAGEGEN_REGION_US:
      return IMAGEGEN_BFL_US_BASE_URL;
    default:
      return IMAGEGEN_BFL_DEFAULT_BASE_URL;
  }
}

gboolean
gst_imagegen_provider_bfl_check (const GstImagegenProviderSettings * p,
    const ImagegenRequest * request, guint n_inputs, GError ** error)
{
  const gchar *model = request->model;
  const ImagegenModelRow *row = imagegen_models_find ("bfl",
      request->endpoint, model);
  g_autoptr (ImagegenRequest) applied = NULL, full = NULL;

  if (row == NULL) {
    g_autofree gchar *ids = imagegen_models_provider_ids ("bfl",
        request->endpoint);

    return imagegen_models_refuse (error,
        "Invalid model \"%s\" for Black Forest Labs; "
        "valid values: %s.", model ? model : "", ids);
  }
  /* the size follows from these (imagegen_bfl_table_request) */
  if (!imagegen_models_check_size (imagegen_provider_get
          (IMAGEGEN_PROVIDER_BFL), model, request->aspect_ratio,
          request->resolution, error))
    return FALSE;
  if ((p->steps > 0 && !imagegen_model_row_field (row, "steps"))
      || (p->guidance > 0 && !imagegen_model_row_field (row, "guidance"))) {
    g_autofree gchar *ids = NULL;
    gdouble min, max;

    imagegen_models_field_range ("bfl", IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
        "steps", &min, &max, &ids);

    return imagegen_models_refuse (error,
        "The steps and guidance properties are for %s "
        "only, not %s.", ids, model);
  }
  /* everything else, extra included, against the model's row */
  applied = imagegen_request_copy (request);
  gst_imagegen_provider_apply (p, applied);
  full = imagegen_bfl_table_request (applied);
  return imagegen_models_check_fields (row, full, n_inputs, error);
}

void
gst_imagegen_provider_apply (const GstImagegenProviderSettings * p,
    ImagegenRequest * request)
{
  request->seed = p->seed;
  request->steps = p->steps;
  request->guidance = p->guidance;
}
