/* gst-imagegen: imagegenremix, video frames to remixed frames.
 *
 * Locks (see gstimagegenremixpriv.h): remix->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-imagegenremix
 * @title: imagegenremix
 *
 * Restyles video with a remote image model (RunAPI's Flux 2 remix models).
 * It picks frames — one per #GstImagegenRemix:interval of stream time, and
 * only while fewer than #GstImagegenRemix:max-in-flight requests run —
 * encodes each as a small JPEG, uploads it and asks for its remix with
 * #GstImagegenRemix:prompt (plus optional #GstImagegenRemix:reference-images).
 *
 * In live mode (the default with a live upstream) every input frame leaves
 * at once with its own timestamp, showing the newest result (before the
 * first one, see #GstImagegenRemix:placeholder); the element adds no
 * latency.  In offline mode (the default otherwise) every output frame shows
 * the remix of the latest picked frame at or before it: frames wait for
 * their result in a bounded queue, several requests run in parallel, order
 * is kept, and EOS waits for every request.  Offline frames leave from a
 * task of the element's own, as in `queue`, as soon as their result is in:
 * output never waits for more input, so a demuxer whose other streams'
 * queues are full, or a tee, cannot stall the pipeline.  A frame whose request failed
 * for good is reported in a warning naming its timestamp and is replaced
 * per #GstImagegenRemix:on-failure.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! imagegenremix prompt="watercolour" interval=2000000000 ! videoconvert ! x264enc ! mp4mux ! filesink location=out.mp4
 * ]| Stylises a file, one remix every two seconds of video.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! imagegenremix prompt="comic book" ! videoconvert ! autovideosink
 * ]| A live picture that never stalls; remixed looks appear as they arrive.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"
#include "gstimagegenstrv.h"
#include "gstimagegenscale.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

#define DEFAULT_MODEL "flux-2-pro-remix-image"
#define DEFAULT_ASPECT_RATIO "auto"
#define DEFAULT_INTERVAL GST_SECOND
#define DEFAULT_MODE GST_IMAGEGEN_REMIX_MODE_AUTO
#define DEFAULT_PLACEHOLDER GST_IMAGEGEN_REMIX_FALLBACK_INPUT
#define DEFAULT_ON_FAILURE GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS
#define DEFAULT_JPEG_QUALITY 85
#define DEFAULT_UPLOAD_MAX_SIDE 1024
#define DEFAULT_MAX_QUEUE_FRAMES 300
#define DEFAULT_MAX_QUEUE_BYTES (512 * 1024 * 1024)
#define DEFAULT_LATENCY (3 * GST_SECOND)

#define RAW_FORMATS "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, " \
  "BGR, AYUV, I420, YV12, NV12, NV21, Y444, Y42B, YUY2, UYVY, GRAY8 }"

enum
{
  PROP_0,
  PROP_INTERVAL,
  PROP_MODE,
  PROP_PLACEHOLDER,
  PROP_ON_FAILURE,
  PROP_JPEG_QUALITY,
  PROP_UPLOAD_MAX_SIDE,
  PROP_MAX_QUEUE_FRAMES,
  PROP_MAX_QUEUE_BYTES,
  PROP_REFERENCE_IMAGES,
  PROP_TRANSITION_DURATION,
  PROP_LATENCY,
  PROP_MAX_RESULT_AGE,
  PROP_TRACKER_FIRST,
  PROP_SHARED_FIRST = PROP_TRACKER_FIRST + GST_IMAGEGEN_ENGINE_N_PROPS,
  PROP_PICK_FIRST = PROP_SHARED_FIRST + GST_IMAGEGEN_N_PROPS,
  PROP_MOTION_FIRST = PROP_PICK_FIRST + GST_IMAGEGEN_REMIX_N_PICK_PROPS,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (RAW_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (RAW_FORMATS)));

#define gst_imagegen_remix_parent_class parent_class
G_DEFINE_TYPE (GstImagegenRemix, gst_imagegen_remix, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (imagegenremix, "imagegenremix", GST_RANK_NONE,
    GST_TYPE_IMAGEGEN_REMIX);

static gboolean
is_offline (GstImagegenRemix * remix)
{
  gboolean offline;

  g_mutex_lock (&remix->lock);
  offline = remix->mode_decided && !remix->live;
  g_mutex_unlock (&remix->lock);
  return offline;
}

static GstFlowReturn
gst_imagegen_remix_submit_input_buffer (GstBaseTransform * trans,
    gboolean discont, GstBuffer * buf)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  GstClockTime time = gst_imagegen_remix_stream_time_of (remix, buf);
  GError *reference_error = NULL;
  GstFlowReturn ret;

  if (!remix->mode_decided && !gst_imagegen_remix_decide_mode (remix)) {
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }

  if (gst_imagegen_engine_has_fatal (&remix->engine)) {
    gst_imagegen_engine_post_fatal (&remix->engine, "Remix");
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  g_mutex_lock (&remix->lock);
  if (remix->reference_error != NULL) {
    reference_error = g_error_copy (remix->reference_error);
    ret = GST_FLOW_ERROR;
  } else if (remix->flushing) {
    ret = GST_FLOW_FLUSHING;
  } else if (remix->live) {
    ret = gst_imagegen_remix_live_submit_locked (remix, buf, time);
    buf = NULL;
  } else if (remix->aligned) {
    ret = gst_imagegen_remix_aligned_submit_locked (remix, buf, time);
    buf = NULL;
  } else {
    ret = gst_imagegen_remix_offline_submit_locked (remix, buf, time);
    buf = NULL;
  }
  g_mutex_unlock (&remix->lock);
  gst_clear_buffer (&buf);
  if (reference_error != NULL) {
    gst_imagegen_post_error (GST_ELEMENT (remix), reference_error,
        "Uploading the reference images", FALSE);
    g_error_free (reference_error);
  }
  return ret;
}

/* Offline frames leave from the src task, never from here. */
static GstFlowReturn
gst_imagegen_remix_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);

  *outbuf = NULL;
  if (is_offline (remix))
    return GST_FLOW_OK;
  return gst_imagegen_remix_live_generate (remix, outbuf);
}

