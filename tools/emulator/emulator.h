/* imagegen-emulator: a local server speaking the RunAPI and Black Forest
 * Labs protocols (docs/emulator.md, "How the emulator is built")
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef __IMAGEGEN_EMULATOR_H__
#define __IMAGEGEN_EMULATOR_H__

#include <glib.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "imagegen-models.h"
#include "imagegen-image-type.h"

G_BEGIN_DECLS

#define EMU_MAX_FILE_SIZE (20 * 1024 * 1024)
/* What /me/balance reports when --credits was not given. */
#define EMU_UNLIMITED_BALANCE_CENTS 100000
#define EMU_FILE_LIFETIME_US ((gint64) 3600 * G_USEC_PER_SEC)
/* Shapes never enter this border, so corners show the background only. */
#define EMU_IMAGE_BORDER 16
/* remove-background: a pixel this close (per channel) to the top-left
 * pixel's colour is background */
#define EMU_BACKGROUND_DISTANCE 24
/* distinct close codes /emulator/stats counts */
#define EMU_FAL_RT_CLOSE_CODES 8


typedef enum
{
  EMU_STAGE_NONE,
  EMU_STAGE_CREATE,
  EMU_STAGE_POLL,
  EMU_STAGE_DOWNLOAD,
  EMU_STAGE_UPLOAD,
  EMU_STAGE_TASK,
  EMU_STAGE_ANY,
  /* fal's submit only (a create of any provider is EMU_STAGE_CREATE) */
  EMU_STAGE_FAL_SUBMIT,
  /* fal's status stream */
  EMU_STAGE_FAL_STREAM,
  /* fal's POST /tokens/ */
  EMU_STAGE_FAL_TOKEN,
  /* the realtime WebSocket's upgrade request */
  EMU_STAGE_FAL_CONNECT,
  /* a realtime frame as it enters service */
  EMU_STAGE_FAL_FRAME
} EmuStage;

typedef enum
{
  EMU_FAULT_NONE,
  EMU_FAULT_STATUS,
  EMU_FAULT_RESET,
  EMU_FAULT_HANG,
  EMU_FAULT_SLOW,
  EMU_FAULT_TRUNCATE,
  EMU_FAULT_NOTIMAGE,
  EMU_FAULT_BADJSON,
  EMU_FAULT_FAILED,
  EMU_FAULT_MODERATED,
  /* Black Forest Labs' "Request Moderated": the request itself refused */
  EMU_FAULT_REQUEST_MODERATED,
  EMU_FAULT_STUCK,
  EMU_FAULT_HELD,
  EMU_FAULT_TRICKLE,
  EMU_FAULT_REDIRECT,
  EMU_FAULT_CANNED,
  /* realtime frames (EMU_STAGE_FAL_FRAME) only: the connection cut
   * without a close frame, an x-fal-error INTERNAL_ERROR then close 1000,
   * the idle TIMEOUT then close 1000, a close with fault->close_code,
   * {"status":"error","error":"Unauthorized"} */
  EMU_FAULT_DROP,
  EMU_FAULT_FRAME_ERROR,
  EMU_FAULT_FRAME_TIMEOUT,
  EMU_FAULT_CLOSE,
  EMU_FAULT_UNAUTHORIZED
} EmuFaultKind;

typedef struct
{
  EmuStage stage;
  EmuFaultKind kind;
  guint status;
  /* seconds for Retry-After; -1 means an HTTP date */
  gint retry_after;
  /* firings left; -1 means every time */
  gint times;
  /* EMU_FAULT_CANNED: the JSON answered; "%s" stands for a task id */
  const gchar *canned;
  /* realtime frames: fires only on a connection that already answered
   * this many frames (KIND@N) */
  guint after;
  /* EMU_FAULT_CLOSE: the close code */
  guint close_code;
  gchar *spec;
} EmuFault;

typedef enum
{
  EMU_TASK_PENDING,
  EMU_TASK_PROCESSING,
  EMU_TASK_COMPLETED,
  EMU_TASK_FAILED
} EmuTaskStatus;

/* The shape of error bodies (--error-shape). */
typedef enum
{
  /* as the service: {"error":{"code","message"}} where its fixtures show
   * that shape (409, 429), {"error":"text"} elsewhere */
  EMU_ERROR_SHAPE_SERVICE,
  EMU_ERROR_SHAPE_TEXT,
  EMU_ERROR_SHAPE_OBJECT
} EmuErrorShape;

