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
  GPtrArray *images;
  gchar *error;
} RenderJob;

/* the service's own fixture texts, word for word */
#define MSG_FAILED "Generation failed"
#define MSG_MODERATED "Content policy violation"

static gboolean
node_is_string (JsonNode * node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* The row of the model table a create at @path is for, and every failing
 * field in @errors, from the same table the client checks with; TRUE
 * when there is none. */
gboolean
emu_task_validate (const gchar * path, JsonObject * body,
    JsonObject * errors, const ImagegenModelRow ** row)
{
  JsonNode *node = json_object_get_member (body, "model");
  const gchar *model = node_is_string (node) ? json_node_get_string (node) :
      NULL;

  *row = imagegen_models_find_route (path, model, body);
  if (*row != NULL)
    return imagegen_model_validate (*row, body, errors);
  if (node == NULL)
    emu_errors_add (errors, "model", "is required");
  else if (model == NULL)
    emu_errors_add (errors, "model", "must be a string");
  else if (imagegen_models_find_any (model) != NULL)
    emu_errors_add (errors, "model", "is not available on this endpoint");
  else
    emu_errors_add (errors, "model", "is not included in the list");
  return FALSE;
}

/* The table's price; a row without a known price costs nothing here. */
guint
emu_task_price_cents (const ImagegenModelRow * row, JsonObject * body)
{
  return (guint) MAX (0, imagegen_model_price_cents (row, body, FALSE));
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
  g_free (task->output_format);
  g_strfreev (task->source_urls);
  g_free (task->inputs);
  g_free (task->fal_app);
  g_free (task->callback_url);
  g_free (task->callback_secret);
  g_free (task->error);
  g_free (task->render_error);
  g_clear_pointer (&task->images, g_ptr_array_unref);
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

/* The first image is <id>.<ext>, the others <id>_<index>.<ext>; the
 * extension follows the bytes (remove-background is PNG even with
 * --jpeg). */
gchar *
emu_task_result_url (EmuTask * task, guint index)
{
  GBytes *image = g_ptr_array_index (task->images, index);
  const gchar *ext = g_str_equal (imagegen_image_type_sniff (image), "image/jpeg")
      ? "jpg" : "png";

  if (index == 0)
    return g_strdup_printf ("%s/emulator/results/%s.%s",
        task->emu->assets_url, task->id, ext);
  return g_strdup_printf ("%s/emulator/results/%s_%u.%s",
      task->emu->assets_url, task->id, index, ext);
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

/* A task's object as the service answers it, opened: id and status */
static JsonBuilder *
begin_task (EmuTask * task, EmuTaskStatus status)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "id", task->id);
  add_string (b, "status", emu_task_status_name (status));
  return b;
}

static JsonNode *
end_task (JsonBuilder * b)
{
  JsonNode *root;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

/* The create answer: id, status and the reservation, as the service's. */
JsonNode *
emu_task_create_answer (EmuTask * task, gint64 now_us, gboolean replayed)
{
  EmuTaskStatus status = emu_task_status (task, now_us);
  JsonBuilder *b = begin_task (task, status);

  if (replayed) {
    json_builder_set_member_name (b, "task_replayed");
    json_builder_add_boolean_value (b, TRUE);
  }
  add_billing (b, task, status);
  return end_task (b);
}

JsonNode *
emu_task_to_json (EmuTask * task, gint64 now_us)
{
  EmuTaskStatus status = emu_task_status (task, now_us);
  gboolean ext = task->emu->task_extensions;
  JsonBuilder *b = begin_task (task, status);

  /* not in any fixture: only on request, so no client comes to rely on
   * them */
  if (ext) {
    add_string (b, "model", task->model);
    add_string (b, "prompt", task->prompt);
  }
  if (status == EMU_TASK_COMPLETED) {
    guint i;

    json_builder_set_member_name (b, task->row->result_field);
    json_builder_begin_array (b);
    for (i = 0; i < task->images->len; i++) {
      gchar *url = emu_task_result_url (task, i);

      json_builder_begin_object (b);
      add_string (b, "url", url);
      json_builder_end_object (b);
      g_free (url);
    }
    json_builder_end_array (b);
  } else if (status == EMU_TASK_FAILED) {
    add_string (b, "error", task->error);
  }
  add_billing (b, task, status);
  if (ext) {
    add_time (b, "created_at", task->created_us);
    if (status == EMU_TASK_COMPLETED)
      add_time (b, "completed_at", task->completed_us);
  }
  return end_task (b);
}

static void
callback_sent (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GBytes *bytes = emu_http_send_finish (user_data, res, NULL);

  if (bytes)
    g_bytes_unref (bytes);
}

/* Callbacks go to this machine only: a test must not post to the world. */
static gboolean
is_loopback (const gchar * url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const gchar *host = uri ? g_uri_get_host (uri) : NULL;
  g_autoptr (GInetAddress) addr = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

/* Fire-and-forget: the task object (RunAPI's callback_url, unsigned:
 * their scheme is not public), or what the provider that made the task
 * posts, signed as it signs (Black Forest Labs' webhook_url). */
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
  if (!is_loopback (task->callback_url)) {
    emu_log_event (emu->log, "callback_not_loopback", task->id);
    return;
  }
  msg = soup_message_new ("POST", task->callback_url);
  if (msg == NULL)
    return;
  node = task->callback_json ? task->callback_json (task, g_get_real_time ())
      : emu_task_to_json (task, g_get_real_time ());
  body = json_to_string (node, FALSE);
  json_node_unref (node);
  if (task->callback_secret && task->callback_signature_header) {
    g_autofree gchar *hex = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
        (const guchar *) task->callback_secret,
        strlen (task->callback_secret), body, -1);
    g_autofree gchar *sig = g_strconcat ("sha256=", hex, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        task->callback_signature_header, sig);
  }
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_bytes_unref (bytes);
  emu_http_send (emu, msg, callback_sent, emu);
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
  else if (task->outcome == EMU_FAULT_MODERATED
      || task->outcome == EMU_FAULT_REQUEST_MODERATED)
    task_fail (task, MSG_MODERATED);
  else if (task->rendered)
    task_finish (task);
  return G_SOURCE_REMOVE;
}

void
emu_task_cancel (EmuTask * task, const gchar * error)
{
  if (task->terminal)
    return;
  if (task->deadline_id)
    g_source_remove (task->deadline_id);
  task->deadline_id = 0;
  task->cancelled = TRUE;
  task_fail (task, error);
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
  g_clear_pointer (&job->images, g_ptr_array_unref);
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
  task->images = g_steal_pointer (&job->images);
  task->render_error = g_steal_pointer (&job->error);
  if (task->deadline_passed && !task->terminal)
    task_finish (task);
  render_job_free (job);
  return G_SOURCE_REMOVE;
}

/* The @index-th image of @task, as docs/emulator.md describes per kind. */
static GBytes *
render_one (RenderJob * job, guint index, GError ** error)
{
  EmuTask *task = job->task;
  /* a model's output_format wins over the emulator's own default */
  gboolean jpeg = task->output_format != NULL ?
      g_str_equal (task->output_format, "jpeg")
      || g_str_equal (task->output_format, "jpg") : job->emu->jpeg;
  guint w, h;

  if (job->emu->prerendered && (task->row->kind == IMAGEGEN_KIND_EDIT
          || task->row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE))
    return emu_image_prerendered (job->emu, task->aspect_ratio,
        task->resolution, error);
  switch (task->row->kind) {
    case IMAGEGEN_KIND_TEXT_TO_IMAGE:{
      /* each of several images shows its number, so they differ */
      g_autofree gchar *text = index == 0 ? g_strdup (task->prompt ?
          task->prompt : task->model) : g_strdup_printf ("%s #%u",
          task->prompt ? task->prompt : task->model, index + 1);

      w = task->width;
      h = task->height;
      if (w == 0 || h == 0)
        emu_image_size (task->aspect_ratio, task->resolution, 0, 0, &w, &h);
      return emu_image_draw_prompt (text, w, h, jpeg, error);
    }
    case IMAGEGEN_KIND_UPSCALE:
      return emu_image_upscale (job->source, task->upscale_factor, jpeg,
          error);
    case IMAGEGEN_KIND_REMOVE_BACKGROUND:
      return emu_image_remove_background (job->source, error);
    case IMAGEGEN_KIND_EDIT:
    default:
      if (task->width > 0 && task->height > 0)
        return emu_image_remix_sized (job->source, task->width, task->height,
            jpeg, error);
      return emu_image_remix (job->source, task->aspect_ratio,
          task->resolution, jpeg, error);
  }
}

/* Worker thread: reads only the task's immutable fields. */
static void
render_worker (gpointer data, gpointer user_data)
{
  RenderJob *job = data;
  EmuTask *task = job->task;
  GError *err = NULL;
  guint i;

  job->images = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  for (i = 0; i < task->n_images && job->error == NULL; i++) {
    GBytes *image;

    if (g_atomic_int_get (&job->emu->stopping)) {
      job->error = g_strdup ("Emulator shutting down");
      break;
    }
    image = render_one (job, i, &err);
    if (image == NULL) {
      g_warning ("rendering task %s failed: %s", task->id, err->message);
      job->error = g_strdup (task->row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE ?
          MSG_FAILED : "Could not decode source image");
      break;
    }
    g_ptr_array_add (job->images, image);
  }
  g_clear_error (&err);
  g_main_context_invoke (NULL, render_done, job);
}

static void
source_fetched (GObject * source, GAsyncResult * res, gpointer user_data)
{
  RenderJob *job = user_data;
  Emulator *emu = job->emu;

  job->source = emu_http_send_finish (emu, res, NULL);
  if (job->source == NULL || g_atomic_int_get (&emu->stopping)) {
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
  /* pre-rendered results do not depend on the source image */
  if (task->source_urls == NULL || task->source_urls[0] == NULL
      || (emu->prerendered && (task->row->kind == IMAGEGEN_KIND_TEXT_TO_IMAGE
              || task->row->kind == IMAGEGEN_KIND_EDIT))) {
    g_thread_pool_push (emu->render_pool, job, NULL);
    return;
  }

  /* our own Files API space is read from memory, anything else over HTTP */
  url = task->source_urls[0];
  /* Black Forest Labs takes images inline: base64, or a data: URI */
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url,
          "https://")) {
    const gchar *comma = g_str_has_prefix (url, "data:") ?
        strchr (url, ',') : NULL;
    gsize len;
    guchar *data = g_base64_decode (comma ? comma + 1 : url, &len);

    job->source = g_bytes_new_take (data, len);
    g_thread_pool_push (emu->render_pool, job, NULL);
    return;
  }
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
  emu_http_send (emu, msg, source_fetched, job);
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
emu_task_create (Emulator * emu, const ImagegenModelRow * row,
    JsonObject * body, EmuFaultKind outcome)
{
  EmuTask *task = g_new0 (EmuTask, 1);
  JsonNode *node;

  task->ref_count = 1;
  task->emu = emu;
  task->id = g_uuid_string_random ();
  task->row = row;
  task->model = dup_member (body, "model", NULL);
  task->prompt = dup_member (body, "prompt", NULL);
  task->aspect_ratio = dup_member (body, "aspect_ratio", "1:1");
  task->resolution = dup_member (body, "output_resolution", "1k");
  task->output_format = dup_member (body, "output_format", NULL);
  task->callback_url = dup_member (body, "callback_url", NULL);
  node = row->input_field ? json_object_get_member (body, row->input_field)
      : NULL;
  if (node && JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *arr = json_node_get_array (node);
    guint i, n = json_array_get_length (arr);

    task->source_urls = g_new0 (gchar *, n + 1);
    for (i = 0; i < n; i++)
      task->source_urls[i] = g_strdup (json_array_get_string_element (arr,
              i));
  } else if (node_is_string (node)) {
    task->source_urls = g_new0 (gchar *, 2);
    task->source_urls[0] = g_strdup (json_node_get_string (node));
  }
  /* recraft's crisp upscale names no factor: it doubles */
  task->upscale_factor = json_object_has_member (body, "upscale_factor") ?
      (guint) json_object_get_int_member (body, "upscale_factor") : 2;
  task->n_images = imagegen_model_output_count (body);
  task->price_cents = emu_task_price_cents (row, body);
  /* an exact size (Black Forest Labs' width and height) */
  node = json_object_get_member (body, "width");
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64)
    task->width = (guint) json_node_get_int (node);
  node = json_object_get_member (body, "height");
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64)
    task->height = (guint) json_node_get_int (node);
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

/* The unfinished tasks: how many, or with @cents what they reserve */
static gint64
tally_active (Emulator * emu, gboolean cents)
{
  GHashTableIter iter;
  gpointer value;
  gint64 n = 0;

  g_hash_table_iter_init (&iter, emu->tasks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((EmuTask *) value)->terminal)
      n += cents ? ((EmuTask *) value)->price_cents : 1;
  return n;
}

guint
emu_tasks_count_active (Emulator * emu)
{
  return (guint) tally_active (emu, FALSE);
}

/* Can the credit (--credits) pay @price_cents more, on top of what was
 * charged and what unfinished tasks hold? */
gboolean
emu_tasks_affordable (Emulator * emu, gint64 price_cents)
{
  return emu->credits_cents < 0 || emu->charged_cents +
      tally_active (emu, TRUE) + price_cents <= emu->credits_cents;
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
  emu_image_prerendered_clear (emu);
}
