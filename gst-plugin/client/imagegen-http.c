/* gst-imagegen: one HTTP exchange, with retries and a size-limited body.
 *
 * An exchange owns itself: exactly one asynchronous step (send, read,
 * close or a retry timer) is pending at any time, and the exchange is freed
 * when the last one ends.  abort() only flags it and cancels the step in
 * flight, so a callback never runs on freed memory and the owner may forget
 * the exchange at once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-http.h"
#include "imagegen-client.h"
#include "imagegen-retry.h"
#include "imagegen-transport.h"

#include <string.h>

#define READ_CHUNK (64 * 1024)

struct _ImagegenHttpExchange
{
  ImagegenHttp *http;
  gchar *method;
  GUri *uri;
  gchar *log_url;               /* without query: signed URLs carry secrets */
  GBytes *body;                 /* request body, NULL for GET */
  gchar *content_type;          /* of @body; NULL: no header */
  gchar **headers;              /* extra request headers: name, value… */
  gchar *idempotency_key;
  gchar *task_id;               /* for log lines, may be NULL */
  ImagegenHttpFlags flags;
  gsize max_bytes;
  ImagegenHttpDoneFunc done;
  gpointer user_data;

  gboolean aborted;
  guint attempt;                /* 0 for the first try */
  GSource *timer;               /* retry wait */
  gchar *last_cause;            /* why it last retried, NULL if it has not */

  /* The current attempt. */
  SoupMessage *msg;
  GCancellable *cancellable;
  GInputStream *stream;
  GByteArray *buffer;
  goffset expected;             /* Content-Length of a plain body, or -1 */
  gint64 started_us;
  ImagegenHttpResponse response;
  gchar *request_id;            /* the answer's X-Request-ID, for the log */
};

static void start_attempt (ImagegenHttpExchange * ex);

static void
clear_attempt (ImagegenHttpExchange * ex)
{
  g_clear_object (&ex->msg);
  g_clear_object (&ex->cancellable);
  g_clear_object (&ex->stream);
  if (ex->buffer)
    g_byte_array_unref (ex->buffer);
  ex->buffer = NULL;
  g_clear_pointer (&ex->response.content_type, g_free);
  g_clear_pointer (&ex->response.body, g_bytes_unref);
  g_clear_error (&ex->response.error);
  g_clear_pointer (&ex->response.retry_after, g_free);
  g_clear_pointer (&ex->request_id, g_free);
  ex->response.status = 0;
}

static void
exchange_free (ImagegenHttpExchange * ex)
{
  ImagegenHttp *http = ex->http;

  clear_attempt (ex);
  if (ex->timer) {
    g_source_destroy (ex->timer);
    g_source_unref (ex->timer);
  }
  g_free (ex->method);
  g_uri_unref (ex->uri);
  g_free (ex->log_url);
  g_clear_pointer (&ex->body, g_bytes_unref);
  g_free (ex->content_type);
  g_strfreev (ex->headers);
  g_free (ex->idempotency_key);
  g_free (ex->last_cause);
  g_free (ex->task_id);
  g_free (ex);

  if (--http->live == 0 && http->drained)
    http->drained (http->drained_data);
}

const gchar *
imagegen_http_exchange_get_last_cause (ImagegenHttpExchange * ex)
{
  return ex->last_cause;
}

void
imagegen_http_exchange_set_task_id (ImagegenHttpExchange * ex,
    const gchar * task_id)
{
  g_free (ex->task_id);
  ex->task_id = g_strdup (task_id);
}

void
imagegen_http_exchange_abort (ImagegenHttpExchange * ex)
{
  g_return_if_fail (ex != NULL && !ex->aborted);

  ex->aborted = TRUE;
  if (ex->timer) {
    /* Waiting for a retry: nothing in flight, done. */
    exchange_free (ex);
    return;
  }
  g_cancellable_cancel (ex->cancellable);
}

