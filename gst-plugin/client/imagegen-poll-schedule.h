/* gst-imagegen: when to poll a task next.
 *
 * Pure bookkeeping, no I/O: the client asks for the next delay and reports
 * how long finished tasks took.  Owned by one client, used on its thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Durations remembered per model. */
#define IMAGEGEN_POLL_SCHEDULE_HISTORY 16

typedef struct _ImagegenPollSchedule ImagegenPollSchedule;

ImagegenPollSchedule *imagegen_poll_schedule_new (guint poll_min_ms,
    guint poll_max_ms);
void imagegen_poll_schedule_free (ImagegenPollSchedule * s);

/* How long to wait before the next poll of a task of @model created
 * @elapsed_us ago (0 for the first poll). */
guint imagegen_poll_schedule_next_delay_ms (ImagegenPollSchedule * s,
    const gchar * model, gint64 elapsed_us);

/* A task of @model completed after @lower_us (the last poll that found it
 * running was sent then) and by @upper_us (the poll that found it
 * completed was answered then), both counted from the create answer. */
void imagegen_poll_schedule_observe (ImagegenPollSchedule * s,
    const gchar * model, gint64 lower_us, gint64 upper_us);

/* The range @model's recent tasks completed in: from the earliest upper
 * bound to the latest lower bound (or the overlap of all windows when
 * those cross); FALSE without history. */
gboolean imagegen_poll_schedule_get_range (ImagegenPollSchedule * s,
    const gchar * model, gint64 * min_us, gint64 * max_us);

/* The typical completion window of @model's tasks, counted from the create
 * answer, used until its own tasks have been seen: its model-table row's
 * (IMAGEGEN_MODEL_DEFAULT_PRIOR_* for rows without one). */
void imagegen_poll_schedule_prior (const gchar * model, gint64 * min_us,
    gint64 * max_us);

/* Copies what was observed of @model, oldest first, into the arrays (each
 * of IMAGEGEN_POLL_SCHEDULE_HISTORY entries); returns how many. */
guint imagegen_poll_schedule_history (ImagegenPollSchedule * s,
    const gchar * model, gint64 * lower_us, gint64 * upper_us);

G_END_DECLS
