/* gst-imagegen: a GStreamer-free client for remote image-generation services.
 *
 * One ImagegenClient owns a SoupSession that lives on a private thread with
 * its own GMainContext (libsoup 3 is not thread-safe).  Callers submit jobs
 * from any thread; each job runs upload(s) -> create -> poll -> download on
 * that thread and reports once, through its done callback, on that thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMAGEGEN_CLIENT_ERROR (imagegen_client_error_quark ())
GQuark imagegen_client_error_quark (void);

/**
 * ImagegenClientError:
 *
 * What went wrong, in the words a user can act on.  Cancellation is reported
 * as G_IO_ERROR / G_IO_ERROR_CANCELLED, never with these codes.
 */
typedef enum
{
  IMAGEGEN_CLIENT_ERROR_AUTH,           /* 401: invalid API key */
  IMAGEGEN_CLIENT_ERROR_CREDITS,        /* 402: insufficient credits */
  IMAGEGEN_CLIENT_ERROR_FORBIDDEN,      /* 403: key lacks permission, or expired URL */
  IMAGEGEN_CLIENT_ERROR_VALIDATION,     /* 400/413/422: names the fields */
  IMAGEGEN_CLIENT_ERROR_NOT_FOUND,      /* 404 */
  IMAGEGEN_CLIENT_ERROR_CONFLICT,       /* 409: idempotency key reused */
  IMAGEGEN_CLIENT_ERROR_RATE_LIMITED,   /* 429 after every retry, or no
                                         * create admitted for
                                         * rate_limit_timeout_s */
  IMAGEGEN_CLIENT_ERROR_SERVER,         /* 5xx after every retry */
  IMAGEGEN_CLIENT_ERROR_NETWORK,        /* connection faults after every retry */
  IMAGEGEN_CLIENT_ERROR_MODERATED,      /* content moderated */
  IMAGEGEN_CLIENT_ERROR_TASK_FAILED,    /* the provider's task failed */
  IMAGEGEN_CLIENT_ERROR_TIMEOUT,        /* the job took longer than job-timeout */
  IMAGEGEN_CLIENT_ERROR_PROTOCOL,       /* an answer we cannot understand */
  IMAGEGEN_CLIENT_ERROR_TOO_LARGE,      /* a body over the download limit */
  IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, /* a request we refuse to send */
  IMAGEGEN_CLIENT_ERROR_TLS,            /* the server's certificate is not trusted */
} ImagegenClientError;

/**
 * ImagegenClientErrorDetails:
 * @task_id: the task the error is about, or NULL
 * @model: the request's model, or NULL
 * @http_status: the HTTP status that ended the job, 0 when none did
 * @retries: HTTP exchanges the job repeated before it gave up
 *
 * What every IMAGEGEN_CLIENT_ERROR of a finished job carries besides its
 * message (also through g_error_copy()), so that callers can act on it
 * without parsing the sentence.
 */
typedef struct
{
  gchar *task_id;
  gchar *model;
  guint http_status;
  guint retries;
} ImagegenClientErrorDetails;

/* The details of an IMAGEGEN_CLIENT_ERROR; NULL for other domains. */
const ImagegenClientErrorDetails *imagegen_client_error_get_details (const
    GError * error);

/* The code's name ("auth", "timeout"…), for logs. */
const gchar *imagegen_client_error_code_name (gint code);

typedef enum
{
  IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
  IMAGEGEN_ENDPOINT_REMIX,
  IMAGEGEN_ENDPOINT_UPLOAD,     /* only upload source_images; see uploaded_urls */
} ImagegenEndpoint;

/**
 * ImagegenLogLevel:
 * @IMAGEGEN_LOG_WARNING: something a user should hear of (an unknown task
 *   status, once per job)
 * @IMAGEGEN_LOG_INFO: a job's milestones: started, task created, completed,
 *   done or failed
 * @IMAGEGEN_LOG_DEBUG: one line per HTTP request (method, URL without its
 *   query, status, time, retry, task id) and each retry's wait
 * @IMAGEGEN_LOG_TRACE: polling decisions
 */
typedef enum
{
  IMAGEGEN_LOG_WARNING,
  IMAGEGEN_LOG_INFO,
  IMAGEGEN_LOG_DEBUG,
  IMAGEGEN_LOG_TRACE,
} ImagegenLogLevel;

