/* gst-imagegen: properties shared by the imagegen elements.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensettings.h"
#include "gstimagegenextra.h"
#include "gstimagegenfields.h"
#include "gstimagegenlog.h"
#include "imagegen-models.h"
#include "imagegen-provider.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

void
gst_imagegen_settings_init (GstImagegenSettings * settings,
    const gchar * default_model, const gchar * default_aspect_ratio)
{
  memset (settings, 0, sizeof (*settings));
  imagegen_client_config_init (&settings->client);
  /* NULL here means "from the environment, else the provider default" */
  g_clear_pointer (&settings->client.api_key, g_free);
  g_clear_pointer (&settings->client.base_url, g_free);
  settings->model = g_strdup (default_model);
  settings->aspect_ratio = g_strdup (default_aspect_ratio);
  settings->resolution = g_strdup ("1k");
  settings->scale_mode = GST_IMAGEGEN_DEFAULT_SCALE_MODE;
  settings->max_pixels = GST_IMAGEGEN_DEFAULT_MAX_PIXELS;
  gst_imagegen_provider_settings_init (&settings->service);
}

void
gst_imagegen_settings_clear (GstImagegenSettings * settings)
{
  imagegen_client_config_clear (&settings->client);
  g_clear_pointer (&settings->model, g_free);
  g_clear_pointer (&settings->aspect_ratio, g_free);
  g_clear_pointer (&settings->resolution, g_free);
  g_clear_pointer (&settings->prompt, g_free);
  g_clear_pointer (&settings->api_key_file, g_free);
  g_clear_pointer (&settings->pending_warning, g_free);
  g_clear_pointer (&settings->extra, gst_structure_free);
}

