/* gst-imagegen: imagegenremix, video frames to remixed frames.
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
 * is kept, and EOS waits for every request.  A frame whose request failed
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

#include "gstimagegenremix.h"
#include "gstimagegenscale.h"
#include "gstimagegenencode.h"
#include "gstimagegenblend.h"

GST_DEBUG_CATEGORY_STATIC (gst_imagegen_remix_debug);
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
#define MAX_SOURCE_IMAGES 8
#define REMIX_MODELS "flux-2-pro-remix-image, flux-2-flex-remix-image, " \
  "flux-2-max-remix-image"

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
  PROP_TRACKER_FIRST,
  PROP_SHARED_FIRST = PROP_TRACKER_FIRST + GST_IMAGEGEN_TRACKER_N_PROPS,
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

/* One picked frame and, once done, its remix. */
struct _RemixPick
{
  gint ref_count;
  guint index;
  GstClockTime time;            /* stream time of the picked frame */
  gboolean done;
  GstImagegenImage *image;      /* decoded result, NULL when failed */
  GstBuffer *placed;            /* image placed into placed_info */
  GstVideoInfo placed_info;
};

static RemixPick *
remix_pick_ref (RemixPick * pick)
{
  g_atomic_int_inc (&pick->ref_count);
  return pick;
}

static void
remix_pick_unref (RemixPick * pick)
{
  if (pick == NULL || !g_atomic_int_dec_and_test (&pick->ref_count))
    return;
  g_clear_pointer (&pick->image, gst_imagegen_image_unref);
  gst_clear_buffer (&pick->placed);
  g_free (pick);
}

static void
replace_pick (RemixPick ** slot, RemixPick * pick)
{
  RemixPick *old = *slot;
  *slot = pick ? remix_pick_ref (pick) : NULL;
  remix_pick_unref (old);
}

typedef struct
{
  GstBuffer *frame;
  RemixPick *pick;              /* governing pick, NULL before any */
} QueuedFrame;

static void
queued_frame_free (QueuedFrame * qf)
{
  gst_buffer_unref (qf->frame);
  remix_pick_unref (qf->pick);
  g_free (qf);
}

/* Work for the worker pool: encode-and-submit, or decode a result. */
typedef struct
{
  GstImagegenRemix *remix;
  guint epoch;
  RemixPick *pick;
  GCancellable *cancellable;
  GstBuffer *frame;             /* encode: the picked frame */
  GstVideoInfo frame_info;
  ImagegenRequest *request;     /* encode: all but the frame */
  guint quality, max_side;
  ImagegenResult *result;       /* decode: the client's answer */
  guint64 max_pixels;
  gint reserved_cents;          /* admitted by the spending guard */
  gchar *prompt;
  gboolean tracked;             /* its end is still to be reported */
} RemixWork;

/* Reports the task's end once: bus message, stats, spending. */
static void
work_report (RemixWork * work, const ImagegenResult * result,
    gint64 decoded_us)
{
  if (!work->tracked)
    return;
  work->tracked = FALSE;
  if (result == NULL) {
    /* it never reached the client: stopped or flushed before */
    ImagegenResult cancelled = { 0, };
    cancelled.error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "cancelled before it was sent");
    cancelled.cost_cents = -1;
    gst_imagegen_tracker_finished (&work->remix->tracker, &cancelled,
        work->prompt, work->reserved_cents, 0);
    g_error_free (cancelled.error);
    return;
  }
  gst_imagegen_tracker_finished (&work->remix->tracker, result, work->prompt,
      work->reserved_cents, decoded_us);
}

static void
remix_work_free (RemixWork * work)
{
  work_report (work, work->result, 0);
  g_free (work->prompt);
  remix_pick_unref (work->pick);
  g_clear_object (&work->cancellable);
  gst_clear_buffer (&work->frame);
  g_clear_pointer (&work->request, imagegen_request_free);
  g_clear_pointer (&work->result, imagegen_result_free);
  g_free (work);
}

static gboolean
work_is_stale (RemixWork * work)
{
  GstImagegenRemix *remix = work->remix;
  gboolean stale;

  g_mutex_lock (&remix->lock);
  stale = work->epoch != remix->epoch;
  g_mutex_unlock (&remix->lock);
  return stale || g_cancellable_is_cancelled (work->cancellable);
}

/* Places the pick's image into @info, once per output format. */
static GstBuffer *
placed_image (RemixPick * pick, const GstVideoInfo * info,
    GstImagegenScaleMode scale_mode)
{
  if (pick->image == NULL || pick->image->raw == NULL)
    return NULL;
  if (pick->placed == NULL || !gst_video_info_is_equal (&pick->placed_info,
          info)) {
    gst_clear_buffer (&pick->placed);
    pick->placed = gst_imagegen_scale (pick->image->raw,
        &pick->image->raw_info, info, scale_mode);
    pick->placed_info = *info;
  }
  return pick->placed;
}

