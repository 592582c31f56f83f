/* imagegen-emulator: Black Forest Labs' FLUX.2 protocol (PROTOCOL.md,
 * section 2) on the same server: POST /v1/<model> with x-key and inline
 * base64 inputs, GET <polling_url> (/v1/get_result?id=…), their statuses
 * and error bodies.  Tasks, rendering, faults and results are the RunAPI
 * side's; only the wire format differs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "emulator.h"
#include "imagegen-bfl-models.h"

#include <string.h>

#define BFL_PREFIX "/v1/"
#define BFL_MAX_ACTIVE_TASKS 24        /* their documented limit */
#define BFL_MAX_INPUTS 8

/* {"detail": text}, on 422 {"detail":[{"loc","msg","type"}]}; a 429 says
 * retry_after in the body and X-RateLimit-* headers instead of a
 * Retry-After header. */
JsonNode *
emu_bfl_error_node (EmuRequest * req, guint status, const gchar * message)
{
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (status == 422) {
    JsonArray *detail = json_array_new ();
    JsonObject *item = json_object_new ();
    JsonArray *loc = json_array_new ();

    json_array_add_string_element (loc, "body");
    json_object_set_array_member (item, "loc", loc);
    json_object_set_string_member (item, "msg", message);
    json_object_set_string_member (item, "type", "value_error");
    json_array_add_object_element (detail, item);
    json_object_set_array_member (obj, "detail", detail);
  } else {
    json_object_set_string_member (obj, "detail", message);
  }
  if (status == 429) {
    const gchar *after = soup_message_headers_get_one (out, "Retry-After");
    gint64 secs = after ? g_ascii_strtoll (after, NULL, 10) : 1;

    /* an HTTP date (the 429@date fault) becomes its 2 s */
    json_object_set_int_member (obj, "retry_after", secs > 0 ? secs : 2);
    soup_message_headers_remove (out, "Retry-After");
    soup_message_headers_replace (out, "X-RateLimit-Limit",
        G_STRINGIFY (BFL_MAX_ACTIVE_TASKS));
    soup_message_headers_replace (out, "X-RateLimit-Remaining", "0");
  }
  json_node_take_object (node, obj);
  return node;
}

const gchar *
emu_bfl_status_name (EmuTask * task, gint64 now_us)
{
  switch (emu_task_status (task, now_us)) {
    case EMU_TASK_COMPLETED:
      return "Ready";
    case EMU_TASK_FAILED:
      return task->outcome == EMU_FAULT_MODERATED ? "Content Moderated" :
          "Error";
    default:
      return "Pending";
  }
}

static gboolean
check_key (EmuRequest * req)
{
  Emulator *emu = req->emu;
  const gchar *key =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (req->msg), "x-key");

  if (key == NULL || *key == '\0' || (emu->require_key != NULL
          && strcmp (key, emu->require_key) != 0)) {
    req->auth = key ? "invalid" : "missing";
    emu->stats.auth_failures++;
    emu_request_reply_error (req, 401, key ? "Invalid x-key" :
        "Missing x-key header");
    return FALSE;
  }
  req->auth = "ok";
  return TRUE;
}

/* ---- submit ---- */

static JsonObject *
parse_body (EmuRequest * req)
{
  GBytes *bytes = soup_message_body_flatten
      (soup_server_message_get_request_body (req->msg));
  JsonParser *parser = json_parser_new_immutable ();
  JsonObject *obj = NULL;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    obj = json_object_ref (json_node_get_object (json_parser_get_root
            (parser)));
  g_object_unref (parser);
  g_bytes_unref (bytes);
  return obj;
}

static void
add_problem (JsonArray * detail, const gchar * field, const gchar * msg)
{
  JsonObject *item = json_object_new ();
  JsonArray *loc = json_array_new ();

  json_array_add_string_element (loc, "body");
  json_array_add_string_element (loc, field);
  json_object_set_array_member (item, "loc", loc);
  json_object_set_string_member (item, "msg", msg);
  json_object_set_string_member (item, "type", "value_error");
  json_array_add_object_element (detail, item);
}

