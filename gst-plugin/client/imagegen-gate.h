/* gst-imagegen: the gate — the queue of jobs, the create 429 hold and the
 * adaptive in-flight limit (imagegen-gate.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

void imagegen_gate_submit (ImagegenJob * job);
void imagegen_gate_start_jobs (ImagegenClient * client);
void imagegen_gate_release (ImagegenJob * job);
void imagegen_gate_hold (ImagegenJob * job, const gchar * retry_after);
void imagegen_gate_admitted (ImagegenJob * job);
void imagegen_gate_close (ImagegenClient * client);

G_END_DECLS
