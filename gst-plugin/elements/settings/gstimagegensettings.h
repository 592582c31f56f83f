/* gst-imagegen: the service and image-handling properties every imagegen
 * element shares, so that each element declares them once and alike.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include "imagegen-client.h"
#include "imagegen-models.h"
#include "gstimagegenprovider.h"
#include "gstimagegenscale.h"

G_BEGIN_DECLS

#define GST_IMAGEGEN_DEFAULT_MAX_PIXELS (36u * 1024 * 1024)
#define GST_IMAGEGEN_DEFAULT_SCALE_MODE GST_IMAGEGEN_SCALE_MODE_FIT

typedef struct
{
  ImagegenClientConfig client;  /* api_key/base_url NULL = from environment */
  gchar *model;
  gchar *aspect_ratio;
  gchar *resolution;
  gchar *prompt;
  GstImagegenScaleMode scale_mode;
  guint64 max_pixels;
  gchar *api_key_file;          /* read at start; api-key wins over it */
  GstStructure *extra;          /* the model's own fields, or NULL */
  gchar *pending_warning;       /* for gst_imagegen_settings_post_warnings() */
  GstImagegenProviderSettings service;  /* provider, region, BFL fields */
  gboolean streams_frames;      /* the element sends frames as they come
                                 * (imagegenremix live and aligned): a
                                 * realtime model is taken */
} GstImagegenSettings;

/* The property ids a subclass hands to g_object_class_install_property()
 * start at its own first id; these are offsets from it. */
enum
{
  GST_IMAGEGEN_PROP_PROMPT,
  GST_IMAGEGEN_PROP_MODEL,
  GST_IMAGEGEN_PROP_API_KEY,
  GST_IMAGEGEN_PROP_BASE_URL,
  GST_IMAGEGEN_PROP_ASPECT_RATIO,
  GST_IMAGEGEN_PROP_RESOLUTION,
  GST_IMAGEGEN_PROP_SCALE_MODE,
  GST_IMAGEGEN_PROP_MAX_IN_FLIGHT,
  GST_IMAGEGEN_PROP_RETRIES,
  GST_IMAGEGEN_PROP_REQUEST_TIMEOUT,
  GST_IMAGEGEN_PROP_JOB_TIMEOUT,
  GST_IMAGEGEN_PROP_POLL_INTERVAL,
  GST_IMAGEGEN_PROP_POLL_MAX_INTERVAL,
  GST_IMAGEGEN_PROP_MAX_DOWNLOAD_SIZE,
  GST_IMAGEGEN_PROP_MAX_PIXELS,
  GST_IMAGEGEN_PROP_TLS_CA_FILE,
  GST_IMAGEGEN_PROP_TLS_INSECURE,
  GST_IMAGEGEN_PROP_ALLOW_INSECURE_HTTP,
  GST_IMAGEGEN_PROP_DIRECT_UPLOAD,
  GST_IMAGEGEN_PROP_API_KEY_FILE,
  GST_IMAGEGEN_PROP_EXTRA,
  GST_IMAGEGEN_PROP_PROVIDER_FIRST,     /* gstimagegenprovider.h's */
  GST_IMAGEGEN_N_PROPS = GST_IMAGEGEN_PROP_PROVIDER_FIRST +
      GST_IMAGEGEN_PROVIDER_N_PROPS
};

void gst_imagegen_settings_init (GstImagegenSettings * settings,
    const gchar * default_model, const gchar * default_aspect_ratio);
void gst_imagegen_settings_clear (GstImagegenSettings * settings);

/* The model property's blurb lists the model ids of @endpoint's kind. */
void gst_imagegen_settings_install_properties (GObjectClass * klass,
    guint first_prop_id, const gchar * default_model,
    const gchar * default_aspect_ratio, ImagegenEndpoint endpoint);

/* Return FALSE when @prop_id is not one of the shared properties.
 * Callers hold the object lock. */
gboolean gst_imagegen_settings_set_property (GstImagegenSettings * settings,
    guint first_prop_id, guint prop_id, const GValue * value);
