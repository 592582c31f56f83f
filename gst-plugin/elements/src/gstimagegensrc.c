/* gst-imagegen: imagegensrc, text to image.
 *
 * Locks (see gstimagegensrcpriv.h): src->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under src->lock.
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
 * `image/jpeg`, the service's own bytes untouched (transcoded when the
 * service answered the other type).
 *
 * Not live (the default), it pushes #GstImagegenSrc:num-images images, then
 * EOS.  Live (#GstImagegenSrc:is-live), it pushes a steady stream at the
 * negotiated framerate, timestamped from the pipeline clock, showing a
 * placeholder until the first image and then the latest one; a new prompt
 * set while PLAYING, the #GstImagegenSrc::generate action signal or
 * #GstImagegenSrc:regenerate-interval starts a new image, which cross-fades
 * in over #GstImagegenSrc:transition-duration (the first one from the
 * placeholder).  When a newer request's
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

#include "gstimagegensrcpriv.h"
#include "gstimagegenscale.h"
#include "imagegen-models.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define DEFAULT_MODEL "flux-2-pro-text-to-image"
#define DEFAULT_ASPECT_RATIO "1:1"
#define DEFAULT_NUM_IMAGES 1
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_REGENERATE_INTERVAL 0
#define DEFAULT_TRANSITION_DURATION 0
#define DEFAULT_BLACK_PLACEHOLDER FALSE
#define DEFAULT_IMAGE_DURATION GST_SECOND

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
  PROP_BACKGROUND,
  PROP_IMAGE_DURATION,
  PROP_TRACKER_FIRST,
  PROP_SHARED_FIRST = PROP_TRACKER_FIRST + GST_IMAGEGEN_ENGINE_N_PROPS,
};

/* The properties of imagegensrc's own that are plain members */
static const GstImagegenField src_fields[] = {
  GST_IMAGEGEN_FIELD (PROP_NUM_IMAGES, GstImagegenSrc, num_images),
  GST_IMAGEGEN_FIELD (PROP_IS_LIVE, GstImagegenSrc, is_live),
  GST_IMAGEGEN_FIELD (PROP_REGENERATE_INTERVAL, GstImagegenSrc,
      regenerate_interval),
  GST_IMAGEGEN_FIELD (PROP_TRANSITION_DURATION, GstImagegenSrc,
      transition_duration),
  GST_IMAGEGEN_FIELD (PROP_BLACK_PLACEHOLDER, GstImagegenSrc,
      black_placeholder),
  GST_IMAGEGEN_FIELD (PROP_BACKGROUND, GstImagegenSrc, background),
  GST_IMAGEGEN_FIELD (PROP_IMAGE_DURATION, GstImagegenSrc, image_duration),
  GST_IMAGEGEN_FIELDS_END
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

static gboolean
gst_imagegen_src_start (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstImagegenSrcClass *klass = GST_IMAGEGEN_SRC_GET_CLASS (src);
  ImagegenClientConfig config;
  GError *error = NULL;
  guint64 max_pixels;
  gboolean ok, live, text, prompt_set;
  gint output_count;

  if (klass->start_prompts != NULL && !klass->start_prompts (src))
    return FALSE;
  text = klass->prompt_due != NULL;
  GST_OBJECT_LOCK (src);
  /* with a text pad, prompts may all come from it */
  prompt_set = src->settings.prompt != NULL;
  ok = (!prompt_set && text) || gst_imagegen_settings_check (&src->settings,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, &error);
  ok = ok && gst_imagegen_settings_resolve_client_config (&src->settings,
      &config, &error);
  live = src->is_live;
  max_pixels = src->settings.max_pixels;
  GST_OBJECT_UNLOCK (src);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (src), error, NULL, FALSE);
    g_error_free (error);
    return FALSE;
  }
  gst_imagegen_settings_post_warnings (GST_ELEMENT (src), &src->settings);
  GST_DEBUG_OBJECT (src, "using %s", config.base_url);
  g_atomic_int_set (&src->generate_requested, 0);
  gst_imagegen_engine_start (&src->engine, &config, max_pixels);
  /* not live, a task's message comes before its image (and EOS) */
  gst_imagegen_engine_set_report_first (&src->engine, !live);
  imagegen_client_config_clear (&config);

  g_mutex_lock (&src->lock);
  GST_OBJECT_LOCK (src);
  src->n_images = src->num_images;
  /* never pay for images the stream cannot use: num-buffers ends it first */
  if (basesrc->num_buffers > 0)
    src->n_images = MIN (src->n_images, (guint) basesrc->num_buffers);
  /* checked against the model at start: an integer when set */
  if (src->settings.extra == NULL || !gst_structure_get_int
      (src->settings.extra, "output_count", &output_count))
    output_count = 1;
  src->per_request = MAX (output_count, 1);
  GST_OBJECT_UNLOCK (src);
  src->submitted = 0;
  src->next_out = 0;
  src->flushing = FALSE;
  src->request_seq = src->shown_seq = 0;
  src->generate_pending = FALSE;
  src->last_request_pts = 0;
  src->pending_show_at = GST_CLOCK_TIME_NONE;
  src->upcoming_seq = 0;
  g_mutex_unlock (&src->lock);
  src->timestamp_offset = GST_CLOCK_TIME_NONE;
  src->n_frames = 0;
  src->asked_format = live ? NULL :
      gst_imagegen_src_downstream_encoded_format (src);

  if (live && prompt_set)
    gst_imagegen_src_live_request (src);
  else if (!live)
    gst_imagegen_src_still_submit_jobs (src);
  return TRUE;
}

