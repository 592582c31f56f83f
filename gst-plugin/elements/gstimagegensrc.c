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
 * Not live (the default), it pushes #GstImagegenSrc:num-images images, then
 * EOS.  Live (#GstImagegenSrc:is-live), it pushes a steady stream at the
 * negotiated framerate, timestamped from the pipeline clock, showing a
 * placeholder until the first image and then the latest one; a new prompt
 * set while PLAYING, the #GstImagegenSrc::generate action signal or
 * #GstImagegenSrc:regenerate-interval starts a new image, which cross-fades
 * in over #GstImagegenSrc:transition-duration.  When a newer request's
 * image is shown, an older one arriving later is dropped.
 *
 * Requests run on a private network thread and images are decoded on a
 * worker thread, never on the streaming thread.  Every task posts an
 * `imagegen-task` element message (`submitted`, `completed`, `failed`,
 * `cancelled`, with task id, model, prompt, timings, polls, retries and cost)
 * and #GstImagegenSrc:stats holds the totals; #GstImagegenSrc:max-requests
 * and #GstImagegenSrc:max-cost bound the bill.
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
 * |[
 * gst-launch-1.0 -m imagegensrc is-live=true prompt="a neon city" transition-duration=1000000000 ! videoconvert ! autovideosink
 * ]| A live picture; `-m` shows the task messages.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include "gstimagegensrc.h"
#include "gstimagegenscale.h"
#include "gstimagegenblend.h"

GST_DEBUG_CATEGORY_STATIC (gst_imagegen_src_debug);
#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define DEFAULT_MODEL "flux-2-pro-text-to-image"
#define DEFAULT_ASPECT_RATIO "1:1"
#define DEFAULT_NUM_IMAGES 1
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_REGENERATE_INTERVAL 0
#define DEFAULT_TRANSITION_DURATION 0
#define DEFAULT_BLACK_PLACEHOLDER FALSE
#define LIVE_FPS_N 30
#define TEXT_TO_IMAGE_MODELS "flux-2-pro-text-to-image, " \
  "flux-2-flex-text-to-image, flux-2-max-text-to-image"

#define RAW_FORMATS "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, " \
  "BGR, AYUV, I420, YV12, NV12, NV21, Y444, Y42B, YUY2, UYVY, GRAY8 }"

enum
{
  PROP_0,
  PROP_NUM_IMAGES,
  PROP_IS_LIVE,
  PROP_REGENERATE_INTERVAL,
  PROP_TRANSITION_DURATION,
  PROP_BLACK_PLACEHOLDER,
  PROP_TRACKER_FIRST,
  PROP_SHARED_FIRST = PROP_TRACKER_FIRST + GST_IMAGEGEN_TRACKER_N_PROPS,
};

enum
{
  SIGNAL_GENERATE,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

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
  guint index;                  /* not live: position in the output */
  guint seq;                    /* live: request number, newest wins */
  gint reserved_cents;
  gchar *prompt;
  ImagegenResult *result;
} JobData;

static void
job_data_free (JobData * job)
{
  g_clear_pointer (&job->result, imagegen_result_free);
  g_free (job->prompt);
  g_free (job);
}

static gboolean
is_live_locked (GstImagegenSrc * src)
{
  gboolean live;

  GST_OBJECT_LOCK (src);
  live = src->is_live;
  GST_OBJECT_UNLOCK (src);
  return live;
}

static void submit_live_locked (GstImagegenSrc * src);

/* worker: the newest request's image replaces the shown one, placed into
 * the output format here, off the streaming thread */
static void
apply_live_image (GstImagegenSrc * src, JobData * job,
    GstImagegenImage * image)
{
  GstImagegenScaleMode scale_mode;
  GstClockTime transition;
  GstVideoInfo info;
  GstBuffer *placed = NULL;
  gboolean have_info;

  GST_OBJECT_LOCK (src);
  scale_mode = src->settings.scale_mode;
  transition = src->transition_duration;
  GST_OBJECT_UNLOCK (src);
  g_mutex_lock (&src->lock);
  info = src->out_info;
  have_info = src->out_raw;
  g_mutex_unlock (&src->lock);

  if (image->error == NULL && image->raw != NULL && have_info)
    placed = gst_imagegen_scale (image->raw, &image->raw_info, &info,
        scale_mode);

  g_mutex_lock (&src->lock);
  if (job->run == src->run) {
    src->in_flight--;
    if (image->error != NULL && gst_imagegen_error_is_fatal (image->error)
        && src->fatal_error == NULL) {
      src->fatal_error = g_error_copy (image->error);
    } else if (image->error != NULL) {
      g_mutex_unlock (&src->lock);
      gst_imagegen_post_error (GST_ELEMENT (src), image->error,
          "Image generation", TRUE);
      g_mutex_lock (&src->lock);
    } else if (job->seq > src->shown_seq && placed != NULL) {
      if (transition > 0 && src->live_frame != NULL) {
        gst_clear_buffer (&src->fade_from);
        src->fade_from = g_steal_pointer (&src->live_frame);
        src->fade_start = GST_CLOCK_TIME_NONE;
      }
      gst_clear_buffer (&src->live_frame);
      g_clear_pointer (&src->live_image, gst_imagegen_image_unref);
      src->live_frame = g_steal_pointer (&placed);
      src->live_info = info;
      src->live_image = gst_imagegen_image_ref (image);
      src->shown_seq = job->seq;
    } else {
      GST_DEBUG_OBJECT (src, "request %u overtaken by %u: dropped", job->seq,
          src->shown_seq);
    }
    if (src->generate_pending)
      submit_live_locked (src);
  }
  g_mutex_unlock (&src->lock);
  gst_clear_buffer (&placed);
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
    gst_imagegen_tracker_finished (&src->tracker, job->result, job->prompt,
        job->reserved_cents, 0);
    job_data_free (job);
    return;
  }

  image = gst_imagegen_image_new_from_result (g_steal_pointer (&job->result),
      max_pixels, decode);
  GST_DEBUG_OBJECT (src, "image %u ready after %" G_GINT64_FORMAT " ms%s",
      job->index, (image->decoded_us - image->result->submitted_us) / 1000,
      image->error ? " (failed)" : "");
  if (image->error != NULL && image->result->error == NULL)
    image->result->error = g_error_copy (image->error);

  if (job->seq > 0) {
    apply_live_image (src, job, image);
  } else {
    g_mutex_lock (&src->lock);
    if (job->run == src->run) {
      g_hash_table_insert (src->ready, GUINT_TO_POINTER (job->index),
          gst_imagegen_image_ref (image));
      g_cond_broadcast (&src->cond);
    }
    g_mutex_unlock (&src->lock);
  }
  /* after the image is in place: whoever sees "completed" sees the image */
  gst_imagegen_tracker_finished (&src->tracker, image->result, job->prompt,
      job->reserved_cents, image->decoded_us);
  gst_imagegen_image_unref (image);
  job_data_free (job);
}

