/* gst-imagegen: imagegensrc's requests — one with the current properties
 * handed to the engine — and the frame clock; its modes (still, live) call
 * these, and they call no mode.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensrcpriv.h"
#include "imagegen-models.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

GstClockTime
gst_imagegen_src_frame_time (GstImagegenSrc * src, guint64 n)
{
  gint fps_n = GST_VIDEO_INFO_FPS_N (&src->out_info);
  gint fps_d = GST_VIDEO_INFO_FPS_D (&src->out_info);

  return gst_util_uint64_scale (n, fps_d * GST_SECOND, fps_n);
}

static GstImagegenSubmitResult
submit (GstImagegenSrc * src, GstImagegenEngineDoneFunc done, guint index,
    guint seq, const gchar * prompt, GstClockTime show_at)
{
  ImagegenRequest *request;
  SrcJob *job;
  guint max, width, height;

  gst_imagegen_src_requested_size (src, &width, &height);
  GST_OBJECT_LOCK (src);
  request = gst_imagegen_settings_new_request (&src->settings,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);
  max = src->settings.client.max_in_flight;
  GST_OBJECT_UNLOCK (src);
  request->width = width;
  request->height = height;
  if (src->asked_format != NULL)
    imagegen_models_ask_output_format (request, src->asked_format);
  if (prompt != NULL) {
    g_free (request->prompt);
    request->prompt = g_strdup (prompt);
  }

  job = g_new0 (SrcJob, 1);
  job->src = src;
  job->index = index;
  job->seq = seq;
  job->show_at = show_at;
  GST_DEBUG_OBJECT (src, "requesting image %u (request %u)", index, seq);
  return gst_imagegen_engine_submit (&src->engine, max, request, NULL, done,
      job, g_free);
}

GstImagegenSubmitResult
gst_imagegen_src_submit (GstImagegenSrc * src, GstImagegenEngineDoneFunc done,
    guint index, guint seq)
{
  return submit (src, done, index, seq, NULL, GST_CLOCK_TIME_NONE);
}

GstImagegenSubmitResult
gst_imagegen_src_submit_prompt (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint seq, const gchar * prompt,
    GstClockTime show_at)
{
  return submit (src, done, 0, seq, prompt, show_at);
}