void
gst_imagegen_settings_install_properties (GObjectClass * klass,
    guint first, const gchar * default_model,
    const gchar * default_aspect_ratio, ImagegenEndpoint endpoint)
{
  ImagegenClientConfig defaults;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags rw_ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  gchar *blurb, *ids, *bfl_ids, *fal_ids, *field_defaults;

  gst_imagegen_debug_init ();
  imagegen_client_config_init (&defaults);

  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_PROMPT,
      g_param_spec_string ("prompt", "Prompt",
          "What the image should show (length as the model takes, 3 to "
          "5000 characters for Flux 2; models without a prompt, such as "
          "upscale or remove-background, need none); a change applies to "
          "the next request", NULL, rw));

  /* G_PARAM_STATIC_STRINGS keeps the pointer: intern the built blurb */
  ids = imagegen_models_ids (endpoint);
  bfl_ids = imagegen_models_provider_ids ("bfl", endpoint);
  fal_ids = imagegen_models_provider_ids ("fal", endpoint);
  blurb = g_strdup_printf ("Model id, from the model table (%s; Black Forest "
      "Labs: %s; fal: %s); docs/models.md lists each one's fields and price",
      ids, bfl_ids, fal_ids);
  g_free (ids);
  g_free (bfl_ids);
  g_free (fal_ids);
  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_MODEL,
      g_param_spec_string ("model", "Model", g_intern_string (blurb),
          default_model, rw));
  g_free (blurb);

  /**
   * GstImagegenSrc:api-key:
   *
   * The API key.  Write-only, never logged or shown; when unset the
   * RUNAPI_API_KEY environment variable is used.
   */
  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_API_KEY,
      g_param_spec_string ("api-key", "API key",
          "Secret API key (write-only; default: the RUNAPI_API_KEY "
          "environment variable, BFL_API_KEY for Black Forest Labs, FAL_KEY "
          "or FAL_KEY_ID and FAL_KEY_SECRET for fal)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  /**
   * GstImagegenSrc:api-key-file:
   *
   * A file holding the API key, such as a container or systemd secret
   * (/run/secrets/…, $CREDENTIALS_DIRECTORY/…).  Read at start; a
   * trailing newline is dropped.  The api-key property wins over it, and
   * it wins over RUNAPI_API_KEY.  A file that other users may read is
   * used, with a warning: secrets mounted by Docker and Kubernetes are
   * often 0444 or 0644.  The same property exists on imagegenremix.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_API_KEY_FILE,
      g_param_spec_string ("api-key-file", "API key file",
          "File holding the API key, read at start; a trailing newline is "
          "dropped (default: none; api-key wins over it, it wins over "
          "RUNAPI_API_KEY)", NULL, rw_ready));

  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_BASE_URL,
      g_param_spec_string ("base-url", "Base URL",
          "Service base URL (default: the RUNAPI_BASE_URL environment "
          "variable, else https://runapi.ai; for Black Forest Labs "
          "BFL_BASE_URL, else the region's host; for fal FAL_BASE_URL, "
          "one origin serving its queue and REST paths, else fal's hosts)",
          NULL, rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_ASPECT_RATIO,
      g_param_spec_string ("aspect-ratio", "Aspect ratio",
          "Aspect ratio asked of the model, one of the model's own list "
          "(Flux 2: 1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3; remix pro and flex "
          "also auto = keep the source's; auto on a model without it sends "
          "none; checked against the model at start and when set while "
          "running)",
          default_aspect_ratio, rw));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_RESOLUTION,
      g_param_spec_string ("resolution", "Resolution",
          "Output resolution asked of the model: 1k (about 1 megapixel), 2k "
          "(about 4 megapixels) or 4k where the model takes it (not the "
          "Flux 2 max models); FLUX 3 also takes its tiers 768sq and 1.5k; "
          "sent only to models with a resolution field (default 1k)",
          "1k", rw));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_SCALE_MODE,
      g_param_spec_enum ("scale-mode", "Scale mode",
          "How an image is placed into a frame of another size (fit adds "
          "borders only when the shapes differ by 2 % or more; closer, it "
          "covers the frame)",
          GST_TYPE_IMAGEGEN_SCALE_MODE, GST_IMAGEGEN_DEFAULT_SCALE_MODE, rw));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_MAX_IN_FLIGHT,
      g_param_spec_uint ("max-in-flight", "Requests in flight",
          "Most requests running at once (count)", 1, 64,
          defaults.max_in_flight, rw_ready));

  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_RETRIES,
      g_param_spec_uint ("retries", "Retries",
          "Retries of one HTTP exchange on 429, 5xx and network errors "
          "(count; backoff with jitter, Retry-After honoured)", 0, 20,
          defaults.max_retries, rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_REQUEST_TIMEOUT,
      g_param_spec_uint ("request-timeout", "Request timeout",
          "Longest wait for one HTTP exchange (seconds)", 1, 3600,
          defaults.request_timeout_s, rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_JOB_TIMEOUT,
      g_param_spec_uint ("job-timeout", "Job timeout",
          "Longest time one image may take, upload to download (seconds)",
          1, 24 * 3600, defaults.job_timeout_s, rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_POLL_INTERVAL,
      g_param_spec_uint ("poll-interval", "Poll interval",
          "Densest spacing of task polls, used near the task's expected "
          "completion (milliseconds)", 20, 60000, defaults.poll_min_ms,
          rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_POLL_MAX_INTERVAL,
      g_param_spec_uint ("poll-max-interval", "Longest poll interval",
          "Sparsest spacing of task polls, used far from the expected "
          "completion (milliseconds)", 20, 600000, defaults.poll_max_ms,
          rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_MAX_DOWNLOAD_SIZE,
      g_param_spec_uint64 ("max-download-size", "Largest download",
          "Largest result image accepted (bytes)", 1024, G_MAXUINT32,
          defaults.max_download_bytes, rw_ready));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_MAX_PIXELS,
      g_param_spec_uint64 ("max-pixels", "Largest image",
          "Largest result image decoded, refused before decoding, and "
          "largest video frame taken or made (pixels)",
          1, G_MAXUINT32, GST_IMAGEGEN_DEFAULT_MAX_PIXELS, rw));

  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_TLS_CA_FILE,
      g_param_spec_string ("tls-ca-file", "TLS CA file",
          "PEM file of the certificate authorities to trust instead of the "
          "system's (default: none, the system's)", NULL, rw_ready));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_TLS_INSECURE,
      g_param_spec_boolean ("tls-insecure", "Skip TLS verification",
          "Accept any server certificate: for testing only (default: false)",
          FALSE, rw_ready));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_ALLOW_INSECURE_HTTP,
      g_param_spec_boolean ("allow-insecure-http", "Allow plain HTTP",
          "Allow an http:// base-url on a host other than this machine; the "
          "key would cross the network unencrypted (default: false)", FALSE,
          rw_ready));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_PROP_DIRECT_UPLOAD,
      g_param_spec_boolean ("direct-upload", "Direct upload",
          "Upload source images with the Files API's prepare, PUT and "
          "confirm calls instead of one base64 request (default: false)",
          FALSE, rw_ready));

  /**
   * GstImagegenSrc:extra:
   *
   * The model's own request fields, sent as they are after a check
   * against the model table: e.g.
   * `extra="params,seed=7,negative_prompt=\"blurry\""`.  The structure's
   * name is ignored.  A field the model does not take, or a value out of
   * its range, fails the state change with the valid choices.  Black
   * Forest Labs models take theirs here too (seed, safety_tolerance,
   * output_format; steps, guidance on flex), checked against their rows;
   * extra wins over the seed, steps and guidance properties.  The same
   * property exists on imagegenremix.
   */
  field_defaults = imagegen_models_defaults_text (endpoint);
  blurb = g_strdup_printf ("The model's own request fields (seed, "
      "negative_prompt, output_count, quality, upscale_factor…), e.g. "
      "\"params,seed=7\"; checked against the model at start; a required "
      "field left out goes with the model's default (%s) (default: none)",
      *field_defaults ? field_defaults : "none has one");
  g_object_class_install_property (klass, first + GST_IMAGEGEN_PROP_EXTRA,
      g_param_spec_boxed ("extra", "Extra model fields",
          g_intern_string (blurb), GST_TYPE_STRUCTURE, rw_ready));
  g_free (blurb);
  g_free (field_defaults);

  gst_imagegen_provider_install_properties (klass,
      first + GST_IMAGEGEN_PROP_PROVIDER_FIRST);
  gst_type_mark_as_plugin_api (GST_TYPE_IMAGEGEN_SCALE_MODE, 0);
  imagegen_client_config_clear (&defaults);
}