/* Forgets every frame, pick and result of the epoch that ends. */
static void
reset_locked (GstImagegenRemix * remix)
{
  remix->generation++;
  gst_imagegen_remix_offline_clear_locked (remix);
  gst_imagegen_remix_aligned_clear_locked (remix);
  remix->last_pick_time = GST_CLOCK_TIME_NONE;
  remix->frames_seen = 0;
  gst_imagegen_remix_scene_reset_locked (remix);
  gst_imagegen_remix_replace_pick (&remix->governing, NULL);
  gst_imagegen_remix_replace_pick (&remix->newest_done, NULL);
  gst_imagegen_remix_replace_pick (&remix->live_pick, NULL);
  gst_clear_buffer (&remix->live_input);
  g_cond_broadcast (&remix->cond);
}

/* Wakes every wait, cancels every request, stops the src task. */
static void
start_flushing (GstImagegenRemix * remix)
{
  gst_imagegen_remix_offline_set_flushing (remix);
  gst_imagegen_engine_flush (&remix->engine);
}

static gboolean
gst_imagegen_remix_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  gboolean ret;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      start_flushing (remix);
      ret = GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
      /* downstream flushes too, so a push in progress returns */
      if (is_offline (remix))
        gst_pad_pause_task (GST_BASE_TRANSFORM_SRC_PAD (remix));
      return ret;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&remix->lock);
      reset_locked (remix);
      remix->flushing = FALSE;
      remix->srcresult = GST_FLOW_OK;
      g_mutex_unlock (&remix->lock);
      gst_imagegen_remix_forget_shown (remix);
      /* the frame after a seek is no neighbour of the one before it */
      gst_imagegen_remix_flicker_stop (remix);
      ret = GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
      if (is_offline (remix))
        gst_imagegen_remix_offline_start_task (remix);
      return ret;
    case GST_EVENT_CAPS:
      /* frames of the old caps leave first */
      if (is_offline (remix))
        gst_imagegen_remix_offline_wait_drained (remix);
      break;
    case GST_EVENT_SEGMENT:
      if (is_offline (remix)) {
        /* picking reads it now; downstream gets it behind the frames */
        GST_OBJECT_LOCK (remix);
        gst_event_copy_segment (event, &trans->segment);
        GST_OBJECT_UNLOCK (remix);
        gst_imagegen_remix_offline_queue_event (remix, event);
        return TRUE;
      }
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM:
      /* a pick at the next frame; the event goes on, so that an encoder
       * downstream starts a key frame there too */
      if (gst_video_event_is_force_key_unit (event)) {
        g_mutex_lock (&remix->lock);
        remix->force_pick = TRUE;
        g_mutex_unlock (&remix->lock);
      }
      if (is_offline (remix)) {
        gst_imagegen_remix_offline_queue_event (remix, event);
        return TRUE;
      }
      break;
    default:
      if (GST_EVENT_IS_SERIALIZED (event) && is_offline (remix)) {
        gst_imagegen_remix_offline_queue_event (remix, event);
        return TRUE;
      }
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_imagegen_remix_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  GstImagegenRemixMode mode;

  GST_OBJECT_LOCK (remix);
  mode = remix->mode;
  GST_OBJECT_UNLOCK (remix);
  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY
      && mode == GST_IMAGEGEN_REMIX_MODE_ALIGNED) {
    if (!GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
            query))
      return FALSE;
    gst_imagegen_remix_aligned_adjust_latency (remix, query);
    return TRUE;
  }

  /* a serialized query (allocation, drain) must not overtake the frames
   * still queued before it */
  if (direction == GST_PAD_SINK && GST_QUERY_IS_SERIALIZED (query)
      && is_offline (remix)
      && !gst_imagegen_remix_offline_wait_drained (remix))
    return FALSE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);
}

