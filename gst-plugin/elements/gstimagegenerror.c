/* gst-imagegen: turning client and decoding errors into bus messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensettings.h"
#include "gstimagegendecode.h"

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

void
gst_imagegen_post_error (GstElement * element, const GError * error,
    const gchar * what, gboolean warning)
{
  GQuark domain;
  gint code;
  gchar *text, *debug;

  error_to_gst_code (error, &domain, &code);
  text = what ? g_strdup_printf ("%s failed: %s", what, error->message) :
      g_strdup (error->message);
  debug = g_strdup_printf ("%s error %d", g_quark_to_string (error->domain),
      error->code);
  gst_element_message_full (element,
      warning ? GST_MESSAGE_WARNING : GST_MESSAGE_ERROR, domain, code, text,
      debug, __FILE__, GST_FUNCTION, __LINE__);
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
