/* gst-imagegen: fetch — a task's polls and its result downloads
 * (imagegen-fetch.c), or the provider's status stream before them.  Answers go up through ImagegenJobHooks.task_answer
 * and .gone; the last download finishes the job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

void imagegen_fetch_poll_soon (ImagegenJob * job, guint delay_ms);
void imagegen_fetch_poll_later (ImagegenJob * job);
void imagegen_fetch_download (ImagegenJob * job);
/* GET the outcome of a task whose status said it is done (the provider's
 * result_path). */
void imagegen_fetch_result (ImagegenJob * job);

G_END_DECLS
