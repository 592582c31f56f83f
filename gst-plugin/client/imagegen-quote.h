/* gst-imagegen: live prices — the quote job's one POST and the cache of
 * its answers (imagegen-quote.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

void imagegen_quote_send (ImagegenJob * job);

G_END_DECLS