static void
post_pick_failure (GstImagegenRemix * remix, RemixPick * pick,
    const GError * error)
{
  gchar *what = g_strdup_printf ("Remix of the frame at %" GST_TIME_FORMAT,
      GST_TIME_ARGS (pick->time));
  gst_imagegen_post_error (GST_ELEMENT (remix), error, what, TRUE);
  g_free (what);
}

/* worker: decode the result and place it for the current output caps */
static void
decode_result (RemixWork * work)
{
  GstImagegenRemix *remix = work->remix;
  RemixPick *pick = work->pick;
  GstImagegenImage *image;
  GstImagegenScaleMode scale_mode;
  GstVideoInfo out_info;

  image = gst_imagegen_image_new_from_result (g_steal_pointer (&work->result),
      work->max_pixels, TRUE);
  GST_OBJECT_LOCK (remix);
  scale_mode = remix->settings.scale_mode;
  GST_OBJECT_UNLOCK (remix);

  g_mutex_lock (&remix->lock);
  out_info = remix->out_info;
  g_mutex_unlock (&remix->lock);
  if (image->error == NULL) {
    pick->image = gst_imagegen_image_ref (image);
    placed_image (pick, &out_info, scale_mode);
  } else if (gst_imagegen_error_is_fatal (image->error)) {
    /* the streaming thread posts it and stops */
    g_mutex_lock (&remix->lock);
    if (work->epoch == remix->epoch && remix->fatal_error == NULL)
      remix->fatal_error = g_error_copy (image->error);
    g_mutex_unlock (&remix->lock);
  } else if (!g_error_matches (image->error, G_IO_ERROR,
          G_IO_ERROR_CANCELLED)) {
    post_pick_failure (remix, pick, image->error);
  }
  GST_DEBUG_OBJECT (remix, "pick %u done (task %s)%s", pick->index,
      GST_STR_NULL (image->result->task_id), image->error ? ", failed" : "");
  if (image->error != NULL && image->result->error == NULL)
    image->result->error = g_error_copy (image->error);

  g_mutex_lock (&remix->lock);
  if (work->epoch == remix->epoch) {
    pick->done = TRUE;
    remix->in_flight--;
    if (pick->image != NULL && (remix->newest_done == NULL
            || remix->newest_done->index < pick->index))
      replace_pick (&remix->newest_done, pick);
    g_cond_broadcast (&remix->cond);
  }
  g_mutex_unlock (&remix->lock);
  /* after the result is in place: whoever sees "completed" can show it */
  work_report (work, image->result, image->decoded_us);
  gst_imagegen_image_unref (image);
}

static void
remix_job_event (const gchar * event, const ImagegenResult * progress,
    gpointer user_data)
{
  RemixWork *work = user_data;

  if (g_str_equal (event, "submitted"))
    gst_imagegen_tracker_submitted (&work->remix->tracker, progress,
        work->prompt);
}

/* client thread: never block it, decoding goes to the workers */
static void
remix_job_done (ImagegenResult * result, gpointer user_data)
{
  RemixWork *work = user_data;
  GstImagegenRemix *remix = work->remix;

  work->result = result;
  g_mutex_lock (&remix->lock);
  if (work->epoch == remix->epoch && remix->workers != NULL) {
    g_thread_pool_push (remix->workers, work, NULL);
    work = NULL;
  }
  g_mutex_unlock (&remix->lock);
  if (work != NULL)
    remix_work_free (work);
}

/* worker: encode the picked frame and hand the request to the client */
static void
encode_and_submit (RemixWork * work)
{
  GstImagegenRemix *remix = work->remix;
  GError *error = NULL;
  GBytes *jpeg;

  jpeg = gst_imagegen_encode_jpeg (work->frame, &work->frame_info,
      work->quality, work->max_side, &error);
  gst_clear_buffer (&work->frame);
  if (jpeg == NULL) {
    /* a failed job all the same, so that waiting frames move on */
    work->result = g_new0 (ImagegenResult, 1);
    work->result->cost_cents = -1;
    work->result->error = error;
    decode_result (work);
    remix_work_free (work);
    return;
  }
  if (work->request->source_images == NULL)
    work->request->source_images =
        g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_insert (work->request->source_images, 0, jpeg);
  GST_DEBUG_OBJECT (remix, "pick %u: %" G_GSIZE_FORMAT " bytes of JPEG",
      work->pick->index, g_bytes_get_size (jpeg));

  g_mutex_lock (&remix->lock);
  if (work->epoch == remix->epoch && remix->client != NULL) {
    ImagegenRequest *request = g_steal_pointer (&work->request);
    imagegen_client_submit (remix->client, request, work->cancellable,
        remix_job_event, remix_job_done, work);
    imagegen_request_free (request);
    work = NULL;
  }
  g_mutex_unlock (&remix->lock);
  if (work != NULL)
    remix_work_free (work);
}

