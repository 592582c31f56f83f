/* imagegen-emulator: fal's queue API (PROTOCOL-FAL.md, sections 1, 2 and
 * 4) at the root of the API origin, which stands for all of fal's hosts
 * at once: submit (POST /<model id>), status and its event stream, result
 * and cancel below /<owner>/<app>/requests/<id>, the storage upload
 * (/storage/upload/initiate, then a PUT on the assets origin) and the
 * token endpoint (/tokens/).  Tasks, rendering,
 * faults and results are the RunAPI side's; only the wire differs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "emulator.h"
#include "imagegen-fal-models.h"

#include <string.h>

/* the status stream looks at its task this often, and sends a comment
 * line every 15 s as fal's does */
#define STREAM_TICK_MS 20
#define STREAM_KEEPALIVE_TICKS (15000 / STREAM_TICK_MS)

typedef struct
{
  EmuTask *task;
  gchar *last;                  /* the status word last sent */
  guint ticks;
} FalStream;

/* ---- answers ---- */

/* fal's FastAPI bodies, Black Forest Labs' shape without its 429 extras */
JsonNode *
emu_fal_error_body (EmuRequest * req, guint status, const gchar * message,
    JsonObject * errors)
{
  return emu_detail_error_body (status, message, errors);
}

/* fal's 401 body is not confirmed: {"detail":"Unauthorized"} */
static gboolean
check_key (EmuRequest * req)
{
  return emu_request_check_key (req, "Authorization", "Key ",
      "Unauthorized", "Unauthorized");
}

static void
set_request_id (EmuRequest * req, const gchar * id)
{
  soup_message_headers_replace (soup_server_message_get_response_headers
      (req->msg), "x-fal-request-id", id);
  g_free (req->task_id);
  req->task_id = g_strdup (id);
}

/* "IN_QUEUE", "IN_PROGRESS" or "COMPLETED" (failures and cancels too) */
static const gchar *
status_word (EmuTask * task, gint64 now_us)
{
  switch (emu_task_status (task, now_us)) {
    case EMU_TASK_PENDING:
      return "IN_QUEUE";
    case EMU_TASK_PROCESSING:
      return "IN_PROGRESS";
    default:
      return "COMPLETED";
  }
}

static gchar *
request_url (EmuTask * task, const gchar * what)
{
  return g_strdup_printf ("%s" EMU_FAL_PREFIX "%s/requests/%s%s",
      task->emu->base_url, task->fal_app, task->id, what);
}

/* error_type of a failed task (fal's infrastructure categories) */
static const gchar *
error_type (EmuTask * task)
{
  if (task->cancelled)
    return "client_cancelled";
  return task->outcome == EMU_FAULT_MODERATED
      || task->outcome == EMU_FAULT_REQUEST_MODERATED ?
      "content_policy_violation" : "runner_server_error";
}

static JsonNode *
status_json (EmuTask * task, gint64 now_us)
{
  JsonObject *obj = json_object_new ();
  const gchar *word = status_word (task, now_us);
  gchar *url;

  json_object_set_string_member (obj, "status", word);
  json_object_set_string_member (obj, "request_id", task->id);
  url = request_url (task, "");
  json_object_set_string_member (obj, "response_url", url);
  g_free (url);
  url = request_url (task, "/status");
  json_object_set_string_member (obj, "status_url", url);
  g_free (url);
  url = request_url (task, "/cancel");
  json_object_set_string_member (obj, "cancel_url", url);
  g_free (url);
  if (strcmp (word, "IN_QUEUE") == 0)
    json_object_set_int_member (obj, "queue_position", 0);
  json_object_set_null_member (obj, "logs");
  if (strcmp (word, "COMPLETED") == 0) {
    JsonObject *metrics = json_object_new ();

    json_object_set_double_member (metrics, "inference_time",
        (task->ended_us - task->created_us) / (gdouble) G_USEC_PER_SEC);
    json_object_set_object_member (obj, "metrics", metrics);
  }
  if (task->terminal && task->status == EMU_TASK_FAILED) {
    json_object_set_string_member (obj, "error", task->error);
    json_object_set_string_member (obj, "error_type", error_type (task));
  }
  return emu_json_object_node (obj);
}

