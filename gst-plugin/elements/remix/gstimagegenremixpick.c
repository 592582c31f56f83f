/* gst-imagegen: imagegenremix's picks — which frames are sent, the request
 * that carries each one (encoded on a worker), and its result coming back.
 *
 * Locks (see gstimagegenremixpriv.h): remix->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"
#include "gstimagegenencode.h"
#include "gstimagegensquare.h"
#include "imagegen-bfl-models.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

/* What a pick's request carries to the workers. */
typedef struct
{
  GstImagegenRemix *remix;
  RemixPick *pick;
  GstBuffer *frame;             /* until encoded */
  GstVideoInfo frame_info;
  guint quality, max_side;
  guint square;                 /* the model takes squares of this side */
  GstImagegenScaleMode scale_mode;      /* how the frame fills the square */
  GstVideoInfo sent_info;       /* the frame's, before any square */
  guint generation;             /* remix->generation when picked */
} RemixJob;

static void
remix_job_free (RemixJob * job)
{
  gst_imagegen_remix_pick_unref (job->pick);
  gst_clear_buffer (&job->frame);
  g_free (job);
}

/* worker: the picked frame becomes the request's first source image */
static gboolean
encode_frame (gpointer tag, ImagegenRequest * request, GError ** error)
{
  RemixJob *job = tag;
  GstVideoInfo square_info;
  GstBuffer *square;
  GBytes *jpeg;

  if (job->square > 0) {
    square = gst_imagegen_square_fit (job->frame, &job->frame_info,
        job->square, job->scale_mode, &square_info);
    if (square == NULL) {
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
          "Cannot fit the frame into the model's %ux%u square.",
          job->square, job->square);
      gst_clear_buffer (&job->frame);
      return FALSE;
    }
    gst_buffer_unref (job->frame);
    job->frame = square;
    job->frame_info = square_info;
  }
  jpeg = gst_imagegen_encode_jpeg (job->frame, &job->frame_info,
      job->quality, job->max_side, error);
  gst_clear_buffer (&job->frame);
  if (jpeg == NULL)
    return FALSE;
  if (request->source_images == NULL)
    request->source_images =
        g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_insert (request->source_images, 0, jpeg);
  GST_DEBUG_OBJECT (job->remix, "pick %u: %" G_GSIZE_FORMAT " bytes of JPEG",
      job->pick->index, g_bytes_get_size (jpeg));
  return TRUE;
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

/* worker: the result is in; place it for the current output caps so that
 * the output path finds it ready */