static void
run_work (RemixWork * work, GstImagegenRemix * remix)
{
  if (work_is_stale (work)) {
    remix_work_free (work);
    return;
  }
  if (work->result != NULL) {
    decode_result (work);
    remix_work_free (work);
  } else {
    encode_and_submit (work);
  }
}

static ImagegenRequest *
build_request_locked (GstImagegenRemix * remix)
{
  ImagegenRequest *request;
  guint i;

  GST_OBJECT_LOCK (remix);
  request = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX,
      remix->settings.model, remix->settings.prompt);
  request->aspect_ratio = g_strdup (remix->settings.aspect_ratio);
  request->resolution = g_strdup (remix->settings.resolution);
  GST_OBJECT_UNLOCK (remix);

  if (remix->reference_urls != NULL && remix->reference_urls->len > 0) {
    request->source_urls = g_ptr_array_new_with_free_func (g_free);
    for (i = 0; i < remix->reference_urls->len; i++)
      g_ptr_array_add (request->source_urls,
          g_strdup (g_ptr_array_index (remix->reference_urls, i)));
  }
  return request;
}

static GstClockTime
stream_time_of (GstImagegenRemix * remix, GstBuffer * buf)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (remix)->segment;

  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
}

static gboolean
pick_is_due_locked (GstImagegenRemix * remix, GstClockTime time)
{
  GstClockTime interval;

  if (remix->reference_urls == NULL)
    return FALSE;               /* reference images still uploading */
  if (remix->last_pick_time == GST_CLOCK_TIME_NONE)
    return TRUE;
  if (time == GST_CLOCK_TIME_NONE)
    return FALSE;
  GST_OBJECT_LOCK (remix);
  interval = remix->interval;
  GST_OBJECT_UNLOCK (remix);
  return time >= remix->last_pick_time + interval
      || time < remix->last_pick_time;
}

/* Picks @frame unless the spending guard refuses; then the frames go on
 * showing the previous result. */
static gboolean
start_pick_locked (GstImagegenRemix * remix, GstBuffer * frame,
    GstClockTime time)
{
  ImagegenRequest *request = build_request_locked (remix);
  RemixWork *work;
  RemixPick *pick;
  gint reserved;

  if (!gst_imagegen_tracker_admit (&remix->tracker, request, &reserved)) {
    imagegen_request_free (request);
    return FALSE;
  }
  work = g_new0 (RemixWork, 1);
  pick = g_new0 (RemixPick, 1);
  pick->ref_count = 1;
  pick->index = remix->n_picks++;
  pick->time = time;
  remix->last_pick_time = time;
  remix->in_flight++;

  work->remix = remix;
  work->epoch = remix->epoch;
  work->pick = pick;
  work->cancellable = g_object_ref (remix->cancellable);
  work->frame = gst_buffer_ref (frame);
  work->frame_info = remix->in_info;
  work->request = request;
  work->reserved_cents = reserved;
  work->prompt = g_strdup (request->prompt);
  work->tracked = TRUE;
  GST_OBJECT_LOCK (remix);
  work->quality = remix->jpeg_quality;
  work->max_side = remix->upload_max_side;
  work->max_pixels = remix->settings.max_pixels;
  GST_OBJECT_UNLOCK (remix);

  replace_pick (&remix->governing, pick);
  GST_DEBUG_OBJECT (remix, "picked frame at %" GST_TIME_FORMAT " (pick %u)",
      GST_TIME_ARGS (time), pick->index);
  g_thread_pool_push (remix->workers, work, NULL);
  return TRUE;
}

static guint
max_in_flight (GstImagegenRemix * remix)
{
  guint n;

  GST_OBJECT_LOCK (remix);
  n = remix->settings.client.max_in_flight;
  GST_OBJECT_UNLOCK (remix);
  return n;
}

static gboolean
queue_is_full_locked (GstImagegenRemix * remix)
{
  guint max_frames;
  guint64 max_bytes;

  GST_OBJECT_LOCK (remix);
  max_frames = remix->max_queue_frames;
  max_bytes = remix->max_queue_bytes;
  GST_OBJECT_UNLOCK (remix);
  return remix->queue.length >= max_frames || remix->queue_bytes >= max_bytes;
}

static gboolean
head_is_ready_locked (GstImagegenRemix * remix)
{
  QueuedFrame *head = g_queue_peek_head (&remix->queue);

  return head != NULL && (head->pick == NULL || head->pick->done);
}

static gboolean
upstream_is_live (GstImagegenRemix * remix)
{
  GstQuery *query = gst_query_new_latency ();
  gboolean live = FALSE;

  if (gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (remix), query))
    gst_query_parse_latency (query, &live, NULL, NULL);
  gst_query_unref (query);
  return live;
}

