/* gst-imagegen: imagegensrc when live — a steady stream at the negotiated
 * framerate, stamped from the running time, showing a placeholder until
 * the first image and then the newest one.  Requests never hold a frame
 * back; an image overtaken by a newer request's is dropped.
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
#include "gstimagegenblend.h"

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

/* The newest request's image (placed, taken) replaces the shown one; the
 * shown one, or the placeholder, fades out over the transition. */
static void
show_locked (GstImagegenSrc * src, GstBuffer * placed,
    const GstVideoInfo * info, GstImagegenImage * image, guint seq,
    GstClockTime transition)
{
  if (transition > 0 && src->live_frame != NULL) {
    gst_clear_buffer (&src->fade_from);
    src->fade_from = g_steal_pointer (&src->live_frame);
    src->fade_start = GST_CLOCK_TIME_NONE;
  } else if (transition > 0) {
    /* the placeholder belongs to the streaming thread: it takes it */
    src->fade_from_placeholder = TRUE;
  }
  gst_clear_buffer (&src->live_frame);
  g_clear_pointer (&src->live_image, gst_imagegen_image_unref);
  src->live_frame = placed;
  src->live_info = *info;
  src->live_image = gst_imagegen_image_ref (image);
  src->shown_seq = seq;
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
  GstClockTime transition;
  GstVideoInfo info;
  GstBuffer *placed = NULL;
  gboolean have_info, warn = FALSE;

  if (gst_imagegen_src_cutout (src, job, image, live_image_done))
    return;

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
  if (image->error != NULL) {
    /* a fatal one is latched by the engine and stops the stream */
    warn = !image->fatal;
  } else if (job->seq > src->shown_seq && placed != NULL
      && GST_CLOCK_TIME_IS_VALID (job->show_at)) {
    if (job->seq > src->upcoming_seq) {
      gst_clear_buffer (&src->upcoming_frame);
      g_clear_pointer (&src->upcoming_image, gst_imagegen_image_unref);
      src->upcoming_frame = g_steal_pointer (&placed);
      src->upcoming_info = info;
      src->upcoming_image = gst_imagegen_image_ref (image);
      src->upcoming_seq = job->seq;
      src->upcoming_show_at = job->show_at;
    }
  } else if (job->seq > src->shown_seq && placed != NULL) {
    show_locked (src, g_steal_pointer (&placed), &info, image, job->seq,
        transition);
  } else {
    GST_DEBUG_OBJECT (src, "request %u overtaken by %u: dropped", job->seq,
        src->shown_seq);
  }
  g_mutex_unlock (&src->lock);
  gst_clear_buffer (&placed);

  if (warn)
    gst_imagegen_post_error (GST_ELEMENT (src), image->error,
        "Image generation", TRUE);
  /* its slot is free: a wish that waited for one goes out now */
  try_generate (src);
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

/* A new image wished for at @pts: a prompt change, the generate signal or
 * the regenerate interval. */
static void
maybe_request (GstImagegenSrc * src, GstClockTime pts)
{
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
  if (src->text != NULL && gst_imagegen_src_text_due (src, pts))
    request = TRUE;
  if (request)
    gst_imagegen_src_live_request (src);
}

/* The streaming thread's view of what to show at @pts. */
static GstBuffer *
live_pixels (GstImagegenSrc * src, GstClockTime pts)
{
  GstClockTime transition;
  GstBuffer *frame = NULL, *from = NULL, *pixels, *placeholder;
  GstImagegenImage *image = NULL;
  GstClockTime fade_start = GST_CLOCK_TIME_NONE;

  GST_OBJECT_LOCK (src);
  transition = src->transition_duration;
  GST_OBJECT_UNLOCK (src);
  maybe_request (src, pts);
  placeholder = placeholder_frame (src);

  g_mutex_lock (&src->lock);
  if (src->upcoming_frame != NULL && pts >= src->upcoming_show_at) {
    if (src->upcoming_seq > src->shown_seq)
      show_locked (src, g_steal_pointer (&src->upcoming_frame),
          &src->upcoming_info, src->upcoming_image, src->upcoming_seq,
          transition);
    gst_clear_buffer (&src->upcoming_frame);
    g_clear_pointer (&src->upcoming_image, gst_imagegen_image_unref);
  }
  if (src->fade_from_placeholder) {
    src->fade_from_placeholder = FALSE;
    gst_buffer_replace (&src->fade_from, placeholder);
    src->fade_start = GST_CLOCK_TIME_NONE;
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
    return placeholder;
  gst_buffer_unref (placeholder);
  if (from == NULL || gst_buffer_get_size (from) != gst_buffer_get_size
      (frame)) {
    gst_clear_buffer (&from);
    return frame;
  }
  /* a frame shows the mix at its end, so the last one is all new */
  pixels = gst_imagegen_blend (from, frame, &src->out_info,
      (gdouble) (pts + gst_imagegen_src_frame_time (src, 1) - fade_start) /
      transition);
  gst_buffer_unref (from);
  gst_buffer_unref (frame);
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