/* ---- submit ---- */

/* The body emu_task_create() reads: a RunAPI Flux row renders it at the
 * size asked (an edit without one keeps its first input's shape). */
static JsonObject *
task_body (const ImagegenModelRow * row, JsonObject * body)
{
  JsonObject *t = json_object_new ();
  JsonNode *inputs = row->input_field ? json_object_get_member (body,
      row->input_field) : NULL;
  JsonNode *size = json_object_get_member (body, "image_size");
  const ImagegenModelField *format = imagegen_model_row_field (row,
      "output_format");
  JsonArray *urls = json_array_new ();
  guint width = 0, height = 0, i;

  json_object_set_string_member (t, "model", row->model);
  json_object_set_string_member (t, "prompt",
      json_object_get_string_member_with_default (body, "prompt", ""));
  if (inputs && JSON_NODE_HOLDS_ARRAY (inputs))
    for (i = 0; i < json_array_get_length (json_node_get_array (inputs)); i++)
      json_array_add_string_element (urls,
          json_array_get_string_element (json_node_get_array (inputs), i));
  else if (inputs)
    json_array_add_string_element (urls, json_node_get_string (inputs));
  if (size && JSON_NODE_HOLDS_OBJECT (size)) {
    width = json_object_get_int_member (json_node_get_object (size), "width");
    height = json_object_get_int_member (json_node_get_object (size),
        "height");
  } else if (size == NULL && json_array_get_length (urls) == 0) {
    /* text to image: their default landscape_4_3 */
    imagegen_fal_preset_size ("landscape_4_3", &width, &height);
  } else if (size != NULL) {
    imagegen_fal_preset_size (json_node_get_string (size), &width, &height);
  }
  if (json_array_get_length (urls) > 0)
    json_object_set_string_member (t, "aspect_ratio", "auto");
  json_object_set_array_member (t, "source_image_urls", urls);
  json_object_set_int_member (t, "width", width);
  json_object_set_int_member (t, "height", height);
  json_object_set_string_member (t, "output_format",
      json_object_get_string_member_with_default (body, "output_format",
          format && format->default_value ? format->default_value : "jpeg"));
  return t;
}

static void
handle_submit (EmuRequest * req, const gchar * model)
{
  Emulator *emu = req->emu;
  g_autofree gchar *path = g_strconcat ("/", model, NULL);
  JsonObject *body = emu_request_parse_json (req), *tbody, *answer;
  g_autoptr (JsonObject) errors = json_object_new ();
  JsonNode *node;
  const ImagegenModelRow *row;
  g_auto (GStrv) parts = g_strsplit (model, "/", 3);
  EmuTask *task;
  guint price;

  if (body == NULL) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    return;
  }
  {
    JsonNode *logged = emu_json_object_node (json_object_ref (body));

    emu_log_body (emu->log, req->path, logged);
    json_node_unref (logged);
  }
  row = imagegen_models_find_route (path, model, body);
  if (row == NULL || row->realtime) {
    emu_request_reply_error (req, 404, row ? "This app is served over the "
        "realtime WebSocket only" : "Application not found");
    goto out;
  }
  if (!imagegen_model_validate (row, body, errors)) {
    emu_request_reply_validation (req, g_steal_pointer (&errors));
    goto out;
  }
  tbody = task_body (row, body);
  price = (guint) MAX (0, imagegen_model_price_cents (row, body, FALSE));
  if (!emu_tasks_affordable (emu, price)) {
    json_object_unref (tbody);
    emu_request_reply_error (req, 402, "Insufficient credits");
    goto out;
  }
  /* rendered as the Flux 2 rows of the model table render */
  task = emu_task_create (emu, imagegen_models_find (NULL,
          json_array_get_length (json_object_get_array_member (tbody,
                  "source_image_urls")) ? IMAGEGEN_ENDPOINT_REMIX :
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          json_array_get_length (json_object_get_array_member (tbody,
                  "source_image_urls")) ? "flux-2-pro-remix-image" :
          "flux-2-pro-text-to-image"), NULL, tbody,
      emu_transport_take_task_fault (req));
  json_object_unref (tbody);
  task->fal = TRUE;
  g_free (task->model);
  task->model = g_strdup (row->model);
  task->price_cents = price;
  task->fal_app = g_strdup_printf ("%s/%s", parts[0], parts[1]);
  emu->stats.fal_tasks++;
  set_request_id (req, task->id);

  node = status_json (task, g_get_real_time ());
  answer = json_node_get_object (node);
  /* the submit answer is always IN_QUEUE */
  json_object_set_string_member (answer, "status", "IN_QUEUE");
  json_object_set_int_member (answer, "queue_position", 0);
  json_object_remove_member (answer, "metrics");
  emu_request_reply_json (req, 200, node);