static void
decide_mode (GstImagegenRemix * remix)
{
  GstImagegenRemixMode mode;
  gboolean live;

  GST_OBJECT_LOCK (remix);
  mode = remix->mode;
  GST_OBJECT_UNLOCK (remix);
  if (mode == GST_IMAGEGEN_REMIX_MODE_AUTO)
    live = upstream_is_live (remix);
  else
    live = mode == GST_IMAGEGEN_REMIX_MODE_LIVE;
  GST_INFO_OBJECT (remix, "%s mode", live ? "live" : "offline");
  g_mutex_lock (&remix->lock);
  remix->live = live;
  g_mutex_unlock (&remix->lock);
  remix->mode_decided = TRUE;
}

/* Live: pick when due and a slot is free; never wait. */
static GstFlowReturn
submit_live_locked (GstImagegenRemix * remix, GstBuffer * buf,
    GstClockTime time)
{
  if (pick_is_due_locked (remix, time)
      && remix->in_flight < max_in_flight (remix))
    start_pick_locked (remix, buf, time);
  remix->live_input = buf;
  replace_pick (&remix->live_pick, remix->newest_done);
  return GST_FLOW_OK;
}

/* Offline: pick when due, waiting for a slot so that the picks depend on
 * the interval alone; then queue, blocking upstream while the queue is
 * full. */
static GstFlowReturn
submit_offline_locked (GstImagegenRemix * remix, GstBuffer * buf,
    GstClockTime time)
{
  QueuedFrame *qf;

  while (!remix->flushing && remix->reference_urls == NULL
      && remix->reference_error == NULL)
    g_cond_wait (&remix->cond, &remix->lock);
  if (pick_is_due_locked (remix, time)) {
    while (!remix->flushing && remix->in_flight >= max_in_flight (remix))
      g_cond_wait (&remix->cond, &remix->lock);
    if (remix->flushing) {
      gst_buffer_unref (buf);
      return GST_FLOW_FLUSHING;
    }
    start_pick_locked (remix, buf, time);
  }

  qf = g_new0 (QueuedFrame, 1);
  qf->frame = buf;
  qf->pick = remix->governing ? remix_pick_ref (remix->governing) : NULL;
  g_queue_push_tail (&remix->queue, qf);
  remix->queue_bytes += gst_buffer_get_size (buf);

  while (!remix->flushing && queue_is_full_locked (remix)
      && !head_is_ready_locked (remix))
    g_cond_wait (&remix->cond, &remix->lock);
  return remix->flushing ? GST_FLOW_FLUSHING : GST_FLOW_OK;
}

