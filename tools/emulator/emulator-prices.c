/* imagegen-emulator: live prices — GET /api/v1/price_schedules and
 * POST /api/v1/price_quotes (RUNAPI-MODELS.md section 4), answered from
 * the model table the client prices with.  Auth is optional for both.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

/* "flux_2" and "text_to_image" of "/api/v1/flux_2/text_to_image" */
static void
split_path (const gchar * path, gchar ** service, gchar ** action)
{
  gchar **parts = g_strsplit (path + strlen (EMU_RUNAPI_PREFIX), "/", 2);

  *service = g_strdup (parts[0]);
  *action = g_strdup (parts[1]);
  g_strfreev (parts);
}

static void
add_cents (JsonBuilder * b, gdouble cents)
{
  if (cents == (gint64) cents)
    json_builder_add_int_value (b, (gint64) cents);
  else
    json_builder_add_double_value (b, cents);
}

static void
add_string (JsonBuilder * b, const gchar * name, const gchar * value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_schedule (JsonBuilder * b, const ImagegenModelRow * row)
{
  gchar *service, *action;

  split_path (row->path, &service, &action);
  json_builder_begin_object (b);
  add_string (b, "service", service);
  add_string (b, "action", action);
  add_string (b, "model", row->model);
  add_string (b, "pricing_status", row->price_cents < 0 ? "pending" :
      "available");
  add_string (b, "catalog_status", "active");
  add_string (b, "currency", "USD");
  add_string (b, "billing_unit", "per_call");
  add_string (b, "billing_strategy", "flat");
  json_builder_set_member_name (b, "unit_price_cents");
  if (row->price_cents < 0)
    json_builder_add_null_value (b);
  else
    add_cents (b, row->price_cents);
  /* the token prices the SDK's schedule type requires (its Go fixture
   * sets them); image models have none */
  json_builder_set_member_name (b, "input_per_1m_cents");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "output_per_1m_cents");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "billing_config");
  json_builder_begin_object (b);
  if (row->price_key != NULL) {
    gchar **overrides = g_strsplit (row->price_overrides, " ", -1);
    guint i;

    add_string (b, "key", row->price_key);
    json_builder_set_member_name (b, "overrides");
    json_builder_begin_object (b);
    for (i = 0; overrides[i] != NULL; i++) {
      gchar *eq = strchr (overrides[i], '=');

      *eq = '\0';
      json_builder_set_member_name (b, overrides[i]);
      add_cents (b, g_ascii_strtod (eq + 1, NULL));
    }
    json_builder_end_object (b);
    g_strfreev (overrides);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_free (service);
  g_free (action);
}

/* The start of the current UTC day with six digits of fraction, as the
 * service's fixtures show as_of; a day's answers stay equal (ETag). */
static void
add_as_of (JsonBuilder * b)
{
  gint64 now = g_get_real_time ();
  gint64 day = (gint64) 24 * 3600 * G_USEC_PER_SEC;
  gchar *s = emu_time_iso8601_us (now - now % day);

  add_string (b, "as_of", s);
  g_free (s);
}

static gboolean
matches (const ImagegenModelRow * row, GHashTable * params)
{
  const gchar *service = params ? g_hash_table_lookup (params, "service") :
      NULL;
  const gchar *action = params ? g_hash_table_lookup (params, "action") :
      NULL;
  const gchar *model = params ? g_hash_table_lookup (params, "model") : NULL;
  gchar *s, *a;
  gboolean ok;

  split_path (row->path, &s, &a);
  ok = (service == NULL || *service == '\0' || strcmp (service, s) == 0)
      && (action == NULL || *action == '\0' || strcmp (action, a) == 0)
      && (model == NULL || *model == '\0' || strcmp (model, row->model) == 0);
  g_free (s);
  g_free (a);
  return ok;
}