typedef struct _Emulator Emulator;

typedef struct
{
  gint ref_count;
  Emulator *emu;
  gchar *id;
  const ImagegenModelRow *row;
  gchar *model;
  gchar *prompt;
  gchar *aspect_ratio;
  gchar *resolution;
  gchar **source_urls;
  gchar *callback_url;
  /* what the callback posts (NULL: the task object), and the header
   * that carries sha256=<HMAC-SHA256 of it> keyed with @callback_secret
   * (both set by the provider that made the task) */
  JsonNode *(*callback_json) (gpointer task, gint64 now_us);
  gchar *callback_secret;
  const gchar *callback_signature_header;
  guint price_cents;
  gdouble bfl_cost;             /* BFL: the submit answer's cost, credits */
  EmuFaultKind outcome;

  gint64 created_us;
  gint64 pending_until_us;
  gint64 completed_us;
  gint64 ended_us;
  guint latency_ms;
  guint deadline_id;
  gboolean deadline_passed;
  gboolean rendered;
  gboolean terminal;
  EmuTaskStatus status;
  gchar *error;
  gchar *render_error;
  guint upscale_factor;
  gchar *output_format;         /* as asked, or NULL: --image-format */
  guint n_images;               /* output_count */
  GPtrArray *images;            /* GBytes, once rendered */
  guint polls;
  /* Black Forest Labs tasks (emulator-bfl.c) */
  gboolean bfl;
  guint width;                  /* exact output size; 0: from the ratio */
  guint height;
  gchar *inputs;                /* the input fields sent, space-separated */
  guint inline_inputs;          /* of them, base64 (not URLs) */
  gint64 seed;                  /* as asked; -1: none */
  /* fal's queue (emulator-fal.c) */
  gboolean fal;
  gboolean cancelled;
  gchar *fal_app;               /* owner/app, the status and result paths' */
  gboolean reasons;             /* answers Reasoning, then Generating */
} EmuTask;

typedef struct
{
  gchar *id;
  gchar *file_name;
  gchar *mime_type;
  GBytes *data;
  gint64 created_us;
  gint64 expires_us;
} EmuFile;

typedef struct
{
  guint64 create_text_to_image;
  guint64 create_remix;
  guint64 create_remove_background;
  guint64 get_task;
  guint64 files;
  guint64 files_prepare;
  guint64 files_put;
  guint64 files_confirm;
  guint64 download;
  guint64 me;
  guint64 price_schedules;
  guint64 price_quotes;
  guint64 tasks_created;
  guint64 tasks_completed;
  guint64 tasks_failed;
  guint64 idempotent_replays;
  guint64 auth_failures;
  guint64 validation_failures;
  guint64 faults_fired;
  guint64 download_with_authorization;
  guint64 upload_put_with_authorization;
  guint64 assets_requests;
  guint64 assets_with_authorization;
  guint64 bfl_create;
  guint64 bfl_get_result;
  guint64 fal_submit;
  guint64 fal_tasks;
  guint64 fal_status;
  guint64 fal_status_stream;
  guint64 fal_result;
  guint64 fal_cancel;
  guint64 fal_tokens;
  guint64 fal_storage_initiate;
  guint64 fal_storage_put;
  /* fal's realtime WebSocket (emulator-fal-realtime.c) */
  guint64 fal_rt_connects;
  guint64 fal_rt_refused;
  guint64 fal_rt_frames;
  guint64 fal_rt_dropped;
  guint64 fal_rt_results;
  guint64 fal_rt_errors;
  guint64 fal_rt_unauthorized;
  /* connections ended, by close code (1006: cut without a close frame) */
  struct
  {
    guint code;
    guint64 count;
  } fal_rt_closes[EMU_FAL_RT_CLOSE_CODES];
} EmuStats;

typedef struct _EmuLog EmuLog;

