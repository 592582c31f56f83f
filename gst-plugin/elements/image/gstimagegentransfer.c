/* gst-imagegen: moving RGB pixels between transfer functions.
 *
 * What is uploaded must look like what the viewer sees, and a result must
 * look right in the output's colorimetry.  GstVideoConverter converts
 * range, matrix and format, but (with its default gamma mode) keeps code
 * values across transfer functions: a PQ frame would reach the service as
 * a dark, flat picture.  Code values are mapped through a table per
 * (from, to) kind instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegentransfer.h"

#include <math.h>

typedef enum
{
  KIND_SDR,
  KIND_LINEAR,
  KIND_PQ,
  KIND_HLG,
  N_KINDS
} TransferKind;

/* BT.2408: HDR reference white, and the knee above which HDR highlights
 * are rolled off into SDR's last steps */
#define REFERENCE_WHITE_NITS 203.0
#define PQ_PEAK_NITS 10000.0
#define HLG_REFERENCE_SIGNAL 0.75
#define KNEE 0.8

static TransferKind
kind_of (GstVideoTransferFunction transfer)
{
  switch (transfer) {
    case GST_VIDEO_TRANSFER_GAMMA10:
      return KIND_LINEAR;
    case GST_VIDEO_TRANSFER_SMPTE2084:
      return KIND_PQ;
    case GST_VIDEO_TRANSFER_ARIB_STD_B67:
      return KIND_HLG;
    default:
      return KIND_SDR;
  }
}

static gboolean
is_hdr (TransferKind kind)
{
  return kind == KIND_PQ || kind == KIND_HLG;
}

/* light relative to SDR white (1.0) */
static gdouble
to_light (TransferKind kind, gdouble code)
{
  switch (kind) {
    case KIND_LINEAR:
      return code;
    case KIND_PQ:
      return gst_video_transfer_function_decode (GST_VIDEO_TRANSFER_SMPTE2084,
          code) * PQ_PEAK_NITS / REFERENCE_WHITE_NITS;
    case KIND_HLG:
      return gst_video_transfer_function_decode
          (GST_VIDEO_TRANSFER_ARIB_STD_B67, code) /
          gst_video_transfer_function_decode (GST_VIDEO_TRANSFER_ARIB_STD_B67,
          HLG_REFERENCE_SIGNAL);
    default:
      return gst_video_transfer_function_decode (GST_VIDEO_TRANSFER_SRGB,
          code);
  }
}

static gdouble
roll_off (gdouble light)
{
  gdouble over;

  if (light <= KNEE)
    return light;
  over = (light - KNEE) / (1.0 - KNEE);
  return KNEE + (1.0 - KNEE) * over / (1.0 + over);
}

static gdouble
to_code (TransferKind kind, gdouble light)
{
  switch (kind) {
    case KIND_LINEAR:
      return light;
    case KIND_PQ:
      return gst_video_transfer_function_encode (GST_VIDEO_TRANSFER_SMPTE2084,
          MIN (1.0, light * REFERENCE_WHITE_NITS / PQ_PEAK_NITS));
    case KIND_HLG:
      return gst_video_transfer_function_encode
          (GST_VIDEO_TRANSFER_ARIB_STD_B67, MIN (1.0, light *
              gst_video_transfer_function_decode
              (GST_VIDEO_TRANSFER_ARIB_STD_B67, HLG_REFERENCE_SIGNAL)));
    default:
      return gst_video_transfer_function_encode (GST_VIDEO_TRANSFER_SRGB,
          light);
  }
}

/* one table per (from, to, depth), built once: 256 or 65536 entries */
static guint16 *tables[N_KINDS][N_KINDS][2];
static GMutex tables_lock;

static const guint16 *
table_for (TransferKind from, TransferKind to, gboolean deep)
{
  guint16 *table;

  g_mutex_lock (&tables_lock);
  table = tables[from][to][deep];
  if (table == NULL) {
    guint max = deep ? 65535 : 255, i;

    table = g_new (guint16, max + 1);
    for (i = 0; i <= max; i++) {
      gdouble light = to_light (from, (gdouble) i / max);

      if (is_hdr (from) && !is_hdr (to))
        light = roll_off (light);
      table[i] = (guint16) lround (CLAMP (to_code (to, light), 0.0, 1.0) *
          max);
    }
    tables[from][to][deep] = table;
  }
  g_mutex_unlock (&tables_lock);
  return table;
}

gboolean
gst_imagegen_transfer_differs (const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  return kind_of (in_info->colorimetry.transfer) !=
      kind_of (out_info->colorimetry.transfer);
}

gboolean
gst_imagegen_transfer_can_apply (const GstVideoInfo * info)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint c;

  gboolean native = GST_VIDEO_FORMAT_INFO_IS_LE (finfo) ==
      (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  guint depth = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0);

  if (!GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) || (depth != 8 && depth != 16)
      || (depth == 16 && !native) || GST_VIDEO_FORMAT_INFO_BITS (finfo) != depth)
    return FALSE;
  for (c = 0; c < 3; c++)
    if (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) != depth
        || GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c) != 0)
      return FALSE;
  return TRUE;
}

void
gst_imagegen_transfer_apply (GstVideoFrame * frame,
    GstVideoTransferFunction from)
{
  gboolean deep = GST_VIDEO_FRAME_COMP_DEPTH (frame, 0) == 16;
  const guint16 *table = table_for (kind_of (from),
      kind_of (GST_VIDEO_INFO_COLORIMETRY (&frame->info).transfer), deep);
  guint c;

  for (c = 0; c < 3; c++) {
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
    gint width = GST_VIDEO_FRAME_COMP_WIDTH (frame, c);
    gint height = GST_VIDEO_FRAME_COMP_HEIGHT (frame, c);
    gint x, y;

    for (y = 0; y < height; y++) {
      guint8 *p = data + (gsize) y * stride;

      for (x = 0; x < width; x++, p += pstride) {
        if (deep)
          *(guint16 *) p = table[*(guint16 *) p];
        else
          *p = (guint8) table[*p];
      }
    }
  }
}
