/* gst-imagegen: checking a request against its model-table row before
 * anything is sent, in words that name the element's property and list
 * the valid values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"

#include <string.h>

gboolean
imagegen_models_refuse (GError ** error, const gchar * format, ...)
{
  va_list args;
  gchar *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, message);
  g_free (message);
  return FALSE;
}

static const ImagegenModelRow *
find_or_refuse (ImagegenEndpoint endpoint, const gchar * model,
    GError ** error)
{
  const ImagegenModelRow *row = imagegen_models_find (NULL, endpoint, model);

  if (row == NULL)
    imagegen_models_refuse_unknown (IMAGEGEN_MODELS_DEFAULT_PROVIDER,
        endpoint, model, error);
  return row;
}

/* @value of @property for the row's @field_name; @fallbacks are the values
 * a row without that field accepts (the property's "leave it" value), and
 * @any_value one that every row with the field takes (remix's aspect-ratio
 * auto: the listed ratio nearest the frame's, imagegen_model_build_body()). */
static gboolean
check_property (const ImagegenModelRow * row, const gchar * property,
    const gchar * field_name, const gchar * value,
    const gchar * const *fallbacks, const gchar * any_value, GError ** error)
{
  const ImagegenModelField *f = imagegen_model_row_field (row, field_name);
  g_autofree gchar *valid = NULL;
  gchar **items;
  gboolean ok;

  if (f == NULL) {
    if (value == NULL || g_strv_contains (fallbacks, value))
      return TRUE;
    return imagegen_models_refuse (error,
        "Model %s takes no %s; leave it at %s.",
        row->model, property, fallbacks[0]);
  }
  valid = imagegen_model_field_describe (f);
  if (value == NULL) {
    if (!f->required)
      return TRUE;
    return imagegen_models_refuse (error,
        "The %s property must be set for model %s; "
        "valid values: %s.", property, row->model, valid);
  }
  /* a free-text field (nano-banana's resolution) takes any value */
  if (f->choices == NULL || g_strcmp0 (value, any_value) == 0)
    return TRUE;
  items = g_strsplit (f->choices, " ", -1);
  ok = g_strv_contains ((const gchar * const *) items, value);
  g_strfreev (items);
  if (ok)
    return TRUE;
  return imagegen_models_refuse (error,
      "Invalid %s \"%s\" for model %s; valid values: %s.",
      property, value, row->model, valid);
}

gboolean
imagegen_models_check (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * aspect_ratio, const gchar * resolution, GError ** error)
{
  static const gchar *const aspect_fallbacks[] = { "auto", NULL };
  static const gchar *const resolution_fallbacks[] = { "1k", NULL };
  const ImagegenModelRow *row = find_or_refuse (endpoint, model, error);

  /* a remix's auto is the frame's shape, which every ratio list nears */
  const gchar *any_ratio = endpoint == IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE ?
      NULL : "auto";

  return row != NULL
      && check_property (row, "aspect-ratio", "aspect_ratio", aspect_ratio,
      aspect_fallbacks, any_ratio, error)
      && check_property (row, "resolution", "output_resolution", resolution,
      resolution_fallbacks, NULL, error);
}

/* The one place a row's prompt limits are read. */
static ImagegenPromptUse
row_prompt_limits (const ImagegenModelRow * row, guint * min_chars,
    guint * max_chars)
{
  const ImagegenModelField *f = row ? imagegen_model_row_field (row,
      "prompt") : NULL;

  *min_chars = f ? (guint) f->min : 0;
  *max_chars = f ? (guint) f->max : 0;
  if (row == NULL)
    return IMAGEGEN_PROMPT_UNKNOWN;
  if (f == NULL)
    return IMAGEGEN_PROMPT_NONE;
  return f->required ? IMAGEGEN_PROMPT_REQUIRED : IMAGEGEN_PROMPT_OPTIONAL;
}

ImagegenPromptUse
imagegen_models_prompt_limits (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model, guint * min_chars,
    guint * max_chars)
{
  return row_prompt_limits (imagegen_models_find (provider, endpoint, model),
      min_chars, max_chars);
}

static gboolean
check_prompt (const ImagegenModelRow * row, const gchar * prompt,
    GError ** error)
{
  guint min, max;
  ImagegenPromptUse use = row_prompt_limits (row, &min, &max);
  glong length = prompt ? g_utf8_strlen (prompt, -1) : 0;

  if (use == IMAGEGEN_PROMPT_NONE)
    return length == 0 ? TRUE : imagegen_models_refuse (error,
        "Model %s takes no prompt; unset the prompt property.", row->model);
  if (length == 0)
    return use != IMAGEGEN_PROMPT_REQUIRED ? TRUE :
        imagegen_models_refuse (error, "No prompt: set the prompt property.");
  if (length < min || (max > 0 && length > max)) {
    if (max > 0)
      return imagegen_models_refuse (error,
          "The prompt has %ld characters; the service "
          "takes %u to %u.", length, min, max);
    return imagegen_models_refuse (error,
        "The prompt has %ld characters; the service "
        "takes at least %u.", length, min);
  }
  return TRUE;
}

/* The extra fields a row takes, "seed (integer 0 to …), …". */
static gchar *
describe_extras (const ImagegenModelRow * row)
{
  static const gchar *const managed[] = {
    "prompt", "aspect_ratio", "output_resolution", "width", "height", NULL
  };
  GString *s = g_string_new (NULL);
  const ImagegenModelField *f;

  for (f = row->fields; f->name != NULL; f++) {
    g_autofree gchar *valid = NULL;

    if (g_strv_contains (managed, f->name))
      continue;
    valid = imagegen_model_field_describe (f);
    g_string_append_printf (s, "%s%s (%s)", s->len ? ", " : "", f->name,
        valid);
  }
  if (s->len == 0)
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}

