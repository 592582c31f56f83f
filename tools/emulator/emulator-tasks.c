/* imagegen-emulator: task store, validation and lifecycle
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task is pending for the first 10 % of its latency (at most 500 ms),
 * then processing, then completed once its latency has elapsed AND its
 * image is rendered. Rendering starts at create on a worker thread, so a
 * completed task's download never waits; results come back to the main
 * context, the only thread that touches tasks and the server.
 */

#include "emulator.h"

#include <string.h>

typedef struct
{
  Emulator *emu;
  EmuTask *task;
  GBytes *source;
  GBytes *image;
  gchar *error;
} RenderJob;

static const struct
{
  const gchar *id;
  EmuEndpoint endpoint;
  const gchar *family;
} models[] = {
  {"flux-2-pro-text-to-image", EMU_ENDPOINT_TEXT_TO_IMAGE, "pro"},
  {"flux-2-flex-text-to-image", EMU_ENDPOINT_TEXT_TO_IMAGE, "flex"},
  {"flux-2-max-text-to-image", EMU_ENDPOINT_TEXT_TO_IMAGE, "max"},
  {"flux-2-pro-remix-image", EMU_ENDPOINT_REMIX_IMAGE, "pro"},
  {"flux-2-flex-remix-image", EMU_ENDPOINT_REMIX_IMAGE, "flex"},
  {"flux-2-max-remix-image", EMU_ENDPOINT_REMIX_IMAGE, "max"},
};

static const gchar *aspect_ratios[] = {
  "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", NULL
};

static const gchar *allowed_fields[] = {
  "model", "prompt", "aspect_ratio", "output_resolution",
  "source_image_urls", "enable_safety_checker", "output_count",
  "callback_url", NULL
};

/* the service's own fixture texts, word for word */
#define MSG_FAILED "Generation failed"
#define MSG_MODERATED "Content policy violation"

static const gchar *
model_family (const gchar * model, EmuEndpoint * endpoint)
{
  guint i;

  for (i = 0; model != NULL && i < G_N_ELEMENTS (models); i++) {
    if (strcmp (models[i].id, model) == 0) {
      if (endpoint)
        *endpoint = models[i].endpoint;
      return models[i].family;
    }
  }
  return NULL;
}

/* Catalogue prices; max is not confirmed (see --help). */
guint
emu_task_price_cents (const gchar * model, const gchar * resolution)
{
  const gchar *family = model_family (model, NULL);

  if (g_strcmp0 (model, EMU_REMOVE_BACKGROUND_MODEL) == 0)
    return 1;
  if (g_strcmp0 (family, "flex") == 0)
    return g_strcmp0 (resolution, "2k") == 0 ? 24 : 14;
  if (g_strcmp0 (family, "max") == 0)
    return 7;
  return 5;
}