gboolean gst_imagegen_settings_get_property (GstImagegenSettings * settings,
    guint first_prop_id, guint prop_id, GValue * value);

/* Copy of the client configuration with the fallbacks applied: the
 * provider (from the provider property or the model id); the key from
 * api-key, else the api-key-file, else RUNAPI_API_KEY (BFL_API_KEY for
 * Black Forest Labs); the base URL from base-url, else RUNAPI_BASE_URL
 * (BFL_BASE_URL, else the region's host).  Its log lines go to the "imagegen"
 * debug category.  Returns FALSE and sets a human sentence in @error when
 * no key is available or the client would refuse the configuration (plain
 * http to a remote host, a bad CA file).  A key file that others can read
 * leaves a warning for gst_imagegen_settings_post_warnings().  Callers
 * hold the object lock. */
gboolean gst_imagegen_settings_resolve_client_config (GstImagegenSettings *
    settings, ImagegenClientConfig * config, GError ** error);

/* Posts, as bus warnings, what the last resolve had to say.  Call without
 * the object lock (it takes it). */
void gst_imagegen_settings_post_warnings (GstElement * element,
    GstImagegenSettings * settings);

/* A request for @endpoint with the model, prompt, aspect ratio and
 * resolution set now.  Callers hold the object lock. */
ImagegenRequest *gst_imagegen_settings_new_request (const GstImagegenSettings
    * settings, ImagegenEndpoint endpoint);

/* Checks, before anything is sent, the request the settings make against
 * the model table row of @endpoint's kind: the model, aspect-ratio,
 * resolution, the prompt (required, optional or absent, its length), the
 * extra fields and, for remix, one frame as source
 * (imagegen_models_check_request()).  Callers hold the object lock. */
gboolean gst_imagegen_settings_check (const GstImagegenSettings *
    settings, ImagegenEndpoint endpoint, GError ** error);

/* The prompt @settings' model takes at @endpoint, at the provider it
 * resolves to: the model table's answer (imagegen_models_prompt_limits()).
 * Callers hold the object lock. */
ImagegenPromptUse gst_imagegen_settings_prompt_limits (const
    GstImagegenSettings * s, ImagegenEndpoint endpoint, guint * min_chars,
    guint * max_chars);

/* The model table row of @settings' model for @endpoint at the provider
 * it resolves to, or NULL.  Callers hold the object lock. */
const ImagegenModelRow *gst_imagegen_settings_row (const GstImagegenSettings
    * settings, ImagegenEndpoint endpoint);

/* For a shared property set while @element runs (PAUSED or PLAYING):
 * FALSE, with a warning naming the property posted, when start() would
 * have refused the value (a prompt of 2 or 5001 characters, a model,
 * aspect-ratio or resolution that @settings' model of @endpoint's kind
 * does not take); the element then keeps its current value.  Call without
 * holding the object lock; it takes it to read @settings. */
gboolean gst_imagegen_settings_check_runtime_change (GstElement * element,
    const GstImagegenSettings * settings, ImagegenEndpoint endpoint,
    guint first, guint prop_id, const GValue * value);

/* Post the GST_ELEMENT_ERROR (or, with @warning, the warning) that fits a
 * client or decoding error, from the caller's source location.  @what says
 * what failed, e.g. "Image generation", or NULL when the error's message
 * says it all.  Client errors carry a "details" structure (as
 * GST_ELEMENT_ERROR_WITH_DETAILS): error-code, task-id, model, http-status,
 * retries. */
#define gst_imagegen_post_error(element, error, what, warning) \
  gst_imagegen_post_error_full ((element), (error), (what), (warning), \
      __FILE__, GST_FUNCTION, __LINE__)

void gst_imagegen_post_error_full (GstElement * element, const GError * error,
    const gchar * what, gboolean warning, const gchar * file,
    const gchar * function, gint line);

/* Errors that no retry or later request can mend (a refused key, no
 * credits, a rejected request or configuration, an untrusted server):
 * they stop the stream even where other failures only warn. */
gboolean gst_imagegen_error_is_fatal (const GError * error);

G_END_DECLS
