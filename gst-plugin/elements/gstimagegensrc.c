/* gst-imagegen: imagegensrc, text to image.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-imagegensrc
 * @title: imagegensrc
 *
 * Generates images from a text prompt with a remote image model (RunAPI's
 * Flux 2 text-to-image models) and pushes them downstream: decoded as
 * `video/x-raw` at the size and format downstream asks for (placed per
 * #GstImagegenSrc:scale-mode), or, when downstream asks for `image/png` or
 * `image/jpeg`, the service's own bytes untouched.
 *
 * It pushes #GstImagegenSrc:num-images images, then EOS.  Requests run on a
 * private network thread and images are decoded on a worker thread.
 *
 * The API key comes from #GstImagegenSrc:api-key or the `RUNAPI_API_KEY`
 * environment variable; the service from #GstImagegenSrc:base-url or
 * `RUNAPI_BASE_URL` (point it at `imagegen-emulator` to work offline).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 imagegensrc prompt="a lighthouse at dusk, oil painting" ! videoconvert ! pngenc ! filesink location=lighthouse.png
 * ]| Asks for one image and saves it as PNG.
 * |[
 * gst-launch-1.0 imagegensrc prompt="a red fox" ! image/png ! filesink location=fox.png
 * ]| Saves the service's PNG bytes as they came.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensrc.h"
#include "gstimagegenscale.h"

GST_DEBUG_CATEGORY_STATIC (gst_imagegen_src_debug);
#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define DEFAULT_MODEL "flux-2-pro-text-to-image"
#define DEFAULT_ASPECT_RATIO "1:1"
#define DEFAULT_NUM_IMAGES 1
#define TEXT_TO_IMAGE_MODELS "flux-2-pro-text-to-image, " \
  "flux-2-flex-text-to-image, flux-2-max-text-to-image"

#define RAW_FORMATS "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, " \
  "BGR, AYUV, I420, YV12, NV12, NV21, Y444, Y42B, YUY2, UYVY, GRAY8 }"

enum
{
  PROP_0,
  PROP_NUM_IMAGES,
  PROP_SHARED_FIRST,
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (RAW_FORMATS)
        ", pixel-aspect-ratio = (fraction) 1/1; image/png; image/jpeg"));

#define gst_imagegen_src_parent_class parent_class
G_DEFINE_TYPE (GstImagegenSrc, gst_imagegen_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (imagegensrc, "imagegensrc", GST_RANK_NONE,
    GST_TYPE_IMAGEGEN_SRC);

typedef struct
{
  GstImagegenSrc *src;
  guint run;
  guint index;
  ImagegenResult *result;
} JobData;

static void
job_data_free (JobData * job)
{
  g_clear_pointer (&job->result, imagegen_result_free);
  g_free (job);
}

/* worker thread: the blocking part (header check and decoding) */
static void
decode_job (JobData * job, GstImagegenSrc * src)
{
  GstImagegenImage *image;
  guint64 max_pixels;
  gboolean decode, stale;

  g_mutex_lock (&src->lock);
  stale = job->run != src->run;
  max_pixels = src->max_pixels;
  decode = src->decode;
  g_mutex_unlock (&src->lock);
  if (stale) {
    job_data_free (job);
    return;
  }

  image = gst_imagegen_image_new_from_result (g_steal_pointer (&job->result),
      max_pixels, decode);
  GST_DEBUG_OBJECT (src, "image %u ready after %" G_GINT64_FORMAT " ms%s",
      job->index, (image->decoded_us - image->result->submitted_us) / 1000,
      image->error ? " (failed)" : "");

  g_mutex_lock (&src->lock);
  if (job->run == src->run) {
    g_hash_table_insert (src->ready, GUINT_TO_POINTER (job->index), image);
    g_cond_broadcast (&src->cond);
    image = NULL;
  }
  g_mutex_unlock (&src->lock);
  g_clear_pointer (&image, gst_imagegen_image_unref);
  job_data_free (job);
}

