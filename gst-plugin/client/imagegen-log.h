/* gst-imagegen: the client's log lines, through the caller's hook.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"

G_BEGIN_DECLS

/* Where one client's lines go; the secret is cut from every line. */
typedef struct
{
  ImagegenLogFunc func;         /* NULL: g_debug() */
  gpointer data;
  const gchar *secret;          /* the API key, or NULL */
} ImagegenLog;

void imagegen_log_message (const ImagegenLog * log, ImagegenLogLevel level,
    const gchar * file, const gchar * function, gint line,
    const gchar * format, ...) G_GNUC_PRINTF (6, 7);

#define IMAGEGEN_LOG(log, level, ...) \
  imagegen_log_message ((log), (level), __FILE__, G_STRFUNC, __LINE__, \
      __VA_ARGS__)

/* @text with every occurrence of @secret replaced by "<redacted>"; @text
 * itself when there is none (then nothing is allocated: returns NULL). */
gchar *imagegen_redact (const gchar * text, const gchar * secret);

G_END_DECLS