out:
  json_object_unref (body);
}

/* ---- status, stream, result, cancel ---- */

/* The task of <owner>/<app>/requests/<id>…: @rest with @what after the
 * id; NULL after answering 404. */
static EmuTask *
find_task (EmuRequest * req, const gchar * app, const gchar * id)
{
  EmuTask *task = g_hash_table_lookup (req->emu->tasks, id);

  if (task == NULL || !task->fal || g_strcmp0 (task->fal_app, app) != 0) {
    JsonObject *obj = json_object_new ();

    json_object_set_string_member (obj, "detail", "Request not found");
    emu_request_reply_json (req, 404, emu_json_object_node (obj));
    return NULL;
  }
  set_request_id (req, task->id);
  return task;
}

static void
stream_free (gpointer data)
{
  FalStream *s = data;

  emu_task_unref (s->task);
  g_free (s->last);
  g_free (s);
}

/* An event when the status word changed (a comment now and then); the
 * stream ends after COMPLETED. */
static gboolean
stream_tick (SoupMessageBody * body, gpointer data)
{
  FalStream *s = data;
  const gchar *word = status_word (s->task, g_get_real_time ());

  if (g_strcmp0 (word, s->last) != 0) {
    JsonNode *node = status_json (s->task, g_get_real_time ());
    gchar *json = json_to_string (node, FALSE);
    gchar *event = g_strdup_printf ("data: %s\n\n", json);

    soup_message_body_append (body, SOUP_MEMORY_TAKE, event, strlen (event));
    g_free (json);
    json_node_unref (node);
    g_free (s->last);
    s->last = g_strdup (word);
  } else if (++s->ticks % STREAM_KEEPALIVE_TICKS == 0) {
    soup_message_body_append (body, SOUP_MEMORY_STATIC, ": keep-alive\n\n",
        15);
  }
  return strcmp (word, "COMPLETED") == 0;
}

static void
handle_stream (EmuRequest * req, EmuTask * task)
{
  FalStream *s = g_new0 (FalStream, 1);
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);

  emu_request_set_status (req, 200);
  soup_message_headers_set_content_type (out, "text/event-stream", NULL);
  soup_message_headers_set_encoding (out, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (out, "Cache-Control", "no-cache");
  s->task = emu_task_ref (task);
  /* the first event at once */
  emu_request_stream (req, STREAM_TICK_MS, TRUE, stream_tick, s, stream_free);
}

/* The model's output; a failed request answers its error, as the model
 * returned it. */
