/* gst-imagegen: imagegensrc when not live — num-images images, each one
 * buffer, in order, then EOS.  Up to max-in-flight requests run ahead of
 * the image being pushed.
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

/* The @n-th image (from 1) of a request for several (output_count):
 * its own image, sharing the first's task facts; its cost is the first's
 * to count.  A request that failed, or brought fewer, fails it too. */
static GstImagegenImage *
further_image (GstImagegenImage * first, guint n, guint asked,
    guint64 max_pixels)
{
  const ImagegenResult *r = first->result;
  ImagegenResult *copy = g_new0 (ImagegenResult, 1);
  GPtrArray *more = r->more_images;

  copy->task_id = g_strdup (r->task_id);
  copy->model = g_strdup (r->model);
  copy->submitted_us = r->submitted_us;
  copy->started_us = r->started_us;
  copy->created_us = r->created_us;
  copy->completed_us = r->completed_us;
  copy->downloaded_us = r->downloaded_us;
  copy->cost_nanocents = 0;
  if (first->error != NULL)
    copy->error = g_error_copy (first->error);
  else if (more == NULL || n > more->len)
    copy->error = g_error_new (IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_PROTOCOL, "The service returned %u image(s) "
        "where output_count asked %u.", more ? more->len + 1 : 1, asked);
  else
    copy->image = g_bytes_ref (g_ptr_array_index (more, n - 1));
  return gst_imagegen_image_new_from_result (copy, max_pixels,
      first->raw != NULL);
}

/* worker: the images of the request at @index are in (or failed);
 * create() takes them in order */
static void
still_image_done (GstImagegenEngine * engine, gpointer tag,
    GstImagegenImage * image)
{
  SrcJob *job = tag;
  GstImagegenSrc *src = job->src;
  GPtrArray *images = g_ptr_array_new ();
  guint64 max_pixels;
  guint i, count;

  if (gst_imagegen_src_cutout (src, job, image, still_image_done))
    return;
  GST_DEBUG_OBJECT (src, "image %u ready after %" G_GINT64_FORMAT " ms%s",
      job->index, (image->decoded_us - image->result->submitted_us) / 1000,
      image->error ? " (failed)" : "");
  GST_OBJECT_LOCK (src);
  max_pixels = src->settings.max_pixels;
  GST_OBJECT_UNLOCK (src);
  g_mutex_lock (&src->lock);
  count = MIN (src->per_request, src->n_images - MIN (job->index,
          src->n_images));
  g_mutex_unlock (&src->lock);

  /* decoding happens here, on the worker, without the lock */
  g_ptr_array_add (images, gst_imagegen_image_ref (image));
  for (i = 1; i < count; i++)
    g_ptr_array_add (images, further_image (image, i, src->per_request,
            max_pixels));

  g_mutex_lock (&src->lock);
  for (i = 0; i < images->len; i++)
    g_hash_table_insert (src->ready, GUINT_TO_POINTER (job->index + i),
        g_ptr_array_index (images, i));
  g_cond_broadcast (&src->cond);
  g_mutex_unlock (&src->lock);
  g_ptr_array_unref (images);
}

/* Keeps up to max-in-flight images requested ahead of the one pushed.  A
 * refusal of the spending guard ends the stream early; num-images stays
 * what the user set. */