static void
job_event (const gchar * event, const ImagegenResult * progress,
    gpointer user_data)
{
  JobData *job = user_data;

  if (g_str_equal (event, "submitted"))
    gst_imagegen_tracker_submitted (&job->src->tracker, progress, job->prompt);
}

/* client thread: must not block, so decoding goes to the worker */
static void
job_done (ImagegenResult * result, gpointer user_data)
{
  JobData *job = user_data;
  GstImagegenSrc *src = job->src;

  job->result = result;
  if (result->error == NULL || !g_error_matches (result->error, G_IO_ERROR,
          G_IO_ERROR_CANCELLED)) {
    g_mutex_lock (&src->lock);
    if (job->run == src->run && src->decode_pool != NULL) {
      g_thread_pool_push (src->decode_pool, job, NULL);
      job = NULL;
    }
    g_mutex_unlock (&src->lock);
  }
  if (job != NULL) {
    gst_imagegen_tracker_finished (&src->tracker, result, job->prompt,
        job->reserved_cents, 0);
    job_data_free (job);
  }
}

/* Hands one request to the client unless the spending guard refuses. */
static gboolean
submit_job_locked (GstImagegenSrc * src, guint index, guint seq)
{
  ImagegenRequest *request;
  JobData *job;
  gint reserved;

  GST_OBJECT_LOCK (src);
  request = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      src->settings.model, src->settings.prompt);
  request->aspect_ratio = g_strdup (src->settings.aspect_ratio);
  request->resolution = g_strdup (src->settings.resolution);
  GST_OBJECT_UNLOCK (src);

  if (!gst_imagegen_tracker_admit (&src->tracker, request, &reserved)) {
    imagegen_request_free (request);
    return FALSE;
  }

  job = g_new0 (JobData, 1);
  job->src = src;
  job->run = src->run;
  job->index = index;
  job->seq = seq;
  job->reserved_cents = reserved;
  job->prompt = g_strdup (request->prompt);
  GST_DEBUG_OBJECT (src, "requesting image %u (request %u)", index, seq);
  imagegen_client_submit (src->client, request, src->cancellable, job_event,
      job_done, job);
  imagegen_request_free (request);
  return TRUE;
}

