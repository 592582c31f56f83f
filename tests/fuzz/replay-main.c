/* Runs a fuzz target's LLVMFuzzerTestOneInput on every file of the
 * directories (or files) given, without libFuzzer: the corpus and the
 * crash inputs become ordinary regression tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-json.h"

#include <stdio.h>
#include <stdlib.h>

static guint
replay_file (const gchar * path)
{
  gchar *data = NULL;
  gsize len = 0;
  GError *error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error)) {
    g_printerr ("%s: %s\n", path, error->message);
    g_error_free (error);
    exit (1);
  }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  g_free (data);
  return 1;
}

static guint
replay (const gchar * path)
{
  GDir *dir;
  const gchar *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return replay_file (path);

  dir = g_dir_open (path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL) {
    gchar *file = g_build_filename (path, name, NULL);

    if (name[0] != '.' && g_file_test (file, G_FILE_TEST_IS_REGULAR))
      n += replay_file (file);
    g_free (file);
  }
  if (dir)
    g_dir_close (dir);
  return n;
}

int
main (int argc, char **argv)
{
  guint n = 0;
  int i;

  for (i = 1; i < argc; i++)
    if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
      n += replay (argv[i]);
  printf ("replayed %u inputs\n", n);
  return n > 0 ? 0 : 77;
}
