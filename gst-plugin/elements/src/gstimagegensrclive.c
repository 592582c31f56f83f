/* gst-imagegen: imagegensrc when live — a steady stream at the negotiated
 * framerate, stamped from the running time, showing a placeholder until
 * the first image and then the newest one.  Requests never hold a frame
 * back; an image overtaken by a newer request's is dropped.  What shows
 * (placement, cross-fade, placeholder) is the screen's (gstimagegenscreen.c).
 *
 * Locks (see gstimagegensrcpriv.h): src->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under src->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensrcpriv.h"
#include "gstimagegenscale.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

static void live_image_done (GstImagegenEngine * engine, gpointer tag,
    GstImagegenImage * image);

/* Starts the newest request now, or as soon as a slot frees: a claim on
 * generate_pending makes sure one request goes out per wish. */
static void
try_generate (GstImagegenSrc * src)
{
  while (TRUE) {
    GstImagegenSubmitResult verdict;
    GstClockTime show_at;
    gchar *prompt;
    guint seq, max;

    g_mutex_lock (&src->lock);
    if (!src->generate_pending || src->flushing) {
      g_mutex_unlock (&src->lock);
      return;
    }
    src->generate_pending = FALSE;
    seq = ++src->request_seq;
    /* a text's prompt, else the last text's, else the property's */
    prompt = g_steal_pointer (&src->pending_prompt);
    if (prompt == NULL)
      prompt = g_strdup (src->text_prompt);
    show_at = src->pending_show_at;
    src->pending_show_at = GST_CLOCK_TIME_NONE;
    g_mutex_unlock (&src->lock);

    verdict = gst_imagegen_src_submit_prompt (src, live_image_done, seq,
        prompt, show_at);
    if (verdict != GST_IMAGEGEN_SUBMIT_BUSY) {
      g_free (prompt);
      return;
    }

    /* a slot may have freed after the gate said busy but before the wish
     * was back: look again, or the request that frees the next slot
     * takes it */
    g_mutex_lock (&src->lock);
    src->generate_pending = TRUE;
    if (src->pending_prompt == NULL) {
      src->pending_prompt = g_steal_pointer (&prompt);
      src->pending_show_at = show_at;
    }
    g_mutex_unlock (&src->lock);
    g_free (prompt);
    GST_OBJECT_LOCK (src);
    max = src->settings.client.max_in_flight;
    GST_OBJECT_UNLOCK (src);
    if (!gst_imagegen_engine_has_slot (&src->engine, max))
      return;
  }
}

void
gst_imagegen_src_live_request (GstImagegenSrc * src)
{
  g_mutex_lock (&src->lock);
  src->generate_pending = TRUE;
  g_mutex_unlock (&src->lock);
  try_generate (src);
}

/* worker: the newest request's image replaces the shown one, placed into
 * the output format here, off the streaming thread; one asked for ahead
 * of its time waits for it */
static void
live_image_done (GstImagegenEngine * engine, gpointer tag,
    GstImagegenImage * image)
{
  SrcJob *job = tag;
  GstImagegenSrc *src = job->src;
  GstImagegenScaleMode scale_mode;
  GstImagegenPlacement placed = { NULL, };
  GstVideoInfo info;
  gboolean have_info, ready = FALSE, warn = FALSE;

  if (gst_imagegen_src_cutout (src, job, image, live_image_done))
    return;

  GST_OBJECT_LOCK (src);
  scale_mode = src->settings.scale_mode;
  GST_OBJECT_UNLOCK (src);
  g_mutex_lock (&src->lock);
  info = src->out_info;
  have_info = src->out_raw;
  g_mutex_unlock (&src->lock);

  if (image->error == NULL && image->raw != NULL && have_info) {
    gst_imagegen_placement_set_image (&placed, image);
    ready = gst_imagegen_placement_get (&placed, &info, scale_mode) != NULL;
  }

  g_mutex_lock (&src->lock);
  if (image->error != NULL) {
    /* a fatal one is latched by the engine and stops the stream */
    warn = !image->fatal;
  } else if (job->seq > src->shown_seq && ready
      && GST_CLOCK_TIME_IS_VALID (job->show_at)) {
    if (job->seq > src->upcoming_seq) {
      gst_imagegen_placement_move (&src->upcoming, &placed);
      src->upcoming_seq = job->seq;
      src->upcoming_show_at = job->show_at;
    }
  } else if (job->seq > src->shown_seq && ready) {
    /* the screen fades to it from the next frame on */
    gst_imagegen_placement_move (&src->live, &placed);
    src->shown_seq = job->seq;
  } else {
    GST_DEBUG_OBJECT (src, "request %u overtaken by %u: dropped", job->seq,
        src->shown_seq);
  }
  g_mutex_unlock (&src->lock);
  gst_imagegen_placement_clear (&placed);

  if (warn)
    gst_imagegen_post_error (GST_ELEMENT (src), image->error,
        "Image generation", TRUE);
  /* its slot is free: a wish that waited for one goes out now */
  try_generate (src);
}