struct _Emulator
{
  /* options */
  guint port;
  guint latency_min_ms;
  guint latency_max_ms;
  gboolean latency_given;       /* --latency: every task, slow rows too */
  gchar *require_key;
  gchar *log_path;
  gboolean jpeg;
  guint max_active;
  /* -1: unlimited */
  gint64 credits_cents;
  guint32 seed;
  /* -1: results, files and uploads on the API's own origin */
  gint assets_port;
  GTlsCertificate *tls_certificate;
  EmuErrorShape error_shape;
  /* /files/prepare answers Content-Type and Content-MD5 and the PUT must
   * carry them (the SDK's fixture); FALSE: "headers":{} */
  gboolean upload_headers;
  /* task objects also carry model, prompt, created_at, completed_at:
   * emulator extensions no fixture shows */
  gboolean task_extensions;
  /* every result of one size is the same image, drawn once (benchmarks:
   * keeps rendering off the cores the client under test runs on) */
  gboolean prerendered;
  /* fal's realtime WebSocket: the service time of a frame (-1: --latency
   * if given, else EMU_FAL_RT_DEFAULT_MS), the idle timeout, the cap on
   * a token's lifetime (0: as asked) */
  gint fal_realtime_ms;
  guint fal_realtime_idle_s;
  guint fal_token_ttl_s;
  GMutex prerendered_lock;
  GHashTable *prerendered_images;       /* "WxH" -> GBytes */

  /* runtime; everything below is touched on the main thread only,
   * except @stopping which render workers read */
  GMainLoop *loop;
  SoupServer *server;
  SoupServer *assets_server;
  SoupSession *session;
  GCancellable *cancellable;
  gchar *base_url;
  /* origin of result, file and upload URLs: base_url or the assets one */
  gchar *assets_url;
  GRand *rand;
  GThreadPool *render_pool;
  gint stopping;
  guint async_pending;

  GHashTable *tasks;
  GPtrArray *stats_tasks;
  GHashTable *files;
  GHashTable *uploads;
  GHashTable *sdk_uploads;      /* the SDK's uploads resource, by id */
  GHashTable *idempotency;
  GPtrArray *faults;
  GPtrArray *hung;
  GList *streams;

  EmuStats stats;
  gint64 charged_cents;
  EmuLog *log;
  /* fal's realtime sockets and issued tokens */
  struct _EmuFalRt *fal_rt;
};

typedef struct _EmuRequest EmuRequest;

/* The error body of one provider's shape: @status with @message and, for
 * a 422, the failing fields (@errors, {"field":["message",…]}, taken; may
 * be NULL).  May set response headers. */
typedef JsonNode *(*EmuErrorBody) (EmuRequest * req, guint status,
    const gchar * message, JsonObject * errors);

/* One request in flight through the server. */
struct _EmuRequest
{
  Emulator *emu;
  SoupServerMessage *msg;
  gchar *method;
  gchar *path;
  const gchar *auth;
  gchar *idempotency_key;
  gchar *body_hash;
  gchar *task_id;
  gchar *fault;
  gchar *request_id;
  gboolean paused;
  /* arrived on the assets origin */
  gboolean on_assets;
  /* set by the router: a provider's API path ("any" faults apply), and
   * the shape of its error bodies */
  gboolean api;
  EmuErrorBody error_body;
  JsonNode *body;
};

/* What emu_request_read_json() did. */
typedef enum
{
  /* the body is in req->body: go on */
  EMU_BODY_READ,
  /* an error or a remembered answer went out */
  EMU_BODY_ANSWERED,
  /* an Idempotency-Key replay of the create of task req->task_id: the
   * provider answers it */
  EMU_BODY_REPLAY
} EmuBodyRead;

/* emulator-http.c: requests and replies; knows no provider */
void emu_http_init (Emulator * emu);
void emu_http_shutdown (Emulator * emu);
EmuRequest *emu_request_new (Emulator * emu, SoupServerMessage * msg,
    const gchar * path);
void emu_request_free (EmuRequest * req);
void emu_request_pause (EmuRequest * req);
/* The emulator's own requests (source URLs, callbacks) on its session;
 * @done calls emu_http_send_finish(), which gives the body of a 2xx answer
 * (else NULL) and the message in @msg (may be NULL). */
void emu_http_send (Emulator * emu, SoupMessage * msg,
    GAsyncReadyCallback done, gpointer data);
GBytes *emu_http_send_finish (Emulator * emu, GAsyncResult * res,
    SoupMessage ** msg);
/* Sets the status and the common headers, and logs the request. */
void emu_request_set_status (EmuRequest * req, guint status);
/* Logs the request with @status (0: no answer) without answering. */
void emu_request_log (EmuRequest * req, guint status);
void emu_request_reply_json (EmuRequest * req, guint status, JsonNode * node);
void emu_request_reply_error (EmuRequest * req, guint status,
    const gchar * message);
