/* imagegen-emulator: Black Forest Labs' FLUX.2 and FLUX 3 protocol
 * (PROTOCOL.md, section 2; NEW-MODELS.md section 1) on the same server:
 * POST /v1/<model> with x-key and inline base64 inputs (FLUX 3: an images
 * array, resolution tiers, Reasoning and Generating), GET <polling_url>
 * (/v1/get_result?id=…), their statuses and error bodies.  Tasks,
 * rendering, faults and results are the RunAPI side's; only the wire
 * format differs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "emulator.h"
#include "imagegen-bfl-models.h"
#include "imagegen-provider.h"

#include <math.h>
#include <string.h>

#define BFL_MAX_ACTIVE_TASKS 24        /* their documented limit */

static void
add_problem (JsonArray * detail, const gchar * field, const gchar * msg)
{
  JsonObject *item = json_object_new ();
  JsonArray *loc = json_array_new ();

  json_array_add_string_element (loc, "body");
  if (field)
    json_array_add_string_element (loc, field);
  json_object_set_array_member (item, "loc", loc);
  json_object_set_string_member (item, "msg", msg);
  json_object_set_string_member (item, "type", "value_error");
  json_array_add_object_element (detail, item);
}

JsonNode *
emu_detail_error_body (guint status, const gchar * message,
    JsonObject * errors)
{
  JsonObject *obj = json_object_new ();

  if (status == 422) {
    JsonArray *detail = json_array_new ();
    GList *fields = errors ? json_object_get_members (errors) : NULL, *l;
    guint i;

    for (l = fields; l; l = l->next) {
      JsonArray *msgs = json_object_get_array_member (errors, l->data);

      for (i = 0; i < json_array_get_length (msgs); i++)
        add_problem (detail, l->data, json_array_get_string_element (msgs,
                i));
    }
    if (fields == NULL)
      add_problem (detail, NULL, message);
    g_list_free (fields);
    json_object_set_array_member (obj, "detail", detail);
  } else {
    json_object_set_string_member (obj, "detail", message);
  }
  if (errors)
    json_object_unref (errors);
  return emu_json_object_node (obj);
}

/* FastAPI's shape; a 429 says retry_after in the body and X-RateLimit-*
 * headers instead of a Retry-After header. */
JsonNode *
emu_bfl_error_body (EmuRequest * req, guint status, const gchar * message,
    JsonObject * errors)
{
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);
  JsonNode *node = emu_detail_error_body (status, message, errors);
  JsonObject *obj = json_node_get_object (node);

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
  return node;
}

const gchar *
emu_bfl_status_name (EmuTask * task, gint64 now_us)
{
  switch (emu_task_status (task, now_us)) {
    case EMU_TASK_COMPLETED:
      return "Ready";
    case EMU_TASK_FAILED:
      if (task->outcome == EMU_FAULT_REQUEST_MODERATED)
        return "Request Moderated";
      return task->outcome == EMU_FAULT_MODERATED ? "Content Moderated" :
          "Error";
    default:
      /* FLUX 3 expands the prompt first: its first poll finds it
       * Reasoning, later ones Generating (counted in polls, not time, so
       * that a test sees both) */
      if (task->reasons)
        return task->polls <= 1 ? "Reasoning" : "Generating";
      return "Pending";
  }
}

static gboolean
check_key (EmuRequest * req)
{
  return emu_request_check_key (req, "x-key", "", "Missing x-key header",
      "Invalid x-key");
}

static JsonNode *webhook_json (gpointer task, gint64 now_us);

/* ---- submit ---- */

/* The @index-th input image of a checked body: input_image_N, or the
 * index-th of FLUX 3's images array; NULL when absent. */
static const gchar *
input_value (const ImagegenModelRow * row, JsonObject * body,
    const gchar * name, guint index)
{
  JsonArray *arr;

  if (!json_object_has_member (body, name))
    return NULL;
  if (!row->inputs_array)
    return json_object_get_string_member (body, name);
  arr = json_object_get_array_member (body, name);
  return index < json_array_get_length (arr) ?
      json_array_get_string_element (arr, index) : NULL;
}

