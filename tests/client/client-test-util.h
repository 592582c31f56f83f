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
  GPtrArray *log;               /* the client's log lines: "LEVEL message" */
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

/* An ImagegenLogFunc collecting into the TestWaiter given as user data. */
void test_waiter_log_cb (ImagegenLogLevel level, const gchar * file,
    const gchar * function, gint line, const gchar * message,
    gpointer user_data);
/* Lines of @level (-1: any) that contain @text. */
guint test_waiter_count_log (TestWaiter * w, gint level, const gchar * text);
/* Sends @config's log lines to @w. */
void test_config_log_to (ImagegenClientConfig * config, TestWaiter * w);

/* A config pointing at @emu with TEST_KEY and short backoff steps. */
void test_config_init (ImagegenClientConfig * config,
    ImagegenTestEmulator * emu);

/* Submits @request and waits for its result. */
ImagegenResult *test_run_job (ImagegenClient * client,
    const ImagegenRequest * request, TestWaiter * w);

/* A client of @config runs @request (NULL: a text-to-image request of
 * TEST_T2I_MODEL) and is freed; returns the result. */
ImagegenResult *test_run_config (const ImagegenClientConfig * config,
    const ImagegenRequest * request);

/* A remix of a small PNG through a direct upload (prepare, PUT, confirm)
 * against @emu; returns the result. */
ImagegenResult *test_run_direct_upload (ImagegenTestEmulator * emu);

/* A small valid PNG (RGB gradient, stored deflate). */
GBytes *test_make_png (guint width, guint height);

gboolean test_is_png (GBytes * bytes);
gboolean test_is_jpeg (GBytes * bytes);
/* The size a PNG or JPEG header states; FALSE for anything else. */
gboolean test_image_size (GBytes * image, guint * width, guint * height);

/* Waits until stats.requests[@name] >= @min; returns the value. */
gint64 test_wait_for_requests (ImagegenTestEmulator * emu,
    const gchar * name, gint64 min);

/* The server's own duration of task @task_id (completed_at_us -
 * created_at_us in /emulator/stats), -1 when unknown. */
gint64 test_task_duration_us (ImagegenTestEmulator * emu,
    const gchar * task_id);

/* The polls the emulator counted for task @task_id, -1 when unknown. */
gint64 test_task_polls (ImagegenTestEmulator * emu, const gchar * task_id);

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
