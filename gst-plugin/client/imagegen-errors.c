/* gst-imagegen: turning HTTP answers into sentences a user can act on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-errors.h"
#include "imagegen-log.h"

#include <string.h>

/* An extended error domain (GLib 2.68): the details ride along with the
 * GError, through copies, to whoever reports it.  Written out rather than
 * with G_DEFINE_EXTENDED_ERROR to keep the domain's established name. */
#define DETAILS_SIZE \
  ((sizeof (ImagegenClientErrorDetails) + 2 * sizeof (gsize) - 1) & \
      -(2 * sizeof (gsize)))

static ImagegenClientErrorDetails *
details_of (const GError * error)
{
  return (ImagegenClientErrorDetails *) (((guint8 *) error) - DETAILS_SIZE);
}

static void
details_init (GError * error)
{
  memset (details_of (error), 0, sizeof (ImagegenClientErrorDetails));
}

static void
details_copy (const GError * src, GError * dest)
{
  const ImagegenClientErrorDetails *s = details_of (src);
  ImagegenClientErrorDetails *d = details_of (dest);

  d->task_id = g_strdup (s->task_id);
  d->model = g_strdup (s->model);
  d->http_status = s->http_status;
  d->retries = s->retries;
}

static void
details_clear (GError * error)
{
  ImagegenClientErrorDetails *d = details_of (error);

  g_clear_pointer (&d->task_id, g_free);
  g_clear_pointer (&d->model, g_free);
}

GQuark
imagegen_client_error_quark (void)
{
  static GQuark q;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    q = g_error_domain_register_static ("imagegen-client-error-quark",
        sizeof (ImagegenClientErrorDetails), details_init, details_copy,
        details_clear);
    g_once_init_leave (&initialized, 1);
  }
  return q;
}

const ImagegenClientErrorDetails *
imagegen_client_error_get_details (const GError * error)
{
  if (error == NULL || error->domain != IMAGEGEN_CLIENT_ERROR)
    return NULL;
  return details_of (error);
}

void
imagegen_error_set_details (GError * error, const gchar * task_id,
    const gchar * model, guint retries)
{
  ImagegenClientErrorDetails *d;

  if (error == NULL || error->domain != IMAGEGEN_CLIENT_ERROR)
    return;
  d = details_of (error);
  if (d->task_id == NULL)
    d->task_id = g_strdup (task_id);
  if (d->model == NULL)
    d->model = g_strdup (model);
  d->retries = MAX (d->retries, retries);
}

const gchar *
imagegen_client_error_code_name (gint code)
{
  static const gchar *const names[] = {
    [IMAGEGEN_CLIENT_ERROR_AUTH] = "auth",
    [IMAGEGEN_CLIENT_ERROR_CREDITS] = "credits",
    [IMAGEGEN_CLIENT_ERROR_FORBIDDEN] = "forbidden",
    [IMAGEGEN_CLIENT_ERROR_VALIDATION] = "validation",
    [IMAGEGEN_CLIENT_ERROR_NOT_FOUND] = "not-found",
    [IMAGEGEN_CLIENT_ERROR_CONFLICT] = "conflict",
    [IMAGEGEN_CLIENT_ERROR_RATE_LIMITED] = "rate-limited",
    [IMAGEGEN_CLIENT_ERROR_SERVER] = "server",
    [IMAGEGEN_CLIENT_ERROR_NETWORK] = "network",
    [IMAGEGEN_CLIENT_ERROR_MODERATED] = "moderated",
    [IMAGEGEN_CLIENT_ERROR_TASK_FAILED] = "task-failed",
    [IMAGEGEN_CLIENT_ERROR_TIMEOUT] = "timeout",
    [IMAGEGEN_CLIENT_ERROR_PROTOCOL] = "protocol",
    [IMAGEGEN_CLIENT_ERROR_TOO_LARGE] = "too-large",
    [IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT] = "invalid-argument",
    [IMAGEGEN_CLIENT_ERROR_TLS] = "tls",
  };

  if (code < 0 || (guint) code >= G_N_ELEMENTS (names) || !names[code])
    return "unknown";
  return names[code];
}

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
  details_of (error)->http_status = status;
  details_of (error)->retries = retries;
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
  gchar *redacted;

  if (error == NULL || (redacted = imagegen_redact (error->message,
              secret)) == NULL)
    return;
  g_free (error->message);
  error->message = redacted;
}
