/* gst-imagegen: what differs between image services.
 *
 * A provider is a table of pure functions: it builds paths and bodies and
 * reads answers; the client does all the I/O.  Protocol facts (and the
 * unconfirmed ones) stay in the provider's file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-client.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  IMAGEGEN_TASK_PENDING,
  IMAGEGEN_TASK_COMPLETED,
  IMAGEGEN_TASK_FAILED,
  /* done, its outcome still to be fetched at the provider's result_path
   * (fal's queue: the status says COMPLETED, the result says how) */
  IMAGEGEN_TASK_RESULT_READY,
} ImagegenTaskState;

/* What an answer about a task says. */
typedef struct
{
  gchar *id;
  ImagegenTaskState state;
  gchar *status;                /* the service's own word */
  gchar *error_message;         /* of a failed task */
  GPtrArray *image_urls;        /* gchar*, of a completed task */
  gint64 charged_nanocents;     /* exact; -1: not reported */
  gint64 reserved_nanocents;    /* billing.reservation; -1: not reported */
  gboolean replayed;            /* an idempotent create answered again */
  gboolean status_unknown;      /* @status is no word we know: taken as
                                 * still running */
  gchar *poll_url;              /* where to poll, as the create answer
                                 * gave it (absolute); NULL: poll_path */
} ImagegenTaskInfo;

void imagegen_task_info_clear (ImagegenTaskInfo * info);

/* Where a direct upload PUTs its bytes. */
typedef struct
{
  gchar *signed_id;
  gchar *upload_url;
  gchar **headers;              /* name, value, name, value…, NULL */
} ImagegenUploadTarget;

void imagegen_upload_target_clear (ImagegenUploadTarget * target);

/* The MIME type of an encoded image we upload (imagegen_image_type_sniff(),
 * "image/jpeg" when it finds none). */
const gchar *imagegen_image_mime_type (GBytes * image);

typedef struct
{
  const gchar *name;

  /* Path (below the base URL) of the Files API upload. */
  const gchar *upload_path;

  /* Body uploading @image (the @index-th source of a job). */
  gchar *(*build_upload_body) (GBytes * image, guint index);

  /* The public URL in an upload answer. */
  gchar *(*parse_upload) (JsonNode * root, GError ** error);

  /* Path and body of the create request; @source_urls holds every source,
   * uploaded ones first. */
  gchar *(*create_path) (const ImagegenRequest * request);
  gchar *(*build_create_body) (const ImagegenRequest * request,
      GPtrArray * source_urls);

  /* The create answer (id and status) and a task answer. */
  gboolean (*parse_create) (JsonNode * root, ImagegenTaskInfo * info,
      GError ** error);
  gchar *(*poll_path) (const ImagegenRequest * request, const gchar * task_id);
  gboolean (*parse_task) (JsonNode * root, ImagegenTaskInfo * info,
      GError ** error);

  /* The human part of an error body, or NULL. */
  gchar *(*parse_error_body) (JsonNode * root);

  /* Direct upload: prepare (answers where to PUT the bytes), PUT, confirm
   * (answers what parse_upload reads). */
  const gchar *prepare_path;
  const gchar *confirm_path;
  gchar *(*build_prepare_body) (GBytes * image, guint index);
  gboolean (*parse_prepare) (JsonNode * root, ImagegenUploadTarget * target,
      GError ** error);
  gchar *(*build_confirm_body) (const ImagegenUploadTarget * target);

  /* The key's header and what precedes the key in it ("Authorization",
   * "Bearer "). */
  const gchar *auth_header;
  const gchar *auth_prefix;
  /* See ImagegenHttp.key_domain; NULL: the API's origin only. */
  const gchar *key_domain;
  /* The default base URL. */
  const gchar *default_base_url;

  /* Optional (NULL: not offered).  Source images go inline: each one
   * becomes this string (base64) among the source URLs, no upload. */
  gchar *(*inline_image) (GBytes * image);
  /* Optional: @width x @height fitted to the provider's size rules
   * (imagegen_models_output_size()); NULL: sides multiples of 16. */
  void (*fit_size) (guint width, guint height, guint * out_width,
      guint * out_height);
  /* Optional: the resolutions every model of the provider makes (NULL
   * terminated) and the widest aspect ratio (W:H with neither side over
   * max_aspect times the other), checked by imagegen_models_check_size();
   * NULL: the models' own fields decide. */
  const gchar *const *resolutions;
  guint max_aspect;
  /* Optional: a copy of @request as the provider's model-table rows
   * take it (prices: imagegen_models_price_nanocents()). */
  ImagegenRequest *(*table_request) (const ImagegenRequest * request);
  /* A Retry-After carried in a 429's JSON body, when the header is
   * missing. */
  gchar *(*body_retry_after) (JsonNode * root);
  /* Live prices: path and body of a quote of @request (its model and
   * parameters, no source images), and the quote's figure in nanocents
   * (-1 when the service has no price yet). */
  const gchar *quote_path;
  gchar *(*build_quote_body) (const ImagegenRequest * request);
  gboolean (*parse_quote) (JsonNode * root, gint64 * nanocents,
      GError ** error);

  /* Where a key and a base URL come from when no property sets them: an
   * environment variable each; a key may also come split in two
   * (@key_id_env and @key_secret_env, both set, joined with ':'). */
  const gchar *key_env;
  const gchar *key_id_env;
  const gchar *key_secret_env;
  const gchar *base_url_env;
  /* See ImagegenHttp.key_hosts; NULL: none. */
  const gchar *const *key_hosts;
  /* Optional: a task that poll answers call IMAGEGEN_TASK_RESULT_READY is
   * read at this path (GET, below the base URL), and its answer by
   * parse_result. */
  gchar *(*result_path) (const ImagegenRequest * request,
      const gchar * task_id);
  gboolean (*parse_result) (JsonNode * root, ImagegenTaskInfo * info,
      GError ** error);
  /* Optional: a status stream (server-sent events, each a poll answer)
   * read before polling; polls take over when it fails. */
  gchar *(*status_stream_path) (const ImagegenRequest * request,
      const gchar * task_id);
  /* Optional: a PUT here asks the service to drop a task the client no
   * longer wants (cancelled, timed out). */
  gchar *(*cancel_path) (const ImagegenRequest * request,
      const gchar * task_id);
} ImagegenProvider;

