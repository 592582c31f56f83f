/* gst-imagegen: what to retry and how long to wait first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A Retry-After longer than this is cut down to it. */
#define IMAGEGEN_RETRY_AFTER_MAX_MS 60000

/* min (max_ms, base_ms * 2^attempt) plus up to 50 % jitter;
 * @attempt counts from 0 for the first retry. */
guint imagegen_retry_backoff_ms (guint base_ms, guint max_ms, guint attempt);

/* The wait before another try: the backoff, with @retry_after (a header
 * value, may be NULL or junk) as a floor, so "0" or a date in the past
 * cannot turn into a tight loop. */
guint imagegen_retry_delay_ms (guint base_ms, guint max_ms, guint attempt,
    const gchar * retry_after);

/* Parses a Retry-After value: delta seconds or an HTTP date.  @now_utc may
 * be NULL (the current time).  The result is capped at
 * IMAGEGEN_RETRY_AFTER_MAX_MS; a date in the past gives 0. */
gboolean imagegen_retry_parse_retry_after (const gchar * value,
    GDateTime * now_utc, guint * delay_ms);

/* 429 and 5xx are worth another try. */
gboolean imagegen_retry_status_is_retryable (guint status);

/* Transport failures are; cancellation, TLS trust and our own limits
 * are not. */
gboolean imagegen_retry_error_is_retryable (const GError * error);

G_END_DECLS