static GstFlowReturn
gst_imagegen_remix_submit_input_buffer (GstBaseTransform * trans,
    gboolean discont, GstBuffer * buf)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  GstClockTime time = stream_time_of (remix, buf);
  GstFlowReturn ret;

  if (!remix->mode_decided)
    decide_mode (remix);

  g_mutex_lock (&remix->lock);
  if (remix->reference_error != NULL || remix->fatal_error != NULL) {
    GError *error = g_error_copy (remix->fatal_error ? remix->fatal_error :
        remix->reference_error);
    const gchar *what = remix->fatal_error ? "Remix" :
        "Uploading the reference images";
    g_mutex_unlock (&remix->lock);
    gst_imagegen_post_error (GST_ELEMENT (remix), error, what, FALSE);
    g_error_free (error);
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  if (remix->flushing) {
    g_mutex_unlock (&remix->lock);
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
  if (remix->live)
    ret = submit_live_locked (remix, buf, time);
  else
    ret = submit_offline_locked (remix, buf, time);
  g_mutex_unlock (&remix->lock);
  return ret;
}

static GstBuffer *
black_frame (GstImagegenRemix * remix, const GstVideoInfo * info)
{
  if (remix->black == NULL || gst_buffer_get_size (remix->black) !=
      GST_VIDEO_INFO_SIZE (info)) {
    gst_clear_buffer (&remix->black);
    remix->black = gst_imagegen_solid_frame (info, 0x000000ff);
  }
  return remix->black;
}

/* The frame that stands in for a result: the input (converted when the
 * output caps differ) or black. */
static GstBuffer *
fallback_frame (GstImagegenRemix * remix, GstBuffer * input,
    GstImagegenRemixFallback fallback, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode scale_mode)
{
  if (fallback == GST_IMAGEGEN_REMIX_FALLBACK_BLACK)
    return gst_buffer_ref (black_frame (remix, out_info));
  return gst_imagegen_scale (input, in_info, out_info, scale_mode);
}

/* A new buffer with @input's timestamps around @pixels' memory. */
static GstBuffer *
stamp (GstBuffer * pixels, GstBuffer * input)
{
  GstBuffer *out = gst_imagegen_share_pixels (pixels);

  gst_buffer_copy_into (out, input, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  return out;
}

/* Cross-fades from the result shown before to @shown's @pixels when the
 * shown result changes; @shown is NULL when no result shows. */
static GstBuffer *
transition (GstImagegenRemix * remix, RemixPick * shown, GstBuffer * pixels,
    GstBuffer * input, const GstVideoInfo * out_info)
{
  GstClockTime duration, end, pts = GST_BUFFER_PTS (input);
  GstBuffer *out;

  GST_OBJECT_LOCK (remix);
  duration = remix->transition_duration;
  GST_OBJECT_UNLOCK (remix);

  if (shown != remix->shown_pick) {
    gst_clear_buffer (&remix->fade_from);
    if (duration > 0 && shown != NULL && remix->shown_pick != NULL
        && remix->shown_pixels != NULL && GST_CLOCK_TIME_IS_VALID (pts)) {
      remix->fade_from = gst_buffer_ref (remix->shown_pixels);
      remix->fade_start = pts;
    }
    replace_pick (&remix->shown_pick, shown);
  }
  gst_buffer_replace (&remix->shown_pixels, pixels);

  if (remix->fade_from == NULL)
    return gst_buffer_ref (pixels);
  if (!GST_CLOCK_TIME_IS_VALID (pts) || pts < remix->fade_start
      || pts >= remix->fade_start + duration
      || gst_buffer_get_size (remix->fade_from) != gst_buffer_get_size
      (pixels)) {
    gst_clear_buffer (&remix->fade_from);
    return gst_buffer_ref (pixels);
  }
  /* a frame shows the mix at its end, so the last one is all new */
  end = pts + (GST_BUFFER_DURATION_IS_VALID (input) ?
      GST_BUFFER_DURATION (input) : 0);
  out = gst_imagegen_blend (remix->fade_from, pixels, out_info,
      (gdouble) (end - remix->fade_start) / duration);
  return out;
}

static GstBuffer *
make_output (GstImagegenRemix * remix, GstBuffer * input, RemixPick * pick,
    gboolean live)
{
  GstImagegenScaleMode scale_mode;
  GstImagegenRemixFallback placeholder, on_failure;
  GstVideoInfo in_info, out_info;
  GstBuffer *pixels = NULL, *faded, *out;
  RemixPick *shown = NULL;

  GST_OBJECT_LOCK (remix);
  scale_mode = remix->settings.scale_mode;
  placeholder = remix->placeholder;
  on_failure = remix->on_failure;
  GST_OBJECT_UNLOCK (remix);
  g_mutex_lock (&remix->lock);
  in_info = remix->in_info;
  out_info = remix->out_info;
  g_mutex_unlock (&remix->lock);

  if (pick != NULL && pick->image != NULL) {
    shown = pick;
  } else if (!live && pick != NULL
      && on_failure == GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS) {
    shown = remix->shown_pick;
  }
  if (shown != NULL) {
    pixels = placed_image (shown, &out_info, scale_mode);
    if (pixels != NULL)
      pixels = gst_buffer_ref (pixels);
    else
      shown = NULL;
  }
  if (pixels == NULL) {
    GstImagegenRemixFallback fallback = pick == NULL ? placeholder :
        on_failure;
    if (fallback == GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS)
      fallback = GST_IMAGEGEN_REMIX_FALLBACK_INPUT;
    pixels = fallback_frame (remix, input, fallback, &in_info, &out_info,
        scale_mode);
  }
  if (pixels == NULL)
    return NULL;
  faded = transition (remix, shown, pixels, input, &out_info);
  gst_buffer_unref (pixels);
  out = stamp (faded, input);
  gst_buffer_unref (faded);
  return out;
}

static GstFlowReturn
gst_imagegen_remix_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  GstBuffer *input = NULL;
  RemixPick *pick = NULL;
  gboolean live;

  *outbuf = NULL;
  g_mutex_lock (&remix->lock);
  live = remix->live;
  if (live) {
    input = g_steal_pointer (&remix->live_input);
    pick = g_steal_pointer (&remix->live_pick);
  } else if (head_is_ready_locked (remix)) {
    QueuedFrame *qf = g_queue_pop_head (&remix->queue);
    remix->queue_bytes -= gst_buffer_get_size (qf->frame);
    input = gst_buffer_ref (qf->frame);
    pick = qf->pick ? remix_pick_ref (qf->pick) : NULL;
    queued_frame_free (qf);
    g_cond_broadcast (&remix->cond);
  }
  g_mutex_unlock (&remix->lock);
  if (input == NULL)
    return GST_FLOW_OK;

  *outbuf = make_output (remix, input, pick, live);
  gst_buffer_unref (input);
  remix_pick_unref (pick);
  if (*outbuf == NULL) {
    GST_ELEMENT_ERROR (remix, CORE, NEGOTIATION,
        ("Cannot convert frames to the output format."), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  return GST_FLOW_OK;
}

/* Offline: push every queued frame, waiting for their results, so that
 * a serialized event never overtakes the frames before it. */
static GstFlowReturn
drain (GstImagegenRemix * remix)
{
  GstFlowReturn ret = GST_FLOW_OK;

  g_mutex_lock (&remix->lock);
  while (!remix->live && !remix->flushing && remix->queue.length > 0) {
    GstBuffer *out;

    if (!head_is_ready_locked (remix)) {
      g_cond_wait (&remix->cond, &remix->lock);
      continue;
    }
    g_mutex_unlock (&remix->lock);
    ret = gst_imagegen_remix_generate_output (GST_BASE_TRANSFORM (remix),
        &out);
    if (ret == GST_FLOW_OK && out != NULL)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (remix), out);
    g_mutex_lock (&remix->lock);
    if (ret != GST_FLOW_OK)
      break;
  }
  if (remix->flushing)
    ret = GST_FLOW_FLUSHING;
  else if (remix->fatal_error != NULL && ret == GST_FLOW_OK) {
    GError *error = g_error_copy (remix->fatal_error);

    g_mutex_unlock (&remix->lock);
    gst_imagegen_post_error (GST_ELEMENT (remix), error, "Remix", FALSE);
    g_error_free (error);
    return GST_FLOW_ERROR;
  }
  g_mutex_unlock (&remix->lock);
  return ret;
}

/* streaming thread: nothing shown yet, nothing to fade from */
static void
forget_shown (GstImagegenRemix * remix)
{
  replace_pick (&remix->shown_pick, NULL);
  gst_clear_buffer (&remix->shown_pixels);
  gst_clear_buffer (&remix->fade_from);
}

/* Forgets every frame, pick and result of the epoch that ends. */
static void
reset_locked (GstImagegenRemix * remix)
{
  remix->epoch++;
  g_clear_error (&remix->fatal_error);
  g_queue_clear_full (&remix->queue, (GDestroyNotify) queued_frame_free);
  remix->queue_bytes = 0;
  remix->in_flight = 0;
  remix->last_pick_time = GST_CLOCK_TIME_NONE;
  replace_pick (&remix->governing, NULL);
  replace_pick (&remix->newest_done, NULL);
  replace_pick (&remix->live_pick, NULL);
  gst_clear_buffer (&remix->live_input);
  if (remix->cancellable != NULL) {
    g_cancellable_cancel (remix->cancellable);
    g_object_unref (remix->cancellable);
  }
  remix->cancellable = g_cancellable_new ();
  g_cond_broadcast (&remix->cond);
}

static gboolean
gst_imagegen_remix_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      g_mutex_lock (&remix->lock);
      remix->flushing = TRUE;
      g_cancellable_cancel (remix->cancellable);
      g_cond_broadcast (&remix->cond);
      g_mutex_unlock (&remix->lock);
      break;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&remix->lock);
      reset_locked (remix);
      remix->flushing = FALSE;
      g_mutex_unlock (&remix->lock);
      forget_shown (remix);
      break;
    default:
      if (GST_EVENT_IS_SERIALIZED (event)) {
        GstFlowReturn ret = drain (remix);
        if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING
            && GST_EVENT_TYPE (event) == GST_EVENT_EOS)
          GST_DEBUG_OBJECT (remix, "drain before EOS: %s",
              gst_flow_get_name (ret));
      }
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
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

  if (!gst_video_info_from_caps (&in_info, incaps)
      || !gst_video_info_from_caps (&out_info, outcaps))
    return FALSE;
  GST_DEBUG_OBJECT (remix, "%" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, incaps,
      outcaps);
  g_mutex_lock (&remix->lock);
  remix->in_info = in_info;
  remix->out_info = out_info;
  g_mutex_unlock (&remix->lock);
  return TRUE;
}