/* Wakes every wait of @src's streaming thread with @flushing */
static gboolean
set_flushing (GstImagegenSrc * src, gboolean flushing)
{
  g_mutex_lock (&src->lock);
  src->flushing = flushing;
  g_cond_broadcast (&src->cond);
  g_mutex_unlock (&src->lock);
  return TRUE;
}

static gboolean
gst_imagegen_src_stop (GstBaseSrc * basesrc)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstImagegenSrcClass *klass = GST_IMAGEGEN_SRC_GET_CLASS (src);

  set_flushing (src, TRUE);
  gst_imagegen_engine_stop (&src->engine);

  g_mutex_lock (&src->lock);
  g_hash_table_remove_all (src->ready);
  gst_imagegen_placement_clear (&src->live);
  gst_imagegen_placement_clear (&src->upcoming);
  g_clear_pointer (&src->pending_prompt, g_free);
  g_clear_pointer (&src->text_prompt, g_free);
  src->out_raw = FALSE;
  g_mutex_unlock (&src->lock);
  if (klass->stop_prompts != NULL)
    klass->stop_prompts (src);
  GST_OBJECT_LOCK (src);
  g_clear_pointer (&src->negotiated_for, gst_imagegen_image_unref);
  GST_OBJECT_UNLOCK (src);
  gst_imagegen_screen_clear (&src->screen);
  return TRUE;
}

static gboolean
gst_imagegen_src_unlock (GstBaseSrc * basesrc)
{
  return set_flushing (GST_IMAGEGEN_SRC (basesrc), TRUE);
}

static gboolean
gst_imagegen_src_unlock_stop (GstBaseSrc * basesrc)
{
  return set_flushing (GST_IMAGEGEN_SRC (basesrc), FALSE);
}

