/* gst-imagegen: when to poll a task next.
 *
 * The official SDKs poll every 2 s, which adds about 1 s of latency on
 * average.  Tasks of one model take roughly the same time, so this schedule
 * learns that time and polls densely only around it:
 *
 *  - no history: first poll after poll_min, then each interval 1.5x the
 *    previous one, capped at poll_max.  Computed from the elapsed time alone
 *    (interval = elapsed / 2 + poll_min), so slow requests do not skew it.
 *  - with history: each finished task tells a window its completion fell
 *    in (after the last poll that still found it running, at or before the
 *    poll that found it completed); together they bound the model's task
 *    times (see get_range).  The schedule sleeps until just before that
 *    range, in steps of at most poll_max (an
 *    unusually fast task is still seen), then polls ever more densely up to
 *    the latest: the delay is sqrt (2 * POLL_COST * time left), the spacing
 *    that minimises lag plus POLL_COST per poll when completion is equally
 *    likely anywhere in the window (it rises towards the end).  Past the
 *    window it backs off by 1.5x up to poll_max.
 *  - no history but a prior (the model's typical completion window, see
 *    imagegen_poll_schedule_prior): the 1.5x growth, never stepping over
 *    the prior's start, then the dense polling of the prior's window.  A
 *    prior is a guess, so unlike learned history it never sleeps long.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "imagegen-poll-schedule.h"
#include "imagegen-models.h"

/* What one poll is worth in milliseconds of lag: larger means fewer polls
 * and more lag.  22 gives about 9 polls and a 0.2 s median lag for tasks
 * spread evenly over 3-8 s (tools/bench). */
#define POLL_COST_MS 22.0

