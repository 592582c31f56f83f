/* gst-imagegen: the extra property — a model's own request fields (seed,
 * negative_prompt, output_count…) given as a GstStructure and sent as
 * JSON members; the model table checks them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenextra.h"

#include <json-glib/json-glib.h>

static JsonNode *
value_to_json (const GValue * value)
{
  GType type = G_VALUE_TYPE (value);
  JsonNode *node;
  guint i, n;

  /* JSON's scalars: 64-bit integers, doubles, booleans and strings */
  if (type == G_TYPE_INT || type == G_TYPE_UINT || type == G_TYPE_INT64
      || type == G_TYPE_DOUBLE || type == G_TYPE_FLOAT
      || type == G_TYPE_BOOLEAN || type == G_TYPE_STRING) {
    GValue scalar = G_VALUE_INIT;

    g_value_init (&scalar, type == G_TYPE_INT || type == G_TYPE_UINT ?
        G_TYPE_INT64 : type == G_TYPE_FLOAT ? G_TYPE_DOUBLE : type);
    g_value_transform (value, &scalar);
    node = json_node_init (json_node_alloc (), JSON_NODE_VALUE);
    json_node_set_value (node, &scalar);
    g_value_unset (&scalar);
    return node;
  }
  if (type == GST_TYPE_ARRAY || type == GST_TYPE_LIST) {
    JsonArray *arr = json_array_new ();

    n = type == GST_TYPE_ARRAY ? gst_value_array_get_size (value) :
        gst_value_list_get_size (value);
    for (i = 0; i < n; i++) {
      JsonNode *el = value_to_json (type == GST_TYPE_ARRAY ?
          gst_value_array_get_value (value, i) :
          gst_value_list_get_value (value, i));

      if (el == NULL) {
        json_array_unref (arr);
        return NULL;
      }
      json_array_add_element (arr, el);
    }
    node = json_node_alloc ();
    json_node_init_array (node, arr);
    json_array_unref (arr);
    return node;
  }
  return NULL;
}

gchar *
gst_imagegen_extra_to_json (const GstStructure * extra, GError ** error)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  g_autoptr (JsonNode) root = json_node_alloc ();
  guint i, n;

  if (extra == NULL)
    return NULL;
  n = gst_structure_n_fields (extra);
  for (i = 0; i < n; i++) {
    const gchar *name = gst_structure_nth_field_name (extra, i);
    JsonNode *node = value_to_json (gst_structure_get_value (extra, name));

    if (node == NULL) {
      g_set_error (error, IMAGEGEN_CLIENT_ERROR,
          IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
          "Extra field \"%s\" is of type %s; the service takes numbers, "
          "booleans, strings and lists of them.", name,
          G_VALUE_TYPE_NAME (gst_structure_get_value (extra, name)));
      return NULL;
    }
    json_object_set_member (obj, name, node);
  }
  json_node_init_object (root, obj);
  return json_to_string (root, FALSE);
}
