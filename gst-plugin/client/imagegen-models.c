/* gst-imagegen: the models the service takes and the values each accepts
 * (PROTOCOL.md, "Models and request fields").  The one place these facts
 * live; the elements only call imagegen_models_check().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"

#include <string.h>

#define RATIOS "1:1 4:3 3:4 16:9 9:16 3:2 2:3"

typedef struct
{
  const gchar *id;
  ImagegenEndpoint endpoint;
  const gchar *ratios;          /* space-separated */
  gboolean ratio_required;
  const gchar *resolutions;     /* space-separated */
} ImagegenModel;

static const ImagegenModel models[] = {
  {"flux-2-pro-text-to-image", IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, RATIOS,
      FALSE, "1k 2k"},
  {"flux-2-flex-text-to-image", IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, RATIOS,
      FALSE, "1k 2k"},
  {"flux-2-max-text-to-image", IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, RATIOS,
      TRUE, "1k"},
  {"flux-2-pro-remix-image", IMAGEGEN_ENDPOINT_REMIX, RATIOS " auto",
      FALSE, "1k 2k"},
  {"flux-2-flex-remix-image", IMAGEGEN_ENDPOINT_REMIX, RATIOS " auto",
      FALSE, "1k 2k"},
  {"flux-2-max-remix-image", IMAGEGEN_ENDPOINT_REMIX, RATIOS, TRUE, "1k"},
};

static gboolean
in_list (const gchar * list, const gchar * value)
{
  gchar **items = g_strsplit (list, " ", -1);
  gboolean found = g_strv_contains ((const gchar * const *) items, value);

  g_strfreev (items);
  return found;
}

/* "a, b, c" from the space-separated @list */
static gchar *
comma_list (const gchar * list)
{
  gchar **items = g_strsplit (list, " ", -1);
  gchar *joined = g_strjoinv (", ", items);

  g_strfreev (items);
  return joined;
}

static gboolean
check_value (const ImagegenModel * m, const gchar * property,
    const gchar * list, const gchar * value, gboolean required,
    GError ** error)
{
  gchar *valid;

  if (value == NULL ? !required : in_list (list, value))
    return TRUE;
  valid = comma_list (list);
  if (value == NULL)
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "The %s property must be set for model %s; valid values: %s.",
        property, m->id, valid);
  else
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "Invalid %s \"%s\" for model %s; valid values: %s.", property,
        value, m->id, valid);
  g_free (valid);
  return FALSE;
}

gchar *
imagegen_models_ids (ImagegenEndpoint endpoint)
{
  GString *ids = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].endpoint == endpoint)
      g_string_append_printf (ids, "%s%s", ids->len ? ", " : "",
          models[i].id);
  return g_string_free (ids, FALSE);
}

gboolean
imagegen_models_check (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * aspect_ratio, const gchar * resolution, GError ** error)
{
  const ImagegenModel *m = NULL;
  gchar *ids;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].endpoint == endpoint && g_strcmp0 (models[i].id, model) == 0)
      m = &models[i];
  if (m == NULL) {
    ids = imagegen_models_ids (endpoint);
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "Invalid model \"%s\"; valid values: %s.", model ? model : "",
        ids);
    g_free (ids);
    return FALSE;
  }
  return check_value (m, "aspect-ratio", m->ratios, aspect_ratio,
      m->ratio_required, error)
      && check_value (m, "resolution", m->resolutions, resolution, FALSE,
      error);
}
