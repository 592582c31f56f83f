/* gst-imagegen: the plugin-wide "imagegen" debug category, which the API
 * client's log lines reach too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include "imagegen-client.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_imagegen_debug);

/* Registers the category; safe to call more than once, from any thread. */
void gst_imagegen_debug_init (void);

/* An ImagegenLogFunc: the client's lines into the "imagegen" category at
 * the matching level (warning, info, debug, log), with the client's own
 * source location.  @user_data: a GObject to name in the line, or NULL. */
void gst_imagegen_client_log (ImagegenLogLevel level, const gchar * file,
    const gchar * function, gint line, const gchar * message,
    gpointer user_data);

G_END_DECLS
