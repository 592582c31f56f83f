/* gst-imagegen: when to poll a task next.
 *
 * The official SDKs poll every 2 s, which adds about 1 s of latency on
 * average.  Tasks of one model take roughly the same time, so this schedule
 * learns that time and polls densely only around it:
 *
 *  - no history: first poll after poll_min, then each interval 1.5x the
 *    previous one, capped at poll_max.  Computed from the elapsed time alone
 *    (interval = elapsed / 2 + poll_min), so slow requests do not skew it.
 *  - with history (observed min/max of the last 16 create->completed
 *    durations): sleep until 0.9 x min in steps of at most poll_max (an
 *    unusually fast task is still seen), poll every poll_min until 1.1 x
 *    max, then back off by 1.5x up to poll_max.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-poll-schedule.h"

typedef struct
{
  gint64 durations[IMAGEGEN_POLL_SCHEDULE_HISTORY];
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
    const gchar * model, gint64 duration_us)
{
  ModelHistory *h;

  g_return_if_fail (s != NULL);

  if (duration_us < 0)
    return;
  if (model == NULL)
    model = "";

  h = g_hash_table_lookup (s->models, model);
  if (h == NULL) {
    h = g_new0 (ModelHistory, 1);
    g_hash_table_insert (s->models, g_strdup (model), h);
  }

  h->durations[h->next] = duration_us;
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

  for (i = 0; i < h->count; i++) {
    lo = MIN (lo, h->durations[i]);
    hi = MAX (hi, h->durations[i]);
  }
  if (min_us)
    *min_us = lo;
  if (max_us)
    *max_us = hi;
  return TRUE;
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

  g_return_val_if_fail (s != NULL, 1000);

  elapsed_ms = MAX (elapsed_us, 0) / 1000;

  if (!imagegen_poll_schedule_get_range (s, model, &min_us, &max_us))
    return growing_delay_ms (s, elapsed_ms);

  dense_start_ms = min_us * 9 / 10 / 1000;
  dense_end_ms = max_us * 11 / 10 / 1000;

  if (elapsed_ms + s->min_ms < dense_start_ms)
    /* Still well before the expected time: sleep towards it, but never
     * longer than poll_max so an unusually fast task is not missed. */
    return (guint) MIN (dense_start_ms - elapsed_ms, (gint64) s->max_ms);

  if (elapsed_ms < dense_end_ms)
    return s->min_ms;

  /* Later than every task seen so far: back off again. */
  return growing_delay_ms (s, elapsed_ms - dense_end_ms);
}