void emu_request_reply_validation (EmuRequest * req, JsonObject * errors);
void emu_request_reply_bytes (EmuRequest * req, guint status,
    const gchar * content_type, GBytes * bytes);
/* An answer written over time: @tick appends to the body every
 * @interval_ms (at once too when @now) until it returns TRUE; @data is
 * freed with @free_data when the exchange ends.  Takes @req, whose status
 * and headers are set. */
typedef gboolean (*EmuStreamTick) (SoupMessageBody * body, gpointer data);
typedef struct _EmuStream EmuStream;
void emu_request_stream (EmuRequest * req, guint interval_ms, gboolean now,
    EmuStreamTick tick, gpointer data, GDestroyNotify free_data);
/* Ends every stream still open (shutdown). */
void emu_streams_close (Emulator * emu);
/* The key @header carries after @prefix (any case), against
 * --require-key (without it any non-empty key); FALSE after answering 401
 * with @missing (no such header) or @invalid.  Sets req->auth. */
gboolean emu_request_check_key (EmuRequest * req, const gchar * header,
    const gchar * prefix, const gchar * missing, const gchar * invalid);
/* FALSE after answering 405 with Allow: @allowed. */
gboolean emu_request_check_method (EmuRequest * req, const gchar * allowed);
/* The body as a JSON object, or NULL. */
JsonObject *emu_request_parse_json (EmuRequest * req);
EmuBodyRead emu_request_read_json (EmuRequest * req);
void emu_request_remember (EmuRequest * req, const gchar * task_id,
    JsonNode * answer);
/* the request's body as stripped text (newly allocated) */
gchar *emu_request_body_text (EmuRequest * req);
JsonNode *emu_json_object_node (JsonObject * obj);
gchar *emu_time_iso8601 (gint64 real_us);
gchar *emu_time_iso8601_us (gint64 real_us);
void emu_errors_add (JsonObject * errors, const gchar * field,
    const gchar * message);

/* emulator-faults-transport.c: what a fired fault does to the exchange */
void emu_transport_init (Emulator * emu);
void emu_transport_shutdown (Emulator * emu);
/* Takes a fault for @stage; TRUE if it answered the request. */
gboolean emu_transport_check_fault (EmuRequest * req, EmuStage stage,
    EmuFault * fault);
/* The same for a handler that needs nothing more of the fault. */
gboolean emu_transport_faulted (EmuRequest * req, EmuStage stage);
/* The outcome a "task" fault gives the task @req creates, if one fires. */
EmuFaultKind emu_transport_take_task_fault (EmuRequest * req);
/* Sends result @image, as the download fault @fault (if any) wants. */
void emu_transport_send_image (EmuRequest * req, const EmuFault * fault,
    const gchar * content_type, GBytes * image);

/* emulator-runapi.c: RunAPI's protocol under EMU_RUNAPI_PREFIX */
#define EMU_RUNAPI_PREFIX "/api/v1/"
void emu_runapi_handle (EmuRequest * req, const gchar * rest,
    GHashTable * query);
JsonNode *emu_runapi_error_body (EmuRequest * req, guint status,
    const gchar * message, JsonObject * errors);
/* emulator-runapi-auth.c: RunAPI's Bearer key check; FALSE when it
 * answered 401 */
gboolean emu_runapi_check_auth (EmuRequest * req);
/* Is /v1/@rest one of RunAPI's paths (its SDKs' or older pages')? */
gboolean emu_runapi_claims (const gchar * rest);

/* emulator-bfl.c: Black Forest Labs' protocol under EMU_BFL_PREFIX */
#define EMU_BFL_PREFIX "/v1/"
void emu_bfl_handle (EmuRequest * req, const gchar * rest,
    GHashTable * query);
JsonNode *emu_bfl_error_body (EmuRequest * req, guint status,
    const gchar * message, JsonObject * errors);
const gchar *emu_bfl_status_name (EmuTask * task, gint64 now_us);
/* FastAPI's error body, as Black Forest Labs and fal answer: {"detail":
 * text}, on 422 {"detail":[{"loc","msg","type"}]} with an item per
 * failing field of @errors (taken; may be NULL). */
JsonNode *emu_detail_error_body (guint status, const gchar * message,
    JsonObject * errors);