/* client thread: the reference images' URLs, uploaded once per run */
static void
references_uploaded (ImagegenResult * result, gpointer user_data)
{
  GstImagegenRemix *remix = user_data;

  g_mutex_lock (&remix->lock);
  if (result->error != NULL) {
    if (!g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      remix->reference_error = g_error_copy (result->error);
  } else {
    remix->reference_urls = g_ptr_array_ref (result->uploaded_urls);
  }
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
  imagegen_result_free (result);
}

static gboolean
is_url (const gchar * s)
{
  return g_str_has_prefix (s, "http://") || g_str_has_prefix (s, "https://");
}

/* Reads the local reference images and checks the source image count. */
static gboolean
load_references (GstImagegenRemix * remix, ImagegenRequest * upload)
{
  gboolean max_model;
  guint i, n;

  GST_OBJECT_LOCK (remix);
  n = remix->reference_images->len;
  max_model = remix->settings.model != NULL &&
      strstr (remix->settings.model, "-max-") != NULL;
  GST_OBJECT_UNLOCK (remix);

  if (1 + n > MAX_SOURCE_IMAGES || (max_model && n > 0)) {
    GST_ELEMENT_ERROR (remix, RESOURCE, SETTINGS,
        ("Too many reference images: %u given, the model takes at most %u "
            "besides the frame.", n, max_model ? 0 : MAX_SOURCE_IMAGES - 1),
        (NULL));
    return FALSE;
  }

  upload->source_images =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  upload->source_urls = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < n; i++) {
    const gchar *ref = g_ptr_array_index (remix->reference_images, i);
    gchar *path = g_str_has_prefix (ref, "file://") ?
        g_filename_from_uri (ref, NULL, NULL) : g_strdup (ref);
    GError *error = NULL;
    gchar *data;
    gsize size;

    if (is_url (ref)) {
      g_ptr_array_add (upload->source_urls, g_strdup (ref));
    } else if (path != NULL && g_file_get_contents (path, &data, &size,
            &error)) {
      g_ptr_array_add (upload->source_images, g_bytes_new_take (data, size));
    } else {
      GST_ELEMENT_ERROR (remix, RESOURCE, OPEN_READ,
          ("Cannot read the reference image \"%s\": %s", ref,
              error ? error->message : "not a file name"), (NULL));
      g_clear_error (&error);
      g_free (path);
      return FALSE;
    }
    g_free (path);
  }
  return TRUE;
}

