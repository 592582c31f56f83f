/* gst-imagegen client tests: a request body each model-table row takes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "model-examples.h"

#include <string.h>

/* A value @f takes: its first choice, its minimum, a short text. */
static JsonNode *
example_value (const ImagegenModelField * f)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  gchar **items;

  switch (f->type) {
    case IMAGEGEN_FIELD_ENUM:
      items = g_strsplit (f->choices, " ", -1);
      json_node_set_string (node, items[0]);
      g_strfreev (items);
      break;
    case IMAGEGEN_FIELD_INT:
      if (f->choices) {
        items = g_strsplit (f->choices, " ", -1);
        json_node_set_int (node, g_ascii_strtoll (items[0], NULL, 10));
        g_strfreev (items);
      } else {
        json_node_set_int (node, (gint64) f->min);
      }
      break;
    case IMAGEGEN_FIELD_NUMBER:
      json_node_set_double (node, f->max);
      break;
    case IMAGEGEN_FIELD_BOOL:
      json_node_set_boolean (node, TRUE);
      break;
    default:
      json_node_set_string (node, "a red fox in snow");
      break;
  }
  return node;
}

JsonObject *
test_model_example_body (const ImagegenModelRow * row,
    const gchar * source_url)
{
  JsonObject *body = json_object_new ();
  const ImagegenModelField *f;
  guint i;

  /* an inline_inputs row's path names the model, as a fal row's does */
  if (!row->inline_inputs && !row->path_names_model)
    json_object_set_string_member (body, "model", row->model);
  for (f = row->fields; f->name; f++)
    if (f->required || strcmp (f->name, "prompt") == 0)
      json_object_set_member (body, f->name, example_value (f));
  if (row->input_field != NULL) {
    if (row->inline_inputs) {
      for (i = 0; i < row->input_min; i++) {
        g_autofree gchar *name = i == 0 ? g_strdup (row->input_field) :
            g_strdup_printf ("%s_%u", row->input_field, i + 1);

        json_object_set_string_member (body, name, source_url);
      }
    } else if (g_str_has_suffix (row->input_field, "_urls")) {
      JsonArray *arr = json_array_new ();

      for (i = 0; i < row->input_min; i++)
        json_array_add_string_element (arr, source_url);
      json_object_set_array_member (body, row->input_field, arr);
    } else {
      json_object_set_string_member (body, row->input_field, source_url);
    }
  }
  return body;
}
