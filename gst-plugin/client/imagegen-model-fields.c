/* gst-imagegen: a request body against its model-table row — checked by
 * the client before sending and by the emulator on arrival, with the
 * service's 422 wording ({field: [message]}).  Built and priced in
 * imagegen-model-body.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-model-fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const ImagegenModelField *
imagegen_model_row_field (const ImagegenModelRow * row, const gchar * name)
{
  const ImagegenModelField *f;

  for (f = row->fields; f->name != NULL; f++)
    if (g_strcmp0 (f->name, name) == 0)
      return f;
  return NULL;
}

const ImagegenModelField *
imagegen_model_resolution_field (const ImagegenModelRow * row)
{
  const ImagegenModelField *f = imagegen_model_row_field (row,
      "output_resolution");

  return f != NULL ? f : imagegen_model_row_field (row, "resolution");
}

gboolean
imagegen_model_inputs_array (const ImagegenModelRow * row)
{
  if (row->input_field == NULL)
    return FALSE;
  return row->inline_inputs ? row->inputs_array :
      g_str_has_suffix (row->input_field, "_urls");
}

gboolean
imagegen_in_words (const gchar * list, const gchar * value)
{
  gchar **items;
  gboolean found;

  if (list == NULL || value == NULL)
    return FALSE;
  items = g_strsplit (list, " ", -1);
  found = g_strv_contains ((const gchar * const *) items, value);
  g_strfreev (items);
  return found;
}

static gchar *
format_number (gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof (buf), "%.10g", v));
}

gchar *
imagegen_model_field_describe (const ImagegenModelField * f)
{
  g_autofree gchar *min = format_number (f->min);
  g_autofree gchar *max = format_number (f->max);
  gchar **items;
  gchar *joined;

  if (f->choices != NULL) {
    items = g_strsplit (f->choices, " ", -1);
    joined = g_strjoinv (", ", items);
    g_strfreev (items);
    if (f->type == IMAGEGEN_FIELD_SIZE) {
      gchar *both = g_strdup_printf ("%s, or {width, height} of %s to %s",
          joined, min, max);

      g_free (joined);
      return both;
    }
    return joined;
  }
  switch (f->type) {
    case IMAGEGEN_FIELD_STRING:
      if (f->max > 0)
        return g_strdup_printf ("text of %s to %s characters",
            f->min > 0 ? min : "0", max);
      return g_strdup ("text");
    case IMAGEGEN_FIELD_INT:
      if (f->multiple_of > 1)
        return g_strdup_printf ("integer %s to %s, a multiple of %u", min,
            max, f->multiple_of);
      return g_strdup_printf ("integer %s to %s", min, max);
    case IMAGEGEN_FIELD_NUMBER:
      return g_strdup_printf ("number %s to %s", min, max);
    case IMAGEGEN_FIELD_BOOL:
      return g_strdup ("true or false");
    case IMAGEGEN_FIELD_URL:
      return g_strdup ("an http(s) URL");
    case IMAGEGEN_FIELD_SIZE:
      return g_strdup_printf ("{width, height} of %s to %s", min, max);
    case IMAGEGEN_FIELD_OBJECTS:
      return g_strdup_printf ("up to %s objects", max);
    case IMAGEGEN_FIELD_URLS:
    default:
      return g_strdup_printf ("up to %s http(s) URLs", max);
  }
}

static void
add_error (JsonObject * errors, const gchar * field, const gchar * message)
{
  JsonArray *list;

  if (!json_object_has_member (errors, field))
    json_object_set_array_member (errors, field, json_array_new ());
  list = json_object_get_array_member (errors, field);
  json_array_add_string_element (list, message);
}

/* A data: URI of an image, as rows with data_uri_inputs take. */
static gboolean
is_image_data_uri (const gchar * s)
{
  return g_str_has_prefix (s, "data:image/") && strstr (s, ";base64,");
}

