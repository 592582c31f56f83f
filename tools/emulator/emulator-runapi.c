/* imagegen-emulator: RunAPI's protocol (PROTOCOL.md, section 1) under
 * /api/v1/ — its route table, task create and poll, the account, and its
 * error bodies.  Bearer auth, the Files API and prices have files of their
 * own (emulator-runapi-auth.c, emulator-files.c, emulator-prices.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

#define COUNTER(name) G_STRUCT_OFFSET (EmuStats, name)

typedef struct
{
  /* under EMU_RUNAPI_PREFIX; NULL: a path of the model table */
  const gchar *path;
  const gchar *method;
  /* the fault stage it belongs to */
  EmuStage stage;
  /* prices need no key (RUNAPI-MODELS.md section 4) */
  gboolean key;
  /* its counter in EmuStats; -1: create_counter() of the path */
  glong counter;
  void (*handle) (EmuRequest * req);
} Route;

static void handle_create (EmuRequest * req);
static void handle_get_task (EmuRequest * req);
static void handle_me (EmuRequest * req);
static void handle_balance (EmuRequest * req);

static const Route fixed_routes[] = {
  {"files", "POST", EMU_STAGE_UPLOAD, TRUE, COUNTER (files),
      emu_files_handle_create},
  {"files/prepare", "POST", EMU_STAGE_UPLOAD, TRUE, COUNTER (files_prepare),
      emu_files_handle_prepare},
  {"files/confirm", "POST", EMU_STAGE_UPLOAD, TRUE, COUNTER (files_confirm),
      emu_files_handle_confirm},
  {"me", "GET", EMU_STAGE_ANY, TRUE, COUNTER (me), handle_me},
  {"me/balance", "GET", EMU_STAGE_ANY, TRUE, COUNTER (me), handle_balance},
  {"price_schedules", "GET", EMU_STAGE_ANY, FALSE, COUNTER (price_schedules),
      emu_prices_handle_schedules},
  {"price_quotes", "POST", EMU_STAGE_ANY, FALSE, COUNTER (price_quotes),
      emu_prices_handle_quote},
};

/* Every create path of the model table, and its task paths (create path
 * + "/" + id). */
static const Route create_route = { NULL, "POST", EMU_STAGE_CREATE, TRUE,
  -1, handle_create
};

static const Route poll_route = { NULL, "GET", EMU_STAGE_POLL, TRUE,
  COUNTER (get_task), handle_get_task
};

/* ---- error bodies ---- */

/* Codes of the {"error":{"code","message"}} shape.  request_conflict and
 * rate_limited are the service's; the others follow their pattern. */
static const gchar *
error_code (guint status)
{
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 402:
      return "insufficient_credits";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "request_conflict";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "validation_failed";
    case 429:
      return "rate_limited";
    case 503:
      return "no_capacity";
    default:
      return status >= 500 ? "server_error" : "client_error";
  }
}

/* {"error":"text"} or {"error":{"code","message"}} (--error-shape), with
 * "errors" on a 422. */
JsonNode *
emu_runapi_error_body (EmuRequest * req, guint status, const gchar * message,
    JsonObject * errors)
{
  EmuErrorShape shape = req->emu->error_shape;
  JsonObject *obj = json_object_new ();
  gboolean as_object = shape == EMU_ERROR_SHAPE_OBJECT
      || (shape == EMU_ERROR_SHAPE_SERVICE && (status == 409 || status == 429));

  if (as_object) {
    JsonObject *e = json_object_new ();

    json_object_set_string_member (e, "code", error_code (status));
    json_object_set_string_member (e, "message", message);
    json_object_set_object_member (obj, "error", e);
  } else {
    json_object_set_string_member (obj, "error", message);
  }
  if (errors)
    json_object_set_object_member (obj, "errors", errors);
  return emu_json_object_node (obj);
}

/* ---- handlers ---- */

/* An Idempotency-Key replay of a create: the task as it is now. */
static void
reply_replay (EmuRequest * req)
{
  EmuTask *task = g_hash_table_lookup (req->emu->tasks, req->task_id);
  JsonObject *obj;

  if (task) {
    emu_request_reply_json (req, 200, emu_task_create_answer (task,
            g_get_real_time (), TRUE));
    return;
  }
  obj = json_object_new ();
  json_object_set_string_member (obj, "id", req->task_id);
  json_object_set_string_member (obj, "status",
      emu_task_status_name (EMU_TASK_FAILED));
  json_object_set_boolean_member (obj, "task_replayed", TRUE);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

static void
handle_create (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *body = json_node_get_object (req->body);
  JsonObject *errors = json_object_new ();
  const ImagegenModelRow *row;
  EmuFaultKind outcome;
  EmuTask *task;
  guint price;

  emu_log_body (emu->log, req->path, req->body);
  if (!emu_task_validate (req->path, body, errors, &row)) {
    emu_request_reply_validation (req, errors);
    return;
  }
  json_object_unref (errors);

  if (emu->max_active > 0 && emu_tasks_count_active (emu) >= emu->max_active) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (req->msg), "Retry-After", "1");
    emu_request_reply_error (req, 429, "Too many active tasks");
    return;
  }
  price = emu_task_price_cents (row, body);
  if (!emu_tasks_affordable (emu, price)) {
    emu_request_reply_error (req, 402, "Insufficient credits");
    return;
  }

  outcome = emu_transport_take_task_fault (req);
  task = emu_task_create (emu, row, body, outcome);
  req->task_id = g_strdup (task->id);
  emu_request_remember (req, task->id, NULL);

  emu_request_reply_json (req, 200, emu_task_create_answer (task,
          g_get_real_time (), FALSE));
}