static GstStateChangeReturn
gst_imagegen_remix_change_state (GstElement * element,
    GstStateChange transition)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (element);

  /* Before the pads deactivate: they wait for the streaming thread, which
   * may be waiting for a result or for room in the queue. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    start_flushing (remix);
    gst_imagegen_remix_offline_stop_task (remix);
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

static GstCaps *
gst_imagegen_remix_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstCaps *any_size = gst_caps_new_empty (), *templ, *result;
  guint i;

  /* any size and format on the other side, same frame rate */
  for (i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));
    gst_structure_remove_fields (s, "format", "width", "height",
        "pixel-aspect-ratio", "colorimetry", "chroma-site", NULL);
    gst_caps_append_structure_full (any_size, s,
        gst_caps_features_copy (gst_caps_get_features (caps, i)));
  }
  templ = gst_static_pad_template_get_caps (direction == GST_PAD_SINK ?
      &src_template : &sink_template);
  /* prefer what we came with: the input's own caps first */
  result = gst_caps_merge (gst_caps_intersect (caps, templ),
      gst_caps_intersect (any_size, templ));
  gst_caps_unref (any_size);
  gst_caps_unref (templ);
  if (filter != NULL) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (result);
    result = tmp;
  }
  return result;
}

static GstCaps *
gst_imagegen_remix_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps)
{
  GstStructure *in = gst_caps_get_structure (caps, 0), *out;
  const gchar *format = gst_structure_get_string (in, "format");
  gint width = 0, height = 0;

  othercaps = gst_caps_truncate (gst_caps_make_writable (othercaps));
  out = gst_caps_get_structure (othercaps, 0);
  if (gst_structure_get_int (in, "width", &width))
    gst_structure_fixate_field_nearest_int (out, "width", width);
  if (gst_structure_get_int (in, "height", &height))
    gst_structure_fixate_field_nearest_int (out, "height", height);
  if (format != NULL)
    gst_structure_fixate_field_string (out, "format", format);
  return gst_caps_fixate (othercaps);
}

static gboolean
gst_imagegen_remix_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  GstVideoInfo in_info, out_info;
  guint64 max_pixels;

  GST_OBJECT_LOCK (remix);
  max_pixels = remix->settings.max_pixels;
  GST_OBJECT_UNLOCK (remix);
  if (!gst_imagegen_check_frame_size (GST_ELEMENT (remix), incaps,
          max_pixels)
      || !gst_imagegen_check_frame_size (GST_ELEMENT (remix), outcaps,
          max_pixels))
    return FALSE;
  if (!gst_video_info_from_caps (&in_info, incaps)
      || !gst_video_info_from_caps (&out_info, outcaps))
    return FALSE;
  GST_DEBUG_OBJECT (remix, "%" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, incaps,
      outcaps);
  g_mutex_lock (&remix->lock);
  remix->in_info = in_info;
  remix->out_info = out_info;
  g_mutex_unlock (&remix->lock);
  gst_imagegen_remix_note_upload_size (remix, &in_info);
  return TRUE;
}

