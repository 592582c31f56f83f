/* gst-imagegen: the client's log lines, through the caller's hook.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-log.h"

#include <string.h>

gchar *
imagegen_redact (const gchar * text, const gchar * secret)
{
  gchar **parts, *out;

  /* a key this short would redact half of every line */
  if (text == NULL || secret == NULL || strlen (secret) < 4
      || strstr (text, secret) == NULL)
    return NULL;

  parts = g_strsplit (text, secret, -1);
  out = g_strjoinv ("<redacted>", parts);
  g_strfreev (parts);
  return out;
}

void
imagegen_log_message (const ImagegenLog * log, ImagegenLogLevel level,
    const gchar * file, const gchar * function, gint line,
    const gchar * format, ...)
{
  va_list args;
  gchar *text, *redacted;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  /* servers echo what they were sent; the key must not reach a log */
  redacted = imagegen_redact (text, log ? log->secret : NULL);
  if (redacted) {
    g_free (text);
    text = redacted;
  }

  if (log && log->func)
    log->func (level, file, function, line, text, log->data);
  else
    g_debug ("%s", text);
  g_free (text);
}