typedef struct
{
  gint64 lower[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  gint64 upper[IMAGEGEN_POLL_SCHEDULE_HISTORY];
  guint count;                  /* valid entries, up to the array size */
  guint next;                   /* ring buffer write position */
} ModelHistory;

struct _ImagegenPollSchedule
{
  guint min_ms;
  guint max_ms;
  GHashTable *models;           /* model id -> ModelHistory */
};

ImagegenPollSchedule *
imagegen_poll_schedule_new (guint poll_min_ms, guint poll_max_ms)
{
  ImagegenPollSchedule *s = g_new0 (ImagegenPollSchedule, 1);

  s->min_ms = MAX (poll_min_ms, 1);
  s->max_ms = MAX (poll_max_ms, s->min_ms);
  s->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return s;
}

void
imagegen_poll_schedule_free (ImagegenPollSchedule * s)
{
  if (s == NULL)
    return;
  g_hash_table_unref (s->models);
  g_free (s);
}

void
imagegen_poll_schedule_observe (ImagegenPollSchedule * s,
    const gchar * model, gint64 lower_us, gint64 upper_us)
{
  ModelHistory *h;

  g_return_if_fail (s != NULL);

  if (upper_us < 0)
    return;
  lower_us = CLAMP (lower_us, 0, upper_us);
  if (model == NULL)
    model = "";

  h = g_hash_table_lookup (s->models, model);
  if (h == NULL) {
    h = g_new0 (ModelHistory, 1);
    g_hash_table_insert (s->models, g_strdup (model), h);
  }

  h->lower[h->next] = lower_us;
  h->upper[h->next] = upper_us;
  h->next = (h->next + 1) % IMAGEGEN_POLL_SCHEDULE_HISTORY;
  if (h->count < IMAGEGEN_POLL_SCHEDULE_HISTORY)
    h->count++;
}

gboolean
imagegen_poll_schedule_get_range (ImagegenPollSchedule * s,
    const gchar * model, gint64 * min_us, gint64 * max_us)
{
  ModelHistory *h;
  gint64 lo = G_MAXINT64, hi = 0;
  guint i;

  g_return_val_if_fail (s != NULL, FALSE);

  h = g_hash_table_lookup (s->models, model ? model : "");
  if (h == NULL || h->count == 0)
    return FALSE;

  /* Each task completed inside (lower, upper].  The earliest upper bound
   * and the latest lower bound come from the tightest observations, so a
   * coarse one (the first task, polled sparsely) does not widen the window
   * for good: when durations vary they span it from inside; when they do
   * not, they cross, and the window is where all observations overlap. */
  for (i = 0; i < h->count; i++) {
    lo = MIN (lo, h->upper[i]);
    hi = MAX (hi, h->lower[i]);
  }
  if (min_us)
    *min_us = MIN (lo, hi);
  if (max_us)
    *max_us = MAX (lo, hi);
  return TRUE;
}

/* The model table's window (imagegen-model-table.c): the provider's own
 * figures and our runs; a guess is only a starting point (history
 * replaces it after one task), so the windows are wide. */
void
imagegen_poll_schedule_prior (const gchar * model, gint64 * min_us,
    gint64 * max_us)
{
  const ImagegenModelRow *row = imagegen_models_find_any (model);
  guint lo = IMAGEGEN_MODEL_DEFAULT_PRIOR_MIN_MS;
  guint hi = IMAGEGEN_MODEL_DEFAULT_PRIOR_MAX_MS;

  if (row != NULL && row->prior_max_ms > 0) {
    lo = row->prior_min_ms;
    hi = row->prior_max_ms;
  }
  *min_us = (gint64) lo *1000;
  *max_us = (gint64) hi *1000;
}

guint
imagegen_poll_schedule_history (ImagegenPollSchedule * s,
    const gchar * model, gint64 * lower_us, gint64 * upper_us)
{
  ModelHistory *h;
  guint i, first;

  g_return_val_if_fail (s != NULL, 0);

  h = g_hash_table_lookup (s->models, model ? model : "");
  if (h == NULL)
    return 0;
  /* oldest first: replaying them through observe() rebuilds the ring */
  first = (h->next + IMAGEGEN_POLL_SCHEDULE_HISTORY - h->count) %
      IMAGEGEN_POLL_SCHEDULE_HISTORY;
  for (i = 0; i < h->count; i++) {
    lower_us[i] = h->lower[(first + i) % IMAGEGEN_POLL_SCHEDULE_HISTORY];
    upper_us[i] = h->upper[(first + i) % IMAGEGEN_POLL_SCHEDULE_HISTORY];
  }
  return h->count;
}

/* 1.5x growth from @since: the interval after waiting t past @since is
 * t / 2 + poll_min, i.e. the sequence min, 1.5 min, 2.25 min... */
static guint
growing_delay_ms (ImagegenPollSchedule * s, gint64 since_ms)
{
  gint64 d = since_ms / 2 + s->min_ms;

  return (guint) CLAMP (d, (gint64) s->min_ms, (gint64) s->max_ms);
}

guint
imagegen_poll_schedule_next_delay_ms (ImagegenPollSchedule * s,
    const gchar * model, gint64 elapsed_us)
{
  gint64 min_us, max_us, elapsed_ms, dense_start_ms, dense_end_ms;
  gboolean learned;

  g_return_val_if_fail (s != NULL, 1000);

  elapsed_ms = MAX (elapsed_us, 0) / 1000;

  learned = imagegen_poll_schedule_get_range (s, model, &min_us, &max_us);
  if (!learned)
    imagegen_poll_schedule_prior (model, &min_us, &max_us);

  /* 5 % margins: the next task may be a little faster or slower */
  dense_start_ms = min_us * 95 / 100 / 1000;
  dense_end_ms = max_us * 105 / 100 / 1000;

  if (!learned && elapsed_ms + s->min_ms < dense_start_ms)
    /* A guess: grow as without any knowledge, but land on its start. */
    return (guint) MIN (growing_delay_ms (s, elapsed_ms),
        dense_start_ms - elapsed_ms);

  if (elapsed_ms + s->min_ms < dense_start_ms)
    /* Still well before the expected time: sleep towards it, but never
     * longer than poll_max so an unusually fast task is not missed. */
    return (guint) MIN (dense_start_ms - elapsed_ms, (gint64) s->max_ms);

  if (elapsed_ms < dense_end_ms) {
    gdouble d = sqrt (2.0 * POLL_COST_MS * (dense_end_ms - elapsed_ms));
    return (guint) CLAMP ((gint64) d, (gint64) s->min_ms, (gint64) s->max_ms);
  }

  /* Later than every task seen so far: back off again. */
  return growing_delay_ms (s, elapsed_ms - dense_end_ms);
}