static gboolean
gst_imagegen_remix_start (GstBaseTransform * trans)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  ImagegenRequest *upload;
  ImagegenClientConfig config;
  GError *error = NULL;
  guint64 max_pixels;
  gboolean ok;

  GST_OBJECT_LOCK (remix);
  /* auto may yet turn out offline: checked again then */
  remix->settings.streams_frames =
      remix->mode != GST_IMAGEGEN_REMIX_MODE_OFFLINE;
  ok = gst_imagegen_settings_check (&remix->settings,
      IMAGEGEN_ENDPOINT_REMIX, &error)
      && gst_imagegen_settings_resolve_client_config (&remix->settings,
      &config, &error);
  GST_OBJECT_UNLOCK (remix);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (remix), error, NULL, FALSE);
    g_error_free (error);
    return FALSE;
  }
  if (!gst_imagegen_remix_motion_check_start (remix)) {
    imagegen_client_config_clear (&config);
    return FALSE;
  }
  gst_imagegen_settings_post_warnings (GST_ELEMENT (remix), &remix->settings);
  gst_imagegen_remix_warn_settings (remix);

  upload = imagegen_request_new (IMAGEGEN_ENDPOINT_UPLOAD, NULL, NULL);
  if (!gst_imagegen_remix_load_references (remix, upload)) {
    imagegen_request_free (upload);
    imagegen_client_config_clear (&config);
    return FALSE;
  }

  GST_OBJECT_LOCK (remix);
  max_pixels = remix->settings.max_pixels;
  GST_OBJECT_UNLOCK (remix);
  gst_imagegen_engine_start (&remix->engine, &config, max_pixels);
  g_mutex_lock (&remix->lock);
  reset_locked (remix);
  remix->flushing = FALSE;
  remix->srcresult = GST_FLOW_OK;
  remix->n_picks = 0;
  gst_imagegen_remix_reset_frame_stats_locked (remix);
  gst_imagegen_remix_motion_reset_locked (remix);
  gst_imagegen_remix_flicker_reset_locked (remix);
  remix->picks_skipped = remix->picks_at_cuts = 0;
  remix->warned_untimed = FALSE;
  remix->mode_decided = FALSE;
  g_clear_error (&remix->reference_error);
  g_clear_pointer (&remix->reference_urls, g_ptr_array_unref);
  if (upload->source_images->len == 0)
    remix->reference_urls = g_ptr_array_ref (upload->source_urls);
  g_clear_pointer (&remix->reference_bytes, g_ptr_array_unref);
  remix->reference_bytes = g_ptr_array_ref (upload->source_images);
  g_mutex_unlock (&remix->lock);
  if (upload->source_images->len > 0)
    gst_imagegen_engine_upload (&remix->engine, upload,
        gst_imagegen_remix_references_uploaded,
        remix);

  imagegen_request_free (upload);
  imagegen_client_config_clear (&config);
  return TRUE;
}

static gboolean
gst_imagegen_remix_stop (GstBaseTransform * trans)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);

  g_mutex_lock (&remix->lock);
  remix->flushing = TRUE;
  reset_locked (remix);
  g_mutex_unlock (&remix->lock);
  gst_imagegen_engine_stop (&remix->engine);

  g_mutex_lock (&remix->lock);
  g_clear_pointer (&remix->reference_urls, g_ptr_array_unref);
  g_clear_pointer (&remix->reference_bytes, g_ptr_array_unref);
  g_clear_error (&remix->reference_error);
  gst_imagegen_remix_reset_frame_stats_locked (remix);
  g_mutex_unlock (&remix->lock);
  gst_imagegen_remix_forget_shown (remix);
  gst_imagegen_remix_flicker_stop (remix);
  gst_imagegen_remix_motion_stop (remix);
  return TRUE;
}