static guint
max_in_flight (GstImagegenSrc * src)
{
  guint n;

  GST_OBJECT_LOCK (src);
  n = src->settings.client.max_in_flight;
  GST_OBJECT_UNLOCK (src);
  return n;
}

/* Not live: keeps up to max-in-flight images requested ahead of the one
 * pushed.  A refusal of the spending guard ends the stream early. */
static void
submit_jobs_locked (GstImagegenSrc * src)
{
  guint limit = max_in_flight (src);

  while (src->submitted < src->num_images
      && src->submitted - src->next_out < limit) {
    if (!submit_job_locked (src, src->submitted, 0)) {
      src->num_images = src->submitted;
      g_cond_broadcast (&src->cond);
      break;
    }
    src->submitted++;
  }
}

/* Live: starts the newest request now, or as soon as a slot frees. */
static void
submit_live_locked (GstImagegenSrc * src)
{
  src->generate_pending = FALSE;
  if (src->client == NULL)
    return;
  if (src->in_flight >= max_in_flight (src)) {
    src->generate_pending = TRUE;
    return;
  }
  if (submit_job_locked (src, 0, src->request_seq + 1)) {
    src->request_seq++;
    src->in_flight++;
  }
}

static gboolean
gst_imagegen_src_start (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  ImagegenClientConfig config;
  GError *error = NULL;
  gboolean ok, live;

  GST_OBJECT_LOCK (src);
  ok = gst_imagegen_settings_check_prompt (&src->settings, &error)
      && gst_imagegen_settings_resolve_client_config (&src->settings,
      &config, &error);
  live = src->is_live;
  GST_OBJECT_UNLOCK (src);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (src), error, NULL, FALSE);
    g_error_free (error);
    return FALSE;
  }
  gst_imagegen_settings_post_warnings (GST_ELEMENT (src), &src->settings);
  GST_DEBUG_OBJECT (src, "using %s", config.base_url);
  gst_imagegen_tracker_reset (&src->tracker);
  g_atomic_int_set (&src->generate_requested, 0);

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
  src->request_seq = src->shown_seq = src->in_flight = 0;
  src->generate_pending = FALSE;
  src->fade_start = GST_CLOCK_TIME_NONE;
  src->last_request_pts = 0;
  if (live)
    submit_live_locked (src);
  else
    submit_jobs_locked (src);
  g_mutex_unlock (&src->lock);

  src->timestamp_offset = GST_CLOCK_TIME_NONE;
  src->n_frames = 0;
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
  g_clear_error (&src->fatal_error);
  g_clear_pointer (&src->live_image, gst_imagegen_image_unref);
  gst_clear_buffer (&src->live_frame);
  gst_clear_buffer (&src->fade_from);
  src->out_raw = FALSE;
  g_mutex_unlock (&src->lock);
  GST_OBJECT_LOCK (src);
  g_clear_pointer (&src->negotiated_for, gst_imagegen_image_unref);
  GST_OBJECT_UNLOCK (src);
  gst_clear_buffer (&src->placeholder);
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