/* emulator-fal.c: fal's queue, storage and token endpoints at the root,
 * the paths emu_fal_claims() takes (one origin for all of fal's hosts, as
 * for the other providers); storage upload URLs under EMU_FAL_UPLOADS on
 * the assets origin */
#define EMU_FAL_PREFIX "/"
#define EMU_FAL_UPLOADS "/emulator/fal-uploads/"
gboolean emu_fal_claims (const gchar * rest);
void emu_fal_handle (EmuRequest * req, const gchar * rest,
    GHashTable * query);
void emu_fal_handle_upload (EmuRequest * req, const gchar * id,
    GHashTable * query);
JsonNode *emu_fal_error_body (EmuRequest * req, guint status,
    const gchar * message, JsonObject * errors);

/* emulator-fal-realtime.c (and emulator-fal-frames.c below it): fal's
 * realtime WebSocket at /<model id> of every realtime row, on the API
 * origin */
#define EMU_FAL_RT_DEFAULT_MS 50
#define EMU_FAL_RT_DEFAULT_IDLE_S 60
void emu_fal_rt_init (Emulator * emu);
/* Closes every socket (1000) and forgets the tokens. */
void emu_fal_rt_shutdown (Emulator * emu);
/* Serves the realtime paths on @server: @callback answers their plain
 * requests and decides on upgrades (emu_fal_rt_handle_upgrade()). */
void emu_fal_rt_add_handlers (Emulator * emu, SoupServer * server,
    SoupServerCallback callback);
gboolean emu_fal_rt_is_upgrade (EmuRequest * req);
/* Refuses the upgrade (401) unless its token or key is good; else leaves
 * the message to libsoup's handshake. */
void emu_fal_rt_handle_upgrade (EmuRequest * req,
    const ImagegenModelRow * row, GHashTable * query);
/* Records @token, issued for @body ({"allowed_apps","token_expiration"}). */
void emu_fal_rt_token_issued (Emulator * emu, const gchar * token,
    JsonObject * body);
/* Answers up to @want held frames (oldest first), their ids into @ids;
 * how many. */
guint emu_fal_rt_release (Emulator * emu, guint want, JsonArray * ids);
/* Counts a connection's end with @code. */
void emu_fal_rt_count_close (Emulator * emu, guint code);

/* emulator-assets.c: result images, file bytes and upload URLs */
void emu_assets_count (EmuRequest * req);
void emu_assets_handle_result (EmuRequest * req, const gchar * name,
    GHashTable * query);
void emu_assets_handle_file (EmuRequest * req, const gchar * rest,
    GHashTable * query);
void emu_assets_handle_upload (EmuRequest * req, const gchar * signed_id,
    GHashTable * query);

/* emulator-server.c: listens and routes */
gboolean emu_server_start (Emulator * emu, GError ** error);
void emu_server_stop (Emulator * emu);

/* emulator-tasks.c */
EmuTask *emu_task_ref (EmuTask * task);
void emu_task_unref (EmuTask * task);
gboolean emu_task_validate (const gchar * path, JsonObject * body,
    JsonObject * errors, const ImagegenModelRow ** row);
guint emu_task_price_cents (const ImagegenModelRow * row, JsonObject * body);
gchar *emu_task_result_url (EmuTask * task, guint index);
/* A task of @row (rendered as @row renders) for @body; @served: the row
 * the request named, whose typical time is the default latency of a slow
 * model (NULL: @row). */
EmuTask *emu_task_create (Emulator * emu, const ImagegenModelRow * row,
    const ImagegenModelRow * served, JsonObject * body,
    EmuFaultKind outcome);
EmuTaskStatus emu_task_status (EmuTask * task, gint64 now_us);
void emu_task_release (EmuTask * task);
/* An unfinished task ends failed with @error now (a cancel). */
void emu_task_cancel (EmuTask * task, const gchar * error);
const gchar *emu_task_status_name (EmuTaskStatus status);
JsonNode *emu_task_to_json (EmuTask * task, gint64 now_us);
JsonNode *emu_task_create_answer (EmuTask * task, gint64 now_us,
    gboolean replayed);
guint emu_tasks_count_active (Emulator * emu);
gboolean emu_tasks_affordable (Emulator * emu, gint64 price_cents);
void emu_tasks_init (Emulator * emu);
void emu_tasks_shutdown (Emulator * emu);