static void
gst_imagegen_remix_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (object);
  gboolean shared = FALSE;
  guint i;

  if (gst_imagegen_engine_set_property (&remix->engine,
          PROP_TRACKER_FIRST, prop_id, value)
      || gst_imagegen_fields_set (remix, gst_imagegen_remix_scene_fields,
          GST_OBJECT_GET_LOCK (remix), PROP_PICK_FIRST, prop_id, value)
      || gst_imagegen_fields_set (remix, gst_imagegen_remix_motion_fields,
          GST_OBJECT_GET_LOCK (remix), PROP_MOTION_FIRST, prop_id, value))
    return;
  if (!gst_imagegen_settings_check_runtime_change (GST_ELEMENT (remix),
          &remix->settings, IMAGEGEN_ENDPOINT_REMIX, PROP_SHARED_FIRST,
          prop_id, value))
    return;
  GST_OBJECT_LOCK (remix);
  switch (prop_id) {
    case PROP_INTERVAL:
      remix->interval = g_value_get_uint64 (value);
      break;
    case PROP_MODE:
      remix->mode = g_value_get_enum (value);
      break;
    case PROP_LATENCY:
      remix->latency = g_value_get_uint64 (value);
      break;
    case PROP_MAX_RESULT_AGE:
      remix->max_result_age = g_value_get_uint64 (value);
      break;
    case PROP_PLACEHOLDER:
      remix->placeholder = g_value_get_enum (value);
      break;
    case PROP_ON_FAILURE:
      remix->on_failure = g_value_get_enum (value);
      break;
    case PROP_JPEG_QUALITY:
      remix->jpeg_quality = g_value_get_uint (value);
      break;
    case PROP_UPLOAD_MAX_SIDE:
      remix->upload_max_side = g_value_get_uint (value);
      break;
    case PROP_MAX_QUEUE_FRAMES:
      remix->max_queue_frames = g_value_get_uint (value);
      break;
    case PROP_MAX_QUEUE_BYTES:
      remix->max_queue_bytes = g_value_get_uint64 (value);
      break;
    case PROP_TRANSITION_DURATION:
      remix->transition_duration = g_value_get_uint64 (value);
      break;
    case PROP_REFERENCE_IMAGES:{
      const gchar *const *refs = g_value_get_boxed (value);

      g_ptr_array_set_size (remix->reference_images, 0);
      for (i = 0; refs != NULL && refs[i] != NULL; i++)
        g_ptr_array_add (remix->reference_images, g_strdup (refs[i]));
      break;
    }
    default:
      shared = gst_imagegen_settings_set_property (&remix->settings,
          PROP_SHARED_FIRST, prop_id, value);
      if (!shared)
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (remix);
  if (shared)
    gst_imagegen_engine_settings_changed (&remix->engine);
}

