/* imagegen-emulator: request log, one JSON object per line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The log never receives the Authorization header or the key: callers only
 * pass an auth verdict ("ok", "missing", "invalid", "none").
 */

#include "emulator.h"

#include <errno.h>
#include <stdio.h>

struct _EmuLog
{
  FILE *fp;
};

EmuLog *
emu_log_open (const gchar * path, GError ** error)
{
  EmuLog *log;
  FILE *fp;

  fp = fopen (path, "a");
  if (fp == NULL) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot open log file '%s': %s", path, g_strerror (errno));
    return NULL;
  }
  log = g_new0 (EmuLog, 1);
  log->fp = fp;
  return log;
}

void
emu_log_close (EmuLog * log)
{
  if (log == NULL)
    return;
  fclose (log->fp);
  g_free (log);
}

static void
write_line (EmuLog * log, JsonBuilder * b)
{
  JsonNode *root;
  gchar *line;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  /* flushed per line so a test can read the log while we run */
  fprintf (log->fp, "%s\n", line);
  fflush (log->fp);
  g_free (line);
  json_node_unref (root);
  g_object_unref (b);
}

static void
add_opt_string (JsonBuilder * b, const gchar * name, const gchar * value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* A line's object, opened, with its time and @event (NULL: a request
 * line); NULL when there is no log */
static JsonBuilder *
begin_line (EmuLog * log, const gchar * event)
{
  JsonBuilder *b;

  if (log == NULL)
    return NULL;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "t_us");
  json_builder_add_int_value (b, g_get_real_time ());
  add_opt_string (b, "event", event);
  return b;
}

void
emu_log_request (EmuLog * log, const gchar * method, const gchar * path,
    guint status, const gchar * auth, const gchar * idempotency_key,
    const gchar * task_id, const gchar * fault)
{
  JsonBuilder *b = begin_line (log, NULL);

  if (b == NULL)
    return;
  add_opt_string (b, "method", method);
  add_opt_string (b, "path", path);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, status);
  add_opt_string (b, "auth", auth ? auth : "none");
  add_opt_string (b, "idempotency_key", idempotency_key);
  add_opt_string (b, "task_id", task_id);
  add_opt_string (b, "fault", fault);
  write_line (log, b);
}

void
emu_log_event (EmuLog * log, const gchar * event, const gchar * task_id)
{
  JsonBuilder *b = begin_line (log, event);

  if (b == NULL)
    return;
  add_opt_string (b, "task_id", task_id);
  write_line (log, b);
}

/* A create request's body, so that tests can check it field by field. */
void
emu_log_body (EmuLog * log, const gchar * path, JsonNode * body)
{
  JsonBuilder *b = begin_line (log, "create_body");

  if (b == NULL)
    return;
  /* not "path": that key marks request lines */
  add_opt_string (b, "create_path", path);
  json_builder_set_member_name (b, "body");
  json_builder_add_value (b, json_node_copy (body));
  write_line (log, b);
}

void
emu_log_fields (EmuLog * log, const gchar * event, JsonObject * fields)
{
  JsonBuilder *b = begin_line (log, event);
  GList *members, *l;

  if (b != NULL && fields != NULL) {
    members = json_object_get_members (fields);
    for (l = members; l; l = l->next) {
      json_builder_set_member_name (b, l->data);
      json_builder_add_value (b, json_node_copy (json_object_get_member
              (fields, l->data)));
    }
    g_list_free (members);
  }
  if (b != NULL)
    write_line (log, b);
  if (fields != NULL)
    json_object_unref (fields);
}