/* Validates @body against @row of the model table, the client's own
 * rows, and the size limit all their models share; problems go into
 * @errors, the input images into @sources. */
static void
validate (const ImagegenModelRow * row, JsonObject * body,
    GPtrArray * sources, GString * fields, guint * n_inline,
    JsonObject * errors)
{
  g_autoptr (JsonObject) found = json_object_new ();
  GList *members, *l;
  guint i;

  imagegen_model_validate (row, body, found);
  members = json_object_get_members (found);
  for (l = members; l; l = l->next) {
    JsonArray *msgs = json_object_get_array_member (found, l->data);

    for (i = 0; i < json_array_get_length (msgs); i++) {
      /* their messages start with a capital: "Must be a multiple of 16" */
      g_autofree gchar *msg =
          g_strdup (json_array_get_string_element (msgs, i));

      msg[0] = g_ascii_toupper (msg[0]);
      emu_errors_add (errors, l->data, msg);
    }
  }
  g_list_free (members);
  /* what follows reads fields the row has checked */
  if (json_object_get_size (errors) > 0)
    return;
  if (json_object_has_member (body, "width")
      && json_object_has_member (body, "height")
      && json_object_get_int_member (body, "width") *
      json_object_get_int_member (body, "height") > IMAGEGEN_BFL_MAX_PIXELS)
    emu_errors_add (errors, "width", "width x height must not exceed 4 MP");

  for (i = 1; row->input_field != NULL && i <= row->input_max; i++) {
    g_autofree gchar *name = i == 1 || row->inputs_array ?
        g_strdup (row->input_field) :
        g_strdup_printf ("%s_%u", row->input_field, i);
    const gchar *value = input_value (row, body, name, i - 1);

    if (value == NULL || *value == '\0')
      continue;
    g_ptr_array_add (sources, g_strdup (value));
    if (i == 1 || !row->inputs_array)
      g_string_append_printf (fields, "%s%s", fields->len ? " " : "", name);
    if (!g_str_has_prefix (value, "http://")
        && !g_str_has_prefix (value, "https://"))
      (*n_inline)++;
  }
}

void
emu_tier_size (JsonObject * body, guint in_w, guint in_h, guint * width,
    guint * height)
{
  const gchar *ratio = json_object_get_string_member_with_default (body,
      "aspect_ratio", "auto");
  g_autofree gchar *shape = in_w > 0 ? g_strdup_printf ("%u:%u", in_w,
      in_h) : g_strdup ("1:1");

  imagegen_models_output_size (NULL, NULL, strchr (ratio, ':') ? ratio :
      shape, json_object_get_string_member_with_default (body, "resolution",
          "1k"), width, height);
}

GBytes *
emu_input_bytes (Emulator * emu, const gchar * value)
{
  EmuFile *file;

  if (!g_str_has_prefix (value, "http://")
      && !g_str_has_prefix (value, "https://")) {
    const gchar *comma = g_str_has_prefix (value, "data:") ?
        strchr (value, ',') : NULL;
    gsize len;
    guchar *data = g_base64_decode (comma ? comma + 1 : value, &len);

    return g_bytes_new_take (data, len);
  }
  file = emu_files_lookup_url (emu, value);
  return file ? g_bytes_ref (file->data) : NULL;
}

/* The megapixels of the input images (one the emulator cannot see counts
 * as the output's @out_mp); @first_w x @first_h: the first one's size, 0
 * when unknown. */
static gdouble
input_megapixels (Emulator * emu, GPtrArray * sources, gdouble out_mp,
    guint * first_w, guint * first_h)
{
  gdouble mp = 0;
  guint i, w, h;

  *first_w = *first_h = 0;
  for (i = 0; i < sources->len; i++) {
    g_autoptr (GBytes) bytes = emu_input_bytes (emu,
        g_ptr_array_index (sources, i));

    if (bytes && emu_image_peek_size (bytes, &w, &h)) {
      mp += (gdouble) w *h / IMAGEGEN_MODEL_MEGAPIXEL;
      if (i == 0) {
        *first_w = w;
        *first_h = h;
      }
    } else {
      mp += out_mp;
    }
  }
  return mp;
}