static gboolean
is_http_url (JsonNode * node)
{
  const gchar *s;
  GUri *uri;
  gboolean ok;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  s = json_node_get_string (node);
  uri = g_uri_parse (s, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  ok = (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0
      || g_strcmp0 (g_uri_get_scheme (uri), "https") == 0)
      && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
  g_uri_unref (uri);
  return ok;
}

static gboolean
is_input_url (JsonNode * node, gboolean data_uri)
{
  return is_http_url (node) || (data_uri && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && is_image_data_uri (json_node_get_string (node)));
}

static void
check_urls (const gchar * name, JsonNode * node, gboolean array,
    guint min, guint max, gboolean data_uri, JsonObject * errors)
{
  JsonArray *arr;
  guint i, n;
  gchar *msg;

  if (!array) {
    if (!is_input_url (node, data_uri))
      add_error (errors, name, "must be a public http(s) URL");
    return;
  }
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    add_error (errors, name, "must be an array of URLs");
    return;
  }
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n < min || n > max) {
    msg = min == max ? g_strdup_printf ("must contain exactly %u URL%s", min,
        min == 1 ? "" : "s") :
        g_strdup_printf ("must contain between %u and %u URLs", min, max);
    add_error (errors, name, msg);
    g_free (msg);
  }
  for (i = 0; i < n; i++) {
    if (!is_input_url (json_array_get_element (arr, i), data_uri)) {
      add_error (errors, name, "must contain only public http(s) URLs");
      break;
    }
  }
}

gboolean
imagegen_node_is (JsonNode * node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == type;
}

static void
check_range (const ImagegenModelField * f, gdouble v, JsonObject * errors)
{
  g_autofree gchar *bound = NULL;
  gchar *msg;

  if (v < f->min)
    bound = format_number (f->min);
  else if (v > f->max)
    bound = format_number (f->max);
  else
    return;
  msg = g_strdup_printf ("must be %s than or equal to %s",
      v < f->min ? "greater" : "less", bound);
  add_error (errors, f->name, msg);
  g_free (msg);
}

/* A preset name of @f's choices, or {width, height} of sides in range. */
static void
check_size (const ImagegenModelField * f, JsonNode * node,
    JsonObject * errors)
{
  JsonObject *obj;
  JsonNode *w, *h;

  if (imagegen_node_is (node, G_TYPE_STRING)) {
    if (!imagegen_in_words (f->choices, json_node_get_string (node)))
      add_error (errors, f->name, "is not included in the list");
    return;
  }
  obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  w = obj ? json_object_get_member (obj, "width") : NULL;
  h = obj ? json_object_get_member (obj, "height") : NULL;
  if (w == NULL || h == NULL || json_object_get_size (obj) != 2
      || !imagegen_node_is (w, G_TYPE_INT64)
      || !imagegen_node_is (h, G_TYPE_INT64)) {
    add_error (errors, f->name, "must be a preset name or an object of "
        "integer width and height");
    return;
  }
  if (json_node_get_int (w) < f->min || json_node_get_int (w) > f->max
      || json_node_get_int (h) < f->min || json_node_get_int (h) > f->max)
    add_error (errors, f->name, "has a side out of range");
}

/* an array of at most max objects, whose members the service checks */
static void
check_objects (const ImagegenModelField * f, JsonNode * node,
    JsonObject * errors)
{
  JsonArray *arr = JSON_NODE_HOLDS_ARRAY (node) ?
      json_node_get_array (node) : NULL;
  guint i;

  for (i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (arr, i)))
      arr = NULL;
  if (arr == NULL)
    add_error (errors, f->name, "must be an array of objects");
  else if (json_array_get_length (arr) > f->max)
    add_error (errors, f->name, "has too many items");
}