/* The shared properties that are plain members (api-key is write-only) */
static const GstImagegenField settings_fields[] = {
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_PROMPT, GstImagegenSettings, prompt),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_MODEL, GstImagegenSettings, model),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_API_KEY, GstImagegenSettings,
      client.api_key),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_BASE_URL, GstImagegenSettings,
      client.base_url),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_ASPECT_RATIO, GstImagegenSettings,
      aspect_ratio),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_RESOLUTION, GstImagegenSettings,
      resolution),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_SCALE_MODE, GstImagegenSettings,
      scale_mode),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_MAX_IN_FLIGHT, GstImagegenSettings,
      client.max_in_flight),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_RETRIES, GstImagegenSettings,
      client.max_retries),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_REQUEST_TIMEOUT, GstImagegenSettings,
      client.request_timeout_s),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_JOB_TIMEOUT, GstImagegenSettings,
      client.job_timeout_s),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_POLL_INTERVAL, GstImagegenSettings,
      client.poll_min_ms),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_POLL_MAX_INTERVAL, GstImagegenSettings,
      client.poll_max_ms),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_MAX_DOWNLOAD_SIZE, GstImagegenSettings,
      client.max_download_bytes),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_MAX_PIXELS, GstImagegenSettings,
      max_pixels),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_TLS_CA_FILE, GstImagegenSettings,
      client.tls_ca_file),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_TLS_INSECURE, GstImagegenSettings,
      client.tls_insecure),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_ALLOW_INSECURE_HTTP,
      GstImagegenSettings, client.allow_insecure_http),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_DIRECT_UPLOAD, GstImagegenSettings,
      client.direct_upload),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_API_KEY_FILE, GstImagegenSettings,
      api_key_file),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_PROP_EXTRA, GstImagegenSettings, extra),
  GST_IMAGEGEN_FIELDS_END
};