static gboolean
node_is_string (JsonNode * node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_http_url (const gchar * s)
{
  GUri *uri;
  gboolean ok;

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
validate_source_urls (JsonObject * body, gboolean is_max, JsonObject * errors)
{
  JsonNode *node = json_object_get_member (body, "source_image_urls");
  JsonArray *arr;
  guint i, n;

  if (node == NULL) {
    emu_errors_add (errors, "source_image_urls", "is required");
    return;
  }
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    emu_errors_add (errors, "source_image_urls", "must be an array of URLs");
    return;
  }
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (is_max && n != 1)
    emu_errors_add (errors, "source_image_urls", "must contain exactly 1 URL");
  else if (n < 1 || n > 8)
    emu_errors_add (errors, "source_image_urls",
        "must contain between 1 and 8 URLs");
  for (i = 0; i < n; i++) {
    JsonNode *el = json_array_get_element (arr, i);

    if (!node_is_string (el) || !is_http_url (json_node_get_string (el))) {
      emu_errors_add (errors, "source_image_urls",
          "must contain only public http(s) URLs");
      break;
    }
  }
}

/* Fills @errors with every failing field; TRUE when there is none. */
gboolean
emu_task_validate (EmuEndpoint endpoint, JsonObject * body,
    JsonObject * errors)
{
  EmuEndpoint model_endpoint = endpoint;
  const gchar *family = NULL;
  gboolean is_max, remix = endpoint == EMU_ENDPOINT_REMIX_IMAGE;
  JsonNode *node;
  GList *members, *l;

  if (endpoint == EMU_ENDPOINT_REMOVE_BACKGROUND)
    return emu_background_validate (body, errors);
  members = json_object_get_members (body);
  for (l = members; l; l = l->next) {
    if (!g_strv_contains (allowed_fields, l->data))
      emu_errors_add (errors, l->data, "is not permitted");
  }
  g_list_free (members);

  node = json_object_get_member (body, "model");
  if (node == NULL)
    emu_errors_add (errors, "model", "is required");
  else if (!node_is_string (node))
    emu_errors_add (errors, "model", "must be a string");
  else if ((family = model_family (json_node_get_string (node),
              &model_endpoint)) == NULL)
    emu_errors_add (errors, "model", "is not included in the list");
  else if (model_endpoint != endpoint)
    emu_errors_add (errors, "model", "is not available on this endpoint");
  is_max = g_strcmp0 (family, "max") == 0;

  node = json_object_get_member (body, "prompt");
  if (node == NULL) {
    emu_errors_add (errors, "prompt", "is required");
  } else if (!node_is_string (node)) {
    emu_errors_add (errors, "prompt", "must be a string");
  } else {
    glong len = g_utf8_strlen (json_node_get_string (node), -1);

    if (len < 3)
      emu_errors_add (errors, "prompt",
          "is too short (minimum is 3 characters)");
    else if (len > 5000)
      emu_errors_add (errors, "prompt",
          "is too long (maximum is 5000 characters)");
  }

  node = json_object_get_member (body, "aspect_ratio");
  if (node == NULL) {
    if (is_max)
      emu_errors_add (errors, "aspect_ratio", "is required");
  } else if (!node_is_string (node)) {
    emu_errors_add (errors, "aspect_ratio", "must be a string");
  } else {
    const gchar *ar = json_node_get_string (node);

    if (strcmp (ar, "auto") == 0) {
      if (!remix || is_max)
        emu_errors_add (errors, "aspect_ratio",
            "auto is not allowed for this model");
    } else if (!g_strv_contains (aspect_ratios, ar)) {
      emu_errors_add (errors, "aspect_ratio", "is not included in the list");
    }
  }

  node = json_object_get_member (body, "output_resolution");
  if (node != NULL) {
    const gchar *res = node_is_string (node) ? json_node_get_string (node)
        : NULL;

    if (g_strcmp0 (res, "1k") != 0 && g_strcmp0 (res, "2k") != 0)
      emu_errors_add (errors, "output_resolution",
          "is not included in the list");
    else if (is_max && strcmp (res, "1k") != 0)
      emu_errors_add (errors, "output_resolution",
          "must be 1k for this model");
  }

  if (remix)
    validate_source_urls (body, is_max, errors);
  else if (json_object_has_member (body, "source_image_urls"))
    emu_errors_add (errors, "source_image_urls", "is not permitted");

  node = json_object_get_member (body, "enable_safety_checker");
  if (node != NULL) {
    if (is_max)
      emu_errors_add (errors, "enable_safety_checker", "is not permitted");
    else if (!JSON_NODE_HOLDS_VALUE (node)
        || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
      emu_errors_add (errors, "enable_safety_checker", "must be a boolean");
  }

  node = json_object_get_member (body, "output_count");
  if (node != NULL) {
    if (!is_max)
      emu_errors_add (errors, "output_count", "is not permitted");
    else if (!JSON_NODE_HOLDS_VALUE (node)
        || json_node_get_value_type (node) != G_TYPE_INT64
        || json_node_get_int (node) != 1)
      emu_errors_add (errors, "output_count", "must be 1");
  }

  node = json_object_get_member (body, "callback_url");
  if (node != NULL && (!node_is_string (node)
          || !is_http_url (json_node_get_string (node))))
    emu_errors_add (errors, "callback_url", "must be an http(s) URL");

  return json_object_get_size (errors) == 0;
}

EmuTask *
emu_task_ref (EmuTask * task)
{
  task->ref_count++;
  return task;
}

void
emu_task_unref (EmuTask * task)
{
  if (--task->ref_count > 0)
    return;
  g_free (task->id);
  g_free (task->model);
  g_free (task->prompt);
  g_free (task->aspect_ratio);
  g_free (task->resolution);
  g_strfreev (task->source_urls);
  g_free (task->callback_url);
  g_free (task->error);
  g_free (task->render_error);
  if (task->image)
    g_bytes_unref (task->image);
  g_free (task);
}

EmuTaskStatus
emu_task_status (EmuTask * task, gint64 now_us)
{
  if (task->terminal)
    return task->status;
  return now_us < task->pending_until_us ? EMU_TASK_PENDING :
      EMU_TASK_PROCESSING;
}

const gchar *
emu_task_status_name (EmuTaskStatus status)
{
  switch (status) {
    case EMU_TASK_PENDING:
      return "pending";
    case EMU_TASK_PROCESSING:
      return "processing";
    case EMU_TASK_COMPLETED:
      return "completed";
    case EMU_TASK_FAILED:
    default:
      return "failed";
  }
}

const gchar *
emu_task_result_extension (Emulator * emu)
{
  return emu->jpeg ? "jpg" : "png";
}

static void
add_string (JsonBuilder * b, const gchar * name, const gchar * value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_time (JsonBuilder * b, const gchar * name, gint64 us)
{
  gchar *s = emu_time_iso8601 (us);

  add_string (b, name, s);
  g_free (s);
}

/* billing: the reservation from create on; a settlement once completed,
 * a refund once failed (failed generations are not charged). */
static void
add_billing (JsonBuilder * b, EmuTask * task, EmuTaskStatus status)
{
  json_builder_set_member_name (b, "billing");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reservation");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "amount_cents");
  json_builder_add_int_value (b, task->price_cents);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "settlement");
  if (status == EMU_TASK_COMPLETED) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "charged_amount_cents");
    json_builder_add_int_value (b, task->price_cents);
    json_builder_set_member_name (b, "amount_micro_cents");
    json_builder_add_int_value (b, (gint64) task->price_cents * 1000000);
    json_builder_end_object (b);
  } else {
    json_builder_add_null_value (b);
  }
  json_builder_set_member_name (b, "refund");
  if (status == EMU_TASK_FAILED) {
    json_builder_begin_object (b);
    add_time (b, "refunded_at", task->ended_us);
    json_builder_end_object (b);
  } else {
    json_builder_add_null_value (b);
  }
  json_builder_end_object (b);
}