/* client thread: must not block, so decoding goes to the worker */
static void
job_done (ImagegenResult * result, gpointer user_data)
{
  JobData *job = user_data;
  GstImagegenSrc *src = job->src;

  job->result = result;
  if (result->error != NULL && g_error_matches (result->error, G_IO_ERROR,
          G_IO_ERROR_CANCELLED)) {
    job_data_free (job);
    return;
  }
  g_mutex_lock (&src->lock);
  if (job->run == src->run && src->decode_pool != NULL) {
    g_thread_pool_push (src->decode_pool, job, NULL);
    job = NULL;
  }
  g_mutex_unlock (&src->lock);
  if (job != NULL)
    job_data_free (job);
}

static ImagegenRequest *
build_request (GstImagegenSrc * src)
{
  ImagegenRequest *request;

  GST_OBJECT_LOCK (src);
  request = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      src->settings.model, src->settings.prompt);
  request->aspect_ratio = g_strdup (src->settings.aspect_ratio);
  request->resolution = g_strdup (src->settings.resolution);
  GST_OBJECT_UNLOCK (src);
  return request;
}

/* Keeps up to max-in-flight images requested ahead of the one pushed. */
static void
submit_jobs_locked (GstImagegenSrc * src)
{
  guint in_flight_limit;

  GST_OBJECT_LOCK (src);
  in_flight_limit = src->settings.client.max_in_flight;
  GST_OBJECT_UNLOCK (src);

  while (src->submitted < src->num_images
      && src->submitted - src->next_out < in_flight_limit) {
    ImagegenRequest *request = build_request (src);
    JobData *job = g_new0 (JobData, 1);

    job->src = src;
    job->run = src->run;
    job->index = src->submitted++;
    GST_DEBUG_OBJECT (src, "requesting image %u", job->index);
    imagegen_client_submit (src->client, request, src->cancellable, NULL,
        job_done, job);
    imagegen_request_free (request);
  }
}

static gboolean
gst_imagegen_src_start (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  ImagegenClientConfig config;
  GError *error = NULL;
  gboolean ok;

  GST_OBJECT_LOCK (src);
  ok = gst_imagegen_settings_check_prompt (&src->settings, &error)
      && gst_imagegen_settings_resolve_client_config (&src->settings,
      &config, &error);
  GST_OBJECT_UNLOCK (src);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (src), error, NULL, FALSE);
    g_error_free (error);
    return FALSE;
  }
  GST_DEBUG_OBJECT (src, "using %s", config.base_url);

  g_mutex_lock (&src->lock);
  src->client = imagegen_client_new (&config);
  src->cancellable = g_cancellable_new ();
  src->decode_pool = g_thread_pool_new ((GFunc) decode_job, src, 1, FALSE,
      NULL);
  GST_OBJECT_LOCK (src);
  src->max_pixels = src->settings.max_pixels;
  GST_OBJECT_UNLOCK (src);
  src->decode = TRUE;
  src->submitted = 0;
  src->next_out = 0;
  src->flushing = FALSE;
  submit_jobs_locked (src);
  g_mutex_unlock (&src->lock);

  imagegen_client_config_clear (&config);
  return TRUE;
}

static gboolean
gst_imagegen_src_stop (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  ImagegenClient *client;
  GThreadPool *pool;
  GCancellable *cancellable;

  g_mutex_lock (&src->lock);
  src->run++;
  src->flushing = TRUE;
  client = g_steal_pointer (&src->client);
  pool = g_steal_pointer (&src->decode_pool);
  cancellable = g_steal_pointer (&src->cancellable);
  g_cond_broadcast (&src->cond);
  g_mutex_unlock (&src->lock);

  /* Cancel first so freeing the client only waits for the cancelled
   * callbacks, then drain the workers: they drop stale jobs at once. */
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  if (client != NULL)
    imagegen_client_free (client);
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);
  g_clear_object (&cancellable);

  g_mutex_lock (&src->lock);
  g_hash_table_remove_all (src->ready);
  g_mutex_unlock (&src->lock);
  g_clear_pointer (&src->negotiated_for, gst_imagegen_image_unref);
  return TRUE;
}