gboolean
gst_imagegen_settings_set_property (GstImagegenSettings * s, guint first,
    guint prop_id, const GValue * value)
{
  return gst_imagegen_fields_set (s, settings_fields, NULL, first, prop_id,
      value) || gst_imagegen_fields_set (&s->service,
      gst_imagegen_provider_fields, NULL,
      first + GST_IMAGEGEN_PROP_PROVIDER_FIRST, prop_id, value);
}

gboolean
gst_imagegen_settings_get_property (GstImagegenSettings * s, guint first,
    guint prop_id, GValue * value)
{
  return gst_imagegen_fields_get (s, settings_fields, NULL, first, prop_id,
      value) || gst_imagegen_fields_get (&s->service,
      gst_imagegen_provider_fields, NULL,
      first + GST_IMAGEGEN_PROP_PROVIDER_FIRST, prop_id, value);
}

/* The key in @path, without its trailing newline; NULL with @error set
 * when it cannot be read or is empty.  A file others may read is still
 * used (mounted secrets often are), with @warning set. */
static gchar *
read_key_file (const gchar * path, gchar ** warning, GError ** error)
{
  GError *err = NULL;
  GStatBuf st;
  gchar *key;
  gsize len;

  if (!g_file_get_contents (path, &key, &len, &err)) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "Cannot read the API key file: %s", err->message);
    g_error_free (err);
    return NULL;
  }
  while (len > 0 && (key[len - 1] == '\n' || key[len - 1] == '\r'))
    key[--len] = '\0';
  if (len == 0 || strlen (key) != len) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT,
        "The API key file \"%s\" is empty or not text.", path);
    g_free (key);
    return NULL;
  }
  if (g_stat (path, &st) == 0 && (st.st_mode & S_IROTH)) {
    g_free (*warning);
    *warning = g_strdup_printf ("The API key file \"%s\" is readable by "
        "other users (mode %04o); consider chmod 0400 or 0600.", path,
        (guint) (st.st_mode & 07777));
  }
  return key;
}

gboolean
gst_imagegen_settings_resolve_client_config (GstImagegenSettings * s,
    ImagegenClientConfig * config, GError ** error)
{
  const gchar *base_url = s->client.base_url;
  gchar *key = g_strdup (s->client.api_key);
  ImagegenProviderId provider = gst_imagegen_provider_resolve (&s->service,
      s->model);
  const ImagegenProvider *service = imagegen_provider_get (provider);

  g_clear_pointer (&s->pending_warning, g_free);
  if ((key == NULL || *key == '\0') && s->api_key_file != NULL
      && *s->api_key_file != '\0') {
    g_free (key);
    key = read_key_file (s->api_key_file, &s->pending_warning, error);
    if (key == NULL)
      return FALSE;
  }
  if (key == NULL || *key == '\0') {
    g_free (key);
    key = imagegen_provider_env_key (service);
  }
  if (key == NULL || *key == '\0') {
    g_free (key);
    if (service->key_id_env != NULL)
      g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH,
          "No API key: set the api-key or api-key-file property, or the %s "
          "environment variable (or both %s and %s).", service->key_env,
          service->key_id_env, service->key_secret_env);
    else
      g_set_error (error, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH,
          "No API key: set the api-key or api-key-file property or the %s "
          "environment variable.", service->key_env);
    return FALSE;
  }
  if (base_url == NULL || *base_url == '\0')
    base_url = g_getenv (service->base_url_env);
  /* Black Forest Labs: else the region's host */
  if ((base_url == NULL || *base_url == '\0')
      && provider == IMAGEGEN_PROVIDER_BFL)
    base_url = gst_imagegen_provider_bfl_base_url (&s->service);

  imagegen_client_config_copy (config, &s->client);
  g_free (config->api_key);
  config->api_key = key;
  if (base_url != NULL && *base_url != '\0') {
    g_free (config->base_url);
    config->base_url = g_strdup (base_url);
  } else {
    /* the provider's own hosts */
    g_free (config->base_url);
    config->base_url = g_strdup (service->default_base_url);
  }
  config->provider = provider;
  /* the client's lines go where GStreamer users look */
  config->log_func = gst_imagegen_client_log;
  config->log_data = NULL;
  if (!imagegen_client_config_check (config, error)) {
    imagegen_client_config_clear (config);
    return FALSE;
  }
  return TRUE;
}