/* The create answer: id, status and the reservation, as the service's. */
JsonNode *
emu_task_create_answer (EmuTask * task, gint64 now_us, gboolean replayed)
{
  EmuTaskStatus status = emu_task_status (task, now_us);
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;

  json_builder_begin_object (b);
  add_string (b, "id", task->id);
  add_string (b, "status", emu_task_status_name (status));
  if (replayed) {
    json_builder_set_member_name (b, "task_replayed");
    json_builder_add_boolean_value (b, TRUE);
  }
  add_billing (b, task, status);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

JsonNode *
emu_task_to_json (EmuTask * task, gint64 now_us)
{
  EmuTaskStatus status = emu_task_status (task, now_us);
  gboolean ext = task->emu->task_extensions;
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;

  json_builder_begin_object (b);
  add_string (b, "id", task->id);
  add_string (b, "status", emu_task_status_name (status));
  /* not in any fixture: only on request, so no client comes to rely on
   * them */
  if (ext) {
    add_string (b, "model", task->model);
    add_string (b, "prompt", task->prompt);
  }
  if (status == EMU_TASK_COMPLETED) {
    gchar *url = g_strdup_printf ("%s/emulator/results/%s.%s",
        task->emu->assets_url, task->id,
        emu_task_result_extension (task->emu));

    json_builder_set_member_name (b, "images");
    json_builder_begin_array (b);
    json_builder_begin_object (b);
    add_string (b, "url", url);
    json_builder_end_object (b);
    json_builder_end_array (b);
    g_free (url);
  } else if (status == EMU_TASK_FAILED) {
    add_string (b, "error", task->error);
  }
  add_billing (b, task, status);
  if (ext) {
    add_time (b, "created_at", task->created_us);
    if (status == EMU_TASK_COMPLETED)
      add_time (b, "completed_at", task->completed_us);
  }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

static void
callback_sent (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Emulator *emu = user_data;
  GBytes *bytes;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), res,
      NULL);
  if (bytes)
    g_bytes_unref (bytes);
  emu->async_pending--;
}

