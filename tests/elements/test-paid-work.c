/* gst-imagegen: paid work is never thrown away, and job-timeout is a
 * promise (issue 21, items 4 and 11), against the emulator's records.
 *
 * A run stopped (set to NULL) while its task is in flight leaves the task
 * noted in cache-dir; the same request in a later run polls that task
 * instead of paying for it again, or creates it anew when the service no
 * longer has it.  A job held by 429s fails at its job-timeout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define PROMPT "a lighthouse at dusk, oil painting"
#define SINK_CAPS "video/x-raw,format=RGBA,width=128,height=128"

/* A one-image imagegensrc of PROMPT with @cache_dir, posting on @bus;
 * @model NULL: the default (RunAPI). */
static GstHarness *
src_harness (ImagegenTestEmulator * emu, const gchar * cache_dir,
    const gchar * model, GstBus * bus)
{
  GstHarness *h = gst_harness_new ("imagegensrc");

  element_test_point_at (h->element, emu);
  g_object_set (h->element, "prompt", PROMPT, "poll-interval", 50,
      "poll-max-interval", 200, "num-images", 1, "cache-dir", cache_dir, NULL);
  if (model != NULL)
    g_object_set (h->element, "model", model, NULL);
  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h, SINK_CAPS);
  return h;
}

/* Queued messages hold the element, which holds @bus: dropped first. */
static void
teardown (GstHarness * h, GstBus * bus)
{
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
}

/* The task id of the next imagegen-task message with @event (hang guard:
 * a minute); fails the test on an error. */
static gchar *
wait_task_event (GstBus * bus, const gchar * event, gint * cost_cents)
{
  gchar *task_id = NULL;

  while (task_id == NULL) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    const GstStructure *s;

    fail_unless (msg != NULL, "no \"%s\" task message", event);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;

      gst_message_parse_error (msg, &err, NULL);
      fail ("error instead of \"%s\": %s", event, err->message);
    }
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "imagegen-task")
        && g_strcmp0 (gst_structure_get_string (s, "event"), event) == 0) {
      task_id = g_strdup (gst_structure_get_string (s, "task-id"));
      if (cost_cents != NULL)
        fail_unless (gst_structure_get_int (s, "cost-cents", cost_cents));
    }
    gst_message_unref (msg);
  }
  return task_id;
}

/* Files in @dir whose names end with @suffix. */
static guint
count_files (const gchar * dir, const gchar * suffix)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_suffix (name, suffix);
  if (d != NULL)
    g_dir_close (d);
  return n;
}

/* The first run: its task is created (and held), then the run is stopped
 * before it ends.  Returns the task id. */
static gchar *
stopped_run (ImagegenTestEmulator * emu, const gchar * cache_dir,
    const gchar * model)
{
  GstBus *bus = gst_bus_new ();
  GstHarness *h = src_harness (emu, cache_dir, model, bus);
  gchar *task_id;

  gst_harness_play (h);
  task_id = wait_task_event (bus, "submitted", NULL);
  /* noted before the create's answer goes any further */
  fail_unless_equals_int (count_files (cache_dir, ".imagegen-pending"), 1);
  teardown (h, bus);
  gst_object_unref (bus);
  return task_id;
}

/* The second run's image: PROMPT's picture, from the task it reports
 * completed (@task_id, @cost_cents). */
static void
pull_prompt_image (GstHarness * h, GstBus * bus, gchar ** task_id,
    gint * cost_cents)
{
  GstBuffer *buf;
  guint8 px[4], want[3];
  gint i;

  *task_id = wait_task_event (bus, "completed", cost_cents);
  buf = gst_harness_pull (h);
  fail_unless (buf != NULL);
  gst_buffer_extract (buf, 0, px, 4);
  element_test_prompt_colour (PROMPT, 0.0, want);
  for (i = 0; i < 3; i++)
    fail_unless (ABS ((gint) px[i] - (gint) want[i]) <= 8,
        "channel %d is %u, expected %u: not the prompt's picture", i, px[i],
        want[i]);
  gst_buffer_unref (buf);
}

/* The end of a test: @bus unreffed, the cache @dir removed, and the
 * strings that follow (NULL after the last) freed. */
static void
paid_end (GstBus * bus, gchar * dir, ...)
{
  gchar *command = g_strdup_printf ("rm -rf '%s'", dir);
  gchar *text;
  va_list ap;

  fail_unless (system (command) == 0);
  g_free (command);
  g_free (dir);
  gst_object_unref (bus);
  va_start (ap, dir);
  while ((text = va_arg (ap, gchar *)) != NULL)
    g_free (text);
  va_end (ap);
}

