/* gst-imagegen: looking models up in the table, and a request's price by
 * its row.  Requests are checked against their row in
 * imagegen-model-checks.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"

#include <math.h>
#include <string.h>

#define DEFAULT_PROVIDER IMAGEGEN_MODELS_DEFAULT_PROVIDER

const gchar *
imagegen_model_kind_name (ImagegenModelKind kind)
{
  switch (kind) {
    case IMAGEGEN_KIND_TEXT_TO_IMAGE:
      return "text-to-image";
    case IMAGEGEN_KIND_EDIT:
      return "edit";
    case IMAGEGEN_KIND_UPSCALE:
      return "upscale";
    case IMAGEGEN_KIND_REMOVE_BACKGROUND:
    default:
      return "remove-background";
  }
}

gboolean
imagegen_models_endpoint_takes (ImagegenEndpoint endpoint,
    ImagegenModelKind kind)
{
  return (endpoint == IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE) ==
      (kind == IMAGEGEN_KIND_TEXT_TO_IMAGE);
}

const ImagegenModelRow *
imagegen_models_find (const gchar * provider, ImagegenEndpoint endpoint,
    const gchar * model)
{
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (g_strcmp0 (row->provider, provider ? provider : DEFAULT_PROVIDER) ==
        0 && imagegen_models_endpoint_takes (endpoint, row->kind)
        && g_strcmp0 (row->model, model) == 0)
      return row;
  return NULL;
}

guint
imagegen_models_sources_taken (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model)
{
  const ImagegenModelRow *row = imagegen_models_find (provider, endpoint,
      model);

  return row != NULL ? row->input_max : 0;
}

const ImagegenModelRow *
imagegen_models_find_route (const gchar * path, const gchar * model,
    JsonObject * body)
{
  const ImagegenModelRow *row, *found = NULL;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    if (g_strcmp0 (row->path, path) != 0 || g_strcmp0 (row->model, model))
      continue;
    if (row->input_field != NULL && body != NULL
        && json_object_has_member (body, row->input_field))
      return row;
    if (found == NULL || row->input_field == NULL)
      found = row;
  }
  return found;
}

gchar *
imagegen_models_provider_ids (const gchar * provider,
    ImagegenEndpoint endpoint)
{
  GString *ids = g_string_new (NULL);
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (g_strcmp0 (row->provider, provider) == 0
        && imagegen_models_endpoint_takes (endpoint, row->kind))
      g_string_append_printf (ids, "%s%s", ids->len ? ", " : "", row->model);
  return g_string_free (ids, FALSE);
}

gboolean
imagegen_models_field_range (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * name, gdouble * min,
    gdouble * max, gchar ** ids)
{
  GString *found = g_string_new (NULL);
  const ImagegenModelRow *row;
  const ImagegenModelField *f;
  gboolean any;
  guint i;

  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (g_strcmp0 (row->provider, provider) == 0
        && imagegen_models_endpoint_takes (endpoint, row->kind)
        && (f = imagegen_model_row_field (row, name)) != NULL) {
      *min = MIN (*min, f->min);
      *max = MAX (*max, f->max);
      g_string_append_printf (found, "%s%s", found->len ? ", " : "",
          row->model);
    }
  any = found->len > 0;
  if (!any)
    *min = *max = 0;
  if (ids != NULL)
    *ids = g_string_free (found, FALSE);
  else
    g_string_free (found, TRUE);
  return any;
}

gchar *
imagegen_models_ids (ImagegenEndpoint endpoint)
{
  return imagegen_models_provider_ids (DEFAULT_PROVIDER, endpoint);
}

guint
imagegen_model_upload_max_side (const ImagegenModelRow * row, guint wanted)
{
  gboolean keeps_pixels = row->whole_source
      || row->kind == IMAGEGEN_KIND_UPSCALE
      || row->kind == IMAGEGEN_KIND_REMOVE_BACKGROUND;
  guint side = keeps_pixels ? 0 : wanted;

  guint square = (guint) sqrt ((gdouble) row->input_max_pixels);

  if (row->input_max_side > 0 && (side == 0 || side > row->input_max_side))
    side = row->input_max_side;
  if (square > 0 && (side == 0 || side > square))
    side = square;
  return side;
}

guint
imagegen_model_square_input (const ImagegenModelRow * row)
{
  return row != NULL ? row->square_input : 0;
}

gchar *
imagegen_models_defaults_text (ImagegenEndpoint endpoint)
{
  GString *s = g_string_new (NULL);
  const ImagegenModelRow *row;
  const ImagegenModelField *f;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    if (!imagegen_models_endpoint_takes (endpoint, row->kind))
      continue;
    for (f = row->fields; f->name != NULL; f++)
      if (f->default_value != NULL && strcmp (f->name, "aspect_ratio") != 0)
        g_string_append_printf (s, "%s%s %s=%s", s->len ? ", " : "",
            row->model, f->name, f->default_value);
  }
  return g_string_free (s, FALSE);
}

/* The first row of @model (NULL: any) at @path (NULL: any) */
static const ImagegenModelRow *
find_first (const gchar * model, const gchar * path)
{
  const ImagegenModelRow *row;
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if ((model == NULL || g_strcmp0 (row->model, model) == 0)
        && (path == NULL || g_strcmp0 (row->path, path) == 0))
      return row;
  return NULL;
}

const ImagegenModelRow *
imagegen_models_find_any (const gchar * model)
{
  return model != NULL ? find_first (model, NULL) : NULL;
}

const ImagegenModelRow *
imagegen_models_find_path (const gchar * path)
{
  return path != NULL ? find_first (NULL, path) : NULL;
}

gboolean
imagegen_models_ask_output_format (ImagegenRequest * request,
    const gchar * format)
{
  const ImagegenModelRow *row = imagegen_models_find (NULL,
      request->endpoint, request->model);
  const ImagegenModelField *field = row ?
      imagegen_model_row_field (row, "output_format") : NULL;
  g_autoptr (JsonNode) extra = NULL;
  g_auto (GStrv) choices = NULL;
  const gchar *spelling = NULL;
  JsonObject *fields;
  guint i;

  if (field == NULL || field->choices == NULL)
    return FALSE;
  choices = g_strsplit (field->choices, " ", -1);
  for (i = 0; choices[i] != NULL && spelling == NULL; i++)
    if (g_str_equal (choices[i], format) || (g_str_equal (format, "jpeg")
            && g_str_equal (choices[i], "jpg")))
      spelling = choices[i];
  if (spelling == NULL)
    return FALSE;
  if (request->extra_json != NULL) {
    extra = json_from_string (request->extra_json, NULL);
  } else {
    extra = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (extra, json_object_new ());
  }
  if (extra == NULL || !JSON_NODE_HOLDS_OBJECT (extra))
    return FALSE;
  fields = json_node_get_object (extra);
  if (json_object_has_member (fields, "output_format"))
    return FALSE;
  json_object_set_string_member (fields, "output_format", spelling);
  g_free (request->extra_json);
  request->extra_json = json_to_string (extra, FALSE);
  return TRUE;
}