static gboolean
gst_imagegen_remix_start (GstBaseTransform * trans)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  ImagegenRequest *upload;
  ImagegenClientConfig config;
  GError *error = NULL;
  gboolean ok;

  GST_OBJECT_LOCK (remix);
  ok = gst_imagegen_settings_check_prompt (&remix->settings, &error)
      && gst_imagegen_settings_resolve_client_config (&remix->settings,
      &config, &error);
  GST_OBJECT_UNLOCK (remix);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (remix), error, NULL, FALSE);
    g_error_free (error);
    return FALSE;
  }
  gst_imagegen_settings_post_warnings (GST_ELEMENT (remix), &remix->settings);

  gst_imagegen_tracker_reset (&remix->tracker);
  upload = imagegen_request_new (IMAGEGEN_ENDPOINT_UPLOAD, NULL, NULL);
  if (!load_references (remix, upload)) {
    imagegen_request_free (upload);
    imagegen_client_config_clear (&config);
    return FALSE;
  }

  g_mutex_lock (&remix->lock);
  remix->client = imagegen_client_new (&config);
  remix->workers = g_thread_pool_new ((GFunc) run_work, remix,
      MAX (2, g_get_num_processors ()), FALSE, NULL);
  reset_locked (remix);
  remix->flushing = FALSE;
  remix->n_picks = 0;
  g_clear_error (&remix->reference_error);
  g_clear_pointer (&remix->reference_urls, g_ptr_array_unref);
  if (upload->source_images->len == 0) {
    remix->reference_urls = g_ptr_array_ref (upload->source_urls);
  } else {
    imagegen_client_submit (remix->client, upload, remix->cancellable, NULL,
        references_uploaded, remix);
  }
  g_mutex_unlock (&remix->lock);
  remix->mode_decided = FALSE;

  imagegen_request_free (upload);
  imagegen_client_config_clear (&config);
  return TRUE;
}

static gboolean
gst_imagegen_remix_stop (GstBaseTransform * trans)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (trans);
  ImagegenClient *client;
  GThreadPool *workers;

  g_mutex_lock (&remix->lock);
  remix->flushing = TRUE;
  reset_locked (remix);
  client = g_steal_pointer (&remix->client);
  workers = g_steal_pointer (&remix->workers);
  g_mutex_unlock (&remix->lock);

  /* the jobs are cancelled: freeing the client only waits for their
   * callbacks, and the workers drop stale work at once */
  if (client != NULL)
    imagegen_client_free (client);
  if (workers != NULL)
    g_thread_pool_free (workers, FALSE, TRUE);

  g_mutex_lock (&remix->lock);
  g_clear_pointer (&remix->reference_urls, g_ptr_array_unref);
  g_clear_error (&remix->reference_error);
  g_mutex_unlock (&remix->lock);
  forget_shown (remix);
  gst_clear_buffer (&remix->black);
  return TRUE;
}