static gboolean
gst_imagegen_src_unlock (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);

  g_mutex_lock (&src->lock);
  src->flushing = TRUE;
  g_cond_broadcast (&src->cond);
  g_mutex_unlock (&src->lock);
  return TRUE;
}

static gboolean
gst_imagegen_src_unlock_stop (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);

  g_mutex_lock (&src->lock);
  src->flushing = FALSE;
  g_mutex_unlock (&src->lock);
  return TRUE;
}

/* Only the image's own encoded type and raw video can be produced. */
static GstCaps *
gst_imagegen_src_get_caps (GstBaseSrc * basesrc, GstCaps * filter)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstCaps *caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (basesrc));
  const gchar *own_type = NULL;

  GST_OBJECT_LOCK (src);
  if (src->negotiated_for != NULL)
    own_type = src->negotiated_for->header.media_type;
  GST_OBJECT_UNLOCK (src);

  if (own_type != NULL) {
    GstCaps *only = gst_caps_new_empty_simple (own_type);
    guint i;

    for (i = 0; i < gst_caps_get_size (caps); i++) {
      GstStructure *s = gst_caps_get_structure (caps, i);
      if (gst_structure_has_name (s, "video/x-raw"))
        gst_caps_append_structure (only, gst_structure_copy (s));
    }
    gst_caps_unref (caps);
    caps = only;
  }
  if (filter != NULL) {
    GstCaps *tmp = gst_caps_intersect_full (filter, caps,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = tmp;
  }
  return caps;
}

/* Defer until the first image is here: its type and size decide. */
static gboolean
gst_imagegen_src_negotiate (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);

  if (src->negotiated_for == NULL)
    return TRUE;
  return GST_BASE_SRC_CLASS (parent_class)->negotiate (basesrc);
}

static GstCaps *
gst_imagegen_src_fixate (GstBaseSrc * basesrc, GstCaps * caps)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  const GstImagegenImageHeader *header = &src->negotiated_for->header;
  GstStructure *s;

  caps = gst_caps_truncate (gst_caps_make_writable (caps));
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (s, "video/x-raw")) {
    gst_structure_fixate_field_nearest_int (s, "width", header->width);
    gst_structure_fixate_field_nearest_int (s, "height", header->height);
    gst_structure_fixate_field_nearest_fraction (s, "framerate", 1, 1);
    gst_structure_fixate_field_string (s, "format", "RGBA");
  }
  return GST_BASE_SRC_CLASS (parent_class)->fixate (basesrc, caps);
}

static gboolean
gst_imagegen_src_set_caps (GstBaseSrc * basesrc, GstCaps * caps)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstStructure *s = gst_caps_get_structure (caps, 0);

  GST_DEBUG_OBJECT (src, "caps %" GST_PTR_FORMAT, caps);
  src->out_raw = gst_structure_has_name (s, "video/x-raw");
  if (src->out_raw && !gst_video_info_from_caps (&src->out_info, caps))
    return FALSE;

  g_mutex_lock (&src->lock);
  src->decode = src->out_raw;
  g_mutex_unlock (&src->lock);
  return TRUE;
}

static GstImagegenImage *
wait_for_image (GstImagegenSrc * src, GstFlowReturn * ret)
{
  GstImagegenImage *image = NULL;
  gpointer key = GUINT_TO_POINTER (src->next_out);

  g_mutex_lock (&src->lock);
  *ret = GST_FLOW_OK;
  while (TRUE) {
    if (src->flushing) {
      *ret = GST_FLOW_FLUSHING;
      break;
    }
    if (src->next_out >= src->num_images) {
      *ret = GST_FLOW_EOS;
      break;
    }
    if (g_hash_table_steal_extended (src->ready, key, NULL,
            (gpointer *) & image))
      break;
    submit_jobs_locked (src);
    g_cond_wait (&src->cond, &src->lock);
  }
  g_mutex_unlock (&src->lock);
  return image;
}