/**
 * ImagegenLogFunc:
 * @file: @function: @line: where in the client the line comes from
 * @message: one line, without the API key
 *
 * Receives the client's log lines, on the client's thread (so it must be
 * thread-safe and must not block).
 */
typedef void (*ImagegenLogFunc) (ImagegenLogLevel level, const gchar * file,
    const gchar * function, gint line, const gchar * message,
    gpointer user_data);

/**
 * ImagegenProviderId:
 * @IMAGEGEN_PROVIDER_RUNAPI: RunAPI (PROTOCOL.md, section 1)
 * @IMAGEGEN_PROVIDER_BFL: Black Forest Labs direct (section 2): x-key
 *   auth, frames inline as base64, exact width and height
 * @IMAGEGEN_PROVIDER_FAL: fal's queue API (PROTOCOL-FAL.md): Key auth,
 *   frames as data: URIs, status then result
 * @IMAGEGEN_PROVIDER_N: the number of providers
 *
 * The service a client speaks to.
 */
typedef enum
{
  IMAGEGEN_PROVIDER_RUNAPI,
  IMAGEGEN_PROVIDER_BFL,
  IMAGEGEN_PROVIDER_FAL,
  IMAGEGEN_PROVIDER_N,
} ImagegenProviderId;

/**
 * ImagegenClientConfig:
 *
 * Fixed for the life of a client.  Strings are copied by imagegen_client_new().
 */
typedef struct
{
  gchar *api_key;               /* never logged; sent only to base_url's origin
                                 * (see imagegen_http_key_allowed()) */
  gchar *base_url;              /* e.g. "https://runapi.ai"; NULL (or, for
                                 * another provider, the RunAPI default
                                 * config_init() sets): the provider's */
  gchar *user_agent;            /* NULL: "gst-imagegen/<version>" */
  guint max_in_flight;          /* jobs running at once; more wait in a queue */
  guint max_retries;            /* per HTTP exchange, for 429/5xx/network */
  guint retry_base_ms;          /* first backoff step (doubles, +50% jitter) */
  guint retry_max_ms;           /* cap of one backoff step (Retry-After may exceed) */
  guint request_timeout_s;      /* one HTTP exchange, idle; a realtime
                                 * frame's answer (then it is a drop) */
  guint job_timeout_s;          /* a whole job, upload to download, also
                                 * while it is held by create 429s */
  guint poll_min_ms;            /* densest poll spacing, near expected completion */
  guint poll_max_ms;            /* sparsest poll spacing */
  gsize max_download_bytes;     /* result image size limit (also of a
                                 * realtime socket's incoming message) */

  /* Transport security (added later: keep at the end). */
  gchar *tls_ca_file;           /* PEM file of trusted CAs, replacing the
                                 * system's; NULL: the system's */
  gboolean tls_insecure;        /* accept any certificate (testing only) */
  gboolean allow_insecure_http; /* allow http:// to a non-loopback host */
  gboolean direct_upload;       /* Files API prepare + PUT + confirm instead
                                 * of one base64 POST */

  /* Rate limits (added later: keep at the end). */
  guint rate_limit_timeout_s;   /* a job held by create 429s fails once no
                                 * create was admitted for this long; 0: 60 */

  /* Logging (added later: keep at the end). */
  ImagegenLogFunc log_func;     /* NULL: g_debug() */
  gpointer log_data;            /* for log_func; not owned */

  /* The service (added later: keep at the end). */
  ImagegenProviderId provider;  /* RUNAPI (the default), BFL or FAL */
  /* fal realtime (added later: keep at the end). */
  guint realtime_token_lifetime_s;      /* asked of fal's token endpoint,
                                         * renewed at 90 % of it; 0: 120,
                                         * what fal's clients ask */
} ImagegenClientConfig;

#define IMAGEGEN_CLIENT_DEFAULT_BASE_URL "https://runapi.ai"
/* The lifetime fal's clients ask of realtime tokens, in seconds (the
 * default of realtime_token_lifetime_s). */
#define IMAGEGEN_REALTIME_TOKEN_LIFETIME_S 120
/* Black Forest Labs' hosts (PROTOCOL.md, section 2). */
#define IMAGEGEN_BFL_DEFAULT_BASE_URL "https://api.bfl.ai"
#define IMAGEGEN_BFL_EU_BASE_URL "https://api.eu.bfl.ai"
#define IMAGEGEN_BFL_US_BASE_URL "https://api.us.bfl.ai"