static gboolean
gst_imagegen_src_set_caps (GstBaseSrc * basesrc, GstCaps * caps)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (basesrc);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstVideoInfo info;
  gboolean raw = gst_structure_has_name (s, "video/x-raw");
  guint64 max_pixels;
  guint n_images;

  GST_DEBUG_OBJECT (src, "caps %" GST_PTR_FORMAT, caps);
  GST_OBJECT_LOCK (src);
  max_pixels = src->settings.max_pixels;
  GST_OBJECT_UNLOCK (src);
  if (!gst_imagegen_check_frame_size (GST_ELEMENT (src), caps, max_pixels))
    return FALSE;
  if (raw && !gst_video_info_from_caps (&info, caps))
    return FALSE;
  if (raw && gst_imagegen_src_is_live (src)
      && GST_VIDEO_INFO_FPS_N (&info) <= 0) {
    GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
        ("A live stream needs a framerate above 0."), (NULL));
    return FALSE;
  }

  g_mutex_lock (&src->lock);
  src->out_raw = raw;
  if (raw)
    src->out_info = info;
  else
    src->out_media_type = g_intern_string (gst_structure_get_name (s));
  n_images = src->n_images;
  g_mutex_unlock (&src->lock);
  /* images lasting image-duration: the segment ends after the last, so
   * that videorate fills it (it repeats a last frame only up to a stop) */
  if (!gst_imagegen_src_is_live (src) && (!raw
          || GST_VIDEO_INFO_FPS_N (&info) == 0)) {
    GST_OBJECT_LOCK (src);
    if (basesrc->segment.start == 0
        && !GST_CLOCK_TIME_IS_VALID (basesrc->segment.stop))
      basesrc->segment.stop = gst_util_uint64_scale (n_images,
          src->image_duration, 1);
    GST_OBJECT_UNLOCK (src);
  }
  gst_imagegen_engine_set_decode (&src->engine, raw);
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

static GstFlowReturn
gst_imagegen_src_create (GstPushSrc * pushsrc, GstBuffer ** outbuf)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (pushsrc);

  if (gst_base_src_is_live (GST_BASE_SRC (src)))
    return gst_imagegen_src_live_create (src, outbuf);
  return gst_imagegen_src_still_create (src, outbuf);
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
  gboolean shared = FALSE;

  if (gst_imagegen_engine_set_property (&src->engine,
          PROP_TRACKER_FIRST, prop_id, value))
    return;
  if (!gst_imagegen_settings_check_runtime_change (GST_ELEMENT (src),
          &src->settings, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, PROP_SHARED_FIRST,
          prop_id, value))
    return;

  GST_OBJECT_LOCK (src);
  if (gst_imagegen_fields_set (src, src_fields, NULL, 0, prop_id, value)) {
    live_changed = prop_id == PROP_IS_LIVE;
  } else {
    prompt_changed = prop_id == PROP_SHARED_FIRST + GST_IMAGEGEN_PROP_PROMPT
        && g_strcmp0 (src->settings.prompt, g_value_get_string (value)) != 0;
    handled = shared = gst_imagegen_settings_set_property (&src->settings,
        PROP_SHARED_FIRST, prop_id, value);
  }
  GST_OBJECT_UNLOCK (src);
  if (!handled)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  if (shared)
    gst_imagegen_engine_settings_changed (&src->engine);
  /* basesrc decides on prerolling before start(), so tell it now */
  if (live_changed)
    gst_base_src_set_live (GST_BASE_SRC (src), g_value_get_boolean (value));
  /* live: a new prompt starts a new image at the next frame, and is the
   * prompt until the next text */
  if (prompt_changed) {
    g_mutex_lock (&src->lock);
    g_clear_pointer (&src->text_prompt, g_free);
    g_mutex_unlock (&src->lock);
  }
  if (prompt_changed && GST_STATE (src) >= GST_STATE_PAUSED)
    gst_imagegen_src_generate (src);
}

