/* gst-imagegen: a request body against its model-table row — built by the
 * client, checked by the client before sending and by the emulator on
 * arrival, with the service's 422 wording ({field: [message]}).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"

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

static gboolean
in_list (const gchar * list, const gchar * value)
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

static gboolean
is_http_url (JsonNode * node)
{
  const gchar *s;
  GUri *uri;
  gboolean ok;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
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

static void
check_urls (const gchar * name, JsonNode * node, gboolean array,
    guint min, guint max, JsonObject * errors)
{
  JsonArray *arr;
  guint i, n;
  gchar *msg;

  if (!array) {
    if (!is_http_url (node))
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
    if (!is_http_url (json_array_get_element (arr, i))) {
      add_error (errors, name, "must contain only public http(s) URLs");
      break;
    }
  }
}

static gboolean
node_is (JsonNode * node, GType type)
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

static void
check_field (const ImagegenModelField * f, JsonNode * node,
    JsonObject * errors)
{
  gchar *msg;

  switch (f->type) {
    case IMAGEGEN_FIELD_STRING:{
      glong len;

      if (!node_is (node, G_TYPE_STRING)) {
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
      if (!node_is (node, G_TYPE_STRING))
        add_error (errors, f->name, "must be a string");
      else if (!in_list (f->choices, json_node_get_string (node)))
        add_error (errors, f->name, "is not included in the list");
      return;
    case IMAGEGEN_FIELD_INT:
      if (!node_is (node, G_TYPE_INT64)) {
        add_error (errors, f->name, "must be an integer");
      } else if (f->choices != NULL) {
        g_autofree gchar *s = g_strdup_printf ("%" G_GINT64_FORMAT,
            json_node_get_int (node));

        if (!in_list (f->choices, s))
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
      if (!node_is (node, G_TYPE_INT64) && !node_is (node, G_TYPE_DOUBLE))
        add_error (errors, f->name, "must be a number");
      else
        check_range (f, json_node_get_double (node), errors);
      return;
    case IMAGEGEN_FIELD_BOOL:
      if (!node_is (node, G_TYPE_BOOLEAN))
        add_error (errors, f->name, "must be a boolean");
      return;
    case IMAGEGEN_FIELD_URL:
    case IMAGEGEN_FIELD_URLS:
      check_urls (f->name, node, f->type == IMAGEGEN_FIELD_URLS,
          (guint) f->min, (guint) f->max, errors);
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
    if (!node_is (node, G_TYPE_STRING) || *json_node_get_string (node) == 0) {
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

    if ((strcmp (name, "model") != 0 || row->inline_inputs)
        && strcmp (name, "callback_url") != 0
        && g_strcmp0 (name, row->input_field) != 0
        && inline_input_index (row, name) == 0
        && imagegen_model_row_field (row, name) == NULL)
      add_error (errors, name, "is not permitted");
  }
  g_list_free (members);

  /* an inline_inputs row's path names the model */
  node = json_object_get_member (body, "model");
  if (!row->inline_inputs) {
    if (node == NULL)
      add_error (errors, "model", "is required");
    else if (!node_is (node, G_TYPE_STRING))
      add_error (errors, "model", "must be a string");
    else if (strcmp (json_node_get_string (node), row->model) != 0)
      add_error (errors, "model", "is not available on this endpoint");
  }

  if (row->inline_inputs) {
    check_inline_inputs (row, body, errors);
  } else if (row->input_field != NULL) {
    node = json_object_get_member (body, row->input_field);
    if (node == NULL) {
      if (row->input_min > 0)
        add_error (errors, row->input_field, "is required");
    } else {
      check_urls (row->input_field, node,
          g_str_has_suffix (row->input_field, "_urls"), row->input_min,
          row->input_max, errors);
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
  if (strcmp (aspect_ratio, "auto") != 0 || in_list (f->choices, "auto"))
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
  guint i;

  if (!row->inline_inputs)
    add_string (body, "model", request->model);
  if (imagegen_model_row_field (row, "prompt") != NULL)
    add_string (body, "prompt", request->prompt);
  ratio = sent_aspect_ratio (row, request->aspect_ratio, request->width,
      request->height);
  add_string (body, "aspect_ratio", ratio);
  if (imagegen_model_row_field (row, "output_resolution") != NULL)
    add_string (body, "output_resolution", request->resolution);

  if (row->input_field != NULL && source_urls != NULL && source_urls->len) {
    if (row->inline_inputs) {
      for (i = 0; i < source_urls->len; i++) {
        g_autofree gchar *name = i == 0 ? g_strdup (row->input_field) :
            g_strdup_printf ("%s_%u", row->input_field, i + 1);

        add_string (body, name, g_ptr_array_index (source_urls, i));
      }
    } else if (g_str_has_suffix (row->input_field, "_urls")) {
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
  add_defaults (row, body);
  json_node_take_object (root, body);
  return root;
}

guint
imagegen_model_output_count (JsonObject * body)
{
  JsonNode *node = json_object_get_member (body, "output_count");

  if (node == NULL || !node_is (node, G_TYPE_INT64))
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
  if (node_is (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));
  if (node_is (node, G_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (node_is (node, G_TYPE_BOOLEAN))
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return NULL;
}

gdouble
imagegen_model_output_mp (JsonObject * body)
{
  gint64 width = json_object_get_int_member_with_default (body, "width", 0);
  gint64 height = json_object_get_int_member_with_default (body, "height",
      0);

  if (width <= 0 || height <= 0)
    return 1.0;
  return (gdouble) width *height / IMAGEGEN_MODEL_MEGAPIXEL;
}

/* The input images @body carries in @row's inline fields. */
static guint
count_inline_inputs (const ImagegenModelRow * row, JsonObject * body)
{
  guint i, n = 0;

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

  if (cents < 0 || (confirmed_only && !row->price_confirmed))
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
    gdouble out_mp = imagegen_model_output_mp (body);

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
  gdouble cents = imagegen_model_price_exact (row, body, -1, confirmed_only);

  if (cents < 0)
    return -1;
  return (gint) ceil (cents - 1e-9);
}
