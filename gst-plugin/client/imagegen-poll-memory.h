/* gst-imagegen: the poll schedule's history, kept across processes.
 *
 * Most users run one process per image, so a schedule that learns only
 * within a process never gets past its first, unlearned task.  This keeps
 * what a schedule observed per (provider, host, model) in a small file
 * under the user's cache directory and seeds the next process's schedule
 * from it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-poll-schedule.h"

G_BEGIN_DECLS

typedef struct _ImagegenPollMemory ImagegenPollMemory;

/* The directory for @provider's service at @base_url: the environment
 * variable IMAGEGEN_POLL_CACHE set to "0" turns the memory off (NULL), set
 * to an absolute path puts it there; otherwise
 * g_get_user_cache_dir()/gst-imagegen/poll.  A subdirectory per provider
 * and host keeps test servers apart from the real service. */
gchar *imagegen_poll_memory_dir (const gchar * provider,
    const gchar * base_url);

/* Remembers into @dir (created when first written); NULL @dir: a memory
 * that neither loads nor saves. */
ImagegenPollMemory *imagegen_poll_memory_new (const gchar * dir);
void imagegen_poll_memory_free (ImagegenPollMemory * m);

/* Feeds @s what was saved for @model, once per model (later calls do
 * nothing).  A missing, corrupt or foreign file is ignored. */
void imagegen_poll_memory_load (ImagegenPollMemory * m,
    ImagegenPollSchedule * s, const gchar * model);

/* Writes @s's history of @model (atomically: a temporary file renamed over
 * the old one).  Failures are returned, for a log line; nothing depends on
 * them. */
gboolean imagegen_poll_memory_save (ImagegenPollMemory * m,
    ImagegenPollSchedule * s, const gchar * model, GError ** error);

/* The file @model's history goes to, NULL when memory is off. */
gchar *imagegen_poll_memory_path (ImagegenPollMemory * m,
    const gchar * model);

G_END_DECLS
