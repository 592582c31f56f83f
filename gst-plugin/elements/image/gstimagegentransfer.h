/* gst-imagegen: moving RGB pixels between transfer functions (SDR, HDR,
 * linear), which GstVideoConverter leaves alone by default.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* TRUE when pixels of @in_info must change to look the same in @out_info:
 * one of them is HDR (PQ or HLG) or linear and the other is not of the
 * same kind.  The SDR curves (BT.709, BT.601, BT.2020, sRGB, the gammas)
 * count as one: players show their code values as they are. */
gboolean gst_imagegen_transfer_differs (const GstVideoInfo * in_info,
    const GstVideoInfo * out_info);

/* TRUE when gst_imagegen_transfer_apply() can work on frames of @info:
 * RGB with 8 or 16 bits a component, one component a byte (or a word). */
gboolean gst_imagegen_transfer_can_apply (const GstVideoInfo * info);

/* Rewrites the R, G and B components of @frame, coded in @from's
 * transfer, into @frame's own transfer, in place.  HDR to SDR puts the
 * reference white (203 cd/m², BT.2408) at SDR white and rolls off what is
 * brighter; SDR to HDR puts SDR white at the reference white. */
void gst_imagegen_transfer_apply (GstVideoFrame * frame,
    GstVideoTransferFunction from);

G_END_DECLS