/* Decoding was skipped while downstream took encoded bytes. */
static gboolean
ensure_decoded (GstImagegenSrc * src, GstImagegenImage * image)
{
  if (image->raw == NULL && image->error == NULL)
    image->raw = gst_imagegen_decode (image->result->image, src->max_pixels,
        &image->raw_info, &image->error);
  return image->raw != NULL;
}

static void
set_timestamps (GstImagegenSrc * src, GstBuffer * buffer, guint index)
{
  gint fps_n = 0, fps_d = 1;

  if (src->out_raw) {
    fps_n = GST_VIDEO_INFO_FPS_N (&src->out_info);
    fps_d = GST_VIDEO_INFO_FPS_D (&src->out_info);
  }
  if (fps_n > 0) {
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (index,
        fps_d * GST_SECOND, fps_n);
    GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (index + 1,
        fps_d * GST_SECOND, fps_n) - GST_BUFFER_PTS (buffer);
  } else {
    /* still images: one a second */
    GST_BUFFER_PTS (buffer) = index * GST_SECOND;
    GST_BUFFER_DURATION (buffer) = GST_CLOCK_TIME_NONE;
  }
  GST_BUFFER_OFFSET (buffer) = index;
  GST_BUFFER_OFFSET_END (buffer) = index + 1;
}

static GstFlowReturn
gst_imagegen_src_create (GstPushSrc * pushsrc, GstBuffer ** outbuf)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (pushsrc);
  GstImagegenImage *image;
  GstImagegenScaleMode scale_mode;
  GstFlowReturn ret;
  GstBuffer *buffer;

  image = wait_for_image (src, &ret);
  if (image == NULL)
    return ret;

  if (image->error != NULL) {
    GST_DEBUG_OBJECT (src, "image %u failed (task %s)", src->next_out,
        GST_STR_NULL (image->result->task_id));
    gst_imagegen_post_error (GST_ELEMENT (src), image->error,
        "Image generation", FALSE);
    gst_imagegen_image_unref (image);
    return GST_FLOW_ERROR;
  }

  if (src->negotiated_for == NULL || gst_pad_check_reconfigure
      (GST_BASE_SRC_PAD (src)) || (!src->out_raw
          && !g_str_equal (src->negotiated_for->header.media_type,
              image->header.media_type))) {
    GST_OBJECT_LOCK (src);
    g_clear_pointer (&src->negotiated_for, gst_imagegen_image_unref);
    src->negotiated_for = gst_imagegen_image_ref (image);
    GST_OBJECT_UNLOCK (src);
    if (!gst_base_src_negotiate (GST_BASE_SRC (src))) {
      GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
          ("Downstream accepts neither raw video nor %s, the format the "
              "service delivered.", image->header.media_type), (NULL));
      gst_imagegen_image_unref (image);
      return GST_FLOW_NOT_NEGOTIATED;
    }
  }

  if (!src->out_raw) {
    buffer = gst_buffer_new_wrapped_bytes (image->result->image);
  } else {
    if (!ensure_decoded (src, image)) {
      gst_imagegen_post_error (GST_ELEMENT (src), image->error,
          "Image decoding", FALSE);
      gst_imagegen_image_unref (image);
      return GST_FLOW_ERROR;
    }
    GST_OBJECT_LOCK (src);
    scale_mode = src->settings.scale_mode;
    GST_OBJECT_UNLOCK (src);
    buffer = gst_imagegen_scale (image->raw, &image->raw_info,
        &src->out_info, scale_mode);
    if (buffer == NULL) {
      GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
          ("Cannot convert the %s image to %s.",
              gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
                  (&image->raw_info)),
              gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
                  (&src->out_info))), (NULL));
      gst_imagegen_image_unref (image);
      return GST_FLOW_NOT_NEGOTIATED;
    }
  }

  set_timestamps (src, buffer, src->next_out);
  GST_DEBUG_OBJECT (src, "pushing image %u (task %s, %u polls)",
      src->next_out, image->result->task_id, image->result->polls);
  gst_imagegen_image_unref (image);

  g_mutex_lock (&src->lock);
  src->next_out++;
  submit_jobs_locked (src);
  g_mutex_unlock (&src->lock);

  *outbuf = buffer;
  return GST_FLOW_OK;
}