void
gst_imagegen_src_still_submit_jobs (GstImagegenSrc * src)
{
  while (TRUE) {
    GstImagegenSubmitResult verdict;
    guint index, ahead, count;

    GST_OBJECT_LOCK (src);
    ahead = src->settings.client.max_in_flight;
    GST_OBJECT_UNLOCK (src);
    g_mutex_lock (&src->lock);
    /* images waiting to be pushed count too: they bound the memory held */
    if (src->submitted >= src->n_images
        || src->submitted - src->next_out >= ahead) {
      g_mutex_unlock (&src->lock);
      return;
    }
    /* one request brings output_count images, counted in num-images */
    index = src->submitted;
    count = MIN (src->per_request, src->n_images - index);
    src->submitted += count;
    g_mutex_unlock (&src->lock);

    verdict = gst_imagegen_src_submit (src, still_image_done, index, 0);
    if (verdict == GST_IMAGEGEN_SUBMIT_SENT)
      continue;
    g_mutex_lock (&src->lock);
    src->submitted = index;
    if (verdict == GST_IMAGEGEN_SUBMIT_REFUSED)
      src->n_images = src->submitted;
    g_cond_broadcast (&src->cond);
    g_mutex_unlock (&src->lock);
    return;
  }
}

static GstImagegenImage *
wait_for_image (GstImagegenSrc * src, GstFlowReturn * ret)
{
  GstImagegenImage *image = NULL;
  gpointer key = GUINT_TO_POINTER (src->next_out);

  *ret = GST_FLOW_OK;
  while (TRUE) {
    gboolean more;

    /* requests free their slots as they finish: refill first */
    gst_imagegen_src_still_submit_jobs (src);
    g_mutex_lock (&src->lock);
    if (src->flushing)
      *ret = GST_FLOW_FLUSHING;
    else if (g_hash_table_steal_extended (src->ready, key, NULL,
            (gpointer *) & image))
      ;
    else if (src->next_out >= src->n_images)
      *ret = GST_FLOW_EOS;
    else
      g_cond_wait (&src->cond, &src->lock);
    more = *ret == GST_FLOW_OK && image == NULL;
    g_mutex_unlock (&src->lock);
    if (!more)
      return image;
  }
}

/* Decoding was skipped while downstream took encoded bytes. */
static gboolean
ensure_decoded (GstImagegenSrc * src, GstImagegenImage * image)
{
  guint64 max_pixels;

  GST_OBJECT_LOCK (src);
  max_pixels = src->settings.max_pixels;
  GST_OBJECT_UNLOCK (src);
  if (image->raw == NULL && image->error == NULL)
    image->raw = gst_imagegen_decode (image->result->image, max_pixels,
        &image->raw_info, &image->error);
  return image->raw != NULL;
}