static void
gst_imagegen_remix_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (object);
  guint i;

  if (gst_imagegen_fields_get (remix, gst_imagegen_remix_scene_fields,
          GST_OBJECT_GET_LOCK (remix), PROP_PICK_FIRST, prop_id, value)
      || gst_imagegen_fields_get (remix, gst_imagegen_remix_motion_fields,
          GST_OBJECT_GET_LOCK (remix), PROP_MOTION_FIRST, prop_id, value))
    return;
  if (gst_imagegen_engine_get_property (&remix->engine,
          PROP_TRACKER_FIRST, prop_id, value)) {
    if (prop_id == PROP_TRACKER_FIRST + GST_IMAGEGEN_TRACKER_PROP_STATS) {
      GstStructure *stats = (GstStructure *) g_value_get_boxed (value);

      gst_imagegen_remix_scene_add_stats (remix, stats);
      gst_imagegen_remix_add_frame_stats (remix, stats);
    }
    return;
  }
  GST_OBJECT_LOCK (remix);
  switch (prop_id) {
    case PROP_INTERVAL:
      g_value_set_uint64 (value, remix->interval);
      break;
    case PROP_MODE:
      g_value_set_enum (value, remix->mode);
      break;
    case PROP_LATENCY:
      g_value_set_uint64 (value, remix->latency);
      break;
    case PROP_MAX_RESULT_AGE:
      g_value_set_uint64 (value, remix->max_result_age);
      break;
    case PROP_PLACEHOLDER:
      g_value_set_enum (value, remix->placeholder);
      break;
    case PROP_ON_FAILURE:
      g_value_set_enum (value, remix->on_failure);
      break;
    case PROP_JPEG_QUALITY:
      g_value_set_uint (value, remix->jpeg_quality);
      break;
    case PROP_UPLOAD_MAX_SIDE:
      g_value_set_uint (value, remix->upload_max_side);
      break;
    case PROP_MAX_QUEUE_FRAMES:
      g_value_set_uint (value, remix->max_queue_frames);
      break;
    case PROP_MAX_QUEUE_BYTES:
      g_value_set_uint64 (value, remix->max_queue_bytes);
      break;
    case PROP_TRANSITION_DURATION:
      g_value_set_uint64 (value, remix->transition_duration);
      break;
    case PROP_REFERENCE_IMAGES:{
      gchar **refs = g_new0 (gchar *, remix->reference_images->len + 1);

      for (i = 0; i < remix->reference_images->len; i++)
        refs[i] = g_strdup (g_ptr_array_index (remix->reference_images, i));
      g_value_take_boxed (value, refs);
      break;
    }
    default:
      if (!gst_imagegen_settings_get_property (&remix->settings,
              PROP_SHARED_FIRST, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (remix);
}

static void
gst_imagegen_remix_finalize (GObject * object)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (object);

  gst_imagegen_settings_clear (&remix->settings);
  gst_imagegen_engine_clear (&remix->engine);
  gst_imagegen_screen_clear (&remix->screen);
  g_ptr_array_unref (remix->reference_images);
  g_clear_pointer (&remix->reference_bytes, g_ptr_array_unref);
  gst_imagegen_remix_scene_reset_locked (remix);
  g_mutex_clear (&remix->lock);
  g_cond_clear (&remix->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_imagegen_remix_class_init (GstImagegenRemixClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags rw_ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_imagegen_remix_debug, "imagegenremix", 0,
      "Video remix filter");

  gobject_class->set_property = gst_imagegen_remix_set_property;
  gobject_class->get_property = gst_imagegen_remix_get_property;
  gobject_class->finalize = gst_imagegen_remix_finalize;

  /**
   * GstImagegenRemix:interval:
   *
   * Stream time between picked frames.  A frame is picked only while a
   * request slot is free (live mode) or waits for one (offline mode).
   */
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Stream time between picked frames (nanoseconds; over a day "
          "warns at start: one pick a stream)", 0, G_MAXUINT64,
          DEFAULT_INTERVAL, rw));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "Live (never wait), offline (wait for every result) or aligned "
          "(live, frames held for latency)",
          gst_imagegen_remix_mode_get_type (), DEFAULT_MODE, rw_ready));
  /**
   * GstImagegenRemix:latency:
   *
   * Aligned mode: how long every frame is held (running time on the
   * pipeline clock) for its own pick's result; added to the latency
   * upstream reports.
   */
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint64 ("latency", "Latency",
          "Aligned mode: frames leave this long after their running time "
          "(nanoseconds)", 0, G_MAXUINT64, DEFAULT_LATENCY, rw_ready));
  /**
   * GstImagegenRemix:max-result-age:
   *
   * Posts a warning when a frame shows a result picked this much stream
   * time before it (once, until the age is back under it).
   */
  g_object_class_install_property (gobject_class, PROP_MAX_RESULT_AGE,
      g_param_spec_uint64 ("max-result-age", "Maximum result age",
          "Warn when a frame shows a result older than this (nanoseconds, "
          "0 = never)", 0, G_MAXUINT64, 0, rw));
  g_object_class_install_property (gobject_class, PROP_PLACEHOLDER,
      g_param_spec_enum ("placeholder", "Placeholder",
          "What frames show before the first result (live mode)",
          gst_imagegen_remix_fallback_get_type (), DEFAULT_PLACEHOLDER, rw));
  g_object_class_install_property (gobject_class, PROP_ON_FAILURE,
      g_param_spec_enum ("on-failure", "On failure",
          "What frames show when their request failed for good (offline)",
          gst_imagegen_remix_fallback_get_type (), DEFAULT_ON_FAILURE, rw));
  g_object_class_install_property (gobject_class, PROP_JPEG_QUALITY,
      g_param_spec_uint ("jpeg-quality", "JPEG quality",
          "Quality of the JPEG a picked frame is uploaded as (1-100)", 1, 100,
          DEFAULT_JPEG_QUALITY, rw));
  g_object_class_install_property (gobject_class, PROP_UPLOAD_MAX_SIDE,
      g_param_spec_uint ("upload-max-side", "Upload size",
          "Longest side of a frame uploaded to a model that draws a new "
          "picture; larger ones are scaled down (pixels, 0 = no limit; "
          "upscale, remove-background and reframe models get the frame as "
          "it is)", 0, 16384, DEFAULT_UPLOAD_MAX_SIDE, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_QUEUE_FRAMES,
      g_param_spec_uint ("max-queue-frames", "Queue length",
          "Frames held waiting for results before upstream is blocked "
          "(offline, frames)", 1, G_MAXINT, DEFAULT_MAX_QUEUE_FRAMES, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_QUEUE_BYTES,
      g_param_spec_uint64 ("max-queue-bytes", "Queue size",
          "Frame memory held waiting for results before upstream is blocked "
          "(offline, bytes)", 1, G_MAXUINT64, DEFAULT_MAX_QUEUE_BYTES, rw));
  /**
   * GstImagegenRemix:reference-images:
   *
   * Extra style images sent with every frame: local files (uploaded once
   * per run) or http(s) URLs.  With the frame, at most 8 source images.
   * A string array, so bindings set it as a list; gst-launch-1.0 takes
   * `reference-images="<style.jpg, https://host/ref.png>"`.
   */
  gst_imagegen_strv_enable_parsing ();
  g_object_class_install_property (gobject_class, PROP_REFERENCE_IMAGES,
      g_param_spec_boxed ("reference-images", "Reference images",
          "Extra style images: file names or http(s) URLs (at most 7), "
          "e.g. \"<style.jpg, https://host/ref.png>\"", G_TYPE_STRV,
          rw_ready));
  g_object_class_install_property (gobject_class, PROP_TRANSITION_DURATION,
      g_param_spec_uint64 ("transition-duration", "Transition duration",
          "Cross-fade from the previous result to a new one over this much "
          "stream time (nanoseconds, 0 = cut)", 0, G_MAXUINT64, 0, rw));
  gst_imagegen_remix_motion_install_properties (gobject_class,
      PROP_MOTION_FIRST);
  gst_imagegen_engine_install_properties (gobject_class, PROP_TRACKER_FIRST);
  gst_imagegen_remix_scene_install_properties (gobject_class,
      PROP_PICK_FIRST);
  gst_imagegen_settings_install_properties (gobject_class, PROP_SHARED_FIRST,
      DEFAULT_MODEL, DEFAULT_ASPECT_RATIO,
      IMAGEGEN_ENDPOINT_REMIX);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Image generation remix", "Filter/Effect/Video",
      "Restyles video frames with a remote image model",
      "gst-imagegen developers");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_imagegen_remix_change_state);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_imagegen_remix_start);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_imagegen_remix_query);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_imagegen_remix_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_imagegen_remix_sink_event);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_imagegen_remix_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_imagegen_remix_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_imagegen_remix_set_caps);
  trans_class->submit_input_buffer =
      GST_DEBUG_FUNCPTR (gst_imagegen_remix_submit_input_buffer);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_imagegen_remix_generate_output);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (gst_imagegen_remix_mode_get_type (), 0);
  gst_type_mark_as_plugin_api (gst_imagegen_remix_fallback_get_type (), 0);
}

