/* gst-imagegen: imagegensrc's parts, shared by its files.
 *
 *   gstimagegensrc.c         properties, start and stop, queries; calls the
 *                            modes, which call no part above them by name
 *   gstimagegensrcrequest.c  a request with the current properties, the
 *                            frame clock
 *   gstimagegensrccaps.c     caps, and the exact size asked of models
 *   gstimagegensrcstill.c    not live: num-images images, then EOS
 *   gstimagegensrclive.c     live: a steady stream showing the newest image
 *   gstimagegensrctext.c     imagegentextsrc: prompts from a text stream
 *                            (the subclass: overrides the prompt methods)
 *   gstimagegensrccutout.c   background=transparent: the second task
 *   gstimagegensrctypes.c    the background enumeration, the debug category
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

/* gstimagegensrcrequest.c: a request with the current properties; @tag
 * goes to @done. */
GstImagegenSubmitResult gst_imagegen_src_submit (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint index, guint seq);
/* The same with @prompt (NULL: the property's) and a time to show at. */
GstImagegenSubmitResult gst_imagegen_src_submit_prompt (GstImagegenSrc * src,
    GstImagegenEngineDoneFunc done, guint seq, const gchar * prompt,
    GstClockTime show_at);

GstClockTime gst_imagegen_src_frame_time (GstImagegenSrc * src, guint64 n);

/* gstimagegensrccaps.c */
/* The is-live property, under the object lock */
gboolean gst_imagegen_src_is_live (GstImagegenSrc * src);
GstCaps *gst_imagegen_src_get_caps (GstBaseSrc * basesrc, GstCaps * filter);
gboolean gst_imagegen_src_negotiate (GstBaseSrc * basesrc);
GstCaps *gst_imagegen_src_fixate (GstBaseSrc * basesrc, GstCaps * caps);
/* The exact size asked of models that take one (Black Forest Labs): the
 * raw size negotiated, or before that the one downstream's caps will
 * settle on, made a size the provider takes (640x360 asks 656x368, as
 * imagegenremix asks for such a frame). */
void gst_imagegen_src_requested_size (GstImagegenSrc * src, guint * width,
    guint * height);
/* "png" or "jpeg" when downstream takes that encoded type and no raw
 * video: a model that has output_format is asked for it, so the bytes pass
 * untouched (others' results are transcoded); NULL otherwise. */
const gchar *gst_imagegen_src_downstream_encoded_format (GstImagegenSrc *
    src);

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

G_END_DECLS
