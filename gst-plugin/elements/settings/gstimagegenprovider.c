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

#include <stdio.h>

GType
gst_imagegen_provider_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_IMAGEGEN_PROVIDER_AUTO, "From the model id", "auto"},
    {GST_IMAGEGEN_PROVIDER_RUNAPI, "RunAPI", "runapi"},
    {GST_IMAGEGEN_PROVIDER_BFL, "Black Forest Labs direct", "bfl"},
    {GST_IMAGEGEN_PROVIDER_FAL, "fal (queue API)", "fal"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstImagegenProvider", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_imagegen_region_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_IMAGEGEN_REGION_GLOBAL, "Global (" IMAGEGEN_BFL_DEFAULT_BASE_URL ")",
        "global"},
    {GST_IMAGEGEN_REGION_EU, "EU (" IMAGEGEN_BFL_EU_BASE_URL ")", "eu"},
    {GST_IMAGEGEN_REGION_US, "US (" IMAGEGEN_BFL_US_BASE_URL ")", "us"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstImagegenRegion", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

void
gst_imagegen_provider_settings_init (GstImagegenProviderSettings * p)
{
  p->provider = GST_IMAGEGEN_PROVIDER_AUTO;
  p->region = GST_IMAGEGEN_REGION_GLOBAL;
  p->seed = -1;
  p->steps = 0;
  p->guidance = 0;
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

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROVIDER_PROP_STEPS,
      g_param_spec_uint ("steps", "Steps",
          "Denoising steps, 1 to 50 (Black Forest Labs' flex and fal's "
          "models with num_inference_steps only; 0: the model's default)", 0, 50, 0, rw));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROVIDER_PROP_GUIDANCE,
      g_param_spec_double ("guidance", "Guidance",
          "How closely the image follows the prompt, 1.5 to 10 (Black Forest "
          "Labs' flex and fal's models with guidance_scale only; 0: the "
          "model's default)", 0, 10, 0,
          rw));

  gst_type_mark_as_plugin_api (gst_imagegen_provider_get_type (), 0);
  gst_type_mark_as_plugin_api (gst_imagegen_region_get_type (), 0);
}

gboolean
gst_imagegen_provider_set_property (GstImagegenProviderSettings * p,
    guint first, guint prop_id, const GValue * value)
{
  if (prop_id < first || prop_id >= first + GST_IMAGEGEN_PROVIDER_N_PROPS)
    return FALSE;
  switch (prop_id - first) {
    case GST_IMAGEGEN_PROVIDER_PROP_PROVIDER:
      p->provider = g_value_get_enum (value);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_REGION:
      p->region = g_value_get_enum (value);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_SEED:
      p->seed = g_value_get_int64 (value);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_STEPS:
      p->steps = g_value_get_uint (value);
      break;
    default:
      p->guidance = g_value_get_double (value);
      break;
  }
  return TRUE;
}

gboolean
gst_imagegen_provider_get_property (const GstImagegenProviderSettings * p,
    guint first, guint prop_id, GValue * value)
{
  if (prop_id < first || prop_id >= first + GST_IMAGEGEN_PROVIDER_N_PROPS)
    return FALSE;
  switch (prop_id - first) {
    case GST_IMAGEGEN_PROVIDER_PROP_PROVIDER:
      g_value_set_enum (value, p->provider);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_REGION:
      g_value_set_enum (value, p->region);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_SEED:
      g_value_set_int64 (value, p->seed);
      break;
    case GST_IMAGEGEN_PROVIDER_PROP_STEPS:
      g_value_set_uint (value, p->steps);
      break;
    default:
      g_value_set_double (value, p->guidance);
      break;
  }
  return TRUE;
}

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

static gboolean
invalid (GError ** error, const gchar * format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError ** error, const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, text);
  g_free (text);
  return FALSE;
}

/* Black Forest Labs' models that take @field, "a, b". */
static gchar *
bfl_ids_with (const gchar * field)
{
  GString *ids = g_string_new (NULL);
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (g_strcmp0 (row->provider, "bfl") == 0
        && row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE
        && imagegen_model_row_field (row, field) != NULL)
      g_string_append_printf (ids, "%s%s", ids->len ? ", " : "", row->model);
  return g_string_free (ids, FALSE);
}

gboolean
gst_imagegen_provider_bfl_check (const GstImagegenProviderSettings * p,
    const ImagegenRequest * request, guint n_inputs, GError ** error)
{
  const gchar *model = request->model, *aspect_ratio = request->aspect_ratio;
  const ImagegenModelRow *row = imagegen_models_find ("bfl",
      request->endpoint, model);
  g_autoptr (ImagegenRequest) applied = NULL, full = NULL;
  gint rw, rh;
  gchar end;

  if (row == NULL) {
    g_autofree gchar *ids = imagegen_models_provider_ids ("bfl",
        request->endpoint);

    return invalid (error, "Invalid model \"%s\" for Black Forest Labs; "
        "valid values: %s.", model ? model : "", ids);
  }
  /* the size follows from these (imagegen_bfl_table_request) */
  if (aspect_ratio != NULL && g_strcmp0 (aspect_ratio, "auto") != 0
      && (sscanf (aspect_ratio, "%d:%d%c", &rw, &rh, &end) != 2 || rw <= 0
          || rh <= 0 || rw > 16 * rh || rh > 16 * rw))
    return invalid (error, "Invalid aspect-ratio \"%s\" for model %s; valid "
        "values: W:H such as 1:1, 16:9 or 9:16, or auto.", aspect_ratio,
        model);
  if (request->resolution != NULL && g_strcmp0 (request->resolution, "1k")
      && g_strcmp0 (request->resolution, "2k"))
    return invalid (error, "Invalid resolution \"%s\" for model %s; valid "
        "values: 1k, 2k.", request->resolution, model);
  if ((p->steps > 0 && !imagegen_model_row_field (row, "steps"))
      || (p->guidance > 0 && !imagegen_model_row_field (row, "guidance"))) {
    g_autofree gchar *ids = bfl_ids_with ("steps");

    return invalid (error, "The steps and guidance properties are for %s "
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
