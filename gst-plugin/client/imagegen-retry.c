/* gst-imagegen: what to retry and how long to wait first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-retry.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stdlib.h>

guint
imagegen_retry_backoff_ms (guint base_ms, guint max_ms, guint attempt)
{
  guint64 d = base_ms;
  guint jitter;

  /* Double per attempt; stop early so the shift cannot overflow. */
  while (attempt-- > 0 && d < max_ms)
    d *= 2;
  d = MIN (d, (guint64) max_ms);

  /* Jitter spreads clients that failed together over time. */
  jitter = d / 2 > 0 ? g_random_int_range (0, (gint32) MIN (d / 2, G_MAXINT32 - 1) + 1) : 0;
  return (guint) MIN (d + jitter, (guint64) G_MAXUINT);
}

guint
imagegen_retry_delay_ms (guint base_ms, guint max_ms, guint attempt,
    const gchar * retry_after)
{
  guint delay_ms = imagegen_retry_backoff_ms (base_ms, max_ms, attempt);
  guint after_ms = 0;

  if (imagegen_retry_parse_retry_after (retry_after, NULL, &after_ms))
    delay_ms = MAX (delay_ms, after_ms);
  return delay_ms;
}

gboolean
imagegen_retry_parse_retry_after (const gchar * value, GDateTime * now_utc,
    guint * delay_ms)
{
  gchar *end = NULL;
  guint64 secs;
  gint64 ms;

  g_return_val_if_fail (delay_ms != NULL, FALSE);

  if (value == NULL)
    return FALSE;
  while (g_ascii_isspace (*value))
    value++;
  if (*value == '\0')
    return FALSE;

  if (g_ascii_isdigit (*value)) {
    secs = g_ascii_strtoull (value, &end, 10);
    while (end && g_ascii_isspace (*end))
      end++;
    if (end == NULL || *end != '\0')
      return FALSE;
    ms = secs > IMAGEGEN_RETRY_AFTER_MAX_MS / 1000 ?
        IMAGEGEN_RETRY_AFTER_MAX_MS : (gint64) secs *1000;
  } else {
    GDateTime *when = soup_date_time_new_from_http_string (value);
    GDateTime *now;

    if (when == NULL)
      return FALSE;
    now = now_utc ? g_date_time_ref (now_utc) : g_date_time_new_now_utc ();
    ms = g_date_time_difference (when, now) / 1000;
    g_date_time_unref (when);
    g_date_time_unref (now);
    ms = CLAMP (ms, 0, IMAGEGEN_RETRY_AFTER_MAX_MS);
  }

  *delay_ms = (guint) ms;
  return TRUE;
}

gboolean
imagegen_retry_status_is_retryable (guint status)
{
  return status == 429 || (status >= 500 && status <= 599);
}

gboolean
imagegen_retry_error_is_retryable (const GError * error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain == G_IO_ERROR) {
    switch (error->code) {
      case G_IO_ERROR_CANCELLED:
      case G_IO_ERROR_NOT_SUPPORTED:
      case G_IO_ERROR_INVALID_ARGUMENT:
      case G_IO_ERROR_NOT_FOUND:
      case G_IO_ERROR_PERMISSION_DENIED:
        return FALSE;
      default:
        return TRUE;
    }
  }

  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;

  /* A garbled or cut answer is a transport fault too. */
  if (error->domain == SOUP_SESSION_ERROR)
    return error->code == SOUP_SESSION_ERROR_PARSING ||
        error->code == SOUP_SESSION_ERROR_ENCODING;

  return FALSE;
}