static gboolean
retry_timer_cb (gpointer data)
{
  ImagegenHttpExchange *ex = data;

  g_source_unref (ex->timer);
  ex->timer = NULL;
  start_attempt (ex);
  return G_SOURCE_REMOVE;
}

/* The attempt is over (stream closed): retry, report or go away. */
static void
attempt_finished (ImagegenHttpExchange * ex)
{
  ImagegenHttpResponse *r = &ex->response;
  gboolean retry;
  guint delay_ms = 0;

  if (ex->aborted) {
    exchange_free (ex);
    return;
  }

  if (r->error)
    retry = imagegen_retry_error_is_retryable (r->error);
  else
    retry = imagegen_retry_status_is_retryable (r->status)
        && !(r->status == 429 && (ex->flags & IMAGEGEN_HTTP_FLAG_NO_RETRY_429));

  if (retry && !(ex->flags & IMAGEGEN_HTTP_FLAG_ONCE)
      && ex->attempt < ex->http->max_retries) {
    delay_ms = imagegen_retry_delay_ms (ex->http->retry_base_ms,
        ex->http->retry_max_ms, ex->attempt, r->error ? NULL : r->retry_after);

    IMAGEGEN_LOG (ex->http->log, IMAGEGEN_LOG_DEBUG,
        "%s %s: retry %u of %u in %u ms%s%s (%s), task %s", ex->method,
        ex->log_url, ex->attempt + 1, ex->http->max_retries, delay_ms,
        r->retry_after ? ", Retry-After " : "",
        r->retry_after ? r->retry_after : "",
        r->error ? r->error->message : "retryable status",
        ex->task_id ? ex->task_id : "-");

    g_free (ex->last_cause);
    if (r->error)
      ex->last_cause = g_strdup (r->error->message);
    else if (r->status == 429)
      ex->last_cause = g_strdup ("rate limited (HTTP 429)");
    else
      ex->last_cause = g_strdup_printf ("server error (HTTP %u)", r->status);
    ex->attempt++;
    r->retries = ex->attempt;
    clear_attempt (ex);
    ex->timer = g_timeout_source_new (delay_ms);
    g_source_set_callback (ex->timer, retry_timer_cb, ex, NULL);
    g_source_attach (ex->timer, ex->http->context);
    return;
  }

  if (r->error == NULL && r->body == NULL)
    r->body = g_bytes_new (NULL, 0);
  ex->done (r, ex->user_data);
  exchange_free (ex);
}

static void
close_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  ImagegenHttpExchange *ex = data;

  /* A close after a cancel may fail; the attempt's outcome is known. */
  g_input_stream_close_finish (G_INPUT_STREAM (source), res, NULL);
  attempt_finished (ex);
}

/* Ends the attempt; @error (taken) is its failure, if any. */
static void
end_attempt (ImagegenHttpExchange * ex, GError * error)
{
  ImagegenHttpResponse *r = &ex->response;

  if (error) {
    g_clear_error (&r->error);
    r->error = error;
    g_clear_pointer (&r->body, g_bytes_unref);
    /* Drop the connection instead of reading the rest of the body. */
    g_cancellable_cancel (ex->cancellable);
  } else if (ex->buffer) {
    r->body = g_byte_array_free_to_bytes (ex->buffer);
    ex->buffer = NULL;
  }

  /* one line per request: what a user debugging a job wants first */
  IMAGEGEN_LOG (ex->http->log, IMAGEGEN_LOG_DEBUG,
      "%s %s: %s%u, %" G_GINT64_FORMAT " ms, %" G_GSIZE_FORMAT
      " bytes, retry %u, task %s%s%s%s%s", ex->method, ex->log_url,
      r->status ? "HTTP " : "status ", r->status,
      (g_get_monotonic_time () - ex->started_us) / 1000,
      r->body ? g_bytes_get_size (r->body) : 0, ex->attempt,
      ex->task_id ? ex->task_id : "-",
      ex->request_id ? ", request-id " : "",
      ex->request_id ? ex->request_id : "",
      r->error ? ", " : "", r->error ? r->error->message : "");

  if (ex->stream) {
    g_input_stream_close_async (ex->stream, G_PRIORITY_DEFAULT, NULL,
        close_cb, ex);
    return;
  }
  attempt_finished (ex);
}