void
gst_imagegen_settings_post_warnings (GstElement * element,
    GstImagegenSettings * s)
{
  gchar *warning;

  GST_OBJECT_LOCK (element);
  warning = g_steal_pointer (&s->pending_warning);
  GST_OBJECT_UNLOCK (element);
  if (warning == NULL)
    return;
  GST_CAT_WARNING_OBJECT (gst_imagegen_debug, element, "%s", warning);
  GST_ELEMENT_WARNING (element, RESOURCE, OPEN_READ, ("%s", warning),
      ("api-key-file: the key is used anyway"));
  g_free (warning);
}

static const gchar *
provider_name (const GstImagegenSettings * s)
{
  return imagegen_provider_get (gst_imagegen_provider_resolve (&s->service,
          s->model))->name;
}

ImagegenPromptUse
gst_imagegen_settings_prompt_limits (const GstImagegenSettings * s,
    ImagegenEndpoint endpoint, guint * min_chars, guint * max_chars)
{
  return imagegen_models_prompt_limits (provider_name (s), endpoint,
      s->model, min_chars, max_chars);
}

const ImagegenModelRow *
gst_imagegen_settings_row (const GstImagegenSettings * s,
    ImagegenEndpoint endpoint)
{
  return imagegen_models_find (provider_name (s), endpoint, s->model);
}

static gboolean
check_values (const GstImagegenSettings * s, const gchar * prompt,
    ImagegenEndpoint endpoint, GError ** error)
{
  g_autoptr (ImagegenRequest) request = NULL;
  const ImagegenModelRow *row = gst_imagegen_settings_row (s, endpoint);
  const ImagegenModelRow *any = imagegen_models_find_any (s->model);
  const ImagegenProvider *provider;

  /* the WebSocket carries frames as they come: what imagegenremix does
   * live and aligned; still images and files go through a queue */
  if (any != NULL && any->realtime && !s->streams_frames) {
    g_set_error (error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Model %s streams over "
        "fal's realtime WebSocket, which imagegenremix uses in mode=live "
        "and mode=aligned only; for %s pick one of fal's queue models "
        "(docs/providers.md).", any->model,
        endpoint == IMAGEGEN_ENDPOINT_REMIX ? "files" : "still images");
    return FALSE;
  }
  /* a typo gets the nearest ids of the provider chosen (auto: any) */
  if (row == NULL)
    return imagegen_models_refuse_unknown (s->service.provider ==
        GST_IMAGEGEN_PROVIDER_AUTO ? NULL : provider_name (s), endpoint,
        s->model, error);
  request = imagegen_request_new (endpoint, s->model, prompt);

  request->aspect_ratio = g_strdup (s->aspect_ratio);
  request->resolution = g_strdup (s->resolution);
  if (s->extra != NULL) {
    request->extra_json = gst_imagegen_extra_to_json (s->extra, error);
    if (request->extra_json == NULL)
      return FALSE;
  }
  provider = imagegen_provider_get (gst_imagegen_provider_resolve
      (&s->service, s->model));
  if (provider == &imagegen_provider_bfl)
    return gst_imagegen_provider_bfl_check (&s->service, request,
        endpoint == IMAGEGEN_ENDPOINT_REMIX ? 1 : 0, error);
  if (provider->table_request != NULL) {
    g_autoptr (ImagegenRequest) full = NULL;

    /* the provider's fields (seed, steps, size) against the row */
    gst_imagegen_provider_apply (&s->service, request);
    full = provider->table_request (request);
    return imagegen_models_check_fields (row, full,
        endpoint == IMAGEGEN_ENDPOINT_REMIX ? 1 : 0, error);
  }
  /* remix sends the frame; its reference images are counted at start */
  return imagegen_models_check_request (request,
      endpoint == IMAGEGEN_ENDPOINT_REMIX ? 1 : 0, error);
}

