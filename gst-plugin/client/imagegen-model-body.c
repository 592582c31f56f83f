/* gst-imagegen: a request body from its model-table row, and its price
 * (the row's billing_config applied to the body).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-model-fields.h"
#include "imagegen-fal-models.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
add_string (JsonObject * body, const gchar * name, const gchar * value)
{
  /* unset fields are left out, not sent as null */
  if (value != NULL && *value != '\0')
    json_object_set_string_member (body, name, value);
}

/* The ratio of @choices nearest @width x @height (compared as logarithms,
 * so 2:1 and 1:2 are as far from 1:1), or NULL. */
static gchar *
nearest_ratio (const gchar * choices, guint width, guint height)
{
  g_auto (GStrv) items = g_strsplit (choices ? choices : "", " ", -1);
  gdouble want = log ((gdouble) width / height), best = G_MAXDOUBLE;
  gchar *found = NULL;
  guint i;

  for (i = 0; items[i] != NULL; i++) {
    guint rw, rh;
    gdouble d;

    if (sscanf (items[i], "%u:%u", &rw, &rh) != 2 || rw == 0 || rh == 0)
      continue;
    d = fabs (log ((gdouble) rw / rh) - want);
    if (d < best - 1e-9) {
      best = d;
      g_free (found);
      found = g_strdup (items[i]);
    }
  }
  return found;
}

/* The aspect ratio the row is sent: "auto" goes as it is to rows that list
 * it; elsewhere it means the frame's shape (@width x @height, a remix's
 * output frame), so the listed ratio nearest it, and with no frame known
 * the row's default (none: the model's own). */
static gchar *
sent_aspect_ratio (const ImagegenModelRow * row, const gchar * aspect_ratio,
    guint width, guint height)
{
  const ImagegenModelField *f = imagegen_model_row_field (row,
      "aspect_ratio");

  if (f == NULL || aspect_ratio == NULL)
    return NULL;
  if (strcmp (aspect_ratio, "auto") != 0
      || imagegen_in_words (f->choices, "auto"))
    return g_strdup (aspect_ratio);
  if (width > 0 && height > 0)
    return nearest_ratio (f->choices, width, height);
  return g_strdup (f->default_value);
}

/* A required field the body lacks gets the row's default, typed as the
 * field is. */
static void
add_defaults (const ImagegenModelRow * row, JsonObject * body)
{
  const ImagegenModelField *f;

  for (f = row->fields; f->name != NULL; f++) {
    if (!f->required || f->default_value == NULL
        || json_object_has_member (body, f->name))
      continue;
    switch (f->type) {
      case IMAGEGEN_FIELD_INT:
        json_object_set_int_member (body, f->name,
            g_ascii_strtoll (f->default_value, NULL, 10));
        break;
      case IMAGEGEN_FIELD_NUMBER:
        json_object_set_double_member (body, f->name,
            g_ascii_strtod (f->default_value, NULL));
        break;
      case IMAGEGEN_FIELD_BOOL:
        json_object_set_boolean_member (body, f->name,
            g_str_equal (f->default_value, "true"));
        break;
      default:
        json_object_set_string_member (body, f->name, f->default_value);
        break;
    }
  }
}

JsonNode *
imagegen_model_build_body (const ImagegenModelRow * row,
    const ImagegenRequest * request, GPtrArray * source_urls)
{
  JsonObject *body = json_object_new ();
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);
  g_autofree gchar *ratio = NULL;
  const ImagegenModelField *size;
  guint i;

  if (!row->inline_inputs && !row->path_names_model)
    add_string (body, "model", request->model);
  if (imagegen_model_row_field (row, "prompt") != NULL)
    add_string (body, "prompt", request->prompt);
  ratio = sent_aspect_ratio (row, request->aspect_ratio, request->width,
      request->height);
  add_string (body, "aspect_ratio", ratio);
  if (imagegen_model_resolution_field (row) != NULL)
    add_string (body, imagegen_model_resolution_field (row)->name,
        request->resolution);

  if (row->input_field != NULL && source_urls != NULL && source_urls->len) {
    if (row->inline_inputs && !row->inputs_array) {
      for (i = 0; i < source_urls->len; i++) {
        g_autofree gchar *name = i == 0 ? g_strdup (row->input_field) :
            g_strdup_printf ("%s_%u", row->input_field, i + 1);

        add_string (body, name, g_ptr_array_index (source_urls, i));
      }
    } else if (imagegen_model_inputs_array (row)) {
      JsonArray *arr = json_array_new ();

      for (i = 0; i < source_urls->len; i++)
        json_array_add_string_element (arr, g_ptr_array_index (source_urls,
                i));
      json_object_set_array_member (body, row->input_field, arr);
    } else {
      /* a scalar field takes the first; the check refuses more */
      add_string (body, row->input_field, g_ptr_array_index (source_urls,
              0));
    }
  }

  if (request->extra_json != NULL) {
    g_autoptr (JsonNode) extra = json_from_string (request->extra_json, NULL);
    GList *members, *l;

    if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra)) {
      JsonObject *obj = json_node_get_object (extra);

      members = json_object_get_members (obj);
      for (l = members; l; l = l->next)
        json_object_set_member (body, l->data,
            json_node_copy (json_object_get_member (obj, l->data)));
      g_list_free (members);
    }
  }
  /* an exact-size row (Black Forest Labs) takes the request's size; extra
   * cannot change it, the frame fixes it */
  if (request->width > 0 && request->height > 0
      && imagegen_model_row_field (row, "width") != NULL
      && imagegen_model_row_field (row, "height") != NULL) {
    json_object_set_int_member (body, "width", request->width);
    json_object_set_int_member (body, "height", request->height);
  }
  size = imagegen_model_row_field (row, "image_size");
  if (request->width > 0 && request->height > 0 && size != NULL
      && size->type == IMAGEGEN_FIELD_SIZE) {
    JsonObject *wh = json_object_new ();

    json_object_set_int_member (wh, "width", request->width);
    json_object_set_int_member (wh, "height", request->height);
    json_object_set_object_member (body, "image_size", wh);
  }
  add_defaults (row, body);
  json_node_take_object (root, body);
  return root;
}

