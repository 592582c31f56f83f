/* gst-imagegen: the task state machine (imagegen-task.c): a job's start,
 * its create and the task's answers, a resumed task, the job timeout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

void imagegen_task_mark_resumed (ImagegenJob * job, const gchar * task_id,
    const gchar * poll_url);
void imagegen_task_start (ImagegenJob * job);
void imagegen_task_create (ImagegenJob * job);
void imagegen_task_handle (ImagegenJob * job, ImagegenTaskInfo * info);
void imagegen_task_resume_gone (ImagegenJob * job, const gchar * why);

G_END_DECLS