static void
pick_done (GstImagegenEngine * engine, gpointer tag, GstImagegenImage * image)
{
  RemixJob *job = tag;
  GstImagegenRemix *remix = job->remix;
  RemixPick *pick = job->pick;
  GstImagegenScaleMode scale_mode;
  GstVideoInfo out_info;

  GST_OBJECT_LOCK (remix);
  scale_mode = remix->settings.scale_mode;
  GST_OBJECT_UNLOCK (remix);
  g_mutex_lock (&remix->lock);
  out_info = remix->out_info;
  g_mutex_unlock (&remix->lock);

  if (image->error == NULL) {
    pick->image = gst_imagegen_image_ref (image);
    gst_imagegen_placement_set_image (&pick->placed, image);
    if (job->square > 0)
      gst_imagegen_placement_set_square (&pick->placed, &job->sent_info);
    gst_imagegen_placement_get (&pick->placed, &out_info, scale_mode);
  } else if (!image->fatal
      && !g_error_matches (image->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (image->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    /* fatal ones stop the stream at the next frame instead; cache-only
     * misses are counted in stats, not failures */
    post_pick_failure (remix, pick, image->error);
  }
  GST_DEBUG_OBJECT (remix, "pick %u done (task %s)%s", pick->index,
      GST_STR_NULL (image->result->task_id), image->error ? ", failed" : "");

  g_mutex_lock (&remix->lock);
  /* a flush or stop may have come since the engine's own check */
  if (job->generation == remix->generation) {
    pick->done = TRUE;
    if (pick->image != NULL && (remix->newest_done == NULL
            || remix->newest_done->index < pick->index))
      gst_imagegen_remix_replace_pick (&remix->newest_done, pick);
    g_cond_broadcast (&remix->cond);
  }
  g_mutex_unlock (&remix->lock);
}

/* A frame without a timestamp gets the time its count gives at the
 * input's framerate (each one would otherwise look due, and be paid for);
 * without a framerate only the first frame is picked.  Warns once. */
static GstClockTime
untimed_stream_time (GstImagegenRemix * remix, guint64 count)
{
  GstClockTime time = GST_CLOCK_TIME_NONE;
  gboolean warn;
  gint fps_n, fps_d;

  g_mutex_lock (&remix->lock);
  fps_n = GST_VIDEO_INFO_FPS_N (&remix->in_info);
  fps_d = GST_VIDEO_INFO_FPS_D (&remix->in_info);
  warn = !remix->warned_untimed;
  remix->warned_untimed = TRUE;
  g_mutex_unlock (&remix->lock);

  if (fps_n > 0 && fps_d > 0)
    time = gst_util_uint64_scale (count, fps_d * GST_SECOND, fps_n);
  if (warn && fps_n > 0 && fps_d > 0)
    GST_ELEMENT_WARNING (remix, STREAM, FORMAT,
        ("Frames have no timestamps: picking them by frame count at the "
            "input's framerate (%d/%d).", fps_n, fps_d),
        ("frame %" G_GUINT64_FORMAT " has no PTS", count));
  else if (warn)
    GST_ELEMENT_WARNING (remix, STREAM, FORMAT,
        ("Frames have no timestamps and no framerate to pick them by frame "
            "count: only the first frame is remixed."),
        ("frame %" G_GUINT64_FORMAT " has no PTS", count));
  return time;
}

GstClockTime
gst_imagegen_remix_stream_time_of (GstImagegenRemix * remix, GstBuffer * buf)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (remix)->segment;
  GstClockTime time;
  guint64 count;

  g_mutex_lock (&remix->lock);
  count = remix->frames_seen++;
  g_mutex_unlock (&remix->lock);
  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return untimed_stream_time (remix, count);
  GST_OBJECT_LOCK (remix);
  time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
  GST_OBJECT_UNLOCK (remix);
  return time;
}

/* The largest side the frame is uploaded at, from the model's row.
 * Callers hold the object lock. */
static guint
upload_max_side_locked (GstImagegenRemix * remix)
{
  const ImagegenModelRow *row = gst_imagegen_settings_row (&remix->settings,
      IMAGEGEN_ENDPOINT_REMIX);

  /* checked at start; a model changed while running was checked too */
  return row ? imagegen_model_upload_max_side (row, remix->upload_max_side) :
      remix->upload_max_side;
}

/* A day of stream time: longer intervals are a mistake (interval=-1 reads
 * as the largest value), not a wish for one pick a file. */
#define LONGEST_SENSIBLE_INTERVAL (24 * 3600 * GST_SECOND)

void
gst_imagegen_remix_warn_settings (GstImagegenRemix * remix)
{
  GstClockTime interval;

  GST_OBJECT_LOCK (remix);
  interval = remix->interval;
  GST_OBJECT_UNLOCK (remix);
  if (interval > LONGEST_SENSIBLE_INTERVAL)
    GST_ELEMENT_WARNING (remix, RESOURCE, SETTINGS,
        ("The interval is longer than a day, so only the first frame of "
            "the stream is picked (and shot changes, if pick-mode says so)."),
        ("interval %" G_GUINT64_FORMAT " ns", interval));
}

void
gst_imagegen_remix_note_upload_size (GstImagegenRemix * remix,
    const GstVideoInfo * in_info)
{
  const ImagegenModelRow *row;
  guint side, frame_side = MAX (GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info));
  gchar *model;

  GST_OBJECT_LOCK (remix);
  row = gst_imagegen_settings_row (&remix->settings, IMAGEGEN_ENDPOINT_REMIX);
  side = upload_max_side_locked (remix);
  model = g_strdup (remix->settings.model);
  GST_OBJECT_UNLOCK (remix);
  if (row != NULL && row->input_max_side > 0 && side == row->input_max_side
      && frame_side > side)
    GST_ELEMENT_WARNING (remix, RESOURCE, SETTINGS,
        ("Model %s takes source images of at most %u pixels a side, so "
            "the %ux%u frames are uploaded shrunk to fit.", model, side,
            GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info)),
        (NULL));
  g_free (model);
}

static ImagegenRequest *
build_request_locked (GstImagegenRemix * remix)
{
  ImagegenRequest *request;
  gint width, height;
  guint i;

  GST_OBJECT_LOCK (remix);
  request = gst_imagegen_settings_new_request (&remix->settings,
      IMAGEGEN_ENDPOINT_REMIX);
  GST_OBJECT_UNLOCK (remix);
  /* an exact size, for providers that take one: the output frame's
   * shape, so the result needs no borders */
  gst_imagegen_encode_size (&remix->out_info, 0, &width, &height);
  imagegen_bfl_frame_size (width, height, &request->width, &request->height);

  if (remix->reference_urls != NULL)
    for (i = 0; i < remix->reference_urls->len; i++)
      imagegen_request_add_source_url (request,
          g_ptr_array_index (remix->reference_urls, i));
  return request;
}