/* The body emu_task_create() reads: model, prompt, source_image_urls,
 * width, height and output_format. */
static JsonObject *
task_body (const ImagegenModelRow * row, JsonObject * body,
    GPtrArray * sources)
{
  JsonObject *t = json_object_new ();
  JsonArray *urls = json_array_new ();
  guint i;

  json_object_set_string_member (t, "model", row->model);
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
  /* their default is jpeg (--image-format is RunAPI's side) */
  json_object_set_string_member (t, "output_format",
      json_object_get_string_member_with_default (body, "output_format",
          "jpeg"));
  if (json_object_has_member (body, "webhook_url"))
    json_object_set_string_member (t, "callback_url",
        json_object_get_string_member (body, "webhook_url"));
  return t;
}

static void
handle_submit (EmuRequest * req, const gchar * model)
{
  const ImagegenModelRow *row;
  Emulator *emu = req->emu;
  JsonObject *body = emu_request_parse_json (req), *tbody, *answer;
  JsonObject *errors = json_object_new ();
  GPtrArray *sources = g_ptr_array_new_with_free_func (g_free);
  GString *fields = g_string_new (NULL);
  guint n_inline = 0, width, height, in_w, in_h;
  gdouble cost, in_mp, out_mp;
  guint price;
  EmuFaultKind outcome;
  EmuTask *task;
  gchar *url;

  if (body == NULL) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    goto out;
  }
  {
    JsonNode *logged = emu_json_object_node (json_object_ref (body));

    emu_log_body (emu->log, req->path, logged);
    json_node_unref (logged);
  }
  /* the body's input_image picks the edit row */
  row = imagegen_models_find_route (req->path, model, body);
  validate (row, body, sources, fields, &n_inline, errors);
  if (json_object_get_size (errors) > 0) {
    emu_request_reply_validation (req, g_steal_pointer (&errors));
    goto out;
  }
  if (emu_tasks_count_active (emu) >= (emu->max_active > 0 ?
          emu->max_active : BFL_MAX_ACTIVE_TASKS)) {
    emu_request_reply_error (req, 429, "Too many active tasks");
    goto out;
  }
  tbody = task_body (row, body, sources);
  width = json_object_get_int_member (tbody, "width");
  height = json_object_get_int_member (tbody, "height");
  in_mp = input_megapixels (emu, sources, 1.0, &in_w, &in_h);
  if (imagegen_model_row_field (row, "width") == NULL) {
    emu_tier_size (body, in_w, in_h, &width, &height);
    json_object_set_int_member (tbody, "width", width);
    json_object_set_int_member (tbody, "height", height);
  } else if (width == 0 && in_w > 0) {
    /* an edit without a size keeps its first input's shape, within their
     * limits */
    imagegen_bfl_fit_size (in_w, in_h, &width, &height);
    json_object_set_int_member (tbody, "width", width);
    json_object_set_int_member (tbody, "height", height);
  }
  json_object_set_int_member (body, "width", width ? width : 1024);
  json_object_set_int_member (body, "height", height ? height : 1024);
  out_mp = imagegen_model_output_mp (NULL, body);
  cost = imagegen_model_price_exact (row, body, in_mp, FALSE);
  price = (guint) ceil (MAX (cost, 0) - 1e-9);
  if (!emu_tasks_affordable (emu, price)) {
    json_object_unref (tbody);
    emu_request_reply_error (req, 402, "Insufficient credits");
    goto out;
  }
  outcome = emu_transport_take_task_fault (req);
  /* rendered as the Flux 2 rows of the model table render */
  task = emu_task_create (emu, imagegen_models_find (NULL, sources->len ?
          IMAGEGEN_ENDPOINT_REMIX : IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          sources->len ? "flux-2-pro-remix-image" :
          "flux-2-pro-text-to-image"), row, tbody, outcome);
  json_object_unref (tbody);
  task->bfl = TRUE;
  task->price_cents = price;
  task->bfl_cost = cost;
  /* the webhook carries the result object, signed with the secret */
  task->callback_json = webhook_json;
  task->callback_secret = json_object_has_member (body, "webhook_secret") ?
      g_strdup (json_object_get_string_member (body, "webhook_secret")) :
      NULL;
  task->callback_signature_header = "X-BFL-Signature";
  task->inputs = g_string_free (fields, FALSE);
  fields = NULL;
  task->inline_inputs = n_inline;
  task->seed = json_object_has_member (body, "seed") ?
      json_object_get_int_member (body, "seed") : -1;
  req->task_id = g_strdup (task->id);

  answer = json_object_new ();
  json_object_set_string_member (answer, "id", task->id);
  url = g_strdup_printf ("%s" EMU_BFL_PREFIX "get_result?id=%s", emu->base_url,
      task->id);
  json_object_set_string_member (answer, "polling_url", url);
  g_free (url);
  /* credits of 1 cent, with fractions, by the model table's formula */
  json_object_set_double_member (answer, "cost", cost);
  json_object_set_double_member (answer, "input_mp", in_mp);
  json_object_set_double_member (answer, "output_mp", out_mp);
  emu_request_reply_json (req, 200, emu_json_object_node (answer));

