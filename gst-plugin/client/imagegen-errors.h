/* gst-imagegen: turning HTTP answers into sentences a user can act on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"

G_BEGIN_DECLS

/* The error for a final (not retried again) HTTP status.  @message is the
 * provider's own words from the body (may be NULL); @retries how often the
 * exchange was repeated before giving up. */
GError *imagegen_error_new_for_status (guint status, const gchar * message,
    guint retries);

/* A transport failure after @retries retries. */
GError *imagegen_error_new_for_transport (const GError * cause,
    guint retries);

/* A failed task: MODERATED when @message says so, else TASK_FAILED. */
GError *imagegen_error_new_for_failed_task (const gchar * message);

/* Does a failure message say the content was moderated? */
gboolean imagegen_error_message_is_moderation (const gchar * message);

/* Appends " (task ID)" to @error's message. */
void imagegen_error_add_task_id (GError * error, const gchar * task_id);

/* Fills in what @error's details (imagegen_client_error_get_details())
 * do not have yet; @retries raises theirs.  Other domains are left
 * alone. */
void imagegen_error_set_details (GError * error, const gchar * task_id,
    const gchar * model, guint retries);

/* Replaces every occurrence of @secret in @error's message. */
void imagegen_error_redact (GError * error, const gchar * secret);

G_END_DECLS
