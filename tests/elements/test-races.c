/* gst-imagegen: state changes at every point of a job, over and over.
 *
 * Each iteration starts a pipeline and takes it back to NULL after a
 * random delay, so over the loop the stop lands before the request is sent,
 * during create, during polling, during the download and during decoding.
 * Nothing may deadlock, crash, leak, or call back into a freed element (the
 * suite runs this under valgrind and ASan too).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include "imagegen-test-emulator.h"

static guint
iterations (void)
{
  /* hundreds normally; memcheck is some fifty times slower */
  return g_getenv ("GST_CHECKS_VALGRIND") ? 25 : 120;
}

static void
run_and_stop (ImagegenTestEmulator * emu, const gchar * description,
    GRand * rand, guint max_delay_ms, gboolean pause_first)
{
  GstElement *pipeline = gst_parse_launch (description, NULL);
  guint delay = g_rand_int_range (rand, 0, max_delay_ms + 1);
  gint64 before = imagegen_test_emulator_count (emu, "download");
  guint waited;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* stops are immediate, so one run in four first sees a download: a
   * whole job then lies before the stop, however slow the machine */
  if (g_rand_int_range (rand, 0, 4) == 0)
    for (waited = 0;
        waited < 60000
        && imagegen_test_emulator_count (emu, "download") == before;
        waited += 10)
      g_usleep (10 * 1000);
  g_usleep (delay * 1000);
  if (pause_first && g_rand_boolean (rand)) {
    gst_element_set_state (pipeline, GST_STATE_PAUSED);
    g_usleep (g_rand_int_range (rand, 0, 20) * 1000);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
  }
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
}

static void
race (const gchar * pipeline_template, gboolean pause_first)
{
  /* 0-60 ms tasks and 0-120 ms stops cover every step of a job */
  const gchar *args[] = { "--latency", "0-60", NULL };
  ImagegenTestEmulator *emu = imagegen_test_emulator_start (args);
  GRand *rand = g_rand_new_with_seed (20261125);
  gchar *description = g_strdup_printf (pipeline_template,
      imagegen_test_emulator_get_base_url (emu));
  JsonObject *stats;
  guint i, n = iterations ();

  for (i = 0; i < n; i++)
    run_and_stop (emu, description, rand, 120, pause_first);

  /* the stops landed all along the job: tasks were created and some
   * downloads went through before a stop */
  stats = imagegen_test_emulator_stats (emu);
  GST_INFO ("%u runs: %" G_GINT64_FORMAT " tasks, %" G_GINT64_FORMAT
      " downloads", n, imagegen_test_emulator_stats_int (stats,
          "tasks_created"), imagegen_test_emulator_stats_requests (stats,
          "download"));
  fail_unless (imagegen_test_emulator_stats_int (stats, "tasks_created") > 0);
  fail_unless (imagegen_test_emulator_stats_requests (stats, "download") > 0);
  json_object_unref (stats);

  g_free (description);
  g_rand_free (rand);
  imagegen_test_emulator_stop (emu);
}

GST_START_TEST (test_race_still_source)
{
  race ("imagegensrc prompt=\"a race\" api-key=k base-url=%s "
      "poll-interval=20 resolution=1k num-images=2 ! "
      "video/x-raw,width=256,height=256 ! fakesink", FALSE);
}

GST_END_TEST;

GST_START_TEST (test_race_live_source)
{
  race ("imagegensrc is-live=true prompt=\"a race\" api-key=k base-url=%s "
      "poll-interval=20 transition-duration=50000000 ! "
      "video/x-raw,width=128,height=128,framerate=50/1 ! fakesink sync=true",
      TRUE);
}

GST_END_TEST;

GST_START_TEST (test_race_remix_live)
{
  race ("videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
      "imagegenremix prompt=\"a race\" api-key=k base-url=%s "
      "poll-interval=20 interval=40000000 ! fakesink sync=true", TRUE);
}

GST_END_TEST;

GST_START_TEST (test_race_remix_offline)
{
  race ("videotestsrc ! video/x-raw,width=160,height=120 ! "
      "imagegenremix prompt=\"a race\" api-key=k base-url=%s "
      "poll-interval=20 interval=40000000 max-queue-frames=8 ! fakesink",
      FALSE);
}

GST_END_TEST;

static Suite *
races_suite (void)
{
  return element_test_suite ("races", 600,
      ELEMENT_TEST (test_race_still_source),
      ELEMENT_TEST (test_race_live_source), ELEMENT_TEST (test_race_remix_live),
      ELEMENT_TEST (test_race_remix_offline), NULL);
}

GST_CHECK_MAIN (races);
