/* gst-imagegen tests: the one per-test fixture around the emulator, and
 * its request log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-test-emulator.h"

G_BEGIN_DECLS

typedef struct
{
  ImagegenTestEmulator *emu;
  gchar *log;                   /* the emulator's --log file, or NULL */
} ImagegenTestFixture;

/* Starts the emulator with @args, then @more_args (either may be NULL);
 * with @logged, its requests go to a fresh f->log too. */
void imagegen_test_fixture_start (ImagegenTestFixture * f, gboolean logged,
    const gchar * const *args, const gchar * const *more_args);

/* Stops the emulator and removes its log. */
void imagegen_test_fixture_stop (ImagegenTestFixture * f);

/* The same, allocated; imagegen_test_fixture_free() stops and frees it. */
ImagegenTestFixture *imagegen_test_fixture_new (gboolean logged,
    const gchar * const *args, const gchar * const *more_args);
void imagegen_test_fixture_free (ImagegenTestFixture * f);

/* A path for the emulator's --log in a fresh temporary directory;
 * imagegen_test_log_remove() deletes both. */
gchar *imagegen_test_log_new (void);
void imagegen_test_log_remove (const gchar * path);

/* The lines of a --log file, each a JsonObject. */
GPtrArray *imagegen_test_read_log (const gchar * path);

/* The lines of a --log file whose "event" is @event, oldest first. */
GPtrArray *imagegen_test_read_events (const gchar * path,
    const gchar * event);

/* The create bodies a --log file holds (its "create_body" lines' "body"),
 * oldest first, each a JsonObject. */
GPtrArray *imagegen_test_read_create_bodies (const gchar * path);

/* Is @line a request @method on a path starting with @prefix? */
gboolean imagegen_test_log_is (JsonObject * line, const gchar * method,
    const gchar * prefix);

/* g_test_init(), then each test that follows as a path and its function,
 * NULL after the last; returns g_test_run(). */
int imagegen_test_run (int *argc, char ***argv, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