/* Stopped while its task runs, then the same request again: 0 new
 * creates, the first run's task polled and its result downloaded. */
static void
check_resumed (const gchar * model, const gchar * create, const gchar * poll)
{
  const gchar *args[] = { "--latency", "200", "--fail", "task:held", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *dir = g_dir_make_tmp ("imagegen-paid-XXXXXX", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *first, *resumed, *done;
  gint64 polls_before;
  gint cost = -1;
  GstHarness *h;
  GstStructure *stats;
  guint n_resumed = 0;

  first = stopped_run (emu, dir, model);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, create), 1);
  polls_before = imagegen_test_emulator_count (emu, poll);

  h = src_harness (emu, dir, model, bus);
  gst_harness_play (h);
  resumed = wait_task_event (bus, "resumed", NULL);
  fail_unless_equals_string (resumed, first);
  /* the held task completes only now, while the second run polls it */
  fail_unless_equals_int (imagegen_test_emulator_release (emu, 1), 1);
  pull_prompt_image (h, bus, &done, &cost);
  fail_unless_equals_string (done, first);
  fail_unless_equals_int (cost, 0);
  g_object_get (h->element, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "resumed", &n_resumed));
  fail_unless_equals_int (n_resumed, 1);
  gst_structure_free (stats);
  teardown (h, bus);

  fail_unless_equals_int (imagegen_test_emulator_count (emu, create), 1);
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "tasks_created"),
      1);
  fail_unless (imagegen_test_emulator_count (emu, poll) > polls_before,
      "the second run did not poll the task");
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "download"), 1);
  /* the result is in the cache, the note of its task gone */
  fail_unless_equals_int (count_files (dir, ".imagegen-result"), 1);
  fail_unless_equals_int (count_files (dir, ".imagegen-pending"), 0);

  paid_end (bus, dir, first, resumed, done, NULL);
}

GST_START_TEST (test_runapi_task_resumed)
{
  check_resumed (NULL, "create_text_to_image", "get_task");
}

GST_END_TEST;

/* Black Forest Labs: polled at the polling_url the first run stored. */
GST_START_TEST (test_bfl_task_resumed)
{
  check_resumed ("flux-2-pro", "bfl_create", "bfl_get_result");
}

GST_END_TEST;

/* The emulator restarted on the same port forgets every task: the second
 * run finds the first one's task gone and creates it anew, once. */
static void
check_expired (const gchar * model, const gchar * create)
{
  const gchar *args[] = { "--latency", "200", "--fail", "task:held", NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  gchar *dir = g_dir_make_tmp ("imagegen-paid-XXXXXX", NULL);
  GstBus *bus = gst_bus_new ();
  const gchar *restart[] = { "--latency", "200", "--port", NULL, NULL };
  gchar *first, *done, *port;
  gint cost = -1;
  GstHarness *h;
  GUri *uri;

  first = stopped_run (emu, dir, model);
  uri = g_uri_parse (imagegen_test_emulator_get_base_url (emu),
      G_URI_FLAGS_NONE, NULL);
  port = g_strdup_printf ("%d", g_uri_get_port (uri));
  g_uri_unref (uri);
  imagegen_test_emulator_stop (emu);
  restart[3] = port;
  emu = imagegen_test_emulator_start (restart);

  h = src_harness (emu, dir, model, bus);
  gst_harness_play (h);
  pull_prompt_image (h, bus, &done, &cost);
  fail_if (g_str_equal (done, first), "the forgotten task completed");
  teardown (h, bus);

  fail_unless_equals_int (imagegen_test_emulator_count (emu, create), 1);
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "tasks_created"),
      1);
  fail_unless_equals_int (count_files (dir, ".imagegen-pending"), 0);

  imagegen_test_emulator_stop (emu);
  paid_end (bus, dir, first, done, port, NULL);
}

GST_START_TEST (test_runapi_task_expired)
{
  check_expired (NULL, "create_text_to_image");
}

GST_END_TEST;

/* BFL answers an unknown id with the status "Task not found". */
GST_START_TEST (test_bfl_task_expired)
{
  check_expired ("flux-2-pro", "bfl_create");
}

GST_END_TEST;

/* The first run's task completed, but its result URL expired (410): the
 * second run creates the request anew, once. */