/* A new image wished for at @pts: a prompt change, the generate signal or
 * the regenerate interval. */
static void
maybe_request (GstImagegenSrc * src, GstClockTime pts)
{
  gboolean (*prompt_due) (GstImagegenSrc * src, GstClockTime pts);
  GstClockTime regenerate;
  gboolean request;

  GST_OBJECT_LOCK (src);
  regenerate = src->regenerate_interval;
  GST_OBJECT_UNLOCK (src);
  request = g_atomic_int_compare_and_exchange (&src->generate_requested, 1, 0);

  g_mutex_lock (&src->lock);
  if (regenerate > 0 && pts >= src->last_request_pts + regenerate)
    request = TRUE;
  if (request)
    src->last_request_pts = pts;
  g_mutex_unlock (&src->lock);
  /* the instance's own class: imagegentextsrc sets prompt_due */
  prompt_due = ((GstImagegenSrcClass *) G_OBJECT_GET_CLASS (src))->prompt_due;
  if (prompt_due != NULL && prompt_due (src, pts))
    request = TRUE;
  if (request)
    gst_imagegen_src_live_request (src);
}

/* The streaming thread's view of what to show at @pts. */
static GstBuffer *
live_pixels (GstImagegenSrc * src, GstClockTime pts)
{
  GstImagegenScaleMode scale_mode;
  GstClockTime transition;
  GstImagegenImage *image = NULL;
  GstBuffer *frame = NULL, *pixels;
  gboolean black;

  GST_OBJECT_LOCK (src);
  transition = src->transition_duration;
  black = src->black_placeholder;
  scale_mode = src->settings.scale_mode;
  GST_OBJECT_UNLOCK (src);
  maybe_request (src, pts);

  g_mutex_lock (&src->lock);
  if (src->upcoming.image != NULL && pts >= src->upcoming_show_at) {
    if (src->upcoming_seq > src->shown_seq) {
      gst_imagegen_placement_move (&src->live, &src->upcoming);
      src->shown_seq = src->upcoming_seq;
    }
    gst_imagegen_placement_clear (&src->upcoming);
  }
  /* placed by its worker; placed again here only when the caps changed */
  frame = gst_imagegen_placement_get (&src->live, &src->out_info,
      scale_mode);
  if (frame != NULL) {
    gst_buffer_ref (frame);
    image = gst_imagegen_image_ref (src->live.image);
  }
  g_mutex_unlock (&src->lock);

  if (frame == NULL)
    frame = gst_imagegen_screen_placeholder (&src->screen, &src->out_info,
        black);
  if (frame == NULL) {
    g_clear_pointer (&image, gst_imagegen_image_unref);
    return NULL;
  }
  /* the first image fades in from the placeholder too */
  pixels = gst_imagegen_screen_frame (&src->screen, image, frame,
      &src->out_info, pts, pts + gst_imagegen_src_frame_time (src, 1),
      transition, TRUE);
  gst_buffer_unref (frame);
  g_clear_pointer (&image, gst_imagegen_image_unref);
  return pixels;
}

GstFlowReturn
gst_imagegen_src_live_create (GstImagegenSrc * src, GstBuffer ** outbuf)
{
  GstClockTime pts;
  GstBuffer *pixels;

  if (gst_imagegen_engine_has_fatal (&src->engine)) {
    gst_imagegen_engine_post_fatal (&src->engine, "Image generation");
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

  pts = src->timestamp_offset + gst_imagegen_src_frame_time (src,
      src->n_frames);
  pixels = live_pixels (src, pts);
  if (pixels == NULL)
    return GST_FLOW_ERROR;
  *outbuf = gst_imagegen_share_pixels (pixels);
  gst_buffer_unref (pixels);
  GST_BUFFER_PTS (*outbuf) = pts;
  GST_BUFFER_DURATION (*outbuf) = src->timestamp_offset +
      gst_imagegen_src_frame_time (src, src->n_frames + 1) - pts;
  GST_BUFFER_OFFSET (*outbuf) = src->n_frames;
  GST_BUFFER_OFFSET_END (*outbuf) = src->n_frames + 1;
  src->n_frames++;
  return GST_FLOW_OK;
}
