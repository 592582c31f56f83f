/* gst-imagegen client: the poll history kept across processes, without
 * any network.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-poll-memory.h"

#include <glib/gstdio.h>
#include <string.h>

#define MS 1000                 /* microseconds */
#define MODEL "flux-2-pro-text-to-image"

typedef struct
{
  gchar *dir;
} Fixture;

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("poll-memory-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const gchar * path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      remove_tree (child);
    else
      g_unlink (child);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (path);
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

/* A fresh schedule fed from @dir's memory of MODEL. */
static ImagegenPollSchedule *
load_fresh (const gchar * dir)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  ImagegenPollMemory *m = imagegen_poll_memory_new (dir);

  imagegen_poll_memory_load (m, s, MODEL);
  imagegen_poll_memory_free (m);
  return s;
}

static void
write_file (const gchar * dir, const gchar * text, gssize len)
{
  ImagegenPollMemory *m = imagegen_poll_memory_new (dir);
  g_autofree gchar *path = imagegen_poll_memory_path (m, MODEL);
  GError *error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
  imagegen_poll_memory_free (m);
}

/* The text of @dir's file for MODEL. */
static gchar *
saved_text (const gchar * dir)
{
  ImagegenPollMemory *m = imagegen_poll_memory_new (dir);
  g_autofree gchar *path = imagegen_poll_memory_path (m, MODEL);
  gchar *text = NULL;

  imagegen_poll_memory_free (m);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A new schedule starts with the learned range, the first delay included;
 * the file holds nothing but the header and the observations. */
static void
test_round_trip (Fixture * f, gconstpointer data)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  ImagegenPollMemory *m = imagegen_poll_memory_new (f->dir);
  g_autofree gchar *text = NULL;
  GError *error = NULL;
  gint64 lo, hi;

  imagegen_poll_schedule_observe (s, MODEL, 1900 * MS, 2000 * MS);
  imagegen_poll_schedule_observe (s, MODEL, 2900 * MS, 3000 * MS);
  g_assert_true (imagegen_poll_memory_save (m, s, MODEL, &error));
  g_assert_no_error (error);
  imagegen_poll_schedule_free (s);
  imagegen_poll_memory_free (m);

  text = saved_text (f->dir);
  g_assert_cmpstr (text, ==, "gst-imagegen poll history 1\n"
      "1900000 2000000\n2900000 3000000\n");

  s = load_fresh (f->dir);
  g_assert_true (imagegen_poll_schedule_get_range (s, MODEL, &lo, &hi));
  g_assert_cmpint (lo, ==, 2000 * MS);
  g_assert_cmpint (hi, ==, 2900 * MS);
  /* learned, so the first poll waits for the window (0.95 x 2 s) */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, MODEL, 0), ==,
      1900);
  imagegen_poll_schedule_free (s);
}

/* Damaged or foreign files are ignored whole, and the next save replaces
 * them. */
static void
test_corrupt (Fixture * f, gconstpointer data)
{
  const gchar *bad[] = {
    "",
    "not ours\n1900000 2000000\n",
    "gst-imagegen poll history 1\n1900000\n",
    "gst-imagegen poll history 1\n1900000 2000000 7\n",
    "gst-imagegen poll history 1\n2000000 1900000\n",
    "gst-imagegen poll history 1\n-5 2000000\n",
    "gst-imagegen poll history 1\n1900000 2000000\n\n3 4\n",
    "gst-imagegen poll history 2\n1900000 2000000\n",
  };
  ImagegenPollSchedule *s;
  ImagegenPollMemory *m;
  GError *error = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    write_file (f->dir, bad[i], -1);
    s = load_fresh (f->dir);
    g_assert_false (imagegen_poll_schedule_get_range (s, MODEL, NULL, NULL));
    imagegen_poll_schedule_free (s);
  }
  /* a NUL byte inside */
  write_file (f->dir, "gst-imagegen poll history 1\n19\0 20\n", 35);
  s = load_fresh (f->dir);
  g_assert_false (imagegen_poll_schedule_get_range (s, MODEL, NULL, NULL));

  /* rewritten at the next save */
  m = imagegen_poll_memory_new (f->dir);
  imagegen_poll_schedule_observe (s, MODEL, 900 * MS, 1000 * MS);
  g_assert_true (imagegen_poll_memory_save (m, s, MODEL, &error));
  g_assert_no_error (error);
  imagegen_poll_memory_free (m);
  imagegen_poll_schedule_free (s);
  s = load_fresh (f->dir);
  g_assert_true (imagegen_poll_schedule_get_range (s, MODEL, NULL, NULL));
  imagegen_poll_schedule_free (s);
}