/* emulator-files.c */
void emu_files_handle_create (EmuRequest * req);
void emu_files_handle_prepare (EmuRequest * req);
void emu_files_handle_put (EmuRequest * req, const gchar * signed_id);
void emu_files_handle_confirm (EmuRequest * req);
EmuFile *emu_files_lookup_url (Emulator * emu, const gchar * url);
EmuFile *emu_files_lookup (Emulator * emu, const gchar * id);
void emu_file_free (EmuFile * file);
EmuFile *emu_files_store (Emulator * emu, const gchar * file_name,
    const gchar * mime, GBytes * data);
JsonNode *emu_file_to_json (Emulator * emu, EmuFile * file);
/* Strict base64 (or a data: URI of it); NULL when it does not decode. */
GBytes *emu_base64_decode_strict (const gchar * data);

/* emulator-files-sdk.c: the SDK's files and uploads resources, under
 * /api/v1/ and /v1/ */
gboolean emu_sdk_files_claims (const gchar * rest);
void emu_sdk_files_handle (EmuRequest * req, const gchar * rest,
    GHashTable * query);
void emu_upload_free (gpointer upload);

/* emulator-images.c; these run on render workers */
void emu_image_size (const gchar * aspect_ratio, const gchar * resolution,
    guint src_width, guint src_height, guint * width, guint * height);
GBytes *emu_image_draw_prompt (const gchar * prompt, guint width,
    guint height, gboolean jpeg, GError ** error);
GBytes *emu_image_remix (GBytes * source, const gchar * aspect_ratio,
    const gchar * resolution, gboolean jpeg, GError ** error);
GBytes *emu_image_upscale (GBytes * source, guint factor, gboolean jpeg,
    GError ** error);
GBytes *emu_image_remove_background (GBytes * source, GError ** error);
/* The remix transform at exactly @width x @height. */
GBytes *emu_image_remix_sized (GBytes * source, guint width, guint height,
    gboolean jpeg, GError ** error);
/* A realtime frame's result: the remix at @width x @height with a border
 * in @prompt's colour; with @inverted FALSE the source's colours kept (the
 * interpolated image). */
GBytes *emu_image_remix_prompted (GBytes * source, const gchar * prompt,
    guint width, guint height, gboolean inverted, GError ** error);
/* --prerendered: the one result image of this size (drawn at the first
 * call, under a lock, then shared; a new ref). */
GBytes *emu_image_prerendered (Emulator * emu, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error);
void emu_image_prerendered_clear (Emulator * emu);
/* The size a PNG or JPEG header states; FALSE for anything else. */
gboolean emu_image_peek_size (GBytes * image, guint * width,
    guint * height);

/* emulator-faults.c */
gboolean emu_fault_parse (const gchar * spec, EmuFault * fault,
    GError ** error);
gboolean emu_faults_add (GPtrArray * faults, const gchar * spec,
    GError ** error);
gboolean emu_faults_take (GPtrArray * faults, EmuStage stage,
    gboolean api, EmuFault * fault);
/* The same, skipping faults whose @after is above @answered. */
gboolean emu_faults_take_after (GPtrArray * faults, EmuStage stage,
    gboolean api, guint answered, EmuFault * fault);
void emu_fault_free (EmuFault * fault);
void emu_fault_clear (EmuFault * fault);
const gchar *emu_fault_error_message (guint status);

/* emulator-prices.c */
void emu_prices_handle_schedules (EmuRequest * req);
void emu_prices_handle_quote (EmuRequest * req);

/* emulator-control.c */
void emu_control_handle (EmuRequest * req, const gchar * what,
    GHashTable * query);

/* emulator-hold.c: POST /emulator/release */
void emu_hold_handle_release (EmuRequest * req);

/* emulator-log.c */
EmuLog *emu_log_open (const gchar * path, GError ** error);
void emu_log_close (EmuLog * log);
void emu_log_request (EmuLog * log, const gchar * method,
    const gchar * path, guint status, const gchar * auth,
    const gchar * idempotency_key, const gchar * task_id,
    const gchar * fault);
void emu_log_event (EmuLog * log, const gchar * event,
    const gchar * task_id);
void emu_log_body (EmuLog * log, const gchar * path, JsonNode * body);
/* An @event line with @fields' members (taken; may be NULL). */
void emu_log_fields (EmuLog * log, const gchar * event, JsonObject * fields);

G_END_DECLS

#endif /* __IMAGEGEN_EMULATOR_H__ */