/* Defaults: base_url IMAGEGEN_CLIENT_DEFAULT_BASE_URL, max_in_flight 4,
 * max_retries 3, retry_base_ms 500, retry_max_ms 8000, request_timeout_s 30,
 * job_timeout_s 600, poll_min_ms 100, poll_max_ms 2000,
 * max_download_bytes 64 MiB.  api_key stays NULL (no Authorization).
 * TLS is verified against the system's CAs; plain http:// is allowed to
 * loopback hosts only; uploads are one base64 POST; rate_limit_timeout_s
 * 60; realtime_token_lifetime_s IMAGEGEN_REALTIME_TOKEN_LIFETIME_S. */
void imagegen_client_config_init (ImagegenClientConfig * config);
void imagegen_client_config_clear (ImagegenClientConfig * config);

/* A deep copy of @src into @dest (which is overwritten, not cleared). */
void imagegen_client_config_copy (ImagegenClientConfig * dest,
    const ImagegenClientConfig * src);

/* Would a client made from @config refuse every job?  Says why: a base URL
 * that is not http(s), plain http:// to a non-loopback host without
 * allow_insecure_http, an unreadable tls_ca_file.  Jobs of such a client
 * fail with this same error; elements can call it at start-up. */
gboolean imagegen_client_config_check (const ImagegenClientConfig * config,
    GError ** error);

/**
 * ImagegenRequest:
 *
 * What one image needs.  @source_images holds encoded images (GBytes, JPEG or
 * PNG) to upload through the Files API first (Black Forest Labs: sent
 * inline as base64, no upload); @source_urls holds public URLs used as
 * they are.  Uploaded ones come first in source_image_urls.
 * The request owns both arrays (created with a free func, as the
 * imagegen_request_add_*() helpers do) and imagegen_request_free() unrefs
 * them.
 */
typedef struct
{
  ImagegenEndpoint endpoint;
  gchar *model;
  gchar *prompt;
  gchar *aspect_ratio;          /* NULL: provider default */
  gchar *resolution;            /* NULL: provider default ("1k", "2k") */
  GPtrArray *source_images;     /* element-type GBytes, may be NULL */
  GPtrArray *source_urls;       /* element-type gchar*, may be NULL */
  gchar *extra_json;            /* a JSON object of the model's own fields
                                 * (seed, output_count…), checked against
                                 * the model table; NULL: none */

  /* Fields only Black Forest Labs takes (RunAPI ignores them). */
  guint width;                  /* output size, multiples of 16; 0: default */
  guint height;
  gint64 seed;                  /* < 0: none (imagegen_request_new) */
  guint steps;                  /* flex only, 1-50; 0: default */
  gdouble guidance;             /* flex only, 1.5-10; 0: default */
} ImagegenRequest;

ImagegenRequest *imagegen_request_new (ImagegenEndpoint endpoint,
    const gchar * model, const gchar * prompt);
ImagegenRequest *imagegen_request_copy (const ImagegenRequest * request);
/* Adds a ref of @image / a copy of @url, creating the array if needed. */
void imagegen_request_add_source_image (ImagegenRequest * request,
    GBytes * image);
void imagegen_request_add_source_url (ImagegenRequest * request,
    const gchar * url);
void imagegen_request_free (ImagegenRequest * request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImagegenRequest, imagegen_request_free)

/* Money.  Costs are counted in nanocents (10^-9 US cent) in a gint64, -1
 * when unknown: Black Forest Labs bills credits of a cent with fractions
 * (a per-megapixel price of up to three decimals times width x height /
 * 10^6 is a whole number of nanocents), RunAPI settles in micro-cents, so
 * every price and bill is exact there and sums are exact whatever the
 * order tasks end in (doubles would drift, and max-cost would stop a
 * request early or late).  A gint64 holds 90 million dollars.  Rounding
 * happens only where a figure is shown, by imagegen_cents_shown(). */
#define IMAGEGEN_NANOCENTS_PER_CENT G_GINT64_CONSTANT (1000000000)

/* @cents (with fractions, e.g. a Black Forest Labs credit figure) to the
 * nearest nanocent; -1 when @cents is negative or not a number. */