out:
  if (body)
    json_object_unref (body);
  if (errors)
    json_object_unref (errors);
  g_ptr_array_unref (sources);
  if (fields)
    g_string_free (fields, TRUE);
}

/* ---- result ---- */

/* The result object a poll answers and a webhook carries. */
static JsonNode *
task_json (EmuTask * task, gint64 now_us)
{
  JsonObject *obj = json_object_new ();
  const gchar *status = emu_bfl_status_name (task, now_us);

  json_object_set_string_member (obj, "id", task->id);
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
  return emu_json_object_node (obj);
}

static JsonNode *
webhook_json (gpointer task, gint64 now_us)
{
  return task_json (task, now_us);
}

static void
handle_get_result (EmuRequest * req, GHashTable * query)
{
  Emulator *emu = req->emu;
  const gchar *id = query ? g_hash_table_lookup (query, "id") : NULL;
  EmuTask *task = id ? g_hash_table_lookup (emu->tasks, id) : NULL;
  JsonObject *obj;

  if (id == NULL) {
    /* the id is a required query parameter */
    JsonObject *item = json_object_new ();
    JsonArray *loc = json_array_new (), *detail = json_array_new ();

    json_array_add_string_element (loc, "query");
    json_array_add_string_element (loc, "id");
    json_object_set_array_member (item, "loc", loc);
    json_object_set_string_member (item, "msg", "Field required");
    json_object_set_string_member (item, "type", "missing");
    json_array_add_object_element (detail, item);
    obj = json_object_new ();
    json_object_set_array_member (obj, "detail", detail);
    emu->stats.validation_failures++;
    emu_request_reply_json (req, 422, emu_json_object_node (obj));
    return;
  }
  if (task == NULL || !task->bfl) {
    obj = json_object_new ();
    json_object_set_string_member (obj, "id", id);
    json_object_set_string_member (obj, "status", "Task not found");
    emu_request_reply_json (req, 200, emu_json_object_node (obj));
    return;
  }
  task->polls++;
  req->task_id = g_strdup (task->id);
  emu_request_reply_json (req, 200, task_json (task, g_get_real_time ()));
}

/* @rest: the path under /v1/ */
void
emu_bfl_handle (EmuRequest * req, const gchar * rest, GHashTable * query)
{
  gboolean model = imagegen_models_find ("bfl",
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, rest) != NULL;
  gboolean poll = strcmp (rest, "get_result") == 0;

  req->auth = "none";
  if (!poll && !model) {
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
  if (emu_transport_faulted (req, poll ? EMU_STAGE_POLL : EMU_STAGE_CREATE))
    return;
  if (poll)
    handle_get_result (req, query);
  else
    handle_submit (req, rest);
}
