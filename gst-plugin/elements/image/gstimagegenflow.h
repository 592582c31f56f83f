/* gst-imagegen: motion between frames — dense optical flow on small grey
 * frames and results carried along it.  Every OpenCV call is in
 * gstimagegenflow.cpp behind this C interface; a plugin built without the
 * motion feature links gstimagegenflownone.c instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Flow from one frame to a key frame, and how well the key frame's pixels,
 * carried along it, match the frame (0..1 a pixel). */
typedef struct _GstImagegenFlowField GstImagegenFlowField;
/* The optical flow engine: one thread at a time. */
typedef struct _GstImagegenFlow GstImagegenFlow;

/* TRUE when the plugin was built with the motion feature. */
gboolean gst_imagegen_flow_available (void);

/* flow runs at most this wide: DIS at 480x270 follows pans and zooms of
 * tens of pixels a frame in a few milliseconds */
#define GST_IMAGEGEN_FLOW_WIDTH 480

/* The size flow runs at for a @width x @height frame: about 480 pixels
 * wide, shape kept, never larger than the frame. */
static inline void
gst_imagegen_flow_size (gint width, gint height, gint * flow_width,
    gint * flow_height)
{
  *flow_width = MIN (width, GST_IMAGEGEN_FLOW_WIDTH);
  *flow_height = MAX (1, (gint) ((gint64) height * *flow_width / MAX (1,
              width)));
}

GstImagegenFlow *gst_imagegen_flow_new (void);
void gst_imagegen_flow_free (GstImagegenFlow * flow);

/* Flow from @frame to @key, both GRAY8 of @width x @height packed rows,
 * started from @warm (a field to the same key from a frame before; NULL
 * or another size: from zero).  @fast: DIS's FAST preset, else MEDIUM.
 * NULL with @error set when OpenCV fails. */
GstImagegenFlowField *gst_imagegen_flow_compute (GstImagegenFlow * flow,
    const guint8 * frame, const guint8 * key, gint width, gint height,
    const GstImagegenFlowField * warm, gboolean fast, GError ** error);
void gst_imagegen_flow_field_free (GstImagegenFlowField * field);
/* A start for a flow to another key: @field's flow times @factor (motion
 * at a constant speed), no match; NULL when it fails. */
GstImagegenFlowField *gst_imagegen_flow_field_scaled (const
    GstImagegenFlowField * field, gdouble factor);

/* Writes into @out (RGBA, @width x @height, @stride bytes a row) the RGBA
 * picture @a carried along @fa and, when @b is not NULL, blended per pixel
 * with @b carried along @fb: each weighted by its match and by @t, the
 * frame's place between the two keys (0: at @a's, 1: at @b's).  @a and
 * @b have @out's size and stride. */
gboolean gst_imagegen_flow_render (GstImagegenFlow * flow,
    const GstImagegenFlowField * fa,
    const guint8 * a, const GstImagegenFlowField * fb, const guint8 * b,
    gdouble t, guint8 * out, gint width, gint height, gint stride,
    GError ** error);

/* The mean absolute difference (grey levels, 0..255) between @frame and
 * @key carried onto it along @field (from gst_imagegen_flow_compute() of
 * @frame to @key), both GRAY8 of the field's size, over the pixels that
 * come from inside @key: how much a picture changes beyond its motion.
 * -1 when it cannot be measured. */
gdouble gst_imagegen_flow_carried_difference (GstImagegenFlow * flow,
    const GstImagegenFlowField * field, const guint8 * key,
    const guint8 * frame);

G_END_DECLS