/* {as_of, price_schedules:[…]} with an ETag; If-None-Match → 304. */
void
emu_prices_handle_schedules (EmuRequest * req)
{
  GUri *uri = soup_server_message_get_uri (req->msg);
  const gchar *query = g_uri_get_query (uri);
  GHashTable *params = query ? g_uri_parse_params (query, -1, "&",
      G_URI_PARAMS_NONE, NULL) : NULL;
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);
  const gchar *if_none = soup_message_headers_get_one
      (soup_server_message_get_request_headers (req->msg), "If-None-Match");
  const ImagegenModelRow *row;
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;
  gchar *text, *etag;
  guint i;

  json_builder_begin_object (b);
  add_as_of (b);
  json_builder_set_member_name (b, "price_schedules");
  json_builder_begin_array (b);
  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++)
    if (matches (row, params))
      add_schedule (b, row);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  g_object_unref (b);
  if (params)
    g_hash_table_unref (params);

  text = json_to_string (root, FALSE);
  etag = g_strdup_printf ("\"%08x\"", g_str_hash (text));
  soup_message_headers_replace (out, "ETag", etag);
  if (g_strcmp0 (if_none, etag) == 0) {
    GBytes *empty = g_bytes_new_static ("", 0);

    json_node_unref (root);
    emu_request_reply_bytes (req, 304, "application/json", empty);
    g_bytes_unref (empty);
  } else {
    emu_request_reply_json (req, 200, root);
  }
  g_free (etag);
  g_free (text);
}

/* A quote prices a request not yet made: fields it lacks (the source
 * images, not uploaded yet) are no error, wrong values are. */
static gboolean
only_missing (JsonObject * errors)
{
  GList *names = json_object_get_members (errors), *l;
  gboolean only = TRUE;

  for (l = names; l; l = l->next) {
    JsonArray *list = json_object_get_array_member (errors, l->data);

    if (json_array_get_length (list) != 1
        || g_strcmp0 (json_array_get_string_element (list, 0),
            "is required") != 0)
      only = FALSE;
  }
  g_list_free (names);
  return only;
}

/* {service, action, model?, params{…}} → {price_quote:{…}}: the row's
 * price for those params, with the row's validation errors (but for
 * missing fields) as a 422. */
void
emu_prices_handle_quote (EmuRequest * req)
{
  JsonObject *body = json_node_get_object (req->body), *errors, *params;
  const gchar *service, *action, *model;
  const ImagegenModelRow *row;
  JsonBuilder *b;
  gchar *path;
  gint cents;

  service = json_object_get_string_member_with_default (body, "service",
      NULL);
  action = json_object_get_string_member_with_default (body, "action", NULL);
  model = json_object_get_string_member_with_default (body, "model", NULL);
  errors = json_object_new ();
  if (service == NULL)
    emu_errors_add (errors, "service", "is required");
  if (action == NULL)
    emu_errors_add (errors, "action", "is required");
  if (json_object_get_size (errors) > 0) {
    emu_request_reply_validation (req, errors);
    return;
  }

  /* params as a create body of that model */
  params = json_object_has_member (body, "params")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "params")) ?
      json_object_ref (json_object_get_object_member (body, "params")) :
      json_object_new ();
  if (model != NULL)
    json_object_set_string_member (params, "model", model);
  path = g_strdup_printf (EMU_RUNAPI_PREFIX "%s/%s", service, action);
  if (imagegen_models_find_path (path) == NULL) {
    emu_request_reply_error (req, 404, "No price for this service and action");
  } else if (!emu_task_validate (path, params, errors, &row)
      && (row == NULL || !only_missing (errors))) {
    emu_request_reply_validation (req, g_steal_pointer (&errors));
  } else {
    cents = imagegen_model_price_cents (row, params, FALSE);
    b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "price_quote");
    json_builder_begin_object (b);
    add_string (b, "service", service);
    add_string (b, "action", action);
    add_string (b, "model", row->model);
    add_string (b, "pricing_status", cents < 0 ? "pending" : "available");
    add_string (b, "currency", "USD");
    json_builder_set_member_name (b, "reservation_amount_cents");
    if (cents < 0)
      json_builder_add_null_value (b);
    else
      json_builder_add_int_value (b, cents);
    add_string (b, "estimate_basis", "exact");
    add_as_of (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
    emu_request_reply_json (req, 200, json_builder_get_root (b));
    g_object_unref (b);
  }
  if (errors)
    json_object_unref (errors);
  json_object_unref (params);
  g_free (path);
}