/* Fire-and-forget webhook; it is not signed (the real scheme is not
 * public). */
static void
send_callback (EmuTask * task)
{
  Emulator *emu = task->emu;
  SoupMessage *msg;
  JsonNode *node;
  gchar *body;
  GBytes *bytes;

  if (task->callback_url == NULL || g_atomic_int_get (&emu->stopping))
    return;
  msg = soup_message_new ("POST", task->callback_url);
  if (msg == NULL)
    return;
  node = emu_task_to_json (task, g_get_real_time ());
  body = json_to_string (node, FALSE);
  json_node_unref (node);
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_bytes_unref (bytes);
  emu->async_pending++;
  soup_session_send_and_read_async (emu->session, msg, G_PRIORITY_DEFAULT,
      emu->cancellable, callback_sent, emu);
  g_object_unref (msg);
}

static void
task_fail (EmuTask * task, const gchar * error)
{
  task->terminal = TRUE;
  task->status = EMU_TASK_FAILED;
  task->ended_us = g_get_real_time ();
  task->error = g_strdup (error);
  task->emu->stats.tasks_failed++;
  emu_log_event (task->emu->log, "task_failed", task->id);
  send_callback (task);
}

static void
task_finish (EmuTask * task)
{
  Emulator *emu = task->emu;

  if (task->render_error) {
    task_fail (task, task->render_error);
    return;
  }
  task->terminal = TRUE;
  task->status = EMU_TASK_COMPLETED;
  task->completed_us = task->ended_us = g_get_real_time ();
  emu->charged_cents += task->price_cents;
  emu->stats.tasks_completed++;
  emu_log_event (emu->log, "task_completed", task->id);
  send_callback (task);
}

static gboolean
on_deadline (gpointer user_data)
{
  EmuTask *task = user_data;

  task->deadline_id = 0;
  task->deadline_passed = TRUE;
  if (task->outcome == EMU_FAULT_FAILED)
    task_fail (task, MSG_FAILED);
  else if (task->outcome == EMU_FAULT_MODERATED)
    task_fail (task, MSG_MODERATED);
  else if (task->rendered)
    task_finish (task);
  return G_SOURCE_REMOVE;
}

/* A held task completes now (or once its image is rendered). */
void
emu_task_release (EmuTask * task)
{
  task->outcome = EMU_FAULT_NONE;
  on_deadline (task);
}

static void
render_job_free (RenderJob * job)
{
  emu_task_unref (job->task);
  if (job->source)
    g_bytes_unref (job->source);
  if (job->image)
    g_bytes_unref (job->image);
  g_free (job->error);
  g_free (job);
}

