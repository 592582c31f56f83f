/* gst-imagegen: imagegensrc background=transparent — each generated image
 * goes on to a background-removal task (RunAPI recraft/remove_background,
 * model recraft-remove-background) and the cut-out, with real alpha, is
 * what shows.  Two paid tasks per image: the spending guard admits each,
 * and each posts its own task messages and counts in the stats.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegensrcpriv.h"
#include "imagegen-models.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define ALPHA_FORMATS "{ RGBA, BGRA, ARGB, ABGR, AYUV }"

static gboolean
is_transparent (GstImagegenSrc * src)
{
  gboolean transparent;

  GST_OBJECT_LOCK (src);
  transparent = src->background == GST_IMAGEGEN_SRC_BACKGROUND_TRANSPARENT;
  GST_OBJECT_UNLOCK (src);
  return transparent;
}

gboolean
gst_imagegen_src_cutout (GstImagegenSrc * src, SrcJob * job,
    GstImagegenImage * image, GstImagegenEngineDoneFunc done)
{
  ImagegenRequest *request;
  SrcJob *cutout;

  if (job->cutout || image->error != NULL || !is_transparent (src))
    return FALSE;
  if (image->result->image_url == NULL) {
    GST_ELEMENT_WARNING (src, STREAM, FAILED,
        ("The service gave no URL for task %s's image: its background "
            "cannot be removed.", GST_STR_NULL (image->result->task_id)),
        (NULL));
    return TRUE;
  }
  request = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX,
      IMAGEGEN_MODEL_REMOVE_BACKGROUND, NULL);
  imagegen_request_add_source_url (request, image->result->image_url);
  cutout = g_memdup2 (job, sizeof (SrcJob));
  cutout->cutout = TRUE;
  GST_DEBUG_OBJECT (src, "removing the background of task %s's image",
      image->result->task_id);
  /* it goes on with the generation's request slot: no limit of its own;
   * the guard still admits it (or warns and the image is dropped) */
  gst_imagegen_engine_submit (&src->engine, 0, request, NULL, done, cutout,
      g_free);
  return TRUE;
}

GstCaps *
gst_imagegen_src_cutout_caps (GstImagegenSrc * src, GstCaps * caps)
{
  GstCaps *alpha, *result;

  if (!is_transparent (src))
    return caps;
  /* raw video only in formats that carry the alpha; encoded stays (PNG
   * keeps alpha) */
  alpha = gst_caps_from_string ("video/x-raw, format = (string) "
      ALPHA_FORMATS "; image/png");
  result = gst_caps_intersect_full (caps, alpha, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (alpha);
  gst_caps_unref (caps);
  return result;
}