static void
gst_imagegen_remix_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (object);
  guint i;

  if (gst_imagegen_tracker_set_property (&remix->tracker, PROP_TRACKER_FIRST,
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
    case PROP_REFERENCE_IMAGES:
      g_ptr_array_set_size (remix->reference_images, 0);
      for (i = 0; i < gst_value_array_get_size (value); i++)
        g_ptr_array_add (remix->reference_images,
            g_value_dup_string (gst_value_array_get_value (value, i)));
      break;
    default:
      if (!gst_imagegen_settings_set_property (&remix->settings,
              PROP_SHARED_FIRST, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (remix);
}

static void
gst_imagegen_remix_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenRemix *remix = GST_IMAGEGEN_REMIX (object);
  guint i;

  if (gst_imagegen_tracker_get_property (&remix->tracker, PROP_TRACKER_FIRST,
          prop_id, value))
    return;
  GST_OBJECT_LOCK (remix);
  switch (prop_id) {
    case PROP_INTERVAL:
      g_value_set_uint64 (value, remix->interval);
      break;
    case PROP_MODE:
      g_value_set_enum (value, remix->mode);
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
    case PROP_REFERENCE_IMAGES:
      for (i = 0; i < remix->reference_images->len; i++) {
        GValue item = G_VALUE_INIT;
        g_value_init (&item, G_TYPE_STRING);
        g_value_set_string (&item,
            g_ptr_array_index (remix->reference_images, i));
        gst_value_array_append_and_take_value (value, &item);
      }
      break;
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
  gst_imagegen_tracker_clear (&remix->tracker);
  g_ptr_array_unref (remix->reference_images);
  g_clear_object (&remix->cancellable);
  g_mutex_clear (&remix->lock);
  g_cond_clear (&remix->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static GType
gst_imagegen_remix_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_IMAGEGEN_REMIX_MODE_AUTO, "Live when upstream is live", "auto"},
    {GST_IMAGEGEN_REMIX_MODE_LIVE, "Never wait, show the newest result",
        "live"},
    {GST_IMAGEGEN_REMIX_MODE_OFFLINE, "Wait for every frame's result",
        "offline"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstImagegenRemixMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static GType
gst_imagegen_remix_fallback_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_IMAGEGEN_REMIX_FALLBACK_INPUT, "The input frame itself", "input"},
    {GST_IMAGEGEN_REMIX_FALLBACK_BLACK, "A black frame", "black"},
    {GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS,
        "The previous result (the input while there is none)", "previous"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstImagegenRemixFallback", values);
    g_once_init_leave (&type, t);
  }
  return type;
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
          "Stream time between picked frames (nanoseconds)", 0, G_MAXUINT64,
          DEFAULT_INTERVAL, rw));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "Live (never wait) or offline (wait for every result)",
          gst_imagegen_remix_mode_get_type (), DEFAULT_MODE, rw_ready));
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
          "Longest side of an uploaded frame; larger ones are scaled down "
          "(pixels, 0 = no limit)", 0, 16384, DEFAULT_UPLOAD_MAX_SIDE, rw));
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
   */
  g_object_class_install_property (gobject_class, PROP_REFERENCE_IMAGES,
      gst_param_spec_array ("reference-images", "Reference images",
          "Extra style images: file names or http(s) URLs (at most 7), "
          "e.g. \"<style.jpg, https://host/ref.png>\"",
          g_param_spec_string ("image", "Image", "File name or URL", NULL,
              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS), rw_ready));
  g_object_class_install_property (gobject_class, PROP_TRANSITION_DURATION,
      g_param_spec_uint64 ("transition-duration", "Transition duration",
          "Cross-fade from the previous result to a new one over this much "
          "stream time (nanoseconds, 0 = cut)", 0, G_MAXUINT64, 0, rw));
  gst_imagegen_tracker_install_properties (gobject_class, PROP_TRACKER_FIRST);
  gst_imagegen_settings_install_properties (gobject_class, PROP_SHARED_FIRST,
      DEFAULT_MODEL, DEFAULT_ASPECT_RATIO, REMIX_MODELS);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Image generation remix", "Filter/Effect/Video",
      "Restyles video frames with a remote image model",
      "gst-imagegen developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_imagegen_remix_start);
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
  gst_imagegen_tracker_init (&remix->tracker, GST_ELEMENT (remix));
  remix->interval = DEFAULT_INTERVAL;
  remix->mode = DEFAULT_MODE;
  remix->placeholder = DEFAULT_PLACEHOLDER;
  remix->on_failure = DEFAULT_ON_FAILURE;
  remix->jpeg_quality = DEFAULT_JPEG_QUALITY;
  remix->upload_max_side = DEFAULT_UPLOAD_MAX_SIDE;
  remix->max_queue_frames = DEFAULT_MAX_QUEUE_FRAMES;
  remix->max_queue_bytes = DEFAULT_MAX_QUEUE_BYTES;
  remix->reference_images = g_ptr_array_new_with_free_func (g_free);
  remix->last_pick_time = GST_CLOCK_TIME_NONE;
  g_mutex_init (&remix->lock);
  g_cond_init (&remix->cond);
  g_queue_init (&remix->queue);
}