static gboolean
get_number (JsonObject * body, const gchar * name, gdouble * value,
    gboolean * integral)
{
  JsonNode *node = json_object_get_member (body, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  *integral = type == G_TYPE_INT64;
  if (type == G_TYPE_INT64)
    *value = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

/* A number field within [@min, @max]; absent is fine. */
static void
check_range (JsonObject * body, const gchar * name, gdouble min, gdouble max,
    gboolean need_integer, JsonArray * detail)
{
  gdouble v;
  gboolean integral;
  gchar *msg;

  if (!json_object_has_member (body, name))
    return;
  if (!get_number (body, name, &v, &integral)
      || (need_integer && !integral) || v < min || v > max) {
    msg = g_strdup_printf ("Input should be a %s between %g and %g",
        need_integer ? "whole number" : "number", min, max);
    add_problem (detail, name, msg);
    g_free (msg);
  }
}

/* Validates @body for @model; the input images go into @sources. */
static void
validate (const ImagegenBflModel * model, JsonObject * body,
    GPtrArray * sources, GString * fields, guint * n_inline,
    JsonArray * detail)
{
  JsonNode *prompt = json_object_get_member (body, "prompt");
  gdouble w = 0, h = 0;
  gboolean integral;
  guint i;

  if (prompt == NULL || !JSON_NODE_HOLDS_VALUE (prompt)
      || json_node_get_value_type (prompt) != G_TYPE_STRING
      || *json_node_get_string (prompt) == '\0')
    add_problem (detail, "prompt", "Field required");

  for (i = 1; i <= BFL_MAX_INPUTS; i++) {
    gchar *name = i == 1 ? g_strdup ("input_image") :
        g_strdup_printf ("input_image_%u", i);
    JsonNode *node = json_object_get_member (body, name);
    const gchar *value;

    if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
      g_free (name);
      continue;
    }
    value = JSON_NODE_HOLDS_VALUE (node)
        && json_node_get_value_type (node) == G_TYPE_STRING ?
        json_node_get_string (node) : NULL;
    if (value == NULL || *value == '\0')
      add_problem (detail, name, "Input should be a URL or base64 image");
    else if (i > model->max_input_images)
      add_problem (detail, name, "Too many input images for this model");
    else {
      g_ptr_array_add (sources, g_strdup (value));
      g_string_append_printf (fields, "%s%s", fields->len ? " " : "", name);
      if (!g_str_has_prefix (value, "http://")
          && !g_str_has_prefix (value, "https://"))
        (*n_inline)++;
    }
    g_free (name);
  }

  check_range (body, "width", IMAGEGEN_BFL_MIN_SIDE, 8192, TRUE, detail);
  check_range (body, "height", IMAGEGEN_BFL_MIN_SIDE, 8192, TRUE, detail);
  if (get_number (body, "width", &w, &integral)
      && (guint) w % IMAGEGEN_BFL_SIZE_STEP != 0)
    add_problem (detail, "width", "Must be a multiple of 16");
  if (get_number (body, "height", &h, &integral)
      && (guint) h % IMAGEGEN_BFL_SIZE_STEP != 0)
    add_problem (detail, "height", "Must be a multiple of 16");
  if (w * h > IMAGEGEN_BFL_MAX_PIXELS)
    add_problem (detail, "width", "width x height must not exceed 4 MP");
  check_range (body, "seed", 0, (gdouble) G_MAXINT64, TRUE, detail);
  if (model->steps_guidance) {
    check_range (body, "steps", 1, 50, TRUE, detail);
    check_range (body, "guidance", 1.5, 10, FALSE, detail);
  } else {
    if (json_object_has_member (body, "steps"))
      add_problem (detail, "steps", "Extra inputs are not permitted");
    if (json_object_has_member (body, "guidance"))
      add_problem (detail, "guidance", "Extra inputs are not permitted");
  }
}

/* The body emu_task_create() reads: model, prompt, source_image_urls,
 * width and height. */
static JsonObject *
task_body (const ImagegenBflModel * model, JsonObject * body,
    GPtrArray * sources)
{
  JsonObject *t = json_object_new ();
  JsonArray *urls = json_array_new ();
  guint i;

  json_object_set_string_member (t, "model", model->id);
  json_object_set_string_member (t, "prompt",
      json_object_get_string_member (body, "prompt"));
  for (i = 0; i < sources->len; i++)
    json_array_add_string_element (urls, g_ptr_array_index (sources, i));
  json_object_set_array_member (t, "source_image_urls", urls);
  /* no size asked: text to image 1024 x 1024, an edit keeps its input's
   * shape */
  json_object_set_int_member (t, "width", json_object_has_member (body,
          "width") ? json_object_get_int_member (body, "width") :
      sources->len ? 0 : 1024);
  json_object_set_int_member (t, "height", json_object_has_member (body,
          "height") ? json_object_get_int_member (body, "height") :
      sources->len ? 0 : 1024);
  if (sources->len)
    json_object_set_string_member (t, "aspect_ratio", "auto");
  return t;
}

static void
handle_submit (EmuRequest * req, const ImagegenBflModel * model)
{
  Emulator *emu = req->emu;
  JsonObject *body = parse_body (req), *tbody, *answer;
  JsonArray *detail = json_array_new ();
  GPtrArray *sources = g_ptr_array_new_with_free_func (g_free);
  GString *fields = g_string_new (NULL);
  guint n_inline = 0, width, height;
  gint price;
  EmuFaultKind outcome;
  EmuTask *task;
  gchar *url;

  if (body == NULL) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    goto out;
  }
  validate (model, body, sources, fields, &n_inline, detail);
  if (json_array_get_length (detail) > 0) {
    JsonObject *obj = json_object_new ();
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);

    emu->stats.validation_failures++;
    json_object_set_array_member (obj, "detail", json_array_ref (detail));
    json_node_take_object (node, obj);
    emu_request_reply_json (req, 422, node);
    goto out;
  }
  if (emu_tasks_count_active (emu) >= (emu->max_active > 0 ?
          emu->max_active : BFL_MAX_ACTIVE_TASKS)) {
    emu_request_reply_error (req, 429, "Too many active tasks");
    goto out;
  }
  tbody = task_body (model, body, sources);
  width = json_object_get_int_member (tbody, "width");
  height = json_object_get_int_member (tbody, "height");
  /* an edit of unknown output size is priced at 1 MP */
  price = imagegen_bfl_model_price_cents (model->id, width ? width : 1024,
      height ? height : 1024);
  price = MAX (price, 1);
  if (emu->credits_cents >= 0 && emu->charged_cents +
      emu_tasks_reserved_cents (emu) + price > emu->credits_cents) {
    json_object_unref (tbody);
    emu_request_reply_error (req, 402, "Insufficient credits");
    goto out;
  }
  outcome = emu_request_take_task_fault (req);
  /* rendered as the Flux 2 rows of the model table render */
  task = emu_task_create (emu, imagegen_models_find (NULL, sources->len ?
          IMAGEGEN_ENDPOINT_REMIX : IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          sources->len ? "flux-2-pro-remix-image" :
          "flux-2-pro-text-to-image"), tbody, outcome);
  json_object_unref (tbody);
  task->bfl = TRUE;
  task->price_cents = price;
  task->inputs = g_string_free (fields, FALSE);
  fields = NULL;
  task->inline_inputs = n_inline;
  task->seed = json_object_has_member (body, "seed") ?
      json_object_get_int_member (body, "seed") : -1;
  req->task_id = g_strdup (task->id);

  answer = json_object_new ();
  json_object_set_string_member (answer, "id", task->id);
  url = g_strdup_printf ("%s" BFL_PREFIX "get_result?id=%s", emu->base_url,
      task->id);
  json_object_set_string_member (answer, "polling_url", url);
  g_free (url);
  json_object_set_int_member (answer, "cost", price);
  json_object_set_double_member (answer, "output_mp",
      (gdouble) task->width * task->height / (1024.0 * 1024.0));
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);

    json_node_take_object (node, answer);
    emu_request_reply_json (req, 200, node);
  }