static void
gst_imagegen_remix_init (GstImagegenRemix * remix)
{
  gst_imagegen_settings_init (&remix->settings, DEFAULT_MODEL,
      DEFAULT_ASPECT_RATIO);
  gst_imagegen_screen_init (&remix->screen);
  gst_imagegen_engine_init (&remix->engine, GST_ELEMENT (remix));
  remix->interval = DEFAULT_INTERVAL;
  gst_imagegen_remix_scene_init (remix);
  remix->mode = DEFAULT_MODE;
  remix->placeholder = DEFAULT_PLACEHOLDER;
  remix->on_failure = DEFAULT_ON_FAILURE;
  remix->jpeg_quality = DEFAULT_JPEG_QUALITY;
  remix->upload_max_side = DEFAULT_UPLOAD_MAX_SIDE;
  remix->max_queue_frames = DEFAULT_MAX_QUEUE_FRAMES;
  remix->max_queue_bytes = DEFAULT_MAX_QUEUE_BYTES;
  remix->latency = DEFAULT_LATENCY;
  g_queue_init (&remix->recent_picks);
  remix->shown_age = remix->max_shown_age = GST_CLOCK_TIME_NONE;
  remix->reference_images = g_ptr_array_new_with_free_func (g_free);
  remix->last_pick_time = GST_CLOCK_TIME_NONE;
  g_mutex_init (&remix->lock);
  g_cond_init (&remix->cond);
  g_queue_init (&remix->queue);
  remix->srcresult = GST_FLOW_FLUSHING;
}
