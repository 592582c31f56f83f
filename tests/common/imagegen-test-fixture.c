/* gst-imagegen tests: the one per-test fixture around the emulator, and
 * its request log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-test-fixture.h"

#include <glib/gstdio.h>

void
imagegen_test_fixture_start (ImagegenTestFixture * f, gboolean logged,
    const gchar * const *args, const gchar * const *more_args)
{
  GStrvBuilder *b = g_strv_builder_new ();
  GStrv all;

  f->log = logged ? imagegen_test_log_new () : NULL;
  if (f->log != NULL)
    g_strv_builder_add_many (b, "--log", f->log, NULL);
  if (args != NULL)
    g_strv_builder_addv (b, (const gchar **) args);
  if (more_args != NULL)
    g_strv_builder_addv (b, (const gchar **) more_args);
  all = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  f->emu = imagegen_test_emulator_start ((const gchar * const *) all);
  g_strfreev (all);
}

void
imagegen_test_fixture_stop (ImagegenTestFixture * f)
{
  g_clear_pointer (&f->emu, imagegen_test_emulator_stop);
  if (f->log != NULL)
    imagegen_test_log_remove (f->log);
  g_clear_pointer (&f->log, g_free);
}

ImagegenTestFixture *
imagegen_test_fixture_new (gboolean logged, const gchar * const *args,
    const gchar * const *more_args)
{
  ImagegenTestFixture *f = g_new0 (ImagegenTestFixture, 1);

  imagegen_test_fixture_start (f, logged, args, more_args);
  return f;
}

void
imagegen_test_fixture_free (ImagegenTestFixture * f)
{
  imagegen_test_fixture_stop (f);
  g_free (f);
}

gchar *
imagegen_test_log_new (void)
{
  gchar *dir = g_dir_make_tmp ("imagegen-test-XXXXXX", NULL);
  gchar *path;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "requests.log", NULL);
  g_free (dir);
  return path;
}

void
imagegen_test_log_remove (const gchar * path)
{
  gchar *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
  g_free (dir);
}

GPtrArray *
imagegen_test_read_log (const gchar * path)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_object_unref);
  gchar *text = NULL;
  GStrv split;
  guint i;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  split = g_strsplit (text, "\n", -1);
  for (i = 0; split[i]; i++) {
    JsonParser *p;

    if (*split[i] == '\0')
      continue;
    p = json_parser_new ();
    g_assert_true (json_parser_load_from_data (p, split[i], -1, NULL));
    g_ptr_array_add (lines,
        json_object_ref (json_node_get_object (json_parser_get_root (p))));
    g_object_unref (p);
  }
  g_strfreev (split);
  g_free (text);
  return lines;
}

GPtrArray *
imagegen_test_read_events (const gchar * path, const gchar * event)
{
  GPtrArray *lines = imagegen_test_read_log (path);
  guint i;

  for (i = lines->len; i > 0; i--) {
    JsonObject *line = g_ptr_array_index (lines, i - 1);

    if (g_strcmp0 (json_object_get_string_member_with_default (line, "event",
                ""), event) != 0)
      g_ptr_array_remove_index (lines, i - 1);
  }
  return lines;
}

GPtrArray *
imagegen_test_read_create_bodies (const gchar * path)
{
  GPtrArray *lines = imagegen_test_read_events (path, "create_body");
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)
      json_object_unref);
  guint i;

  for (i = 0; i < lines->len; i++)
    g_ptr_array_add (bodies, json_object_ref (json_object_get_object_member
            (g_ptr_array_index (lines, i), "body")));
  g_ptr_array_unref (lines);
  return bodies;
}

gboolean
imagegen_test_log_is (JsonObject * line, const gchar * method,
    const gchar * prefix)
{
  const gchar *path = json_object_get_string_member_with_default (line,
      "path", NULL);

  return g_strcmp0 (json_object_get_string_member_with_default (line,
          "method", NULL), method) == 0 && path
      && g_str_has_prefix (path, prefix);
}

int
imagegen_test_run (int *argc, char ***argv, ...)
{
  const gchar *path;
  va_list ap;

  g_test_init (argc, argv, NULL);
  va_start (ap, argv);
  while ((path = va_arg (ap, const gchar *)) != NULL)
    g_test_add_func (path, va_arg (ap, GTestFunc));
  va_end (ap);
  return g_test_run ();
}