/* Only the image's own encoded type and raw video can be produced, and
 * live streams are raw video only. */
static GstCaps *
gst_imagegen_src_get_caps (GstBaseSrc * basesrc, GstCaps * filter)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstCaps *caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (basesrc));
  const gchar *own_type = NULL;
  gboolean live;

  GST_OBJECT_LOCK (src);
  if (src->negotiated_for != NULL)
    own_type = src->negotiated_for->header.media_type;
  live = src->is_live;
  GST_OBJECT_UNLOCK (src);

  if (own_type != NULL || live) {
    GstCaps *only = own_type ? gst_caps_new_empty_simple (own_type) :
        gst_caps_new_empty ();
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

/* Not live, negotiation waits for the first image: its type and size
 * decide.  Live streams start with a placeholder, so negotiate at once. */
static gboolean
gst_imagegen_src_negotiate (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);

  if (src->negotiated_for == NULL && !is_live_locked (src))
    return TRUE;
  return GST_BASE_SRC_CLASS (parent_class)->negotiate (basesrc);
}

/* The size the service makes for an aspect ratio and resolution, as far as
 * known (1k about 1 MP, 2k about 4 MP, sides multiples of 16): the live
 * stream's default size. */
static void
expected_size (GstImagegenSrc * src, gint * width, gint * height)
{
  gint rw = 1, rh = 1;
  gdouble area = 1024.0 * 1024.0;

  GST_OBJECT_LOCK (src);
  if (src->settings.aspect_ratio == NULL
      || sscanf (src->settings.aspect_ratio, "%d:%d", &rw, &rh) != 2
      || rw <= 0 || rh <= 0)
    rw = rh = 1;
  if (g_strcmp0 (src->settings.resolution, "2k") == 0)
    area *= 4;
  GST_OBJECT_UNLOCK (src);
  *width = MAX (16, ((gint) (sqrt (area * rw / rh) + 8) / 16) * 16);
  *height = MAX (16, ((gint) (sqrt (area * rh / rw) + 8) / 16) * 16);
}

static GstCaps *
gst_imagegen_src_fixate (GstBaseSrc * basesrc, GstCaps * caps)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstStructure *s;
  gint width, height;

  if (src->negotiated_for != NULL) {
    width = src->negotiated_for->header.width;
    height = src->negotiated_for->header.height;
  } else {
    expected_size (src, &width, &height);
  }
  caps = gst_caps_truncate (gst_caps_make_writable (caps));
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (s, "video/x-raw")) {
    gst_structure_fixate_field_nearest_int (s, "width", width);
    gst_structure_fixate_field_nearest_int (s, "height", height);
    gst_structure_fixate_field_nearest_fraction (s, "framerate",
        is_live_locked (src) ? LIVE_FPS_N : 1, 1);
    gst_structure_fixate_field_string (s, "format", "RGBA");
  }
  return GST_BASE_SRC_CLASS (parent_class)->fixate (basesrc, caps);
}

static gboolean
gst_imagegen_src_set_caps (GstBaseSrc * basesrc, GstCaps * caps)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstVideoInfo info;
  gboolean raw = gst_structure_has_name (s, "video/x-raw");

  GST_DEBUG_OBJECT (src, "caps %" GST_PTR_FORMAT, caps);
  if (raw && !gst_video_info_from_caps (&info, caps))
    return FALSE;
  if (raw && is_live_locked (src) && GST_VIDEO_INFO_FPS_N (&info) <= 0) {
    GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
        ("A live stream needs a framerate above 0."), (NULL));
    return FALSE;
  }

  g_mutex_lock (&src->lock);
  src->out_raw = raw;
  if (raw)
    src->out_info = info;
  src->decode = raw;
  g_mutex_unlock (&src->lock);
  gst_clear_buffer (&src->placeholder);
  return TRUE;
}

