/* gst-imagegen: imagegensrc, text to image.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>
#include "gstimagegensettings.h"
#include "gstimagegenimage.h"
#include "gstimagegenengine.h"

G_BEGIN_DECLS

#define GST_TYPE_IMAGEGEN_SRC (gst_imagegen_src_get_type ())
G_DECLARE_FINAL_TYPE (GstImagegenSrc, gst_imagegen_src, GST, IMAGEGEN_SRC,
    GstPushSrc)

struct _GstImagegenSrc
{
  GstPushSrc parent;

  /* properties, under the object lock */
  GstImagegenSettings settings;
  guint num_images;
  gboolean is_live;
  GstClockTime regenerate_interval;
  GstClockTime transition_duration;
  gboolean black_placeholder;

  GstImagegenEngine engine;
  gint generate_requested;      /* atomic: prompt change or "generate" */

  /* shared with the workers, under lock */
  GMutex lock;
  GCond cond;
  gboolean flushing;

  /* not live, under lock */
  guint n_images;               /* num-images, less what the guard refused */
  guint submitted;              /* requests handed to the engine */
  guint next_out;               /* index of the next image to push */
  GHashTable *ready;            /* index -> GstImagegenImage */

  /* live, under lock: the newest request's image wins */
  guint request_seq;            /* last request started */
  guint shown_seq;              /* request whose image shows */
  gboolean generate_pending;    /* a request waits for a free slot */
  GstImagegenImage *live_image;
  GstBuffer *live_frame;        /* live_image placed into live_info */
  GstVideoInfo live_info;
  GstBuffer *fade_from;         /* the frame faded out, during a transition */
  GstClockTime fade_start;      /* its first frame's PTS, NONE: next frame */
  gboolean fade_from_placeholder;       /* the first image fades in */
  GstClockTime last_request_pts;

  /* streaming thread only (out_info and out_raw also read by workers,
   * under lock) */
  GstImagegenImage *negotiated_for;
  gboolean out_raw;
  const gchar *out_media_type;  /* "image/png" or "image/jpeg", not raw */
  GstVideoInfo out_info;
  GstClockTime timestamp_offset;
  guint64 n_frames;
  GstBuffer *placeholder;
};

GST_ELEMENT_REGISTER_DECLARE (imagegensrc);

G_END_DECLS