static GError *
too_large_error (ImagegenHttpExchange * ex, guint64 size)
{
  if (size > 0)
    return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TOO_LARGE,
        "answer too large: %" G_GUINT64_FORMAT " bytes, limit is %"
        G_GSIZE_FORMAT, size, ex->max_bytes);
  return g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TOO_LARGE,
      "answer too large: over the limit of %" G_GSIZE_FORMAT " bytes",
      ex->max_bytes);
}

static void
read_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  ImagegenHttpExchange *ex = data;
  GError *error = NULL;
  GBytes *chunk;
  gsize len;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res,
      &error);
  if (chunk == NULL) {
    end_attempt (ex, error);
    return;
  }

  len = g_bytes_get_size (chunk);
  if (len == 0) {
    g_bytes_unref (chunk);
    /* libsoup 3.2 reports a body cut short of its Content-Length as a
     * clean end of stream. */
    if (ex->expected >= 0 && ex->buffer->len < (guint64) ex->expected)
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
          "connection closed after %u of %" G_GOFFSET_FORMAT " bytes",
          ex->buffer->len, ex->expected);
    end_attempt (ex, error);
    return;
  }

  if (ex->buffer->len + len > ex->max_bytes) {
    g_bytes_unref (chunk);
    end_attempt (ex, too_large_error (ex, 0));
    return;
  }
  g_byte_array_append (ex->buffer, g_bytes_get_data (chunk, NULL), len);
  g_bytes_unref (chunk);

  g_input_stream_read_bytes_async (ex->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
      ex->cancellable, read_cb, ex);
}

static void
send_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  ImagegenHttpExchange *ex = data;
  ImagegenHttpResponse *r = &ex->response;
  SoupMessageHeaders *headers;
  GError *error = NULL;
  const gchar *ct, *enc;
  goffset length = -1;

  ex->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (ex->stream == NULL) {
    /* Say what is wrong with the certificate; never retried. */
    if (error->domain == G_TLS_ERROR) {
      GError *tls = imagegen_transport_tls_error (ex->msg, error);

      g_error_free (error);
      error = tls;
    }
    end_attempt (ex, error);
    return;
  }

  r->status = soup_message_get_status (ex->msg);
  headers = soup_message_get_response_headers (ex->msg);
  ct = soup_message_headers_get_content_type (headers, NULL);
  r->content_type = g_strdup (ct);
  r->retry_after = g_strdup (soup_message_headers_get_one (headers,
          "Retry-After"));
  ex->request_id = g_strdup (soup_message_headers_get_one (headers,
          "X-Request-ID"));
  /* the create answer names its task before we have parsed it */
  if (ex->task_id == NULL)
    ex->task_id = g_strdup (soup_message_headers_get_one (headers,
            "X-RunAPI-Task-Id"));

  /* Error bodies only matter for their message. */
  if (!SOUP_STATUS_IS_SUCCESSFUL (r->status))
    ex->max_bytes = MIN (ex->max_bytes, IMAGEGEN_HTTP_API_MAX_BYTES);

  if (soup_message_headers_get_encoding (headers) ==
      SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  /* A decoded (gzip…) body has another length than the header says. */
  enc = soup_message_headers_get_one (headers, "Content-Encoding");
  ex->expected = enc == NULL || g_ascii_strcasecmp (enc, "identity") == 0 ?
      length : -1;
  if (length > 0 && (guint64) length > ex->max_bytes) {
    /* Refuse early rather than read what we would throw away. */
    end_attempt (ex, too_large_error (ex, length));
    return;
  }

  ex->buffer = g_byte_array_sized_new (length > 0 ? length : READ_CHUNK);
  g_input_stream_read_bytes_async (ex->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
      ex->cancellable, read_cb, ex);
}