static void
gst_imagegen_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);
  gboolean handled = TRUE;

  GST_OBJECT_LOCK (src);
  if (prop_id == PROP_NUM_IMAGES)
    src->num_images = g_value_get_uint (value);
  else
    handled = gst_imagegen_settings_set_property (&src->settings,
        PROP_SHARED_FIRST, prop_id, value);
  GST_OBJECT_UNLOCK (src);
  if (!handled)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_imagegen_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);
  gboolean handled = TRUE;

  GST_OBJECT_LOCK (src);
  if (prop_id == PROP_NUM_IMAGES)
    g_value_set_uint (value, src->num_images);
  else
    handled = gst_imagegen_settings_get_property (&src->settings,
        PROP_SHARED_FIRST, prop_id, value);
  GST_OBJECT_UNLOCK (src);
  if (!handled)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_imagegen_src_finalize (GObject * object)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);

  gst_imagegen_settings_clear (&src->settings);
  g_hash_table_unref (src->ready);
  g_mutex_clear (&src->lock);
  g_cond_clear (&src->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_imagegen_src_class_init (GstImagegenSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_imagegen_src_debug, "imagegensrc", 0,
      "Text-to-image source");

  gobject_class->set_property = gst_imagegen_src_set_property;
  gobject_class->get_property = gst_imagegen_src_get_property;
  gobject_class->finalize = gst_imagegen_src_finalize;

  /**
   * GstImagegenSrc:num-images:
   *
   * How many images to generate before EOS.  Each one is a paid request.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_IMAGES,
      g_param_spec_uint ("num-images", "Number of images",
          "Images to generate, then EOS (count; each is a paid request)",
          1, G_MAXINT, DEFAULT_NUM_IMAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  gst_imagegen_settings_install_properties (gobject_class, PROP_SHARED_FIRST,
      DEFAULT_MODEL, DEFAULT_ASPECT_RATIO, TEXT_TO_IMAGE_MODELS);

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Image generation source", "Source/Video",
      "Generates images from a text prompt with a remote image model",
      "gst-imagegen developers");

  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_imagegen_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_imagegen_src_stop);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_imagegen_src_unlock);
  basesrc_class->unlock_stop = GST_DEBUG_FUNCPTR (gst_imagegen_src_unlock_stop);
  basesrc_class->get_caps = GST_DEBUG_FUNCPTR (gst_imagegen_src_get_caps);
  basesrc_class->negotiate = GST_DEBUG_FUNCPTR (gst_imagegen_src_negotiate);
  basesrc_class->fixate = GST_DEBUG_FUNCPTR (gst_imagegen_src_fixate);
  basesrc_class->set_caps = GST_DEBUG_FUNCPTR (gst_imagegen_src_set_caps);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_imagegen_src_create);
}

static void
gst_imagegen_src_init (GstImagegenSrc * src)
{
  gst_imagegen_settings_init (&src->settings, DEFAULT_MODEL,
      DEFAULT_ASPECT_RATIO);
  src->num_images = DEFAULT_NUM_IMAGES;
  g_mutex_init (&src->lock);
  g_cond_init (&src->cond);
  src->ready = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) gst_imagegen_image_unref);
  gst_base_src_set_format (GST_BASE_SRC (src), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (src), FALSE);
}
