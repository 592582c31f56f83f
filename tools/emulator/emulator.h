/* imagegen-emulator: a local server speaking the RunAPI Flux 2 protocol
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef __IMAGEGEN_EMULATOR_H__
#define __IMAGEGEN_EMULATOR_H__

#include <glib.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EMU_MAX_FILE_SIZE (20 * 1024 * 1024)
/* What /me/balance reports when --credits was not given. */
#define EMU_UNLIMITED_BALANCE_CENTS 100000
#define EMU_FILE_LIFETIME_US ((gint64) 3600 * G_USEC_PER_SEC)
/* Shapes never enter this border, so corners show the background only. */
#define EMU_IMAGE_BORDER 16

typedef enum
{
  EMU_ENDPOINT_TEXT_TO_IMAGE,
  EMU_ENDPOINT_REMIX_IMAGE,
  EMU_ENDPOINT_REMOVE_BACKGROUND        /* emulator-background.c */
} EmuEndpoint;

typedef enum
{
  EMU_STAGE_NONE,
  EMU_STAGE_CREATE,
  EMU_STAGE_POLL,
  EMU_STAGE_DOWNLOAD,
  EMU_STAGE_UPLOAD,
  EMU_STAGE_TASK,
  EMU_STAGE_ANY
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
  EMU_FAULT_STUCK,
  EMU_FAULT_HELD,
  EMU_FAULT_TRICKLE,
  EMU_FAULT_REDIRECT,
  EMU_FAULT_CANNED
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
  EmuEndpoint endpoint;
  gchar *model;
  gchar *prompt;
  gchar *aspect_ratio;
  gchar *resolution;
  gchar **source_urls;
  gchar *callback_url;
  guint price_cents;
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
  GBytes *image;
  guint polls;
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
} EmuStats;

typedef struct _EmuLog EmuLog;

struct _Emulator
{
  /* options */
  guint port;
  guint latency_min_ms;
  guint latency_max_ms;
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
  GHashTable *idempotency;
  GPtrArray *faults;
  GPtrArray *hung;
  GList *streams;

  EmuStats stats;
  gint64 charged_cents;
  EmuLog *log;
};

/* One request in flight through the server. */
typedef struct
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
  JsonNode *body;
} EmuRequest;

/* emulator-server.c */
gboolean emu_server_start (Emulator * emu, GError ** error);
void emu_server_stop (Emulator * emu);
void emu_request_reply_json (EmuRequest * req, guint status, JsonNode * node);
void emu_request_reply_error (EmuRequest * req, guint status,
    const gchar * message);
void emu_request_reply_validation (EmuRequest * req, JsonObject * errors);
void emu_request_reply_bytes (EmuRequest * req, guint status,
    const gchar * content_type, GBytes * bytes);
void emu_request_pause (EmuRequest * req);
void emu_request_free (EmuRequest * req);
void emu_request_remember (EmuRequest * req, const gchar * task_id,
    JsonNode * answer);
gchar *emu_time_iso8601 (gint64 real_us);
void emu_errors_add (JsonObject * errors, const gchar * field,
    const gchar * message);

/* emulator-tasks.c */
EmuTask *emu_task_ref (EmuTask * task);
void emu_task_unref (EmuTask * task);
gboolean emu_task_validate (EmuEndpoint endpoint, JsonObject * body,
    JsonObject * errors);
guint emu_task_price_cents (const gchar * model, const gchar * resolution);
EmuTask *emu_task_create (Emulator * emu, EmuEndpoint endpoint,
    JsonObject * body, EmuFaultKind outcome);
EmuTaskStatus emu_task_status (EmuTask * task, gint64 now_us);
void emu_task_release (EmuTask * task);
const gchar *emu_task_status_name (EmuTaskStatus status);
JsonNode *emu_task_to_json (EmuTask * task, gint64 now_us);
JsonNode *emu_task_create_answer (EmuTask * task, gint64 now_us,
    gboolean replayed);
guint emu_tasks_count_active (Emulator * emu);
gint64 emu_tasks_reserved_cents (Emulator * emu);
const gchar *emu_task_result_extension (Emulator * emu);
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
void emu_upload_free (gpointer upload);

/* emulator-images.c; these run on render workers */
void emu_image_size (const gchar * aspect_ratio, const gchar * resolution,
    guint src_width, guint src_height, guint * width, guint * height);
GBytes *emu_image_draw_prompt (const gchar * prompt, guint width,
    guint height, gboolean jpeg, GError ** error);
GBytes *emu_image_remix (GBytes * source, const gchar * aspect_ratio,
    const gchar * resolution, gboolean jpeg, GError ** error);
const gchar *emu_image_sniff_mime (GBytes * bytes);

/* emulator-background.c: recraft/remove_background */
#define EMU_REMOVE_BACKGROUND_MODEL "recraft-remove-background"
gboolean emu_background_validate (JsonObject * body, JsonObject * errors);
/* render worker: @source with alpha 0 where a pixel has its row's
 * left-edge colour (the text-to-image background), 255 elsewhere */
GBytes *emu_image_remove_background (GBytes * source, GError ** error);
/* emulator-images.c, for emulator-background.c */
guint8 *emu_image_decode_rgba (GBytes * source, guint * width,
    guint * height, GError ** error);
/* takes @pixels */
GBytes *emu_image_encode_png (guint8 * pixels, guint width, guint height,
    GError ** error);

/* emulator-faults.c */
gboolean emu_fault_parse (const gchar * spec, EmuFault * fault,
    GError ** error);
gboolean emu_faults_add (GPtrArray * faults, const gchar * spec,
    GError ** error);
gboolean emu_faults_take (GPtrArray * faults, EmuStage stage,
    gboolean api, EmuFault * fault);
void emu_fault_free (EmuFault * fault);
void emu_fault_clear (EmuFault * fault);
const gchar *emu_fault_error_message (guint status);

/* emulator-control.c */
void emu_control_handle (EmuRequest * req);
/* the request's body as stripped text (newly allocated) */
gchar *emu_request_body_text (EmuRequest * req);

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

G_END_DECLS

#endif /* __IMAGEGEN_EMULATOR_H__ */