/* The file keeps the newest IMAGEGEN_POLL_SCHEDULE_HISTORY tasks; a longer
 * or oversized file is refused. */
static void
test_bound (Fixture * f, gconstpointer data)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  ImagegenPollMemory *m = imagegen_poll_memory_new (f->dir);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  GString *big;
  gint64 lo, hi;
  guint i;

  /* 100 tasks: the first 84 took 1 s, the last 16 took 5 s */
  for (i = 0; i < 100; i++)
    imagegen_poll_schedule_observe (s, MODEL,
        (i < 84 ? 900 : 4900) * MS, (i < 84 ? 1000 : 5000) * MS);
  g_assert_true (imagegen_poll_memory_save (m, s, MODEL, NULL));
  imagegen_poll_schedule_free (s);
  text = saved_text (f->dir);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==,
      1 + IMAGEGEN_POLL_SCHEDULE_HISTORY + 1);
  s = load_fresh (f->dir);
  g_assert_true (imagegen_poll_schedule_get_range (s, MODEL, &lo, &hi));
  g_assert_cmpint (lo, ==, 4900 * MS);
  g_assert_cmpint (hi, ==, 5000 * MS);
  imagegen_poll_schedule_free (s);

  /* 17 lines: not a file this code wrote */
  big = g_string_new ("gst-imagegen poll history 1\n");
  for (i = 0; i < IMAGEGEN_POLL_SCHEDULE_HISTORY + 1; i++)
    g_string_append (big, "900000 1000000\n");
  write_file (f->dir, big->str, big->len);
  s = load_fresh (f->dir);
  g_assert_false (imagegen_poll_schedule_get_range (s, MODEL, NULL, NULL));
  imagegen_poll_schedule_free (s);
  g_string_free (big, TRUE);
  imagegen_poll_memory_free (m);
}

/* IMAGEGEN_POLL_CACHE=0 turns the memory off; a path moves it; the
 * directory separates providers and hosts, never ports. */
static void
test_dir (Fixture * f, gconstpointer data)
{
  g_autofree gchar *a = NULL, *b = NULL, *c = NULL;

  g_setenv ("IMAGEGEN_POLL_CACHE", "0", TRUE);
  g_assert_null (imagegen_poll_memory_dir ("runapi", "https://runapi.ai"));

  g_setenv ("IMAGEGEN_POLL_CACHE", f->dir, TRUE);
  a = imagegen_poll_memory_dir ("runapi", "http://127.0.0.1:4001");
  b = imagegen_poll_memory_dir ("runapi", "http://127.0.0.1:4002");
  c = imagegen_poll_memory_dir ("runapi", "https://runapi.ai");
  g_assert_true (g_str_has_prefix (a, f->dir));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_true (g_str_has_suffix (c, "runapi@runapi.ai"));
  g_unsetenv ("IMAGEGEN_POLL_CACHE");
}

/* A model id cannot leave the directory. */
static void
test_model_name (Fixture * f, gconstpointer data)
{
  ImagegenPollMemory *m = imagegen_poll_memory_new (f->dir);
  g_autofree gchar *p1 = imagegen_poll_memory_path (m, "../../etc/passwd");
  g_autofree gchar *p2 = imagegen_poll_memory_path (m, "");
  g_autofree gchar *base1 = g_path_get_dirname (p1);
  g_autofree gchar *base2 = g_path_get_dirname (p2);

  g_assert_cmpstr (base1, ==, f->dir);
  g_assert_cmpstr (base2, ==, f->dir);
  imagegen_poll_memory_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/poll-memory/round-trip", Fixture, NULL, fixture_setup,
      test_round_trip, fixture_teardown);
  g_test_add ("/poll-memory/corrupt", Fixture, NULL, fixture_setup,
      test_corrupt, fixture_teardown);
  g_test_add ("/poll-memory/bound", Fixture, NULL, fixture_setup,
      test_bound, fixture_teardown);
  g_test_add ("/poll-memory/dir", Fixture, NULL, fixture_setup,
      test_dir, fixture_teardown);
  g_test_add ("/poll-memory/model-name", Fixture, NULL, fixture_setup,
      test_model_name, fixture_teardown);
  return g_test_run ();
}