static void
handle_result (EmuRequest * req, EmuTask * task)
{
  JsonObject *obj = json_object_new ();
  JsonArray *images = json_array_new ();
  guint i;

  if (!task->terminal) {
    json_object_unref (obj);
    json_array_unref (images);
    emu_request_reply_error (req, 400, "Request is still in progress");
    return;
  }
  if (task->status == EMU_TASK_FAILED) {
    json_object_unref (obj);
    json_array_unref (images);
    emu_request_reply_error (req, task->cancelled ? 499 :
        task->outcome == EMU_FAULT_MODERATED ||
        task->outcome == EMU_FAULT_REQUEST_MODERATED ? 422 : 500,
        task->error);
    return;
  }
  for (i = 0; i < task->images->len; i++) {
    JsonObject *image = json_object_new ();
    gchar *url = emu_task_result_url (task, i);
    GBytes *bytes = g_ptr_array_index (task->images, i);
    guint w, h;

    json_object_set_string_member (image, "url", url);
    json_object_set_string_member (image, "content_type",
        imagegen_image_type_sniff (bytes));
    if (emu_image_peek_size (bytes, &w, &h)) {
      json_object_set_int_member (image, "width", w);
      json_object_set_int_member (image, "height", h);
    }
    json_array_add_object_element (images, image);
    g_free (url);
  }
  json_object_set_array_member (obj, "images", images);
  json_object_set_int_member (obj, "seed", 35);
  json_object_set_string_member (obj, "prompt", task->prompt ?
      task->prompt : "");
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

/* 202 CANCELLATION_REQUESTED, or 400 ALREADY_COMPLETED */
static void
handle_cancel (EmuRequest * req, EmuTask * task)
{
  JsonObject *obj = json_object_new ();
  gboolean done = task->terminal;

  if (!done)
    emu_task_cancel (task, "Request cancelled");
  json_object_set_string_member (obj, "status", done ? "ALREADY_COMPLETED" :
      "CANCELLATION_REQUESTED");
  emu_request_reply_json (req, done ? 400 : 202, emu_json_object_node (obj));
}

/* @rest: <owner>/<app>/requests/<id>[/status[/stream]|/cancel] */
static void
handle_request (EmuRequest * req, gchar ** parts, guint n)
{
  Emulator *emu = req->emu;
  g_autofree gchar *app = g_strdup_printf ("%s/%s", parts[0], parts[1]);
  const gchar *what = n > 4 ? parts[4] : "";
  gboolean stream = n == 6 && strcmp (what, "status") == 0
      && strcmp (parts[5], "stream") == 0;
  const gchar *method = strcmp (what, "cancel") == 0 ? "PUT" : "GET";
  EmuFault fault = { 0, };
  EmuTask *task;

  if ((n == 5 && strcmp (what, "status") && strcmp (what, "cancel"))
      || (n == 6 && !stream) || n > 6) {
    emu_request_reply_error (req, 404, "Not Found");
    return;
  }
  if (!emu_request_check_method (req, method) || !check_key (req))
    return;
  if (stream)
    emu->stats.fal_status_stream++;
  else if (n == 4)
    emu->stats.fal_result++;
  else if (strcmp (what, "cancel") == 0)
    emu->stats.fal_cancel++;
  else
    emu->stats.fal_status++;
  if (emu_transport_check_fault (req, stream ? EMU_STAGE_FAL_STREAM :
          EMU_STAGE_POLL, &fault)) {
    emu_fault_clear (&fault);
    return;
  }
  emu_fault_clear (&fault);
  task = find_task (req, app, parts[3]);
  if (task == NULL)
    return;
  if (stream) {
    handle_stream (req, task);
  } else if (n == 4) {
    handle_result (req, task);
  } else if (strcmp (what, "cancel") == 0) {
    handle_cancel (req, task);
  } else {
    task->polls++;
    emu_request_reply_json (req, task->terminal ? 200 : 202,
        status_json (task, g_get_real_time ()));
  }
}

/* ---- storage and tokens ---- */

/* {"content_type","file_name"} -> {"upload_url","file_url"}; the bytes
 * come by PUT to the upload URL, on the assets origin, without a key. */
static void
handle_storage_initiate (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *body = emu_request_parse_json (req), *answer;
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  EmuFile *file;
  JsonNode *info;
  gchar *url;

  if (body == NULL) {
    emu_request_reply_error (req, 400, "Invalid JSON body");
    return;
  }
  emu->stats.fal_storage_initiate++;
  file = emu_files_store (emu, json_object_get_string_member_with_default
      (body, "file_name", NULL), json_object_get_string_member_with_default
      (body, "content_type", "application/octet-stream"), empty);
  json_object_unref (body);
  answer = json_object_new ();
  url = g_strdup_printf ("%s" EMU_FAL_UPLOADS "%s", emu->assets_url, file->id);
  json_object_set_string_member (answer, "upload_url", url);
  g_free (url);
  info = emu_file_to_json (emu, file);
  json_object_set_string_member (answer, "file_url",
      json_object_get_string_member (json_node_get_object (info), "url"));
  json_node_unref (info);
  emu_request_reply_json (req, 200, emu_json_object_node (answer));
}

/* {"allowed_apps":[alias],"token_expiration":s} -> a bare JSON string */
static void
handle_token (EmuRequest * req)
{
  JsonNode *token;
  JsonObject *body;
  gchar *uuid, *jwt;

  req->emu->stats.fal_tokens++;
  if (emu_transport_faulted (req, EMU_STAGE_FAL_TOKEN))
    return;
  body = emu_request_parse_json (req);
  token = json_node_new (JSON_NODE_VALUE);
  uuid = g_uuid_string_random ();
  jwt = g_strconcat ("emu-jwt-", uuid, NULL);
  emu_fal_rt_token_issued (req->emu, jwt, body);
  if (body)
    json_object_unref (body);
  json_node_set_string (token, jwt);
  emu_request_reply_json (req, 200, token);
  g_free (jwt);
  g_free (uuid);
}

void
emu_fal_handle_upload (EmuRequest * req, const gchar * id,
    GHashTable * query)
{
  EmuFile *file;

  if (!emu_request_check_method (req, "PUT"))
    return;
  req->emu->stats.fal_storage_put++;
  /* an upload URL lives on another host: the key must never go there */
  if (soup_message_headers_get_one (soup_server_message_get_request_headers
          (req->msg), "Authorization") != NULL) {
    req->emu->stats.upload_put_with_authorization++;
    emu_request_reply_error (req, 400,
        "Authorization header not allowed on upload URLs");
    return;
  }
  file = emu_files_lookup (req->emu, id);
  if (file == NULL) {
    emu_request_reply_error (req, 404, "Upload not found");
    return;
  }
  g_bytes_unref (file->data);
  file->data = soup_message_body_flatten (soup_server_message_get_request_body
      (req->msg));
  emu_request_reply_bytes (req, 200, NULL, NULL);
}

/* ---- routing ---- */

gboolean
emu_fal_claims (const gchar * rest)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", 4);
  const ImagegenModelRow *row = imagegen_models_find_any (rest);

  return strcmp (rest, "tokens/") == 0
      || strcmp (rest, "storage/upload/initiate") == 0
      || (g_strv_length (parts) >= 4 && strcmp (parts[2], "requests") == 0)
      || (row != NULL && strcmp (row->provider, "fal") == 0);
}