gint64 imagegen_nanocents (gdouble cents);

/* Whole cents of @nanocents for showing, rounded up (a shown bill is never
 * below the real one); -1 stays -1. */
gint imagegen_cents_shown (gint64 nanocents);

/* Cents with fractions ("credits", one a cent), for showing; -1.0 when
 * @nanocents is -1. */
gdouble imagegen_cents_exact (gint64 nanocents);

/* "1.5", "5", "1.4048576": cents with as many decimals as they have. */
gchar *imagegen_cents_to_string (gint64 nanocents);

/**
 * ImagegenResult:
 *
 * What a finished job reports.  On failure @error is set and @image is NULL;
 * @task_id is set whenever the service gave one.  Times are
 * g_get_monotonic_time() values in microseconds (0 when the step never ran).
 */
typedef struct
{
  GError *error;
  gchar *task_id;
  gchar *model;
  GBytes *image;                /* the result's bytes, untouched */
  gchar *content_type;          /* as served, e.g. "image/png" */
  gchar *image_url;
  gint64 submitted_us;          /* imagegen_client_submit() was called */
  gint64 started_us;            /* the job left the queue */
  gint64 created_us;            /* the create POST was answered */
  gint64 completed_us;          /* a poll saw the task completed */
  gint64 downloaded_us;         /* the image bytes were all read */
  guint polls;                  /* GET requests on the task */
  guint retries;                /* HTTP exchanges repeated, all steps */
  gint64 cost_nanocents;        /* exact (see "Money"); -1 when unknown */
  GPtrArray *uploaded_urls;     /* IMAGEGEN_ENDPOINT_UPLOAD: the source
                                 * images' URLs, then the request's own */
  GPtrArray *more_images;       /* GBytes: the second and later images of
                                 * a request that asked several
                                 * (output_count), in the service's order;
                                 * NULL when there is one.  @image is the
                                 * first; @image_url stays its URL. */
  gint64 reserved_nanocents;    /* what the service reserved for the task
                                 * (the create answer's billing), -1 when
                                 * not reported; set by "submitted" */
  gchar *poll_url;              /* where the task is polled, as the create
                                 * answer gave it (Black Forest Labs), or
                                 * NULL; set by "submitted" */
  gboolean resumed;             /* the task was made by an earlier job
                                 * (imagegen_client_resume()): nothing was
                                 * paid for it here, cost_nanocents is 0 */
} ImagegenResult;

void imagegen_result_free (ImagegenResult * result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImagegenResult, imagegen_result_free)

typedef struct _ImagegenClient ImagegenClient;

/**
 * ImagegenJobDoneFunc:
 * @result: (transfer full): owned by the callee
 *
 * Called exactly once per job, on the client's thread, also when the job
 * was cancelled (then @result->error is G_IO_ERROR_CANCELLED).  Must not
 * block: hand heavy work such as decoding to another thread.
 */
typedef void (*ImagegenJobDoneFunc) (ImagegenResult * result,
    gpointer user_data);

/* Optional progress report, on the client's thread: "submitted" once the
 * create POST is answered (task id and poll URL known), "resumed" when a
 * job of imagegen_client_resume() starts polling its task, "completed"
 * when a poll sees the task completed (before the download). */
typedef void (*ImagegenJobEventFunc) (const gchar * event,
    const ImagegenResult * progress, gpointer user_data);

ImagegenClient *imagegen_client_new (const ImagegenClientConfig * config);

/* Cancels every job (their callbacks run with CANCELLED before this
 * returns), stops the thread and frees the client.  Must not be called
 * from the client's own thread, i.e. not from a done callback. */
void imagegen_client_free (ImagegenClient * client);

/**
 * imagegen_client_submit:
 * @cancellable: (nullable): cancels this job only; a cancel that comes
 *   before the job starts still wins
 *
 * Queues a job.  The request is copied.  Thread-safe.  A request of a
 * realtime row (fal's klein realtime) is a frame for the client's
 * realtime WebSocket instead (see ImagegenRealtimeStats): its result is a
 * job's as any, its task_id a local "rt-<n>".
 */
void imagegen_client_submit (ImagegenClient * client,
    const ImagegenRequest * request, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data);

