/* gst-imagegen client tests: shared helpers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"
#include "imagegen-test-fixture.h"

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

/* Of the requests that reached @emu's assets origin (results, files,
 * upload URLs), there were @n, and none carried a key. */
void test_assert_no_key_on_assets (ImagegenTestEmulator * emu, gint64 n);

/* Every row of @provider in the model table (but realtime ones) through
 * @client: text to image, or an edit with as many frames as the row takes,
 * each result @width x @height; then one frame more, refused from the row
 * before anything is sent.  Returns how many rows ran. */
guint test_run_every_row (ImagegenClient * client, TestWaiter * w,
    const gchar * provider, guint width, guint height);

/* A small valid PNG (RGB gradient, stored deflate). */
GBytes *test_make_png (guint width, guint height);

gboolean test_is_png (GBytes * bytes);
gboolean test_is_jpeg (GBytes * bytes);
/* The size a PNG or JPEG header states; FALSE for anything else. */
gboolean test_image_size (GBytes * image, guint * width, guint * height);

/* The server's own duration of task @task_id (completed_at_us -
 * created_at_us in /emulator/stats), -1 when unknown. */
gint64 test_task_duration_us (ImagegenTestEmulator * emu,
    const gchar * task_id);

/* The polls the emulator counted for task @task_id, -1 when unknown. */
gint64 test_task_polls (ImagegenTestEmulator * emu, const gchar * task_id);

/* Task creates are POSTs under this prefix. */
#define TEST_CREATE_PREFIX "/api/v1/flux_2/"

/* The fixture of the client tests: the emulator (and its log), a config
 * pointing at it whose log lines go to the waiter, and its client. */
typedef struct
{
  ImagegenTestFixture fx;
  ImagegenClientConfig config;  /* test_config_init()'s, to tweak */
  ImagegenClient *client;       /* NULL until test_fixture_client() */
  TestWaiter *w;
} TestFixture;

/* Starts the emulator as imagegen_test_fixture_start() does; the config
 * and the waiter are made, the client not yet. */
void test_fixture_start (TestFixture * f, gboolean logged,
    const gchar * const *args, const gchar * const *more_args);

/* The client of f->config, once the test has tweaked it. */
void test_fixture_client (TestFixture * f);

void test_fixture_stop (TestFixture * f);

/* One job against the emulator as a row of a table: its faults, its
 * config and what its result must be; rows name only what they need
 * (designated initializers).  test_add_job_cases() adds a test per row,
 * run by one body: the fixture, a text-to-image job, the checks the row
 * names, then its own @check. */
typedef struct _TestJobCase TestJobCase;

struct _TestJobCase
{
  const gchar *path;
  const gchar *args[8];         /* the emulator's */
  const gchar *const *more_args;        /* and more, filled in at run time */
  void (*tweak) (ImagegenClientConfig * config);        /* or NULL */
  guint max_retries;            /* these four, 0: the default */
  guint request_timeout_s;
  guint job_timeout_s;
  guint rate_limit_timeout_s;
  const gchar *model;           /* NULL: TEST_T2I_MODEL */
  const gchar *prompt;          /* NULL: "a quiet harbour" */
  const gchar *aspect_ratio;
  guint width, height;          /* 0: not set */
  gboolean ok;                  /* the job succeeds; else it fails with: */
  ImagegenClientError code;
  gboolean check_retries;       /* the result took @retries retries */
  guint retries;
  const gchar *prefix;          /* the message starts so (or NULL) */
  const gchar *exact;           /* the message, %s the task id (or NULL) */
  const gchar *contains[2];     /* in the message too */
  gint64 min_wait_ms;           /* since the job started: the client's own
                                 * deliberate wait */
  void (*check) (const TestJobCase * c, TestFixture * f, ImagegenResult * r);
};

#define TEST_RETRIES(n) .check_retries = TRUE, .retries = (n)

void test_add_job_cases (const TestJobCase * cases, guint n_cases);

/* g_test_init(), a test per row of @cases, then each test that follows as
 * a path and its function, NULL after the last; returns g_test_run(). */
int test_run_with_cases (int *argc, char ***argv, const TestJobCase * cases,
    guint n_cases, ...) G_GNUC_NULL_TERMINATED;

/* A check of a row: the result came from the emulator's assets origin,
 * which saw one request and no key, and no download carried the key. */
void test_check_assets_origin (const TestJobCase * c, TestFixture * f,
    ImagegenResult * r);

G_END_DECLS