static void
gst_imagegen_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (object);
  gboolean handled;

  if (gst_imagegen_engine_get_property (&src->engine,
          PROP_TRACKER_FIRST, prop_id, value))
    return;

  GST_OBJECT_LOCK (src);
  handled = gst_imagegen_fields_get (src, src_fields, NULL, 0, prop_id, value)
      || gst_imagegen_settings_get_property (&src->settings,
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
  gst_imagegen_engine_clear (&src->engine);
  g_hash_table_unref (src->ready);
  gst_imagegen_screen_clear (&src->screen);
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
  /**
   * GstImagegenSrc:image-duration:
   *
   * Not live, where downstream leaves the framerate open: how long each
   * image lasts.  Caps then say framerate=0/1 and buffer durations carry
   * this, so videorate or a muxer makes a slideshow of num-images times
   * it.  A framerate downstream fixes keeps one frame of it per image.
   */
  g_object_class_install_property (gobject_class, PROP_IMAGE_DURATION,
      g_param_spec_uint64 ("image-duration", "Image duration",
          "Not live, with no framerate fixed downstream: how long each "
          "image lasts (nanoseconds; default 1 s)", 1, G_MAXUINT64,
          DEFAULT_IMAGE_DURATION, rw_ready));
  g_object_class_install_property (gobject_class, PROP_REGENERATE_INTERVAL,
      g_param_spec_uint64 ("regenerate-interval", "Regenerate interval",
          "Live: start a new image this often (nanoseconds of stream time, "
          "0 = only on a prompt change or the generate signal)", 0,
          G_MAXUINT64, DEFAULT_REGENERATE_INTERVAL, rw_playing));
  g_object_class_install_property (gobject_class, PROP_TRANSITION_DURATION,
      g_param_spec_uint64 ("transition-duration", "Transition duration",
          "Live: cross-fade from the previous image (or the placeholder) to "
          "a new one over this time (nanoseconds, 0 = cut)", 0, G_MAXUINT64,
          DEFAULT_TRANSITION_DURATION, rw_playing));
  g_object_class_install_property (gobject_class, PROP_BLACK_PLACEHOLDER,
      g_param_spec_boolean ("black-placeholder", "Black placeholder",
          "Live: before the first image show black, not transparency "
          "(formats without alpha always show black; default: false)",
          DEFAULT_BLACK_PLACEHOLDER, rw_playing));
  gst_imagegen_engine_install_properties (gobject_class, PROP_TRACKER_FIRST);
  gst_imagegen_settings_install_properties (gobject_class, PROP_SHARED_FIRST,
      DEFAULT_MODEL, DEFAULT_ASPECT_RATIO,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);

  /**
   * GstImagegenSrc:background:
   *
   * `transparent`: each image goes on to a background-removal task
   * (model recraft-remove-background) and frames carry its alpha (raw
   * output in RGBA, BGRA, ARGB, ABGR or AYUV), for a compositor to
   * blend.  Each image then costs two paid tasks.
   */
  g_object_class_install_property (gobject_class, PROP_BACKGROUND,
      g_param_spec_enum ("background", "Background",
          "opaque: the image as generated; transparent: a second paid task "
          "removes the background (frames with alpha)",
          gst_imagegen_src_background_get_type (),
          GST_IMAGEGEN_SRC_BACKGROUND_OPAQUE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (gst_imagegen_src_background_get_type (), 0);
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
  gst_imagegen_engine_init (&src->engine, GST_ELEMENT (src));
  src->num_images = DEFAULT_NUM_IMAGES;
  src->is_live = DEFAULT_IS_LIVE;
  src->regenerate_interval = DEFAULT_REGENERATE_INTERVAL;
  src->transition_duration = DEFAULT_TRANSITION_DURATION;
  src->black_placeholder = DEFAULT_BLACK_PLACEHOLDER;
  src->image_duration = DEFAULT_IMAGE_DURATION;
  gst_imagegen_screen_init (&src->screen);
  g_mutex_init (&src->lock);
  g_cond_init (&src->cond);
  src->ready = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) gst_imagegen_image_unref);
  gst_base_src_set_format (GST_BASE_SRC (src), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (src), DEFAULT_IS_LIVE);
}