/**
 * imagegen_client_resume:
 * @task_id: a task an earlier job created for this same @request
 * @poll_url: (nullable): where that job polled it (ImagegenResult.poll_url)
 *
 * Like imagegen_client_submit(), but takes up a task that was already
 * created and paid for (by a run that was stopped, say): no upload, no
 * create; it reports "resumed", polls @task_id and downloads its result
 * (cost_nanocents 0, resumed TRUE).  If the service no longer has the task
 * (404, Black Forest Labs' "Task not found"), the task failed, or its
 * result URL expired, the job goes on as a new one: upload, create
 * ("submitted"), poll, download.
 */
void imagegen_client_resume (ImagegenClient * client,
    const ImagegenRequest * request, const gchar * task_id,
    const gchar * poll_url, GCancellable * cancellable,
    ImagegenJobEventFunc event_func, ImagegenJobDoneFunc done_func,
    gpointer user_data);

/* Jobs queued or running right now (a job stops counting just before its
 * done callback runs).  Thread-safe. */
guint imagegen_client_get_jobs_pending (ImagegenClient * client);

/* Rate limits.  A 429 answer to a task create is back-pressure, not a
 * failure: the job goes back to the head of the queue (uploads kept) and
 * sends its create again once the Retry-After (or, without one, the
 * backoff) has passed and the in-flight limit lets it run.  Each such hold
 * halves the in-flight limit (at most once per Retry-After window, never
 * below 1); every `limit` admitted creates raise it by one, up to
 * max_in_flight.  Held jobs use up no max_retries.  A held job fails with
 * IMAGEGEN_CLIENT_ERROR_RATE_LIMITED at the first of: its job_timeout_s
 * (which runs on while it is held: nothing was paid yet), or no create
 * admitted for rate_limit_timeout_s.  429s on other requests are retried
 * like 5xx. */

/* Jobs the client lets run at once right now.  Thread-safe. */
guint imagegen_client_get_in_flight_limit (ImagegenClient * client);

/* Creates answered 429 that held a job, since the client was made.
 * Thread-safe. */
guint imagegen_client_get_rate_limited (ImagegenClient * client);

/**
 * ImagegenRealtimeStats:
 * @connects: WebSocket connections opened
 * @reconnects: of those, opened again after a drop or an Unauthorized
 * @tokens: realtime tokens fetched (each connect takes a fresh one)
 * @frames_sent: frames sent (a frame sent again after a drop counts twice)
 * @results: results read (also of frames cancelled in flight)
 * @superseded: waiting frames a newer one replaced, never sent
 * @service_errors: x-fal-error messages (but the idle TIMEOUT)
 * @drops: sockets lost: a close other than 1000, a dropped connection, or
 *   no answer within request_timeout_s
 *
 * fal realtime's counters (imagegen-realtime.h), since the client was made.
 */
typedef struct
{
  guint connects;
  guint reconnects;
  guint tokens;
  guint frames_sent;
  guint results;
  guint superseded;
  guint service_errors;
  guint drops;
} ImagegenRealtimeStats;

/* Fills @stats.  Thread-safe. */
void imagegen_client_get_realtime_stats (ImagegenClient * client,
    ImagegenRealtimeStats * stats);

/* Catalogue price of one call of @model at @resolution, in cents; -1 when
 * unknown.  Used when the service does not report billing. */
gint imagegen_price_cents (const gchar * model, const gchar * resolution);

/* Live prices.  Asks the service (price_quotes) what @request's model and
 * parameters cost, in the background: a job of its own, after the jobs
 * already queued, once per model and parameters (a quote that failed or
 * has no figure yet is not asked again).  Thread-safe. */
void imagegen_client_prefetch_quote (ImagegenClient * client,
    const ImagegenRequest * request);

/* The quoted nanocents of @request's model and parameters; -1 while none
 * has come (or none will).  Never waits.  Thread-safe. */
gint64 imagegen_client_get_quote (ImagegenClient * client,
    const ImagegenRequest * request);

/* The model table's price of one call of @request (its model, resolution
 * and extra fields such as quality or output_count; Black Forest Labs: per
 * megapixel of @width x @height, unknown without them), in cents rounded
 * up for showing; -1 when unknown or unconfirmed.
 * imagegen_models_price_nanocents() with no provider, shown. */
gint imagegen_request_price_cents (const ImagegenRequest * request);

G_END_DECLS