static void
check_field (const ImagegenModelField * f, JsonNode * node,
    JsonObject * errors)
{
  gchar *msg;

  switch (f->type) {
    case IMAGEGEN_FIELD_STRING:{
      glong len;

      if (!imagegen_node_is (node, G_TYPE_STRING)) {
        add_error (errors, f->name, "must be a string");
        return;
      }
      len = g_utf8_strlen (json_node_get_string (node), -1);
      if (len < f->min) {
        msg = g_strdup_printf ("is too short (minimum is %.0f character%s)",
            f->min, f->min == 1 ? "" : "s");
        add_error (errors, f->name, msg);
        g_free (msg);
      } else if (f->max > 0 && len > f->max) {
        msg = g_strdup_printf ("is too long (maximum is %.0f characters)",
            f->max);
        add_error (errors, f->name, msg);
        g_free (msg);
      }
      return;
    }
    case IMAGEGEN_FIELD_ENUM:
      if (!imagegen_node_is (node, G_TYPE_STRING))
        add_error (errors, f->name, "must be a string");
      else if (!imagegen_in_words (f->choices, json_node_get_string (node)))
        add_error (errors, f->name, "is not included in the list");
      return;
    case IMAGEGEN_FIELD_INT:
      if (!imagegen_node_is (node, G_TYPE_INT64)) {
        add_error (errors, f->name, "must be an integer");
      } else if (f->choices != NULL) {
        g_autofree gchar *s = g_strdup_printf ("%" G_GINT64_FORMAT,
            json_node_get_int (node));

        if (!imagegen_in_words (f->choices, s))
          add_error (errors, f->name, "is not included in the list");
      } else {
        check_range (f, (gdouble) json_node_get_int (node), errors);
        if (f->multiple_of > 1 && json_node_get_int (node) % f->multiple_of) {
          msg = g_strdup_printf ("must be a multiple of %u", f->multiple_of);
          add_error (errors, f->name, msg);
          g_free (msg);
        }
      }
      return;
    case IMAGEGEN_FIELD_NUMBER:
      if (!imagegen_node_is (node, G_TYPE_INT64)
          && !imagegen_node_is (node, G_TYPE_DOUBLE))
        add_error (errors, f->name, "must be a number");
      else
        check_range (f, json_node_get_double (node), errors);
      return;
    case IMAGEGEN_FIELD_BOOL:
      if (!imagegen_node_is (node, G_TYPE_BOOLEAN))
        add_error (errors, f->name, "must be a boolean");
      return;
    case IMAGEGEN_FIELD_URL:
    case IMAGEGEN_FIELD_URLS:
      check_urls (f->name, node, f->type == IMAGEGEN_FIELD_URLS,
          (guint) f->min, (guint) f->max, FALSE, errors);
      return;
    case IMAGEGEN_FIELD_SIZE:
      check_size (f, node, errors);
      return;
    case IMAGEGEN_FIELD_OBJECTS:
      check_objects (f, node, errors);
      return;
  }
}

/* Which image a field of an inline_inputs row is: 1 for @input_field, n
 * for @input_field_n (n >= 2), 0 for any other field. */
static guint
inline_input_index (const ImagegenModelRow * row, const gchar * name)
{
  gsize len;
  guint64 n;
  gchar *end;

  if (!row->inline_inputs || row->input_field == NULL)
    return 0;
  if (strcmp (name, row->input_field) == 0)
    return 1;
  if (row->inputs_array)
    return 0;
  len = strlen (row->input_field);
  if (strncmp (name, row->input_field, len) != 0 || name[len] != '_'
      || !g_ascii_isdigit (name[len + 1]))
    return 0;
  n = g_ascii_strtoull (name + len + 1, &end, 10);
  return *end == '\0' && n >= 2 && n <= G_MAXUINT ? (guint) n : 0;
}

/* input_image, input_image_2 …: each a URL or base64, no more than the
 * row takes. */
