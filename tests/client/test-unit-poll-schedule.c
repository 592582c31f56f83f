/* gst-imagegen client, unit tests without any network: the poll schedule: when to ask a task again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-poll-schedule.h"
#include "imagegen-test-fixture.h"

#include <math.h>
#include <stdlib.h>

#define MS 1000                 /* microseconds */

/* Simulates polling a task that completes at @done_ms; returns the number
 * of polls and the time the completion was seen. */
static guint
simulate (ImagegenPollSchedule * s, const gchar * model, gint64 done_ms,
    gint64 * seen_ms)
{
  gint64 t = 0;
  guint polls = 0;

  for (;;) {
    t += imagegen_poll_schedule_next_delay_ms (s, model, t * MS);
    polls++;
    if (t >= done_ms)
      break;
    g_assert_cmpuint (polls, <, 1000);
  }
  *seen_ms = t;
  return polls;
}

static void
test_poll_no_history (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (150, 2000);
  gint64 t = 0, prior_min, prior_max, start, end;
  guint prev = 0, d, i, in_window = 0;

  /* A model without a prior of its own gets the default one. */
  imagegen_poll_schedule_prior ("m", &prior_min, &prior_max);
  g_assert_cmpint (prior_min, >, 0);
  g_assert_cmpint (prior_max, >, prior_min);
  start = prior_min * 95 / 100 / MS;
  end = prior_max * 105 / 100 / MS;

  /* First poll after poll_min, then x1.5 growth until the prior's start,
   * which one poll lands on; dense polls through its window; past it,
   * x1.5 growth again up to poll_max. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==, 150);
  for (i = 0; i < 200 && t < end + 20000; i++) {
    d = imagegen_poll_schedule_next_delay_ms (s, "m", t * MS);
    g_assert_cmpuint (d, >=, 150);
    g_assert_cmpuint (d, <=, 2000);
    if (t + 150 < start) {
      if (t + d != start && prev)
        g_assert_cmpuint (d, >=, MIN (prev * 3 / 2 - 2, 2000));
      g_assert_cmpint (t + d, <=, start);
    } else if (t < end) {
      /* sqrt (2 * 22 ms * time left): denser towards the end */
      g_assert_cmpuint (d, <=, MAX (150, (guint) sqrt (44.0 * (end - t)) + 1));
      in_window++;
    }
    prev = d;
    t += d;
  }
  g_assert_cmpuint (in_window, >, 5);
  g_assert_cmpuint (prev, ==, 2000);
  /* Other models are not affected by history. */
  imagegen_poll_schedule_observe (s, "other", 4900 * MS, 5000 * MS);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==, 150);
  imagegen_poll_schedule_free (s);
}

static void
test_poll_learned (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  gint64 lo, hi, seen;
  guint polls, polls_fixed, i;

  /* a coarse first observation does not widen the range for good */
  imagegen_poll_schedule_observe (s, "m", 2000 * MS, 6500 * MS);
  for (i = 0; i < 20; i++)
    imagegen_poll_schedule_observe (s, "m", (5990 + (i % 5) * 100) * MS,
        (6000 + (i % 5) * 100) * MS);
  g_assert_true (imagegen_poll_schedule_get_range (s, "m", &lo, &hi));
  g_assert_cmpint (lo, ==, 6000 * MS);
  g_assert_cmpint (hi, ==, 6390 * MS);

  /* Before the window (5 % early): long sleeps, never longer than
   * poll_max. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m", 0), ==,
      2000);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          4000 * MS), ==, 1700);
  /* In the window (5700..6709 ms), denser towards its end:
   * sqrt (2 * 22 * time left) */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          5800 * MS), ==, 199);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          6600 * MS), ==, 100);
  /* Later: back off again. */
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          6900 * MS), >, 100);
  g_assert_cmpuint (imagegen_poll_schedule_next_delay_ms (s, "m",
          60000 * MS), ==, 2000);

  /* A typical task is seen soon after its completion, with about as many
   * polls as a fixed 2 s interval needs, and far better latency. */
  polls = simulate (s, "m", 6200, &seen);
  g_assert_cmpint (seen - 6200, <=, 200);
  polls_fixed = 6200 / 2000 + 2;    /* at 0, 2, 4, 6, 8 s */
  g_assert_cmpuint (polls, <=, polls_fixed + 4);
  g_test_message ("learned: %u polls, seen %" G_GINT64_FORMAT
      " ms late; fixed 2 s: %u polls, %" G_GINT64_FORMAT " ms late", polls,
      seen - 6200, polls_fixed, (gint64) (polls_fixed - 1) * 2000 - 6200);

  /* An unusually fast task is still seen within poll_max. */
  simulate (s, "m", 1000, &seen);
  g_assert_cmpint (seen - 1000, <=, 2000);

  /* An unusually slow one too, and the polls stay few. */
  polls = simulate (s, "m", 30000, &seen);
  g_assert_cmpint (seen - 30000, <=, 2000);
  g_assert_cmpuint (polls, <, 40);

  /* Only the last 16 tasks count. */
  for (i = 0; i < 16; i++)
    imagegen_poll_schedule_observe (s, "m", 900 * MS, 1000 * MS);
  g_assert_true (imagegen_poll_schedule_get_range (s, "m", &lo, &hi));
  /* constant durations: the windows overlap in 900..1000 */
  g_assert_cmpint (lo, ==, 900 * MS);
  g_assert_cmpint (hi, ==, 1000 * MS);
  imagegen_poll_schedule_free (s);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Tasks spread evenly over 3-8 s, the schedule knowing that window: the
 * mean poll count stays at most 10 and the median lag at most 180 ms
 * (simulated time: arithmetic, not a timing measurement). */
static void
test_poll_spread_window (void)
{
  ImagegenPollSchedule *s = imagegen_poll_schedule_new (100, 2000);
  gint64 lags[501], seen;
  guint i, total_polls = 0;

  imagegen_poll_schedule_observe (s, "m", 2950 * MS, 3000 * MS);
  imagegen_poll_schedule_observe (s, "m", 7950 * MS, 8000 * MS);
  for (i = 0; i <= 500; i++) {
    gint64 done = 3000 + i * 10;
    total_polls += simulate (s, "m", done, &seen);
    lags[i] = seen - done;
  }
  qsort (lags, G_N_ELEMENTS (lags), sizeof (gint64), compare_gint64);
  g_test_message ("3-8 s: %.1f polls per task, median lag %" G_GINT64_FORMAT
      " ms", total_polls / 501.0, lags[250]);
  g_assert_cmpfloat (total_polls / 501.0, <=, 10.0);
  g_assert_cmpint (lags[250], <=, 180);
  imagegen_poll_schedule_free (s);
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/poll-schedule/no-history",
      test_poll_no_history, "/poll-schedule/learned", test_poll_learned,
      "/poll-schedule/spread-window", test_poll_spread_window, NULL);
}