/* Which property a body field comes from, or NULL for extra fields. */
static const gchar *
property_of (const ImagegenModelRow * row, const gchar * field)
{
  if (strcmp (field, "prompt") == 0)
    return "prompt";
  if (strcmp (field, "aspect_ratio") == 0)
    return "aspect-ratio";
  if (strcmp (field, "output_resolution") == 0)
    return "resolution";
  if (strcmp (field, "model") == 0)
    return "model";
  if (g_strcmp0 (field, row->input_field) == 0)
    return "the source images";
  /* an exact-size row's size is the frame's */
  if ((strcmp (field, "width") == 0 || strcmp (field, "height") == 0
          || (imagegen_model_row_field (row, field) != NULL
              && imagegen_model_row_field (row, field)->type ==
              IMAGEGEN_FIELD_SIZE))
      && imagegen_model_row_field (row, field) != NULL)
    return "the frame size (aspect-ratio and resolution)";
  return NULL;
}

static gboolean
check_extra (const ImagegenModelRow * row, JsonObject * extra,
    GError ** error)
{
  GList *members = json_object_get_members (extra), *l;
  gboolean ok = TRUE;

  for (l = members; ok && l; l = l->next) {
    const gchar *name = l->data, *property = property_of (row, name);
    const ImagegenModelField *f = imagegen_model_row_field (row, name);
    g_autofree gchar *valid = describe_extras (row);

    if (property != NULL || strcmp (name, "callback_url") == 0)
      ok = imagegen_models_refuse (error, "Extra field \"%s\" is not taken "
          "from extra: it comes from %s.", name,
          property ? property : "the element");
    else if (f == NULL)
      ok = imagegen_models_refuse (error, "Model %s has no field \"%s\"; its "
          "extra fields: %s.", row->model, name, valid);
  }
  g_list_free (members);
  return ok;
}

/* The first error of a body the row refuses, as a sentence. */
static gboolean
check_body (const ImagegenModelRow * row, JsonObject * body, GError ** error)
{
  g_autoptr (JsonObject) errors = json_object_new ();
  GList *members;
  const gchar *field, *property;
  const ImagegenModelField *f;
  g_autofree gchar *valid = NULL;
  const gchar *message;

  if (imagegen_model_validate (row, body, errors))
    return TRUE;
  members = json_object_get_members (errors);
  field = members->data;
  g_list_free (members);
  message = json_array_get_string_element (json_object_get_array_member
      (errors, field), 0);
  property = property_of (row, field);
  f = imagegen_model_row_field (row, field);

  /* input_image_2 … of an inline_inputs row count as its input field */
  if (row->input_field != NULL && g_str_has_prefix (field, row->input_field))
    return imagegen_models_refuse (error,
        "Model %s takes %u to %u source images (%s).",
        row->model, row->input_min, row->input_max, row->input_field);
  valid = f ? imagegen_model_field_describe (f) : g_strdup ("none");
  if (property == NULL && f != NULL && f->required
      && !json_object_has_member (body, field))
    return imagegen_models_refuse (error,
        "Model %s needs the extra field \"%s\"; valid "
        "values: %s.", row->model, field, valid);
  if (property != NULL)
    return imagegen_models_refuse (error,
        "Invalid %s for model %s: %s %s; valid values: "
        "%s.", property, row->model, field, message, valid);
  return imagegen_models_refuse (error,
      "Extra field \"%s\" %s for model %s; valid values: "
      "%s.", field, message, row->model, valid);
}

gboolean
imagegen_models_check_fields (const ImagegenModelRow * row,
    const ImagegenRequest * request, guint n_sources, GError ** error)
{
  g_autoptr (JsonNode) extra = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  guint i;

  if (!check_prompt (row, request->prompt, error))
    return FALSE;
  if (request->extra_json != NULL) {
    extra = json_from_string (request->extra_json, NULL);
    if (extra == NULL || !JSON_NODE_HOLDS_OBJECT (extra))
      return imagegen_models_refuse (error,
          "The extra fields are not a JSON object.");
    if (!check_extra (row, json_node_get_object (extra), error))
      return FALSE;
  }
  /* stand-ins: the URLs are known only once uploaded */
  for (i = 0; i < n_sources; i++)
    g_ptr_array_add (urls, g_strdup_printf ("https://upload.invalid/%u.png",
            i));
  if (row->input_field != NULL && !row->inline_inputs
      && !g_str_has_suffix (row->input_field, "_urls") && n_sources > 1)
    return imagegen_models_refuse (error,
        "Model %s takes exactly 1 source image (%s); "
        "reference images need a model that takes several.", row->model,
        row->input_field);
  body = imagegen_model_build_body (row, request, urls);
  return check_body (row, json_node_get_object (body), error);
}

gboolean
imagegen_models_check_request (const ImagegenRequest * request,
    guint n_sources, GError ** error)
{
  if (!imagegen_models_check (request->endpoint, request->model,
          request->aspect_ratio, request->resolution, error))
    return FALSE;
  return imagegen_models_check_fields (imagegen_models_find (NULL,
          request->endpoint, request->model), request, n_sources, error);
}