extern const ImagegenProvider imagegen_provider_runapi;
extern const ImagegenProvider imagegen_provider_bfl;
extern const ImagegenProvider imagegen_provider_fal;

/* The provider whose model table rows have @model (RunAPI when none
 * has): what provider=auto picks. */
ImagegenProviderId imagegen_provider_for_model (const gchar * model);

/* The provider whose name is @name, NULL when none is. */
const ImagegenProvider *imagegen_provider_by_name (const gchar * name);

/* The API key in @provider's environment variables, NULL when none is
 * set; free with g_free(). */
gchar *imagegen_provider_env_key (const ImagegenProvider * provider);

/* A copy of @request as Black Forest Labs' model-table rows take it: seed,
 * steps and guidance from the request's members in extra_json (unless
 * extra has them), width and height the request's or from its aspect
 * ratio and resolution; for bodies, checks and prices. */
ImagegenRequest *imagegen_bfl_table_request (const ImagegenRequest * request);

/* The one price of one call of @request at @provider (NULL: whichever
 * table has its model), exact, in nanocents: the model table's, through
 * the provider's table_request.  Unknown or unconfirmed prices are
 * assumed the dearest known one (@known FALSE), so that a guard errs on
 * the side of the bill.  Every reader asks here: the client (a task whose
 * billing is not reported), the spending guard, the estimates. */
gint64 imagegen_models_price_nanocents (const ImagegenProvider * provider,
    const ImagegenRequest * request, gboolean * known);

/* The one size @provider's (NULL: RunAPI's rules) @model (NULL: any)
 * makes for @aspect_ratio ("W:H", else 1:1) at @resolution (768sq 0.6 MP,
 * 1k about 1 MP, 1.5k about 2.4, 2k about 4, 4k about 16), as far as
 * known: what requests without a size of their own ask and what
 * imagegensrc offers where downstream leaves it open. */
void imagegen_models_output_size (const ImagegenProvider * provider,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, guint * width, guint * height);

/* @aspect_ratio ("W:H" or "auto") and @resolution (NULL: the default)
 * against @provider's size rules (its resolutions and max_aspect), for
 * @model (a tier row of such a provider, FLUX 3, against its own lists); FALSE with an IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT error that
 * lists the valid values.  TRUE where the provider has no rules of its
 * own. */
gboolean imagegen_models_check_size (const ImagegenProvider * provider,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error);

/* The provider of @id. */
const ImagegenProvider *imagegen_provider_get (ImagegenProviderId id);

/* Reading answers, for every provider (imagegen-provider-json.c). */
/* FALSE, with an IMAGEGEN_CLIENT_ERROR_PROTOCOL error saying @message:
 * how every reader refuses an answer of the wrong shape. */
gboolean imagegen_json_malformed (GError ** error, const gchar * message);
JsonObject *imagegen_json_root (JsonNode * root, const gchar * what,
    GError ** error);
const gchar *imagegen_json_string (JsonObject * obj, const gchar * name);
JsonObject *imagegen_json_object (JsonObject * obj, const gchar * name);
gboolean imagegen_json_http_url (const gchar * url);
/* A provider's status words: those of a task still running, those of a
 * finished one (@done_state: completed, or result ready where the result
 * comes by its own GET) and those of a failed one; NULL-terminated, NULL
 * for none. */
typedef struct
{
  const gchar *const *pending;
  const gchar *const *done;
  const gchar *const *failed;
  ImagegenTaskState done_state;
} ImagegenStatusWords;
/* Reads the "status" of task answer @obj (@what names the answer in the
 * error) into @info's status and state, by @words: a word none lists is a
 * task still running (their SDKs poll on through it; the job timeout bounds
 * it), marked status_unknown.  FALSE with a protocol error when the status
 * is not a string, or absent and @required; absent otherwise is pending. */
gboolean imagegen_json_task_status (JsonObject * obj, const gchar * what,
    const ImagegenStatusWords * words, gboolean required,
    ImagegenTaskInfo * info, GError ** error);
/* The human part of {"detail":"text"} or {"detail":[{"loc","msg"}…]}
 * ("width: …; height: …"), else of {"message"}; NULL when none. */
gchar *imagegen_json_detail_error (JsonNode * root);

G_END_DECLS
