/* gst-imagegen: imagegensrc, text to image.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>
#include "gstimagegensettings.h"
#include "gstimagegenimage.h"

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

  /* shared with the client and decode threads, under lock */
  GMutex lock;
  GCond cond;
  ImagegenClient *client;
  GCancellable *cancellable;    /* cancels every job of this run */
  GThreadPool *decode_pool;
  guint64 max_pixels;           /* copied at start for the workers */
  gboolean decode;              /* FALSE once downstream took encoded bytes */
  guint run;                    /* bumped by stop(): older jobs are stale */
  guint submitted;              /* jobs handed to the client */
  guint next_out;               /* index of the next image to push */
  GHashTable *ready;            /* index -> GstImagegenImage */
  gboolean flushing;

  /* streaming thread only */
  GstImagegenImage *negotiated_for;
  gboolean out_raw;
  GstVideoInfo out_info;
};

GST_ELEMENT_REGISTER_DECLARE (imagegensrc);

G_END_DECLS
