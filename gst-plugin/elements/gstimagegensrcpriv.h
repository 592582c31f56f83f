/* gst-imagegen: imagegensrc's parts, shared by its files.
 *
 *   gstimagegensrc.c       properties, caps, start and stop, queries
 *   gstimagegensrcstill.c  not live: num-images images, then EOS
 *   gstimagegensrclive.c   live: a steady stream showing the newest image
 *   gstimagegensrctext.c   imagegentextsrc: prompts from a text stream
 *   gstimagegensrccutout.c background=transparent: the second task
 *
 * Locks, in the order they may be taken: the pad's stream lock, then
 * src->lock, then GST_OBJECT_LOCK (short property reads only), then the
 * engine's lock.  No bus message is posted with src->lock held, and
 * requests go to the engine without it (its guard may post a warning).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gstimagegensrc.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_imagegen_src_debug);

typedef struct
{
  GstImagegenSrc *src;
  guint index;                  /* not live: position in the output */
  guint seq;                    /* live: request number, newest wins */
  GstClockTime show_at;         /* live: not shown before, NONE: at once */
  gboolean cutout;              /* the background-removal task's */
} SrcJob;

/* A request with the current properties; @tag goes to @done. */
GstImagegenSubmitResult gst_imagegen_src_submit (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint index, guint seq);
/* The same with @prompt (NULL: the property's) and a time to show at. */
GstImagegenSubmitResult gst_imagegen_src_submit_prompt (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint seq, const gchar * prompt,
    GstClockTime show_at);

GstClockTime gst_imagegen_src_frame_time (GstImagegenSrc * src, guint64 n);

/* gstimagegensrcstill.c */
void gst_imagegen_src_still_submit_jobs (GstImagegenSrc * src);
GstFlowReturn gst_imagegen_src_still_create (GstImagegenSrc * src,
    GstBuffer ** outbuf);

/* gstimagegensrclive.c */
void gst_imagegen_src_live_request (GstImagegenSrc * src);
GstFlowReturn gst_imagegen_src_live_create (GstImagegenSrc * src,
    GstBuffer ** outbuf);

/* gstimagegensrccutout.c: with background=transparent, @image (the
 * generated one) goes on to a background-removal task whose result comes
 * to @done with a copy of @job; TRUE when it did (the image is not shown) */
gboolean gst_imagegen_src_cutout (GstImagegenSrc * src, SrcJob * job,
    GstImagegenImage * image, GstImagegenEngineDoneFunc done);
/* @caps (taken) less the raw formats without alpha, when transparent */
GstCaps *gst_imagegen_src_cutout_caps (GstImagegenSrc * src, GstCaps * caps);

/* gstimagegensrctext.c, for imagegentextsrc (src->text set); each is a
 * no-op on a plain imagegensrc */
/* checks at start (the text pad needs is-live); posts the error */
gboolean gst_imagegen_src_text_start (GstImagegenSrc * src);
void gst_imagegen_src_text_stop (GstImagegenSrc * src);
/* streaming thread, live: a text due at @pts becomes the pending wish;
 * TRUE when a request should go now */
gboolean gst_imagegen_src_text_due (GstImagegenSrc * src, GstClockTime pts);

G_END_DECLS