static void
gst_imagegen_src_get_times (GstBaseSrc * basesrc, GstBuffer * buffer,
    GstClockTime * start, GstClockTime * end)
{
  *start = *end = GST_CLOCK_TIME_NONE;
  /* live: basesrc waits on the clock until each frame is due */
  if (gst_base_src_is_live (basesrc)) {
    *start = GST_BUFFER_PTS (buffer);
    if (GST_BUFFER_DURATION_IS_VALID (buffer))
      *end = *start + GST_BUFFER_DURATION (buffer);
  }
}

static gboolean
gst_imagegen_src_query (GstBaseSrc * basesrc, GstQuery * query)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY
      && gst_base_src_is_live (basesrc)) {
    GstClockTime frame;

    if (!src->out_raw || GST_VIDEO_INFO_FPS_N (&src->out_info) <= 0)
      return FALSE;
    /* a frame is complete only at its end, like any live video source;
     * frames are made on demand, so nothing limits the buffering */
    frame = gst_util_uint64_scale (GST_SECOND,
        GST_VIDEO_INFO_FPS_D (&src->out_info),
        GST_VIDEO_INFO_FPS_N (&src->out_info));
    gst_query_set_latency (query, TRUE, frame, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->query (basesrc, query);
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
    if (g_hash_table_steal_extended (src->ready, key, NULL,
            (gpointer *) & image))
      break;
    if (src->next_out >= src->num_images) {
      *ret = GST_FLOW_EOS;
      break;
    }
    submit_jobs_locked (src);
    if (src->next_out < src->num_images)
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

static GstClockTime
frame_time (GstImagegenSrc * src, guint64 n)
{
  gint fps_n = GST_VIDEO_INFO_FPS_N (&src->out_info);
  gint fps_d = GST_VIDEO_INFO_FPS_D (&src->out_info);

  return gst_util_uint64_scale (n, fps_d * GST_SECOND, fps_n);
}

static void
set_timestamps (GstImagegenSrc * src, GstBuffer * buffer, guint index)
{
  if (src->out_raw && GST_VIDEO_INFO_FPS_N (&src->out_info) > 0) {
    GST_BUFFER_PTS (buffer) = frame_time (src, index);
    GST_BUFFER_DURATION (buffer) = frame_time (src, index + 1) -
        GST_BUFFER_PTS (buffer);
  } else {
    /* still images: one a second */
    GST_BUFFER_PTS (buffer) = index * GST_SECOND;
    GST_BUFFER_DURATION (buffer) = GST_CLOCK_TIME_NONE;
  }
  GST_BUFFER_OFFSET (buffer) = index;
  GST_BUFFER_OFFSET_END (buffer) = index + 1;
}

static gboolean
needs_negotiation (GstImagegenSrc * src, GstImagegenImage * image)
{
  return src->negotiated_for == NULL
      || gst_pad_check_reconfigure (GST_BASE_SRC_PAD (src))
      || (!src->out_raw && !g_str_equal (src->negotiated_for->header.media_type,
          image->header.media_type));
}

static GstFlowReturn
create_still (GstImagegenSrc * src, GstBuffer ** outbuf)
{
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

  if (needs_negotiation (src, image)) {
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

/* Transparent where the format has alpha, else black (or black always). */
static GstBuffer *
placeholder_frame (GstImagegenSrc * src)
{
  if (src->placeholder == NULL) {
    gboolean black;

    GST_OBJECT_LOCK (src);
    black = src->black_placeholder;
    GST_OBJECT_UNLOCK (src);
    src->placeholder = gst_imagegen_solid_frame (&src->out_info,
        black || !GST_VIDEO_INFO_HAS_ALPHA (&src->out_info) ? 0x000000ff :
        0x00000000);
  }
  return gst_buffer_ref (src->placeholder);
}

/* The streaming thread's view of what to show at @pts. */
static GstBuffer *
live_pixels (GstImagegenSrc * src, GstClockTime pts)
{
  GstClockTime transition, regenerate;
  GstBuffer *frame = NULL, *from = NULL, *pixels;
  GstImagegenImage *image = NULL;
  GstClockTime fade_start = GST_CLOCK_TIME_NONE;
  gboolean request;

  GST_OBJECT_LOCK (src);
  transition = src->transition_duration;
  regenerate = src->regenerate_interval;
  GST_OBJECT_UNLOCK (src);
  request = g_atomic_int_compare_and_exchange (&src->generate_requested, 1, 0);

  g_mutex_lock (&src->lock);
  if (regenerate > 0 && pts >= src->last_request_pts + regenerate)
    request = TRUE;
  if (request) {
    src->last_request_pts = pts;
    submit_live_locked (src);
  }
  if (src->live_frame != NULL) {
    frame = gst_buffer_ref (src->live_frame);
    if (!gst_video_info_is_equal (&src->live_info, &src->out_info))
      image = gst_imagegen_image_ref (src->live_image);
  }
  if (src->fade_from != NULL) {
    if (src->fade_start == GST_CLOCK_TIME_NONE)
      src->fade_start = pts;
    fade_start = src->fade_start;
    if (pts >= fade_start + transition || transition == 0)
      gst_clear_buffer (&src->fade_from);
    else
      from = gst_buffer_ref (src->fade_from);
  }
  g_mutex_unlock (&src->lock);

  if (image != NULL) {
    /* caps changed since the image was placed: rare, done here */
    GstImagegenScaleMode scale_mode;
    GstBuffer *placed;

    GST_OBJECT_LOCK (src);
    scale_mode = src->settings.scale_mode;
    GST_OBJECT_UNLOCK (src);
    placed = gst_imagegen_scale (image->raw, &image->raw_info,
        &src->out_info, scale_mode);
    g_mutex_lock (&src->lock);
    if (placed != NULL && src->live_image == image) {
      gst_buffer_replace (&src->live_frame, placed);
      src->live_info = src->out_info;
    }
    g_mutex_unlock (&src->lock);
    gst_buffer_unref (frame);
    frame = placed;
    gst_clear_buffer (&from);
    gst_imagegen_image_unref (image);
  }

  if (frame == NULL)
    return placeholder_frame (src);
  if (from == NULL || gst_buffer_get_size (from) != gst_buffer_get_size
      (frame)) {
    gst_clear_buffer (&from);
    return frame;
  }
  /* a frame shows the mix at its end, so the last one is all new */
  pixels = gst_imagegen_blend (from, frame, &src->out_info,
      (gdouble) (pts + frame_time (src, 1) - fade_start) / transition);
  gst_buffer_unref (from);
  gst_buffer_unref (frame);
  return pixels;
}

static GstFlowReturn
create_live (GstImagegenSrc * src, GstBuffer ** outbuf)
{
  GstClockTime pts;
  GstBuffer *pixels;
  GError *fatal = NULL;

  g_mutex_lock (&src->lock);
  if (src->fatal_error != NULL)
    fatal = g_error_copy (src->fatal_error);
  g_mutex_unlock (&src->lock);
  if (fatal != NULL) {
    gst_imagegen_post_error (GST_ELEMENT (src), fatal, "Image generation",
        FALSE);
    g_error_free (fatal);
    return GST_FLOW_ERROR;
  }

  /* the first frame is stamped with the running time it is made at */
  if (src->timestamp_offset == GST_CLOCK_TIME_NONE) {
    GstClock *clock = gst_element_get_clock (GST_ELEMENT (src));

    src->timestamp_offset = 0;
    if (clock != NULL) {
      GstClockTime now = gst_clock_get_time (clock);
      GstClockTime base = gst_element_get_base_time (GST_ELEMENT (src));
      if (now > base)
        src->timestamp_offset = now - base;
      gst_object_unref (clock);
    }
  }

  pts = src->timestamp_offset + frame_time (src, src->n_frames);
  pixels = live_pixels (src, pts);
  if (pixels == NULL)
    return GST_FLOW_ERROR;
  *outbuf = gst_imagegen_share_pixels (pixels);
  gst_buffer_unref (pixels);
  GST_BUFFER_PTS (*outbuf) = pts;
  GST_BUFFER_DURATION (*outbuf) = src->timestamp_offset +
      frame_time (src, src->n_frames + 1) - pts;
  GST_BUFFER_OFFSET (*outbuf) = src->n_frames;
  GST_BUFFER_OFFSET_END (*outbuf) = src->n_frames + 1;
  src->n_frames++;
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_imagegen_src_create (GstPushSrc * pushsrc, GstBuffer ** outbuf)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (pushsrc);

  if (gst_base_src_is_live (GST_BASE_SRC (src)))
    return create_live (src, outbuf);
  return create_still (src, outbuf);
}

static void
gst_imagegen_src_generate (GstImagegenSrc * src)
{
  GST_DEBUG_OBJECT (src, "new image asked for");
  g_atomic_int_set (&src->generate_requested, 1);
}

static void
gst_imagegen_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);
  gboolean handled = TRUE, prompt_changed = FALSE, live_changed = FALSE;

  if (gst_imagegen_tracker_set_property (&src->tracker, PROP_TRACKER_FIRST,
          prop_id, value))
    return;

  GST_OBJECT_LOCK (src);
  switch (prop_id) {
    case PROP_NUM_IMAGES:
      src->num_images = g_value_get_uint (value);
      break;
    case PROP_IS_LIVE:
      src->is_live = g_value_get_boolean (value);
      live_changed = TRUE;
      break;
    case PROP_REGENERATE_INTERVAL:
      src->regenerate_interval = g_value_get_uint64 (value);
      break;
    case PROP_TRANSITION_DURATION:
      src->transition_duration = g_value_get_uint64 (value);
      break;
    case PROP_BLACK_PLACEHOLDER:
      src->black_placeholder = g_value_get_boolean (value);
      break;
    default:
      prompt_changed = prop_id == PROP_SHARED_FIRST + GST_IMAGEGEN_PROP_PROMPT
          && g_strcmp0 (src->settings.prompt, g_value_get_string (value)) != 0;
      handled = gst_imagegen_settings_set_property (&src->settings,
          PROP_SHARED_FIRST, prop_id, value);
      break;
  }
  GST_OBJECT_UNLOCK (src);
  if (!handled)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  /* basesrc decides on prerolling before start(), so tell it now */
  if (live_changed)
    gst_base_src_set_live (GST_BASE_SRC (src), g_value_get_boolean (value));
  /* live: a new prompt starts a new image at the next frame */
  if (prompt_changed && GST_STATE (src) >= GST_STATE_PAUSED)
    gst_imagegen_src_generate (src);
}

static void
gst_imagegen_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);
  gboolean handled = TRUE;

  if (gst_imagegen_tracker_get_property (&src->tracker, PROP_TRACKER_FIRST,
          prop_id, value))
    return;

  GST_OBJECT_LOCK (src);
  switch (prop_id) {
    case PROP_NUM_IMAGES:
      g_value_set_uint (value, src->num_images);
      break;
    case PROP_IS_LIVE:
      g_value_set_boolean (value, src->is_live);
      break;
    case PROP_REGENERATE_INTERVAL:
      g_value_set_uint64 (value, src->regenerate_interval);
      break;
    case PROP_TRANSITION_DURATION:
      g_value_set_uint64 (value, src->transition_duration);
      break;
    case PROP_BLACK_PLACEHOLDER:
      g_value_set_boolean (value, src->black_placeholder);
      break;
    default:
      handled = gst_imagegen_settings_get_property (&src->settings,
          PROP_SHARED_FIRST, prop_id, value);
      break;
  }
  GST_OBJECT_UNLOCK (src);
  if (!handled)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_imagegen_src_finalize (GObject * object)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);

  gst_imagegen_settings_clear (&src->settings);
  gst_imagegen_tracker_clear (&src->tracker);
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
  const GParamFlags rw_playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags rw_ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_imagegen_src_debug, "imagegensrc", 0,
      "Text-to-image source");

  gobject_class->set_property = gst_imagegen_src_set_property;
  gobject_class->get_property = gst_imagegen_src_get_property;
  gobject_class->finalize = gst_imagegen_src_finalize;

  /**
   * GstImagegenSrc:num-images:
   *
   * How many images to generate before EOS (not live).  Each one is a paid
   * request.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_IMAGES,
      g_param_spec_uint ("num-images", "Number of images",
          "Images to generate, then EOS, when not live (count; each is a "
          "paid request)", 1, G_MAXINT, DEFAULT_NUM_IMAGES, rw_ready));
  /**
   * GstImagegenSrc:is-live:
   *
   * Push a steady live stream at the negotiated framerate (30/1 when
   * downstream does not say) showing the latest image.
   */
  g_object_class_install_property (gobject_class, PROP_IS_LIVE,
      g_param_spec_boolean ("is-live", "Is live",
          "Push a steady live stream at the negotiated framerate showing the "
          "latest image (default: false, num-images images then EOS)",
          DEFAULT_IS_LIVE, rw_ready));
  g_object_class_install_property (gobject_class, PROP_REGENERATE_INTERVAL,
      g_param_spec_uint64 ("regenerate-interval", "Regenerate interval",
          "Live: start a new image this often (nanoseconds of stream time, "
          "0 = only on a prompt change or the generate signal)", 0,
          G_MAXUINT64, DEFAULT_REGENERATE_INTERVAL, rw_playing));
  g_object_class_install_property (gobject_class, PROP_TRANSITION_DURATION,
      g_param_spec_uint64 ("transition-duration", "Transition duration",
          "Live: cross-fade from the previous image to a new one over this "
          "time (nanoseconds, 0 = cut)", 0, G_MAXUINT64,
          DEFAULT_TRANSITION_DURATION, rw_playing));
  g_object_class_install_property (gobject_class, PROP_BLACK_PLACEHOLDER,
      g_param_spec_boolean ("black-placeholder", "Black placeholder",
          "Live: before the first image show black, not transparency "
          "(formats without alpha always show black; default: false)",
          DEFAULT_BLACK_PLACEHOLDER, rw_playing));
  gst_imagegen_tracker_install_properties (gobject_class, PROP_TRACKER_FIRST);
  gst_imagegen_settings_install_properties (gobject_class, PROP_SHARED_FIRST,
      DEFAULT_MODEL, DEFAULT_ASPECT_RATIO, TEXT_TO_IMAGE_MODELS);

  /**
   * GstImagegenSrc::generate:
   *
   * Live: start a new image with the current properties now.
   */
  signals[SIGNAL_GENERATE] = g_signal_new_class_handler ("generate",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_imagegen_src_generate), NULL, NULL, NULL, G_TYPE_NONE,
      0);

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
  basesrc_class->get_times = GST_DEBUG_FUNCPTR (gst_imagegen_src_get_times);
  basesrc_class->query = GST_DEBUG_FUNCPTR (gst_imagegen_src_query);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_imagegen_src_create);
}

static void
gst_imagegen_src_init (GstImagegenSrc * src)
{
  gst_imagegen_settings_init (&src->settings, DEFAULT_MODEL,
      DEFAULT_ASPECT_RATIO);
  gst_imagegen_tracker_init (&src->tracker, GST_ELEMENT (src));
  src->num_images = DEFAULT_NUM_IMAGES;
  src->is_live = DEFAULT_IS_LIVE;
  src->regenerate_interval = DEFAULT_REGENERATE_INTERVAL;
  src->transition_duration = DEFAULT_TRANSITION_DURATION;
  src->black_placeholder = DEFAULT_BLACK_PLACEHOLDER;
  g_mutex_init (&src->lock);
  g_cond_init (&src->cond);
  src->ready = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) gst_imagegen_image_unref);
  gst_base_src_set_format (GST_BASE_SRC (src), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (src), DEFAULT_IS_LIVE);
}