static void
check_inline_inputs (const ImagegenModelRow * row, JsonObject * body,
    JsonObject * errors)
{
  GList *members = json_object_get_members (body), *l;
  guint index, count = 0;
  gchar *msg;

  for (l = members; l; l = l->next) {
    JsonNode *node = json_object_get_member (body, l->data);

    if ((index = inline_input_index (row, l->data)) == 0)
      continue;
    if (!imagegen_node_is (node, G_TYPE_STRING)
        || *json_node_get_string (node) == 0) {
      add_error (errors, l->data, "must be a URL or a base64 image");
    } else if (index > row->input_max) {
      msg = g_strdup_printf ("is one input image too many (the model takes "
          "at most %u)", row->input_max);
      add_error (errors, l->data, msg);
      g_free (msg);
    } else {
      count++;
    }
  }
  g_list_free (members);
  if (count < row->input_min)
    add_error (errors, row->input_field, "is required");
}

/* images: an array of 1 to input_max URLs or base64 images. */
static void
check_inline_array (const ImagegenModelRow * row, JsonObject * body,
    JsonObject * errors)
{
  JsonNode *node = json_object_get_member (body, row->input_field);
  JsonArray *arr;
  guint i, n;
  gchar *msg;

  if (node == NULL) {
    if (row->input_min > 0)
      add_error (errors, row->input_field, "is required");
    return;
  }
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    add_error (errors, row->input_field, "must be an array of images");
    return;
  }
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n < row->input_min || n > row->input_max) {
    msg = g_strdup_printf ("must contain between %u and %u images",
        row->input_min, row->input_max);
    add_error (errors, row->input_field, msg);
    g_free (msg);
  }
  for (i = 0; i < n; i++) {
    JsonNode *el = json_array_get_element (arr, i);

    if (!imagegen_node_is (el, G_TYPE_STRING)
        || *json_node_get_string (el) == 0) {
      add_error (errors, row->input_field,
          "must contain only URLs or base64 images");
      break;
    }
  }
}

gboolean
imagegen_model_validate (const ImagegenModelRow * row, JsonObject * body,
    JsonObject * errors)
{
  const ImagegenModelField *f;
  GList *members, *l;
  JsonNode *node;

  members = json_object_get_members (body);
  for (l = members; l; l = l->next) {
    const gchar *name = l->data;

    if ((strcmp (name, "model") != 0 || row->inline_inputs
            || row->path_names_model)
        && strcmp (name, "callback_url") != 0
        && g_strcmp0 (name, row->input_field) != 0
        && inline_input_index (row, name) == 0
        && imagegen_model_row_field (row, name) == NULL)
      add_error (errors, name, "is not permitted");
  }
  g_list_free (members);

  /* an inline_inputs row's path names the model */
  node = json_object_get_member (body, "model");
  if (!row->inline_inputs && !row->path_names_model) {
    if (node == NULL)
      add_error (errors, "model", "is required");
    else if (!imagegen_node_is (node, G_TYPE_STRING))
      add_error (errors, "model", "must be a string");
    else if (strcmp (json_node_get_string (node), row->model) != 0)
      add_error (errors, "model", "is not available on this endpoint");
  }

  if (row->inline_inputs && row->inputs_array) {
    check_inline_array (row, body, errors);
  } else if (row->inline_inputs) {
    check_inline_inputs (row, body, errors);
  } else if (row->input_field != NULL) {
    node = json_object_get_member (body, row->input_field);
    if (node == NULL) {
      if (row->input_min > 0)
        add_error (errors, row->input_field, "is required");
    } else {
      check_urls (row->input_field, node,
          imagegen_model_inputs_array (row), row->input_min,
          row->input_max, row->data_uri_inputs, errors);
    }
  }

  for (f = row->fields; f->name != NULL; f++) {
    node = json_object_get_member (body, f->name);
    if (node == NULL) {
      if (f->required)
        add_error (errors, f->name, "is required");
      continue;
    }
    check_field (f, node, errors);
  }

  node = json_object_get_member (body, "callback_url");
  if (node != NULL && !is_http_url (node))
    add_error (errors, "callback_url", "must be an http(s) URL");
  return json_object_get_size (errors) == 0;
}
