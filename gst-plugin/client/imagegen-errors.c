/* gst-imagegen: turning HTTP answers into sentences a user can act on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-errors.h"

#include <string.h>

G_DEFINE_QUARK (imagegen-client-error-quark, imagegen_client_error);

static gchar *
with_detail (const gchar * head, const gchar * message)
{
  if (message != NULL && *message != '\0')
    return g_strdup_printf ("%s: %s", head, message);
  return g_strdup (head);
}

GError *
imagegen_error_new_for_status (guint status, const gchar * message,
    guint retries)
{
  ImagegenClientError code;
  const gchar *what;
  gchar *head, *text;
  GError *error;

  switch (status) {
    case 400:
    case 413:
    case 422:
      code = IMAGEGEN_CLIENT_ERROR_VALIDATION;
      what = "request rejected";
      break;
    case 401:
      code = IMAGEGEN_CLIENT_ERROR_AUTH;
      what = "invalid API key";
      break;
    case 402:
      code = IMAGEGEN_CLIENT_ERROR_CREDITS;
      what = "insufficient credits";
      break;
    case 403:
      code = IMAGEGEN_CLIENT_ERROR_FORBIDDEN;
      what = "access denied";
      break;
    case 404:
      code = IMAGEGEN_CLIENT_ERROR_NOT_FOUND;
      what = "not found";
      break;
    case 409:
      code = IMAGEGEN_CLIENT_ERROR_CONFLICT;
      what = "idempotency key conflict";
      break;
    case 429:
      code = IMAGEGEN_CLIENT_ERROR_RATE_LIMITED;
      what = "rate limited";
      break;
    default:
      if (status >= 500) {
        code = IMAGEGEN_CLIENT_ERROR_SERVER;
        what = "server error";
      } else if (status >= 300 && status < 400) {
        /* API answers never redirect; following one could carry the key
         * to another host. */
        code = IMAGEGEN_CLIENT_ERROR_PROTOCOL;
        what = "unexpected redirect";
      } else {
        code = IMAGEGEN_CLIENT_ERROR_PROTOCOL;
        what = "unexpected answer";
      }
      break;
  }

  if (retries > 0)
    head = g_strdup_printf ("%s (HTTP %u) after %u %s", what, status, retries,
        retries == 1 ? "retry" : "retries");
  else
    head = g_strdup_printf ("%s (HTTP %u)", what, status);

  text = with_detail (head, message);
  error = g_error_new_literal (IMAGEGEN_CLIENT_ERROR, code, text);
  g_free (text);
  g_free (head);
  return error;
}

GError *
imagegen_error_new_for_transport (const GError * cause, guint retries)
{
  const gchar *msg = cause ? cause->message : "unknown failure";

  if (cause && cause->domain == G_IO_ERROR
      && cause->code == G_IO_ERROR_CANCELLED)
    return g_error_copy (cause);

  if (retries > 0)
    return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_NETWORK,
        "network error after %u %s: %s", retries,
        retries == 1 ? "retry" : "retries", msg);
  return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_NETWORK,
      "network error: %s", msg);
}

gboolean
imagegen_error_message_is_moderation (const gchar * message)
{
  static const gchar *const words[] = {
    "moderat", "content policy", "safety", "nsfw", "flagged",
  };
  gchar *lower;
  gboolean found = FALSE;
  guint i;

  if (message == NULL)
    return FALSE;

  lower = g_ascii_strdown (message, -1);
  for (i = 0; i < G_N_ELEMENTS (words) && !found; i++)
    found = strstr (lower, words[i]) != NULL;
  g_free (lower);
  return found;
}

GError *
imagegen_error_new_for_failed_task (const gchar * message)
{
  if (message == NULL || *message == '\0')
    message = "no reason given";

  if (imagegen_error_message_is_moderation (message))
    return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_MODERATED,
        "content moderated: %s", message);
  return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TASK_FAILED,
      "task failed: %s", message);
}

void
imagegen_error_add_task_id (GError * error, const gchar * task_id)
{
  gchar *text;

  if (error == NULL || task_id == NULL || error->domain == G_IO_ERROR)
    return;

  text = g_strdup_printf ("%s (task %s)", error->message, task_id);
  g_free (error->message);
  error->message = text;
}

void
imagegen_error_redact (GError * error, const gchar * secret)
{
  gchar **parts;

  if (error == NULL || secret == NULL || strlen (secret) < 4
      || strstr (error->message, secret) == NULL)
    return;

  parts = g_strsplit (error->message, secret, -1);
  g_free (error->message);
  error->message = g_strjoinv ("<redacted>", parts);
  g_strfreev (parts);
}
