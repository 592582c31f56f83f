/* gst-imagegen: one HTTP exchange, with retries and a size-limited body.
 *
 * Everything here runs on the client's thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "imagegen-log.h"

G_BEGIN_DECLS

/* API answers are small; anything bigger is not an answer. */
#define IMAGEGEN_HTTP_API_MAX_BYTES (1024 * 1024)

/* What the exchanges of one client share. */
typedef struct
{
  SoupSession *session;
  GMainContext *context;
  GUri *base_uri;               /* the API's origin: the only one given the key */
  gchar *authorization;         /* "Bearer …", NULL without a key */
  const gchar *auth_header;     /* its header; NULL: "Authorization" */
  const gchar *key_domain;      /* NULL, or a domain (such as "bfl.ai")
                                 * whose https hosts also get the key when
                                 * the API's host is in it */
  const gchar *const *key_hosts;        /* NULL, or the provider's API hosts
                                         * (fal's queue and REST hosts):
                                         * each gets the key over https
                                         * when the API's host is one */
  guint max_retries;
  guint retry_base_ms;
  guint retry_max_ms;
  gboolean tls_insecure;        /* accept any server certificate */
  const ImagegenLog *log;

  guint live;                   /* exchanges not yet freed */
  void (*drained) (gpointer data);      /* live dropped to 0 */
  gpointer drained_data;
} ImagegenHttp;

typedef enum
{
  /* An API call: no redirects, JSON accepted, key for the API origin. */
  IMAGEGEN_HTTP_FLAG_API = 1 << 0,
  /* A 429 is answered at once, not retried: the caller holds the job
   * (task creates, where 429 is back-pressure). */
  IMAGEGEN_HTTP_FLAG_NO_RETRY_429 = 1 << 1,
  /* An API call answered by server-sent events (a status stream). */
  IMAGEGEN_HTTP_FLAG_EVENT_STREAM = 1 << 2,
  /* One attempt, never retried: a courtesy call (a task's cancel) that
   * must not hold up a shutdown. */
  IMAGEGEN_HTTP_FLAG_ONCE = 1 << 3,
} ImagegenHttpFlags;

typedef struct
{
  guint status;                 /* 0 when @error is a transport error */
  gchar *content_type;          /* without parameters; may be NULL */
  GBytes *body;                 /* never NULL unless @error */
  GError *error;                /* transport failure, TOO_LARGE, CANCELLED */
  guint retries;
  gchar *retry_after;           /* the Retry-After header, NULL if none */
} ImagegenHttpResponse;

typedef struct _ImagegenHttpExchange ImagegenHttpExchange;

/* Called once, unless the exchange was aborted first; the exchange frees
 * itself right after. */
typedef void (*ImagegenHttpDoneFunc) (const ImagegenHttpResponse * response,
    gpointer user_data);

/* Starts @method on @url.  A POST gets an Idempotency-Key that its retries
 * reuse.  Returns NULL with @error set when @url is unusable. */
ImagegenHttpExchange *imagegen_http_exchange_start (ImagegenHttp * http,
    const gchar * method, const gchar * url, const gchar * json_body,
    ImagegenHttpFlags flags, gsize max_bytes, ImagegenHttpDoneFunc done,
    gpointer user_data, GError ** error);

/* The same with any body: @body (may be NULL) is sent with @content_type
 * (NULL: no Content-Type header at all) and @headers, a NULL-terminated
 * list of name, value pairs (may be NULL). */
ImagegenHttpExchange *imagegen_http_exchange_start_full (ImagegenHttp * http,
    const gchar * method, const gchar * url, GBytes * body,
    const gchar * content_type, const gchar * const *headers,
    ImagegenHttpFlags flags, gsize max_bytes, ImagegenHttpDoneFunc done,
    gpointer user_data, GError ** error);

/* The task the exchange is about, for its log lines. */
void imagegen_http_exchange_set_task_id (ImagegenHttpExchange * ex,
    const gchar * task_id);

/* Why the exchange last retried ("rate limited (HTTP 429)", "server
 * error (HTTP 503)" or the transport error), NULL when it has not. */
const gchar *imagegen_http_exchange_get_last_cause (ImagegenHttpExchange *
    ex);

/* No callback will come; frees itself once soup lets go. */
void imagegen_http_exchange_abort (ImagegenHttpExchange * ex);

/* Same scheme, host and port (default ports filled in). */
gboolean imagegen_http_same_origin (GUri * a, GUri * b);

/* May a request to @uri carry @http's key?  Only to the API's origin, or
 * over https to a host of key_domain when the API's host is one too. */
gboolean imagegen_http_key_allowed (const ImagegenHttp * http, GUri * uri);

G_END_DECLS