static void
set_timestamps (GstImagegenSrc * src, GstBuffer * buffer, guint index)
{
  if (src->out_raw && GST_VIDEO_INFO_FPS_N (&src->out_info) > 0) {
    GST_BUFFER_PTS (buffer) = gst_imagegen_src_frame_time (src, index);
    GST_BUFFER_DURATION (buffer) = gst_imagegen_src_frame_time (src,
        index + 1) - GST_BUFFER_PTS (buffer);
  } else {
    /* framerate 0/1 or encoded: each image lasts image-duration */
    GstClockTime duration;

    GST_OBJECT_LOCK (src);
    duration = src->image_duration;
    GST_OBJECT_UNLOCK (src);
    /* saturates: num-images x image-duration may pass 2^64 ns */
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (index, duration, 1);
    GST_BUFFER_DURATION (buffer) = duration;
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

static GstBuffer *
raw_frame (GstImagegenSrc * src, GstImagegenImage * image)
{
  GstImagegenScaleMode scale_mode;
  GstBuffer *buffer;

  if (!ensure_decoded (src, image)) {
    gst_imagegen_post_error (GST_ELEMENT (src), image->error,
        "Image decoding", FALSE);
    return NULL;
  }
  GST_OBJECT_LOCK (src);
  scale_mode = src->settings.scale_mode;
  GST_OBJECT_UNLOCK (src);
  buffer = gst_imagegen_scale (image->raw, &image->raw_info, &src->out_info,
      scale_mode);
  if (buffer == NULL)
    GST_ELEMENT_ERROR (src, CORE, NEGOTIATION,
        ("Cannot convert the %s image to %s.",
            gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
                (&image->raw_info)),
            gst_video_format_to_string (GST_VIDEO_INFO_FORMAT
                (&src->out_info))), (NULL));
  return buffer;
}

/* The image as downstream's encoded type: its own bytes, or, when the
 * service answered the other type, decoded and encoded again (the models
 * choose their format, and a pipeline asking for the other must not fail
 * over it). */
static GstBuffer *
encoded_frame (GstImagegenSrc * src, GstImagegenImage * image)
{
  GstSample *sample, *converted;
  GstCaps *raw_caps, *out_caps;
  GstBuffer *buffer = NULL, *pixels;
  GstVideoInfo pixels_info;
  GError *error = NULL;

  if (g_str_equal (src->out_media_type, image->header.media_type))
    return gst_buffer_new_wrapped_bytes (image->result->image);
  if (!ensure_decoded (src, image)) {
    gst_imagegen_post_error (GST_ELEMENT (src), image->error,
        "Image decoding", FALSE);
    return NULL;
  }
  GST_DEBUG_OBJECT (src, "transcoding %s to %s", image->header.media_type,
      src->out_media_type);
  /* Full-range RGB in: left to pick, videoconvert would hand jpegenc
   * limited-range I420, which it encodes as full range (JFIF). */
  gst_video_info_set_format (&pixels_info,
      g_str_equal (src->out_media_type, "image/jpeg") ? GST_VIDEO_FORMAT_RGBx
      : GST_VIDEO_FORMAT_RGBA, GST_VIDEO_INFO_WIDTH (&image->raw_info),
      GST_VIDEO_INFO_HEIGHT (&image->raw_info));
  pixels = gst_imagegen_scale_fast (image->raw, &image->raw_info,
      &pixels_info);
  if (pixels == NULL) {
    GST_ELEMENT_ERROR (src, STREAM, ENCODE, ("Cannot convert the %s image "
            "for encoding as %s.", image->header.media_type,
            src->out_media_type), (NULL));
    return NULL;
  }
  raw_caps = gst_video_info_to_caps (&pixels_info);
  out_caps = gst_caps_new_empty_simple (src->out_media_type);
  sample = gst_sample_new (pixels, raw_caps, NULL, NULL);
  gst_buffer_unref (pixels);
  converted = gst_video_convert_sample (sample, out_caps,
      GST_CLOCK_TIME_NONE, &error);
  if (converted != NULL)
    buffer = gst_buffer_ref (gst_sample_get_buffer (converted));
  else
    GST_ELEMENT_ERROR (src, STREAM, ENCODE,
        ("Cannot encode the %s image as %s: %s", image->header.media_type,
            src->out_media_type, error ? error->message : "no encoder"),
        (NULL));
  g_clear_error (&error);
  if (converted != NULL)
    gst_sample_unref (converted);
  gst_sample_unref (sample);
  gst_caps_unref (out_caps);
  gst_caps_unref (raw_caps);
  return buffer;
}

GstFlowReturn
gst_imagegen_src_still_create (GstImagegenSrc * src, GstBuffer ** outbuf)
{
  GstImagegenImage *image;
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

  if (src->out_raw)
    buffer = raw_frame (src, image);
  else
    buffer = encoded_frame (src, image);
  if (buffer == NULL) {
    ret = image->error ? GST_FLOW_ERROR : GST_FLOW_NOT_NEGOTIATED;
    gst_imagegen_image_unref (image);
    return ret;
  }

  set_timestamps (src, buffer, src->next_out);
  GST_DEBUG_OBJECT (src, "pushing image %u (task %s, %u polls)",
      src->next_out, image->result->task_id, image->result->polls);
  gst_imagegen_image_unref (image);

  g_mutex_lock (&src->lock);
  src->next_out++;
  g_mutex_unlock (&src->lock);
  gst_imagegen_src_still_submit_jobs (src);

  *outbuf = buffer;
  return GST_FLOW_OK;
}