out:
  if (body)
    json_object_unref (body);
  json_array_unref (detail);
  g_ptr_array_unref (sources);
  if (fields)
    g_string_free (fields, TRUE);
}

/* ---- result ---- */

static void
handle_get_result (EmuRequest * req, GHashTable * query)
{
  Emulator *emu = req->emu;
  const gchar *id = query ? g_hash_table_lookup (query, "id") : NULL;
  EmuTask *task = id ? g_hash_table_lookup (emu->tasks, id) : NULL;
  gint64 now = g_get_real_time ();
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  const gchar *status;

  json_object_set_string_member (obj, "id", id ? id : "");
  if (task == NULL || !task->bfl) {
    json_object_set_string_member (obj, "status", "Task not found");
    json_node_take_object (node, obj);
    emu_request_reply_json (req, 200, node);
    return;
  }
  task->polls++;
  req->task_id = g_strdup (task->id);
  status = emu_bfl_status_name (task, now);
  json_object_set_string_member (obj, "status", status);
  if (strcmp (status, "Ready") == 0) {
    JsonObject *result = json_object_new ();
    gchar *url = emu_task_result_url (task, 0);

    json_object_set_string_member (result, "sample", url);
    json_object_set_string_member (result, "prompt", task->prompt);
    if (task->seed >= 0)
      json_object_set_int_member (result, "seed", task->seed);
    json_object_set_object_member (obj, "result", result);
    g_free (url);
  } else {
    json_object_set_null_member (obj, "result");
  }
  json_object_set_null_member (obj, "details");
  json_object_set_null_member (obj, "preview");
  json_node_take_object (node, obj);
  emu_request_reply_json (req, 200, node);
}

void
emu_bfl_handle (EmuRequest * req, GHashTable * query)
{
  const gchar *rest = req->path + strlen (BFL_PREFIX);
  const ImagegenBflModel *model = imagegen_bfl_model_lookup (rest);
  gboolean poll = strcmp (rest, "get_result") == 0;
  EmuFault fault = { 0, };

  req->bfl = TRUE;
  req->auth = "none";
  if (!poll && model == NULL) {
    emu_request_reply_error (req, 404, "Not Found");
    return;
  }
  if (strcmp (req->method, poll ? "GET" : "POST") != 0) {
    emu_request_reply_error (req, 405, "Method Not Allowed");
    return;
  }
  if (poll)
    req->emu->stats.bfl_get_result++;
  else
    req->emu->stats.bfl_create++;
  if (!check_key (req))
    return;
  if (emu_request_check_fault (req, poll ? EMU_STAGE_POLL : EMU_STAGE_CREATE,
          &fault)) {
    emu_fault_clear (&fault);
    return;
  }
  emu_fault_clear (&fault);
  if (poll)
    handle_get_result (req, query);
  else
    handle_submit (req, model);
}
