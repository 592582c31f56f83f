/* gst-imagegen client tests: shared helpers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"
#include "imagegen-test-emulator.h"

G_BEGIN_DECLS

#define TEST_KEY "test-key-0123456789"
#define TEST_T2I_MODEL "flux-2-pro-text-to-image"
#define TEST_REMIX_MODEL "flux-2-pro-remix-image"

/* Collects done callbacks (and events) from the client thread. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GQueue results;
  GPtrArray *events;            /* "submitted", "completed", … */
} TestWaiter;

TestWaiter *test_waiter_new (void);
void test_waiter_free (TestWaiter * w);
void test_waiter_done_cb (ImagegenResult * result, gpointer user_data);
void test_waiter_event_cb (const gchar * event,
    const ImagegenResult * progress, gpointer user_data);
/* Waits (a safety net of 300 s, not a performance bound) for a result. */
ImagegenResult *test_waiter_pop (TestWaiter * w);
guint test_waiter_count (TestWaiter * w);
guint test_waiter_count_events (TestWaiter * w, const gchar * event);

/* A config pointing at @emu with TEST_KEY and short backoff steps. */
void test_config_init (ImagegenClientConfig * config,
    ImagegenTestEmulator * emu);

/* Submits @request and waits for its result. */
ImagegenResult *test_run_job (ImagegenClient * client,
    const ImagegenRequest * request, TestWaiter * w);

/* A small valid PNG (RGB gradient, stored deflate). */
GBytes *test_make_png (guint width, guint height);

gboolean test_is_png (GBytes * bytes);
gboolean test_is_jpeg (GBytes * bytes);

/* Waits until stats.requests[@name] >= @min; returns the value. */
gint64 test_wait_for_requests (ImagegenTestEmulator * emu,
    const gchar * name, gint64 min);

/* The server's own duration of task @task_id (completed_at_us -
 * created_at_us in /emulator/stats), -1 when unknown. */
gint64 test_task_duration_us (ImagegenTestEmulator * emu,
    const gchar * task_id);

/* A path for the emulator's --log in a fresh temporary directory;
 * test_log_remove() deletes both. */
gchar *test_log_new (void);
void test_log_remove (const gchar * path);

/* The lines of a --log file, each a JsonObject. */
GPtrArray *test_read_log (const gchar * path);

/* Is @line a request @method on a path starting with @prefix? */
gboolean test_log_is (JsonObject * line, const gchar * method,
    const gchar * prefix);

/* Task creates are POSTs under this prefix. */
#define TEST_CREATE_PREFIX "/api/v1/flux_2/"

G_END_DECLS
