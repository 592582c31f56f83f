/* gst-imagegen: the poll schedule's history, kept across processes.
 *
 * One text file per model: a header line, then one "lower_us upper_us"
 * line per observed task, oldest first, at most
 * IMAGEGEN_POLL_SCHEDULE_HISTORY of them.  Files larger than a few KiB,
 * with another header or with a bad line are ignored whole (and replaced
 * at the next save): a guess from a damaged file is worse than none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-poll-memory.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define HEADER "gst-imagegen poll history 1"
/* header + 16 lines of two 20-digit numbers, with room to spare */
#define MAX_FILE_BYTES 4096
/* A task of more than a day is not a duration worth learning. */
#define MAX_DURATION_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

struct _ImagegenPollMemory
{
  gchar *dir;
  GHashTable *loaded;           /* model ids already fed to a schedule */
};

/* A file or directory name from @s: letters, digits, '.', '-' and '_'
 * kept, anything else '_', never "" or starting with '.'. */
static gchar *
safe_name (const gchar * s)
{
  GString *name = g_string_new ("");

  for (; s && *s; s++)
    g_string_append_c (name, g_ascii_isalnum (*s) || *s == '-' || *s == '_'
        || *s == '.' ? *s : '_');
  if (name->len == 0 || name->str[0] == '.')
    g_string_prepend_c (name, '_');
  return g_string_free (name, FALSE);
}

gchar *
imagegen_poll_memory_dir (const gchar * provider, const gchar * base_url)
{
  const gchar *env = g_getenv ("IMAGEGEN_POLL_CACHE");
  g_autoptr (GUri) uri = base_url ? g_uri_parse (base_url, G_URI_FLAGS_NONE,
      NULL) : NULL;
  g_autofree gchar *root = NULL, *sub = NULL, *host = NULL;

  if (env && g_str_equal (env, "0"))
    return NULL;
  if (env && g_path_is_absolute (env))
    root = g_strdup (env);
  else
    root = g_build_filename (g_get_user_cache_dir (), "gst-imagegen", "poll",
        NULL);
  host = safe_name (uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : "");
  sub = g_strdup_printf ("%s@%s", provider, host);
  return g_build_filename (root, sub, NULL);
}

ImagegenPollMemory *
imagegen_poll_memory_new (const gchar * dir)
{
  ImagegenPollMemory *m = g_new0 (ImagegenPollMemory, 1);

  m->dir = g_strdup (dir);
  m->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return m;
}

void
imagegen_poll_memory_free (ImagegenPollMemory * m)
{
  if (m == NULL)
    return;
  g_hash_table_unref (m->loaded);
  g_free (m->dir);
  g_free (m);
}

gchar *
imagegen_poll_memory_path (ImagegenPollMemory * m, const gchar * model)
{
  g_autofree gchar *name = NULL;

  if (m == NULL || m->dir == NULL)
    return NULL;
  name = safe_name (model);
  return g_build_filename (m->dir, name, NULL);
}

/* Parses @text into the arrays; FALSE when any part of it is not ours. */
static gboolean
parse_history (const gchar * text, gint64 * lower, gint64 * upper,
    guint * count)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint i, n = 0;

  if (lines[0] == NULL || !g_str_equal (lines[0], HEADER))
    return FALSE;
  for (i = 1; lines[i] != NULL; i++) {
    gchar *end;
    gint64 lo, hi;

    if (lines[i][0] == '\0' && lines[i + 1] == NULL)
      break;                    /* the final newline */
    if (n == IMAGEGEN_POLL_SCHEDULE_HISTORY)
      return FALSE;
    lo = g_ascii_strtoll (lines[i], &end, 10);
    if (end == lines[i] || *end != ' ')
      return FALSE;
    hi = g_ascii_strtoll (end + 1, &end, 10);
    if (*end != '\0' || lo < 0 || hi < lo || hi > MAX_DURATION_US)
      return FALSE;
    lower[n] = lo;
    upper[n] = hi;
    n++;
  }
  *count = n;
  return TRUE;
}

void
imagegen_poll_memory_load (ImagegenPollMemory * m, ImagegenPollSchedule * s,
    const gchar * model)
{
  g_autofree gchar *path = NULL, *text = NULL;
  gint64 lower[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  gint64 upper[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  gsize len = 0;
  guint i, n = 0;

  if (m == NULL || m->dir == NULL
      || g_hash_table_contains (m->loaded, model ? model : ""))
    return;
  g_hash_table_add (m->loaded, g_strdup (model ? model : ""));

  path = imagegen_poll_memory_path (m, model);
  if (!g_file_get_contents (path, &text, &len, NULL) || len > MAX_FILE_BYTES
      || memchr (text, '\0', len) != NULL
      || !parse_history (text, lower, upper, &n))
    return;
  for (i = 0; i < n; i++)
    imagegen_poll_schedule_observe (s, model, lower[i], upper[i]);
}

gboolean
imagegen_poll_memory_save (ImagegenPollMemory * m, ImagegenPollSchedule * s,
    const gchar * model, GError ** error)
{
  g_autofree gchar *path = NULL;
  gint64 lower[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  gint64 upper[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  GString *text;
  guint i, n;
  gboolean ok;

  if (m == NULL || m->dir == NULL)
    return TRUE;
  n = imagegen_poll_schedule_history (s, model, lower, upper);
  if (n == 0)
    return TRUE;

  if (g_mkdir_with_parents (m->dir, 0700) != 0) {
    int errsv = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
        "cannot create %s: %s", m->dir, g_strerror (errsv));
    return FALSE;
  }
  text = g_string_new (HEADER "\n");
  for (i = 0; i < n; i++)
    g_string_append_printf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT
        "\n", lower[i], upper[i]);
  path = imagegen_poll_memory_path (m, model);
  /* g_file_set_contents writes a temporary file and renames it, so a
   * reader sees the old file or the new one, never half of one. */
  ok = g_file_set_contents_full (path, text->str, text->len,
      G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  g_string_free (text, TRUE);
  return ok;
}
