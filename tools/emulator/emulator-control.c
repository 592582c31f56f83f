/* imagegen-emulator: runtime control under /emulator/ (no auth)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

static void
add_count (JsonBuilder * b, const gchar * name, guint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, (gint64) value);
}

static JsonNode *
stats_to_json (Emulator * emu)
{
  EmuStats *st = &emu->stats;
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;
  gint64 now = g_get_real_time ();
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "requests");
  json_builder_begin_object (b);
  add_count (b, "create_text_to_image", st->create_text_to_image);
  add_count (b, "create_remix", st->create_remix);
  add_count (b, "create_remove_background", st->create_remove_background);
  add_count (b, "get_task", st->get_task);
  add_count (b, "files", st->files);
  add_count (b, "files_prepare", st->files_prepare);
  add_count (b, "files_put", st->files_put);
  add_count (b, "files_confirm", st->files_confirm);
  add_count (b, "download", st->download);
  add_count (b, "me", st->me);
  add_count (b, "bfl_create", st->bfl_create);
  add_count (b, "bfl_get_result", st->bfl_get_result);
  add_count (b, "fal_submit", st->fal_submit);
  add_count (b, "fal_tasks", st->fal_tasks);
  add_count (b, "fal_status", st->fal_status);
  add_count (b, "fal_status_stream", st->fal_status_stream);
  add_count (b, "fal_result", st->fal_result);
  add_count (b, "fal_cancel", st->fal_cancel);
  add_count (b, "fal_tokens", st->fal_tokens);
  add_count (b, "fal_storage_initiate", st->fal_storage_initiate);
  add_count (b, "fal_storage_put", st->fal_storage_put);
  add_count (b, "fal_rt_connects", st->fal_rt_connects);
  add_count (b, "fal_rt_refused", st->fal_rt_refused);
  add_count (b, "fal_rt_frames", st->fal_rt_frames);
  add_count (b, "fal_rt_dropped", st->fal_rt_dropped);
  add_count (b, "fal_rt_results", st->fal_rt_results);
  add_count (b, "fal_rt_errors", st->fal_rt_errors);
  add_count (b, "fal_rt_unauthorized", st->fal_rt_unauthorized);
  add_count (b, "price_schedules", st->price_schedules);
  add_count (b, "price_quotes", st->price_quotes);
  json_builder_end_object (b);

  add_count (b, "tasks_created", st->tasks_created);
  add_count (b, "tasks_completed", st->tasks_completed);
  add_count (b, "tasks_failed", st->tasks_failed);
  add_count (b, "idempotent_replays", st->idempotent_replays);
  add_count (b, "charged_cents", (guint64) emu->charged_cents);
  add_count (b, "auth_failures", st->auth_failures);
  add_count (b, "validation_failures", st->validation_failures);
  add_count (b, "faults_fired", st->faults_fired);
  add_count (b, "download_requests_with_authorization",
      st->download_with_authorization);
  add_count (b, "upload_put_requests_with_authorization",
      st->upload_put_with_authorization);
  add_count (b, "assets_requests", st->assets_requests);
  add_count (b, "assets_requests_with_authorization",
      st->assets_with_authorization);
  /* realtime sockets ended, by close code: {"1000":N,…} */
  json_builder_set_member_name (b, "fal_rt_closes");
  json_builder_begin_object (b);
  for (i = 0; i < EMU_FAL_RT_CLOSE_CODES && st->fal_rt_closes[i].code; i++) {
    g_autofree gchar *code = g_strdup_printf ("%u", st->fal_rt_closes[i].code);

    add_count (b, code, st->fal_rt_closes[i].count);
  }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  for (i = 0; i < emu->stats_tasks->len; i++) {
    EmuTask *task = g_ptr_array_index (emu->stats_tasks, i);
    EmuTaskStatus status = emu_task_status (task, now);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "id");
    json_builder_add_string_value (b, task->id);
    json_builder_set_member_name (b, "model");
    json_builder_add_string_value (b, task->model);
    json_builder_set_member_name (b, "prompt");
    json_builder_add_string_value (b, task->prompt);
    json_builder_set_member_name (b, "status");
    json_builder_add_string_value (b, emu_task_status_name (status));
    add_count (b, "polls", task->polls);
    add_count (b, "latency_ms", task->latency_ms);
    json_builder_set_member_name (b, "created_at_us");
    json_builder_add_int_value (b, task->created_us);
    json_builder_set_member_name (b, "completed_at_us");
    json_builder_add_int_value (b, status == EMU_TASK_COMPLETED ?
        task->completed_us : 0);
    if (task->bfl) {
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, "bfl");
      json_builder_set_member_name (b, "bfl_status");
      json_builder_add_string_value (b, emu_bfl_status_name (task, now));
      add_count (b, "width", task->width);
      add_count (b, "height", task->height);
      json_builder_set_member_name (b, "inputs");
      json_builder_add_string_value (b, task->inputs ? task->inputs : "");
      add_count (b, "inline_inputs", task->inline_inputs);
      /* the submit answer's cost, fractions kept */
      json_builder_set_member_name (b, "cost");
      json_builder_add_double_value (b, task->bfl_cost);
    }
    if (task->fal) {
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, "fal");
      json_builder_set_member_name (b, "cancelled");
      json_builder_add_boolean_value (b, task->cancelled);
      add_count (b, "width", task->width);
      add_count (b, "height", task->height);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

static void
handle_fail (EmuRequest * req)
{
  gchar *spec = emu_request_body_text (req);
  GError *err = NULL;

  if (emu_faults_add (req->emu->faults, spec, &err)) {
    JsonObject *obj = json_object_new ();

    json_object_set_string_member (obj, "added", spec);
    emu_request_reply_json (req, 200, emu_json_object_node (obj));
  } else {
    emu_request_reply_error (req, 400, err->message);
    g_error_free (err);
  }
  g_free (spec);
}

/* Clears faults, counters, the stats task list and credits used. Tasks
 * stay fetchable so a client in the middle of a job is not broken. */
static void
handle_reset (EmuRequest * req)
{
  Emulator *emu = req->emu;
  JsonObject *obj = json_object_new ();

  g_ptr_array_set_size (emu->faults, 0);
  memset (&emu->stats, 0, sizeof (emu->stats));
  g_ptr_array_set_size (emu->stats_tasks, 0);
  emu->charged_cents = 0;

  json_object_set_boolean_member (obj, "reset", TRUE);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
}

static void
handle_stats (EmuRequest * req)
{
  emu_request_reply_json (req, 200, stats_to_json (req->emu));
}

static const struct
{
  const gchar *name;
  const gchar *method;
  void (*handle) (EmuRequest * req);
} routes[] = {
  {"fail", "POST", handle_fail},
  {"reset", "POST", handle_reset},
  {"release", "POST", emu_hold_handle_release},
  {"stats", "GET", handle_stats},
};

/* @what: the path under /emulator/ */
void
emu_control_handle (EmuRequest * req, const gchar * what, GHashTable * query)
{
  guint i;

  req->auth = "none";
  for (i = 0; i < G_N_ELEMENTS (routes); i++) {
    if (strcmp (what, routes[i].name) != 0)
      continue;
    if (emu_request_check_method (req, routes[i].method))
      routes[i].handle (req);
    return;
  }
  emu_request_reply_error (req, 404, "Not found");
}