static gboolean
interval_is_due_locked (GstImagegenRemix * remix, GstClockTime time)
{
  GstClockTime interval;

  if (remix->last_pick_time == GST_CLOCK_TIME_NONE)
    return TRUE;
  if (time == GST_CLOCK_TIME_NONE)
    return FALSE;
  GST_OBJECT_LOCK (remix);
  interval = remix->interval;
  GST_OBJECT_UNLOCK (remix);
  /* a difference: interval=-1 (the largest) must not wrap around */
  return time < remix->last_pick_time
      || time - remix->last_pick_time >= interval;
}

static gboolean
slot_is_free_locked (GstImagegenRemix * remix)
{
  guint max;
  gboolean coherent;

  GST_OBJECT_LOCK (remix);
  max = remix->settings.client.max_in_flight;
  coherent = remix->coherence == GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT;
  GST_OBJECT_UNLOCK (remix);
  /* coherence: each request waits for the result before it */
  if (coherent && remix->governing != NULL && !remix->governing->done)
    return FALSE;
  return gst_imagegen_engine_has_slot (&remix->engine, max);
}

/* coherence=previous-result: the last result goes along as one more
 * source image (after the frame, which the worker puts first) */
static void
add_previous_result_locked (GstImagegenRemix * remix,
    ImagegenRequest * request)
{
  gboolean coherent;
  guint n_sources;

  GST_OBJECT_LOCK (remix);
  coherent = remix->coherence == GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT;
  GST_OBJECT_UNLOCK (remix);
  /* start refused a model without room for it; one changed while running
   * goes on without it rather than be refused by the service */
  n_sources = 1 + (request->source_urls ? request->source_urls->len : 0);
  if (!coherent || n_sources >= gst_imagegen_remix_sources_taken (remix)
      || remix->governing == NULL || remix->governing->image == NULL)
    return;
  imagegen_request_add_source_image (request,
      remix->governing->image->result->image);
}

gboolean
gst_imagegen_remix_pick_if_due_locked (GstImagegenRemix * remix,
    GstBuffer * frame, GstClockTime time, gboolean wait_for_slot)
{
  ImagegenRequest *request;
  RemixJob *job;
  RemixPick *pick;
  GstImagegenRemixPickReason reason;
  guint max;

  if (remix->reference_urls == NULL)
    return FALSE;               /* reference images still uploading */
  reason = gst_imagegen_remix_scene_judge_locked (remix, frame, time,
      interval_is_due_locked (remix, time));
  if (reason == GST_IMAGEGEN_REMIX_PICK_NOT_DUE)
    return FALSE;
  while (wait_for_slot && !remix->flushing && !slot_is_free_locked (remix))
    g_cond_wait (&remix->cond, &remix->lock);
  if (remix->flushing || !slot_is_free_locked (remix))
    return FALSE;

  pick = gst_imagegen_remix_pick_new ();
  pick->index = remix->n_picks++;
  pick->time = time;
  job = g_new0 (RemixJob, 1);
  job->remix = remix;
  job->pick = gst_imagegen_remix_pick_ref (pick);
  job->frame = gst_buffer_ref (frame);
  job->frame_info = job->sent_info = remix->in_info;
  job->generation = remix->generation;
  GST_OBJECT_LOCK (remix);
  job->quality = remix->jpeg_quality;
  job->max_side = upload_max_side_locked (remix);
  job->square = imagegen_model_square_input (gst_imagegen_settings_row
      (&remix->settings, IMAGEGEN_ENDPOINT_REMIX));
  job->scale_mode = remix->settings.scale_mode;
  GST_OBJECT_UNLOCK (remix);
  request = build_request_locked (remix);
  add_previous_result_locked (remix, request);

  GST_OBJECT_LOCK (remix);
  max = remix->settings.client.max_in_flight;
  GST_OBJECT_UNLOCK (remix);

  /* the guard may post its warning: not under our lock */
  g_mutex_unlock (&remix->lock);
  if (gst_imagegen_engine_submit (&remix->engine, max, request, encode_frame,
          pick_done, job, (GDestroyNotify) remix_job_free)
      != GST_IMAGEGEN_SUBMIT_SENT) {
    g_mutex_lock (&remix->lock);
    gst_imagegen_remix_pick_unref (pick);
    return FALSE;               /* frames go on showing the last result */
  }
  g_mutex_lock (&remix->lock);
  remix->last_pick_time = time;
  gst_imagegen_remix_motion_note_pick_locked (remix, pick, frame);
  gst_imagegen_remix_scene_picked_locked (remix, reason);
  if (remix->governing != NULL)
    gst_imagegen_remix_replace_pick (&remix->governing->next, pick);
  gst_imagegen_remix_replace_pick (&remix->governing, pick);
  gst_imagegen_remix_pick_unref (pick);
  GST_DEBUG_OBJECT (remix, "picked frame at %" GST_TIME_FORMAT " (pick %u)",
      GST_TIME_ARGS (time), pick->index);
  return TRUE;
}