gboolean
gst_imagegen_settings_check (const GstImagegenSettings * s,
    ImagegenEndpoint endpoint, GError ** error)
{
  return check_values (s, s->prompt, endpoint, error);
}

gboolean
gst_imagegen_settings_check_runtime_change (GstElement * element,
    const GstImagegenSettings * s, ImagegenEndpoint endpoint,
    guint first, guint prop_id, const GValue * value)
{
  GstImagegenSettings next;
  const gchar *name, *prompt;
  GError *error = NULL;
  gboolean ok;

  switch (prop_id - first) {
    case GST_IMAGEGEN_PROP_PROMPT:
    case GST_IMAGEGEN_PROP_MODEL:
    case GST_IMAGEGEN_PROP_ASPECT_RATIO:
    case GST_IMAGEGEN_PROP_RESOLUTION:
      break;
    default:                   /* also any prop_id below first */
      return TRUE;
  }
  GST_OBJECT_LOCK (element);
  /* before start(), start() refuses it */
  if (GST_STATE (element) < GST_STATE_PAUSED) {
    GST_OBJECT_UNLOCK (element);
    return TRUE;
  }
  /* the settings as they would be, borrowing every string */
  next = *s;
  prompt = s->prompt;
  switch (prop_id - first) {
    case GST_IMAGEGEN_PROP_PROMPT:
      prompt = g_value_get_string (value);
      break;
    case GST_IMAGEGEN_PROP_MODEL:
      next.model = (gchar *) g_value_get_string (value);
      break;
    case GST_IMAGEGEN_PROP_ASPECT_RATIO:
      next.aspect_ratio = (gchar *) g_value_get_string (value);
      break;
    default:
      next.resolution = (gchar *) g_value_get_string (value);
      break;
  }
  ok = check_values (&next, prompt, endpoint, &error);
  /* the client of the running stream speaks one service */
  if (ok && gst_imagegen_provider_resolve (&next.service, next.model) !=
      gst_imagegen_provider_resolve (&s->service, s->model)) {
    g_set_error (&error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, "Model %s is served by "
        "another provider; change it while the element is stopped.",
        next.model);
    ok = FALSE;
  }
  GST_OBJECT_UNLOCK (element);
  if (ok)
    return TRUE;
  name = "prompt";
  switch (prop_id - first) {
    case GST_IMAGEGEN_PROP_MODEL:
      name = "model";
      break;
    case GST_IMAGEGEN_PROP_ASPECT_RATIO:
      name = "aspect-ratio";
      break;
    case GST_IMAGEGEN_PROP_RESOLUTION:
      name = "resolution";
      break;
    default:
      break;
  }
  GST_ELEMENT_WARNING (element, RESOURCE, SETTINGS,
      ("New value of property \"%s\" refused: %s The stream goes on "
          "with the previous value.", name, error->message), (NULL));
  g_error_free (error);
  return FALSE;
}

ImagegenRequest *
gst_imagegen_settings_new_request (const GstImagegenSettings * settings,
    ImagegenEndpoint endpoint)
{
  ImagegenRequest *request = imagegen_request_new (endpoint, settings->model,
      settings->prompt);

  request->aspect_ratio = g_strdup (settings->aspect_ratio);
  request->resolution = g_strdup (settings->resolution);
  gst_imagegen_provider_apply (&settings->service, request);
  /* checked at start: a structure that does not convert never gets here */
  request->extra_json = gst_imagegen_extra_to_json (settings->extra, NULL);
  return request;
}