/* tls_insecure: the user switched verification off explicitly. */
static gboolean
accept_certificate_cb (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static void
start_attempt (ImagegenHttpExchange * ex)
{
  SoupMessageHeaders *headers;
  guint i;

  ex->msg = soup_message_new_from_uri (ex->method, ex->uri);
  ex->cancellable = g_cancellable_new ();
  ex->started_us = g_get_monotonic_time ();
  headers = soup_message_get_request_headers (ex->msg);
  if (ex->http->tls_insecure)
    g_signal_connect (ex->msg, "accept-certificate",
        G_CALLBACK (accept_certificate_cb), NULL);

  for (i = 0; ex->headers && ex->headers[i] && ex->headers[i + 1]; i += 2)
    soup_message_headers_replace (headers, ex->headers[i], ex->headers[i + 1]);

  if (ex->flags & IMAGEGEN_HTTP_FLAG_API) {
    /* A redirect could carry the key elsewhere: treat it as an error. */
    soup_message_add_flags (ex->msg, SOUP_MESSAGE_NO_REDIRECT);
    soup_message_headers_replace (headers, "Accept",
        (ex->flags & IMAGEGEN_HTTP_FLAG_EVENT_STREAM) ? "text/event-stream" :
        "application/json");
    if (ex->http->authorization && imagegen_http_key_allowed (ex->http,
            ex->uri))
      soup_message_headers_replace (headers, ex->http->auth_header ?
          ex->http->auth_header : "Authorization", ex->http->authorization);
  }
  if (ex->idempotency_key)
    soup_message_headers_replace (headers, "Idempotency-Key",
        ex->idempotency_key);
  if (ex->body)
    soup_message_set_request_body_from_bytes (ex->msg, ex->content_type,
        ex->body);

  soup_session_send_async (ex->http->session, ex->msg, G_PRIORITY_DEFAULT,
      ex->cancellable, send_cb, ex);
}

ImagegenHttpExchange *
imagegen_http_exchange_start (ImagegenHttp * http, const gchar * method,
    const gchar * url, const gchar * json_body, ImagegenHttpFlags flags,
    gsize max_bytes, ImagegenHttpDoneFunc done, gpointer user_data,
    GError ** error)
{
  GBytes *body = json_body ? g_bytes_new (json_body, strlen (json_body)) :
      NULL;
  ImagegenHttpExchange *ex;

  ex = imagegen_http_exchange_start_full (http, method, url, body,
      "application/json", NULL, flags, max_bytes, done, user_data, error);
  g_clear_pointer (&body, g_bytes_unref);
  return ex;
}

ImagegenHttpExchange *
imagegen_http_exchange_start_full (ImagegenHttp * http, const gchar * method,
    const gchar * url, GBytes * body, const gchar * content_type,
    const gchar * const *headers, ImagegenHttpFlags flags, gsize max_bytes,
    ImagegenHttpDoneFunc done, gpointer user_data, GError ** error)
{
  ImagegenHttpExchange *ex;
  GError *err = NULL;
  GUri *uri;
  const gchar *scheme;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &err);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0
          && g_ascii_strcasecmp (scheme, "https") != 0)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL,
        "not an http(s) URL: %s", err ? err->message : url);
    g_clear_error (&err);
    g_clear_pointer (&uri, g_uri_unref);
    return NULL;
  }

  ex = g_new0 (ImagegenHttpExchange, 1);
  ex->http = http;
  ex->method = g_strdup (method);
  ex->uri = uri;
  ex->log_url = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO |
      G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
  if (body) {
    ex->body = g_bytes_ref (body);
    ex->content_type = g_strdup (content_type);
  }
  ex->headers = g_strdupv ((gchar **) headers);
  /* One key per POST, the same on its retries, so a retried create is
   * answered with the task it already made. */
  if (g_strcmp0 (method, "POST") == 0)
    ex->idempotency_key = g_uuid_string_random ();
  ex->flags = flags;
  ex->max_bytes = max_bytes;
  ex->done = done;
  ex->user_data = user_data;
  http->live++;

  start_attempt (ex);
  return ex;
}
