/* gst-imagegen: helpers the element tests share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The emulator's text-to-image picture of @prompt is a vertical gradient
 * from bytes 0..2 (top) to 3..5 (bottom) of the prompt's SHA-256, with
 * its shapes kept off a 16-pixel border: the left edge at @fraction of the
 * height has this colour. */
void element_test_prompt_colour (const gchar * prompt, gdouble fraction,
    guint8 rgb[3]);

/* Blocks until @n "completed" imagegen-task messages came on @bus; fails
 * the test on an error message or after a minute without one. */
void element_test_wait_completed (GstBus * bus, guint n);

G_END_DECLS