/* Main thread: the worker (or a failed fetch) is done with @job. */
static gboolean
render_done (gpointer user_data)
{
  RenderJob *job = user_data;
  EmuTask *task = job->task;

  task->rendered = TRUE;
  task->image = g_steal_pointer (&job->image);
  task->render_error = g_steal_pointer (&job->error);
  if (task->deadline_passed && !task->terminal)
    task_finish (task);
  render_job_free (job);
  return G_SOURCE_REMOVE;
}

/* Worker thread: reads only the task's immutable fields. */
static void
render_worker (gpointer data, gpointer user_data)
{
  RenderJob *job = data;
  EmuTask *task = job->task;
  GError *err = NULL;

  if (g_atomic_int_get (&job->emu->stopping)) {
    job->error = g_strdup ("Emulator shutting down");
  } else if (task->endpoint == EMU_ENDPOINT_TEXT_TO_IMAGE) {
    guint w, h;

    emu_image_size (task->aspect_ratio, task->resolution, 0, 0, &w, &h);
    job->image = emu_image_draw_prompt (task->prompt, w, h, job->emu->jpeg,
        &err);
    if (job->image == NULL) {
      g_warning ("rendering task %s failed: %s", task->id, err->message);
      job->error = g_strdup (MSG_FAILED);
    }
  } else if (task->endpoint == EMU_ENDPOINT_REMOVE_BACKGROUND) {
    job->image = emu_image_remove_background (job->source, &err);
    if (job->image == NULL)
      job->error = g_strdup ("Could not decode source image");
  } else {
    job->image = emu_image_remix (job->source, task->aspect_ratio,
        task->resolution, job->emu->jpeg, &err);
    if (job->image == NULL)
      job->error = g_strdup ("Could not decode source image");
  }
  g_clear_error (&err);
  g_main_context_invoke (NULL, render_done, job);
}

static void
source_fetched (GObject * source, GAsyncResult * res, gpointer user_data)
{
  RenderJob *job = user_data;
  Emulator *emu = job->emu;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), res);
  guint status = msg ? soup_message_get_status (msg) : 0;

  job->source = soup_session_send_and_read_finish (SOUP_SESSION (source),
      res, NULL);
  emu->async_pending--;
  if (job->source == NULL || !SOUP_STATUS_IS_SUCCESSFUL (status)
      || g_atomic_int_get (&emu->stopping)) {
    job->error = g_strdup ("Could not fetch source image");
    render_done (job);
    return;
  }
  g_thread_pool_push (emu->render_pool, job, NULL);
}

static void
start_render (EmuTask * task)
{
  Emulator *emu = task->emu;
  RenderJob *job = g_new0 (RenderJob, 1);
  const gchar *url;
  EmuFile *file;
  SoupMessage *msg;

  job->emu = emu;
  job->task = emu_task_ref (task);
  if (task->endpoint == EMU_ENDPOINT_TEXT_TO_IMAGE) {
    g_thread_pool_push (emu->render_pool, job, NULL);
    return;
  }

  /* our own Files API space is read from memory, anything else over HTTP */
  url = task->source_urls[0];
  file = emu_files_lookup_url (emu, url);
  if (file != NULL) {
    job->source = g_bytes_ref (file->data);
    g_thread_pool_push (emu->render_pool, job, NULL);
    return;
  }
  msg = soup_message_new ("GET", url);
  if (msg == NULL) {
    job->error = g_strdup ("Could not fetch source image");
    render_done (job);
    return;
  }
  emu->async_pending++;
  soup_session_send_and_read_async (emu->session, msg, G_PRIORITY_DEFAULT,
      emu->cancellable, source_fetched, job);
  g_object_unref (msg);
}

static gchar *
dup_member (JsonObject * body, const gchar * name, const gchar * fallback)
{
  JsonNode *node = json_object_get_member (body, name);

  return g_strdup (node_is_string (node) ? json_node_get_string (node) :
      fallback);
}