GST_START_TEST (test_expired_result_url)
{
  const gchar *args[] = { "--latency", "200", "--fail", "task:held", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *dir = g_dir_make_tmp ("imagegen-paid-XXXXXX", NULL);
  GstBus *bus = gst_bus_new ();
  gchar *first, *resumed, *done;
  GstHarness *h;

  first = stopped_run (emu, dir, NULL);
  fail_unless (imagegen_test_emulator_fail (emu, "download:410"));
  h = src_harness (emu, dir, NULL, bus);
  gst_harness_play (h);
  resumed = wait_task_event (bus, "resumed", NULL);
  fail_unless_equals_string (resumed, first);
  fail_unless_equals_int (imagegen_test_emulator_release (emu, 1), 1);
  pull_prompt_image (h, bus, &done, NULL);
  fail_if (g_str_equal (done, first), "the expired result was used");
  teardown (h, bus);

  fail_unless_equals_int (imagegen_test_emulator_count (emu,
          "create_text_to_image"), 2);
  fail_unless_equals_int (imagegen_test_emulator_count (emu, "download"), 2);
  fail_unless_equals_int (count_files (dir, ".imagegen-pending"), 0);

  paid_end (bus, dir, first, resumed, done, NULL);
}

GST_END_TEST;

/* A task that failed for good leaves no note: the next run tries anew
 * (a failed generation is not charged). */
GST_START_TEST (test_failed_task_not_resumed)
{
  const gchar *args[] = { "--latency", "100", "--fail", "task:failed",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  gchar *dir = g_dir_make_tmp ("imagegen-paid-XXXXXX", NULL);
  GstBus *bus = gst_bus_new ();
  GstHarness *h = src_harness (emu, dir, NULL, bus);
  gchar *done;

  gst_harness_play (h);
  g_free (wait_task_event (bus, "failed", NULL));
  teardown (h, bus);
  gst_object_unref (bus);
  fail_unless_equals_int (count_files (dir, ".imagegen-pending"), 0);

  /* a bus of its own: the first run's error stays on the first */
  bus = gst_bus_new ();
  h = src_harness (emu, dir, NULL, bus);
  gst_harness_play (h);
  pull_prompt_image (h, bus, &done, NULL);
  teardown (h, bus);
  fail_unless_equals_int (imagegen_test_emulator_count (emu,
          "create_text_to_image"), 2);
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "tasks_created"),
      2);

  paid_end (bus, dir, done, NULL);
}

GST_END_TEST;

/* Every create answered 429: with job-timeout=3 the request fails at its
 * job timeout, with an error that names the 429s, instead of after the
 * 60 s the gate waits without any admission.  Only lower bounds on time:
 * the client's own deliberate wait. */
GST_START_TEST (test_job_timeout_while_rate_limited)
{
  const gchar *args[] = { "--fail", "create:429@1:*", NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *err = NULL;
  gint64 started;

  element_test_point_at (src, emu);
  g_object_set (src, "prompt", PROMPT, "job-timeout", 3, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  started = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* a hang guard under the 60 s without admission: only the job timeout
   * can end it in time */
  msg = gst_bus_timed_pop_filtered (bus, 50 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR,
      "no error within the hang guard");
  fail_unless (g_get_monotonic_time () - started >= 3 * G_USEC_PER_SEC,
      "failed before its job timeout");
  gst_message_parse_error (msg, &err, NULL);
  GST_INFO ("error: %s", err->message);
  fail_unless (strstr (err->message, "HTTP 429") != NULL, "got: %s",
      err->message);
  fail_unless (strstr (err->message, "job timeout of 3 s") != NULL,
      "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* nothing was created, nothing paid */
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "tasks_created"),
      0);
  fail_unless_equals_int (imagegen_test_emulator_stat (emu, "charged_cents"),
      0);
  fail_unless (imagegen_test_emulator_count (emu, "create_text_to_image") >= 1);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static Suite *
paid_work_suite (void)
{
  return element_test_suite ("paid-work", 300,
      ELEMENT_TEST (test_runapi_task_resumed),
      ELEMENT_TEST (test_bfl_task_resumed),
      ELEMENT_TEST (test_runapi_task_expired),
      ELEMENT_TEST (test_bfl_task_expired),
      ELEMENT_TEST (test_expired_result_url),
      ELEMENT_TEST (test_failed_task_not_resumed),
      ELEMENT_TEST (test_job_timeout_while_rate_limited), NULL);
}

GST_CHECK_MAIN (paid_work);