guint
imagegen_model_output_count (JsonObject * body)
{
  JsonNode *node = json_object_get_member (body, "output_count");

  if (node == NULL || !imagegen_node_is (node, G_TYPE_INT64))
    return 1;
  return (guint) CLAMP (json_node_get_int (node), 1, 64);
}

/* The value of @key in @body as the billing_config spells it. */
static gchar *
billing_value (JsonObject * body, const gchar * key)
{
  JsonNode *node = json_object_get_member (body, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (imagegen_node_is (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));
  if (imagegen_node_is (node, G_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (imagegen_node_is (node, G_TYPE_BOOLEAN))
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return NULL;
}

gdouble
imagegen_model_output_mp (const ImagegenModelRow * row, JsonObject * body)
{
  gint64 width = json_object_get_int_member_with_default (body, "width", 0);
  gint64 height = json_object_get_int_member_with_default (body, "height",
      0);
  JsonNode *size = json_object_get_member (body, "image_size");
  guint pw, ph;

  /* fal's image_size: {width, height} or a preset */
  if (size != NULL && JSON_NODE_HOLDS_OBJECT (size)) {
    width = json_object_get_int_member_with_default (json_node_get_object
        (size), "width", 0);
    height = json_object_get_int_member_with_default (json_node_get_object
        (size), "height", 0);
  } else if (row != NULL && row->realtime) {
    /* the realtime squares are not the queue's presets of the same name */
    imagegen_fal_realtime_size (size != NULL && imagegen_node_is (size,
            G_TYPE_STRING) ? json_node_get_string (size) : NULL, &pw, &ph);
    width = pw;
    height = ph;
  } else if (size != NULL && imagegen_node_is (size, G_TYPE_STRING)
      && imagegen_fal_preset_size (json_node_get_string (size), &pw, &ph)) {
    width = pw;
    height = ph;
  }

  if (width <= 0 || height <= 0)
    return 1.0;
  return (gdouble) width *height / IMAGEGEN_MODEL_MEGAPIXEL;
}

/* The input images @body carries in @row's inline fields, or in its
 * array of URLs. */
static guint
count_inline_inputs (const ImagegenModelRow * row, JsonObject * body)
{
  JsonNode *list = row->input_field ? json_object_get_member (body,
      row->input_field) : NULL;
  guint i, n = 0;

  if (!row->inline_inputs && list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    return json_array_get_length (json_node_get_array (list));
  if (!row->inline_inputs)
    return list != NULL ? 1 : 0;

  for (i = 1; row->input_field != NULL && i <= row->input_max; i++) {
    g_autofree gchar *name = i == 1 ? g_strdup (row->input_field) :
        g_strdup_printf ("%s_%u", row->input_field, i);

    if (json_object_has_member (body, name))
      n++;
  }
  return n;
}

gdouble
imagegen_model_price_exact (const ImagegenModelRow * row, JsonObject * body,
    gdouble input_mp, gboolean confirmed_only)
{
  gdouble cents = row->price_cents;

  if (cents < 0 || (confirmed_only && !row->price_confirmed
          && !row->price_assumed))
    return -1;
  if (row->price_key != NULL) {
    g_autofree gchar *value = billing_value (body, row->price_key);
    gchar **overrides = g_strsplit (row->price_overrides, " ", -1);
    guint i;

    for (i = 0; value != NULL && overrides[i] != NULL; i++) {
      gchar *eq = strchr (overrides[i], '=');

      if (eq != NULL && strncmp (overrides[i], value, eq - overrides[i]) == 0
          && (gsize) (eq - overrides[i]) == strlen (value))
        cents = g_ascii_strtod (eq + 1, NULL);
    }
    g_strfreev (overrides);
  }
  if (row->price_per_output)
    cents *= imagegen_model_output_count (body);
  if (row->price_per_mp) {
    gdouble out_mp = imagegen_model_output_mp (row, body);

    if (input_mp < 0)
      input_mp = count_inline_inputs (row, body) * out_mp;
    /* BFL: the first output MP, each further one, each input one */
    cents += (MAX (out_mp - 1.0, 0.0) + input_mp) * row->price_mp_cents;
  }
  return cents;
}

gint
imagegen_model_price_cents (const ImagegenModelRow * row, JsonObject * body,
    gboolean confirmed_only)
{
  return imagegen_cents_shown (imagegen_nanocents (imagegen_model_price_exact
          (row, body, -1, confirmed_only)));
}