/* @rest: the path under EMU_FAL_PREFIX */
void
emu_fal_handle (EmuRequest * req, const gchar * rest, GHashTable * query)
{
  g_auto (GStrv) parts = g_strsplit (rest, "/", -1);
  guint n = g_strv_length (parts);
  EmuFault fault = { 0, };
  const ImagegenModelRow *row;

  req->auth = "none";
  if (strcmp (rest, "tokens/") == 0 || strcmp (rest,
          "storage/upload/initiate") == 0) {
    if (emu_request_check_method (req, "POST") && check_key (req)) {
      if (*rest == 't')
        handle_token (req);
      else
        handle_storage_initiate (req);
    }
    return;
  }
  if (n >= 4 && strcmp (parts[2], "requests") == 0) {
    handle_request (req, parts, n);
    return;
  }
  row = imagegen_models_find_any (rest);
  if (row == NULL || g_strcmp0 (row->provider, "fal")) {
    emu_request_reply_error (req, 404, "Application not found");
    return;
  }
  /* the handshake itself is libsoup's */
  if (row->realtime && emu_fal_rt_is_upgrade (req)) {
    emu_fal_rt_handle_upgrade (req, row, query);
    return;
  }
  if (!emu_request_check_method (req, "POST") || !check_key (req))
    return;
  req->emu->stats.fal_submit++;
  if (emu_transport_check_fault (req, EMU_STAGE_FAL_SUBMIT, &fault)
      || emu_transport_check_fault (req, EMU_STAGE_CREATE, &fault)) {
    emu_fault_clear (&fault);
    return;
  }
  emu_fault_clear (&fault);
  handle_submit (req, rest);
}
