/* gst-imagegen tests: run tools/emulator as a child process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _ImagegenTestEmulator ImagegenTestEmulator;

/* Spawns $IMAGEGEN_EMULATOR --port 0 @extra_args and waits for its
 * "listening on" line.  Aborts the test when that fails. */
ImagegenTestEmulator *imagegen_test_emulator_start (const gchar *
    const *extra_args);

/* One request to the emulator, synchronous: @path below its base URL (or
 * a whole URL, e.g. on its assets origin), with
 * @headers (name, value…, NULL; may be NULL) and @body of @content_type
 * (both may be NULL).  Returns the answer's body and sets @status. */
GBytes *imagegen_test_emulator_request (ImagegenTestEmulator * emu,
    const gchar * method, const gchar * path, const gchar * const *headers,
    GBytes * body, const gchar * content_type, guint * status);

/* @bytes as a JSON object, or NULL. */
JsonObject *imagegen_test_json_object (GBytes * bytes);

/* SIGTERM, then SIGKILL if it does not exit within 5 s; frees @emu. */
void imagegen_test_emulator_stop (ImagegenTestEmulator * emu);

/* "http://127.0.0.1:PORT" (https with --tls-cert), owned by @emu. */
const gchar *imagegen_test_emulator_get_base_url (ImagegenTestEmulator * emu);

/* The assets origin, or NULL with --same-origin. */
const gchar *imagegen_test_emulator_get_assets_url (ImagegenTestEmulator *
    emu);

/* GET /emulator/stats (synchronous); NULL on failure.  Free with
 * json_object_unref(). */
JsonObject *imagegen_test_emulator_stats (ImagegenTestEmulator * emu);

/* stats["requests"][@name], -1 when missing. */
gint64 imagegen_test_emulator_stats_requests (JsonObject * stats,
    const gchar * name);

/* stats[@name] as an integer, -1 when missing. */
gint64 imagegen_test_emulator_stats_int (JsonObject * stats,
    const gchar * name);

/* stats["requests"][@name] read now, -1 when missing: how many requests
 * of that kind the emulator answered. */
gint64 imagegen_test_emulator_count (ImagegenTestEmulator * emu,
    const gchar * name);

/* stats[@name] read now, -1 when missing (e.g. "tasks_created"). */
gint64 imagegen_test_emulator_stat (ImagegenTestEmulator * emu,
    const gchar * name);

/* Waits until imagegen_test_emulator_count() reaches @min (a safety net of
 * 300 s, not a performance bound); returns the count. */
gint64 imagegen_test_emulator_wait_count (ImagegenTestEmulator * emu,
    const gchar * name, gint64 min);

/* Fails (aborts) unless the emulator's counts are as given: a name and
 * the count it must have (an int), each, NULL after the last; the names
 * are kinds of request (with @requests: stats["requests"]) or top-level
 * stats such as "tasks_created". */
void imagegen_test_emulator_assert_counts (ImagegenTestEmulator * emu,
    gboolean requests, const gchar * name, ...) G_GNUC_NULL_TERMINATED;
#define imagegen_test_assert_requests(emu, ...) \
  imagegen_test_emulator_assert_counts (emu, TRUE, __VA_ARGS__)
#define imagegen_test_assert_stats(emu, ...) \
  imagegen_test_emulator_assert_counts (emu, FALSE, __VA_ARGS__)

/* POST /emulator/fail with @spec (e.g. "create:500:1"). */
gboolean imagegen_test_emulator_fail (ImagegenTestEmulator * emu,
    const gchar * spec);

/* POST /emulator/release: completes the @n oldest tasks held by a
 * "task:held" fault; returns how many it released. */
guint imagegen_test_emulator_release (ImagegenTestEmulator * emu, guint n);

/* POST /emulator/reset: counters, tasks and faults cleared. */
gboolean imagegen_test_emulator_reset (ImagegenTestEmulator * emu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImagegenTestEmulator,
    imagegen_test_emulator_stop)

G_END_DECLS
