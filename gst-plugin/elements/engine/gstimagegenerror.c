/* gst-imagegen: turning client and decoding errors into bus messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensettings.h"
#include "gstimagegendecode.h"
#include "gstimagegenlog.h"

/* GST_ELEMENT_ERROR picks a domain and code; the client's message is
 * already the human sentence, so it becomes the text as it is. */
static void
error_to_gst_code (const GError * error, GQuark * domain, gint * code)
{
  *domain = GST_RESOURCE_ERROR;
  *code = GST_RESOURCE_ERROR_FAILED;

  if (error->domain == GST_IMAGEGEN_DECODE_ERROR) {
    *domain = GST_STREAM_ERROR;
    *code = GST_STREAM_ERROR_DECODE;
    return;
  }
  if (error->domain != IMAGEGEN_CLIENT_ERROR)
    return;

  switch (error->code) {
    case IMAGEGEN_CLIENT_ERROR_AUTH:
    case IMAGEGEN_CLIENT_ERROR_CREDITS:
    case IMAGEGEN_CLIENT_ERROR_FORBIDDEN:
      *code = GST_RESOURCE_ERROR_NOT_AUTHORIZED;
      break;
    case IMAGEGEN_CLIENT_ERROR_VALIDATION:
    case IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT:
      *code = GST_RESOURCE_ERROR_SETTINGS;
      break;
    case IMAGEGEN_CLIENT_ERROR_NOT_FOUND:
      *code = GST_RESOURCE_ERROR_NOT_FOUND;
      break;
    case IMAGEGEN_CLIENT_ERROR_NETWORK:
    case IMAGEGEN_CLIENT_ERROR_SERVER:
    case IMAGEGEN_CLIENT_ERROR_RATE_LIMITED:
    case IMAGEGEN_CLIENT_ERROR_TIMEOUT:
    case IMAGEGEN_CLIENT_ERROR_PROTOCOL:
    case IMAGEGEN_CLIENT_ERROR_TOO_LARGE:
      *code = GST_RESOURCE_ERROR_READ;
      break;
    default:
      break;
  }
}

/* The debug text says what a developer needs beyond the sentence; the
 * details structure says the same to an application. */
static gchar *
debug_text (const GError * error, GstStructure ** details)
{
  const ImagegenClientErrorDetails *d =
      imagegen_client_error_get_details (error);
  GString *s;

  *details = NULL;
  if (d == NULL)
    return g_strdup_printf ("%s (%s, code %d)", error->message,
        g_quark_to_string (error->domain), error->code);

  *details = gst_structure_new ("details",
      "error-code", G_TYPE_STRING,
      imagegen_client_error_code_name (error->code),
      "retries", G_TYPE_UINT, d->retries, NULL);
  s = g_string_new ("imagegen client error ");
  g_string_append (s, imagegen_client_error_code_name (error->code));
  if (d->task_id) {
    gst_structure_set (*details, "task-id", G_TYPE_STRING, d->task_id, NULL);
    g_string_append_printf (s, ", task %s", d->task_id);
  }
  if (d->model) {
    gst_structure_set (*details, "model", G_TYPE_STRING, d->model, NULL);
    g_string_append_printf (s, ", model %s", d->model);
  }
  if (d->http_status) {
    gst_structure_set (*details, "http-status", G_TYPE_UINT, d->http_status,
        NULL);
    g_string_append_printf (s, ", HTTP %u", d->http_status);
  }
  g_string_append_printf (s, ", %u %s", d->retries,
      d->retries == 1 ? "retry" : "retries");
  return g_string_free (s, FALSE);
}

void
gst_imagegen_post_error_full (GstElement * element, const GError * error,
    const gchar * what, gboolean warning, const gchar * file,
    const gchar * function, gint line)
{
  GstStructure *details;
  GQuark domain;
  gint code;
  gchar *text, *debug;

  error_to_gst_code (error, &domain, &code);
  text = what ? g_strdup_printf ("%s failed: %s", what, error->message) :
      g_strdup (error->message);
  debug = debug_text (error, &details);
  GST_CAT_LEVEL_LOG (gst_imagegen_debug, warning ? GST_LEVEL_WARNING :
      GST_LEVEL_ERROR, element, "%s (%s)", text, debug);
  /* takes text and debug */
  gst_element_message_full_with_details (element,
      warning ? GST_MESSAGE_WARNING : GST_MESSAGE_ERROR, domain, code, text,
      debug, file, function, line, details);
}

gboolean
gst_imagegen_error_is_fatal (const GError * error)
{
  if (error->domain != IMAGEGEN_CLIENT_ERROR)
    return FALSE;
  switch (error->code) {
    case IMAGEGEN_CLIENT_ERROR_AUTH:
    case IMAGEGEN_CLIENT_ERROR_CREDITS:
    case IMAGEGEN_CLIENT_ERROR_FORBIDDEN:
    case IMAGEGEN_CLIENT_ERROR_VALIDATION:
    case IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT:
    case IMAGEGEN_CLIENT_ERROR_TLS:
      return TRUE;
    default:
      return FALSE;
  }
}