/* A task is polled at its own create path followed by its id. */
static void
handle_get_task (EmuRequest * req)
{
  const gchar *slash = strrchr (req->path, '/');
  g_autofree gchar *create_path = g_strndup (req->path, slash - req->path);
  EmuTask *task = g_hash_table_lookup (req->emu->tasks, slash + 1);

  if (task == NULL || strcmp (task->row->path, create_path) != 0) {
    emu_request_reply_error (req, 404, "Task not found");
    return;
  }
  task->polls++;
  req->task_id = g_strdup (task->id);
  emu_request_reply_json (req, 200, emu_task_to_json (task,
          g_get_real_time ()));
}

/* The SDK's type: {id (number), email, name, account:{id, name}} */
static void
handle_me (EmuRequest * req)
{
  JsonObject *obj = json_object_new ();
  JsonObject *account = json_object_new ();

  json_object_set_int_member (obj, "id", 1);
  json_object_set_string_member (obj, "email", "emulator@localhost");
  json_object_set_string_member (obj, "name", "imagegen-emulator");
  json_object_set_int_member (account, "id", 1);
  json_object_set_string_member (account, "name", "Emulator account");
  json_object_set_object_member (obj, "account", account);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

/* The SDK's type: {balance_cents, paid_balance_cents,
 * bonus_balance_cents, spent_cents_today, spent_cents_total} */
static void
handle_balance (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *obj = json_object_new ();
  gint64 total = emu->credits_cents >= 0 ? emu->credits_cents :
      EMU_UNLIMITED_BALANCE_CENTS;
  gint64 left = MAX (0, total - emu->charged_cents);

  json_object_set_int_member (obj, "balance_cents", left);
  json_object_set_int_member (obj, "paid_balance_cents", left);
  json_object_set_int_member (obj, "bonus_balance_cents", 0);
  /* the emulator's day is its process's life */
  json_object_set_int_member (obj, "spent_cents_today", emu->charged_cents);
  json_object_set_int_member (obj, "spent_cents_total", emu->charged_cents);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

/* ---- routing ---- */

/* How the stats count a create path: by the kinds of the model table's
 * rows at it (Flux Kontext's text_to_image also edits: text to image). */
static glong
create_counter (const gchar * path)
{
  const ImagegenModelRow *row;
  glong counter = COUNTER (create_remix);
  guint i;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    if (strcmp (row->path, path) != 0)
      continue;
    if (row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE)
      return COUNTER (create_text_to_image);
    if (row->kind == IMAGEGEN_KIND_REMOVE_BACKGROUND)
      counter = COUNTER (create_remove_background);
  }
  return counter;
}

/* The route of @path (@rest: the part under the prefix), or NULL. */
static const Route *
match (const gchar * path, const gchar * rest)
{
  g_autofree gchar *create_path = NULL;
  const gchar *slash;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fixed_routes); i++)
    if (strcmp (rest, fixed_routes[i].path) == 0)
      return &fixed_routes[i];
  if (imagegen_models_find_path (path) != NULL)
    return &create_route;
  slash = strrchr (path, '/');
  if (slash == NULL || slash[1] == '\0')
    return NULL;
  create_path = g_strndup (path, slash - path);
  return imagegen_models_find_path (create_path) != NULL ? &poll_route : NULL;
}

void
emu_runapi_handle (EmuRequest * req, const gchar * rest, GHashTable * query)
{
  const Route *route = match (req->path, rest);
  glong counter;

  req->auth = "none";
  /* the SDK's files resource shares "files" with the upload's POST */
  if (emu_sdk_files_claims (rest) && (route == NULL
          || strcmp (req->method, route->method) != 0)) {
    emu_sdk_files_handle (req, rest, query);
    return;
  }
  if (route == NULL) {
    emu_request_reply_error (req, 404, "Not found");
    return;
  }
  if (!emu_request_check_method (req, route->method))
    return;
  counter = route->counter >= 0 ? route->counter :
      create_counter (req->path);
  G_STRUCT_MEMBER (guint64, &req->emu->stats, counter)++;

  if (route->key && !emu_runapi_check_auth (req))
    return;
  if (emu_transport_faulted (req, route->stage))
    return;
  if (strcmp (route->method, "POST") == 0) {
    switch (emu_request_read_json (req)) {
      case EMU_BODY_ANSWERED:
        return;
      case EMU_BODY_REPLAY:
        reply_replay (req);
        return;
      case EMU_BODY_READ:
        break;
    }
  }
  route->handle (req);
}

/* Every word of a RunAPI path: the fixed routes' and the model table's
 * ("flux_2", "text_to_image", …). */
static gboolean
is_runapi_word (const gchar * word)
{
  const ImagegenModelRow *row;
  gboolean found = FALSE;
  guint i;

  for (i = 0; !found && i < G_N_ELEMENTS (fixed_routes); i++) {
    g_auto (GStrv) words = g_strsplit (fixed_routes[i].path, "/", -1);

    found = g_strv_contains ((const gchar * const *) words, word);
  }
  for (i = 0; !found && (row = imagegen_models_get (i)) != NULL; i++) {
    g_auto (GStrv) words = NULL;

    if (!g_str_has_prefix (row->path, EMU_RUNAPI_PREFIX))
      continue;
    words = g_strsplit (row->path + strlen (EMU_RUNAPI_PREFIX), "/", -1);
    found = g_strv_contains ((const gchar * const *) words, word);
  }
  return found;
}

/* A /v1/ path is RunAPI's when its first word is a word of RunAPI's own
 * paths (/v1/files, as a RunAPI SDK names it; /v1/text_to_image of older
 * catalogue pages); Black Forest Labs' paths name their models. */
gboolean
emu_runapi_claims (const gchar * rest)
{
  g_autofree gchar *word = g_strndup (rest, strcspn (rest, "/"));

  return *word != '\0' && is_runapi_word (word);
}