EmuTask *
emu_task_create (Emulator * emu, EmuEndpoint endpoint, JsonObject * body,
    EmuFaultKind outcome)
{
  EmuTask *task = g_new0 (EmuTask, 1);
  JsonNode *node;

  task->ref_count = 1;
  task->emu = emu;
  task->id = g_uuid_string_random ();
  task->endpoint = endpoint;
  task->model = dup_member (body, "model", NULL);
  task->prompt = dup_member (body, "prompt", NULL);
  task->aspect_ratio = dup_member (body, "aspect_ratio", "1:1");
  task->resolution = dup_member (body, "output_resolution", "1k");
  task->callback_url = dup_member (body, "callback_url", NULL);
  node = json_object_get_member (body, "source_image_url");
  if (node_is_string (node)) {
    task->source_urls = g_new0 (gchar *, 2);
    task->source_urls[0] = g_strdup (json_node_get_string (node));
  }
  node = json_object_get_member (body, "source_image_urls");
  if (node && JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *arr = json_node_get_array (node);
    guint i, n = json_array_get_length (arr);

    task->source_urls = g_new0 (gchar *, n + 1);
    for (i = 0; i < n; i++)
      task->source_urls[i] = g_strdup (json_array_get_string_element (arr,
              i));
  }
  task->price_cents = emu_task_price_cents (task->model, task->resolution);
  task->outcome = outcome;

  /* a fixed seed makes latency draws repeatable from run to run */
  task->latency_ms = emu->latency_min_ms == emu->latency_max_ms ?
      emu->latency_min_ms : (guint) g_rand_int_range (emu->rand,
      emu->latency_min_ms, emu->latency_max_ms + 1);
  task->created_us = g_get_real_time ();
  task->pending_until_us = task->created_us +
      MIN ((gint64) task->latency_ms * 100, 500000);
  task->status = EMU_TASK_PENDING;

  g_hash_table_insert (emu->tasks, task->id, task);
  g_ptr_array_add (emu->stats_tasks, emu_task_ref (task));
  emu->stats.tasks_created++;

  if (outcome != EMU_FAULT_STUCK && outcome != EMU_FAULT_HELD)
    task->deadline_id = g_timeout_add (task->latency_ms, on_deadline, task);
  if (outcome == EMU_FAULT_NONE || outcome == EMU_FAULT_HELD)
    start_render (task);
  return task;
}

guint
emu_tasks_count_active (Emulator * emu)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, emu->tasks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((EmuTask *) value)->terminal)
      n++;
  return n;
}

gint64
emu_tasks_reserved_cents (Emulator * emu)
{
  GHashTableIter iter;
  gpointer value;
  gint64 n = 0;

  g_hash_table_iter_init (&iter, emu->tasks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((EmuTask *) value)->terminal)
      n += ((EmuTask *) value)->price_cents;
  return n;
}

void
emu_tasks_init (Emulator * emu)
{
  emu->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) emu_task_unref);
  emu->stats_tasks = g_ptr_array_new_with_free_func ((GDestroyNotify)
      emu_task_unref);
  emu->render_pool = g_thread_pool_new (render_worker, NULL,
      MAX (2, (gint) g_get_num_processors ()), FALSE, NULL);
}

/* Call with the server stopped and every async operation drained. */
void
emu_tasks_shutdown (Emulator * emu)
{
  GHashTableIter iter;
  gpointer value;

  g_atomic_int_set (&emu->stopping, 1);
  /* waits for the workers; queued jobs finish fast once stopping is set */
  g_thread_pool_free (emu->render_pool, FALSE, TRUE);
  emu->render_pool = NULL;
  while (g_main_context_iteration (NULL, FALSE));

  g_hash_table_iter_init (&iter, emu->tasks);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    EmuTask *task = value;

    if (task->deadline_id)
      g_source_remove (task->deadline_id);
    task->deadline_id = 0;
  }
  g_clear_pointer (&emu->stats_tasks, g_ptr_array_unref);
  g_clear_pointer (&emu->tasks, g_hash_table_unref);
}
