/* gst-imagegen: encoding picked frames as JPEG with the system's jpegenc,
 * after scaling them down with GstVideoConverter so uploads stay small.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenencode.h"
#include "gstimagegenscale.h"
#include "gstimagegentransfer.h"
#include "gstimagegendecode.h"

#include <math.h>
#include <string.h>

void
gst_imagegen_encode_size (const GstVideoInfo * info, guint max_long_side,
    gint * width, gint * height)
{
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint par_n = GST_VIDEO_INFO_PAR_N (info), par_d = GST_VIDEO_INFO_PAR_D (info);
  gint long_side;

  /* the picture's display shape, in square pixels: 1440x1080 of 4:3 pixels
   * is a 1920x1080 (16:9) picture, and the service must see it so */
  if (par_n > 0 && par_d > 0 && par_n != par_d) {
    if (par_n > par_d)
      w = (gint) MIN (G_MAXINT / 2, gst_util_uint64_scale_round (w, par_n,
              par_d));
    else
      h = (gint) MIN (G_MAXINT / 2, gst_util_uint64_scale_round (h, par_d,
              par_n));
  }
  long_side = MAX (w, h);

  if (max_long_side > 0 && (guint) long_side > max_long_side) {
    w = MAX (1, (gint) ((gint64) w * max_long_side / long_side));
    h = MAX (1, (gint) ((gint64) h * max_long_side / long_side));
  }
  /* I420 wants even sizes */
  *width = MAX (2, w & ~1);
  *height = MAX (2, h & ~1);
}

/* A jpegenc driven directly from the calling thread through two pads of
 * ours, no pipeline, no streaming thread: one per thread, kept for the
 * next frame (building and starting a pipeline per frame cost about as much
 * as encoding an upload-sized frame).  Freed when its thread ends. */
typedef struct
{
  GstElement *enc;
  GstPad *src;                  /* feeds enc's sink pad */
  GstPad *sink;                 /* receives enc's output */
  GstCaps *caps;
  guint quality;
  GstBuffer *result;
} Encoder;

static void
encoder_free (Encoder * e)
{
  if (e == NULL)
    return;
  gst_element_set_state (e->enc, GST_STATE_NULL);
  gst_pad_set_active (e->src, FALSE);
  gst_pad_set_active (e->sink, FALSE);
  gst_object_unref (e->enc);
  gst_object_unref (e->src);
  gst_object_unref (e->sink);
  gst_clear_caps (&e->caps);
  gst_clear_buffer (&e->result);
  g_free (e);
}

static GPrivate thread_encoder = G_PRIVATE_INIT ((GDestroyNotify) encoder_free);

static GstFlowReturn
encoder_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  Encoder *e = gst_pad_get_element_private (pad);

  gst_buffer_replace (&e->result, buffer);
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;
}

static gboolean
encoder_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  gst_event_unref (event);
  return TRUE;
}

/* takes whatever jpegenc produces, whatever the size */
static gboolean
encoder_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstCaps *filter;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_ACCEPT_CAPS:
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    case GST_QUERY_CAPS:
      gst_query_parse_caps (query, &filter);
      gst_query_set_caps_result (query, filter ? filter : GST_CAPS_ANY);
      return TRUE;
    default:
      return FALSE;
  }
}

static Encoder *
encoder_new (guint quality)
{
  Encoder *e;
  GstElement *enc = gst_element_factory_make ("jpegenc", NULL);
  GstPad *enc_sink, *enc_src;
  gboolean ok;

  if (enc == NULL)
    return NULL;
  e = g_new0 (Encoder, 1);
  e->enc = gst_object_ref_sink (enc);
  e->quality = quality;
  g_object_set (enc, "quality", quality, NULL);
  e->src = gst_object_ref_sink (gst_pad_new ("src", GST_PAD_SRC));
  e->sink = gst_object_ref_sink (gst_pad_new ("sink", GST_PAD_SINK));
  gst_pad_set_element_private (e->sink, e);
  gst_pad_set_chain_function (e->sink, encoder_chain);
  gst_pad_set_event_function (e->sink, encoder_event);
  gst_pad_set_query_function (e->sink, encoder_query);
  enc_sink = gst_element_get_static_pad (enc, "sink");
  enc_src = gst_element_get_static_pad (enc, "src");
  ok = gst_pad_link (e->src, enc_sink) == GST_PAD_LINK_OK
      && gst_pad_link (enc_src, e->sink) == GST_PAD_LINK_OK;
  gst_object_unref (enc_sink);
  gst_object_unref (enc_src);
  ok = ok && gst_pad_set_active (e->sink, TRUE)
      && gst_pad_set_active (e->src, TRUE)
      && gst_element_set_state (enc, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE
      && gst_pad_push_event (e->src,
      gst_event_new_stream_start ("imagegen-upload"));
  if (!ok) {
    encoder_free (e);
    return NULL;
  }
  return e;
}

/* Encodes @frame (of @caps); takes @frame.  NULL on failure. */
static GstBuffer *
encoder_encode (Encoder * e, GstCaps * caps, GstBuffer * frame)
{
  GstBuffer *jpeg;

  if (e->caps == NULL || !gst_caps_is_equal (e->caps, caps)) {
    GstSegment segment;
    gboolean first = e->caps == NULL;

    gst_caps_replace (&e->caps, caps);
    if (!gst_pad_push_event (e->src, gst_event_new_caps (caps))) {
      gst_buffer_unref (frame);
      return NULL;
    }
    gst_segment_init (&segment, GST_FORMAT_TIME);
    if (first && !gst_pad_push_event (e->src, gst_event_new_segment (&segment))) {
      gst_buffer_unref (frame);
      return NULL;
    }
  }
  /* frames of any stream go through here: no timestamps to compare */
  frame = gst_buffer_make_writable (frame);
  GST_BUFFER_PTS (frame) = GST_BUFFER_DTS (frame) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (frame) = GST_CLOCK_TIME_NONE;
  if (gst_pad_push (e->src, frame) != GST_FLOW_OK) {
    gst_clear_buffer (&e->result);
    return NULL;
  }
  jpeg = e->result;
  e->result = NULL;
  return jpeg;
}

/* A progressive picture of @frame, described in @out_info (a new
 * reference).  An interlaced frame (interleaved, or flagged in mixed
 * content) is replaced by its top field: its two fields are moments apart,
 * and both in one picture comb every moving edge; the scaler then doubles
 * its lines back to the frame's height.  NULL when @frame cannot be
 * mapped. */
static GstBuffer *
progressive_frame (GstBuffer * frame, const GstVideoInfo * info,
    GstVideoInfo * out_info)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  GstVideoFrame in, out;
  GstBuffer *field;
  guint p;

  *out_info = *info;
  GST_VIDEO_INFO_INTERLACE_MODE (out_info) =
      GST_VIDEO_INTERLACE_MODE_PROGRESSIVE;
  if (GST_VIDEO_INFO_INTERLACE_MODE (info) ==
      GST_VIDEO_INTERLACE_MODE_PROGRESSIVE
      || (GST_VIDEO_INFO_INTERLACE_MODE (info) ==
          GST_VIDEO_INTERLACE_MODE_MIXED
          && !GST_BUFFER_FLAG_IS_SET (frame, GST_VIDEO_BUFFER_FLAG_INTERLACED))
      || GST_VIDEO_FORMAT_INFO_IS_TILED (finfo)
      || GST_VIDEO_INFO_HEIGHT (info) < 2)
    return gst_buffer_ref (frame);      /* laid out as a progressive frame */

  gst_video_info_set_format (out_info, GST_VIDEO_INFO_FORMAT (info),
      GST_VIDEO_INFO_WIDTH (info), (GST_VIDEO_INFO_HEIGHT (info) + 1) / 2);
  out_info->colorimetry = info->colorimetry;
  out_info->chroma_site = info->chroma_site;
  GST_VIDEO_INFO_FPS_N (out_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (out_info) = GST_VIDEO_INFO_FPS_D (info);
  field = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out_info), NULL);
  if (!gst_video_frame_map (&in, info, frame, GST_MAP_READ)) {
    gst_buffer_unref (field);
    return NULL;
  }
  gst_video_frame_map (&out, out_info, field, GST_MAP_WRITE);
  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (&out); p++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gint in_stride = GST_VIDEO_FRAME_PLANE_STRIDE (&in, p);
    gint out_stride = GST_VIDEO_FRAME_PLANE_STRIDE (&out, p);
    gint rows, r;
    const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (&in, p);
    guint8 *dest = GST_VIDEO_FRAME_PLANE_DATA (&out, p);

    gst_video_format_info_component (finfo, p, comp);
    rows = GST_VIDEO_FRAME_COMP_HEIGHT (&out, comp[0]);
    for (r = 0; r < rows; r++)
      memcpy (dest + (gsize) r * out_stride, src + (gsize) 2 * r * in_stride,
          MIN (in_stride, out_stride));
  }
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  return field;
}

/* Fixed-point coefficients taking 8-bit YCbCr of one range and matrix to
 * JFIF's (full-range BT.601).  The map is linear on the offset-free
 * values; chroma out depends on chroma in alone (grey stays grey), luma
 * out on all three. */
typedef struct
{
  gint y_off_in, y_off_out;
  gint yy, yb, yr;              /* luma from luma, Cb, Cr */
  gint bb, br, rb, rr;          /* Cb and Cr from Cb and Cr */
} JfifMatrix;

#define JFIF_SHIFT 16

static gboolean
jfif_matrix (const GstVideoColorimetry * in, JfifMatrix * m)
{
  const GstVideoFormatInfo *finfo =
      gst_video_format_get_info (GST_VIDEO_FORMAT_I420);
  gdouble kr, kb, kr2, kb2, s_in[3], s_out[3], one = 1 << JFIF_SHIFT;
  gint off_in[4], scale_in[4], off_out[4], scale_out[4];
  gdouble col[3][3];
  guint c;

  if (!gst_video_color_matrix_get_Kr_Kb (in->matrix, &kr, &kb)
      || !gst_video_color_matrix_get_Kr_Kb (GST_VIDEO_COLOR_MATRIX_BT601,
          &kr2, &kb2))
    return FALSE;
  gst_video_color_range_offsets (in->range, finfo, off_in, scale_in);
  gst_video_color_range_offsets (GST_VIDEO_COLOR_RANGE_0_255, finfo, off_out,
      scale_out);
  /* the images of (y, pb, pr) = unit vectors, through R'G'B' */
  for (c = 0; c < 3; c++) {
    gdouble y = c == 0, pb = c == 1, pr = c == 2;
    gdouble r = y + 2 * (1 - kr) * pr, b = y + 2 * (1 - kb) * pb;
    gdouble g = (y - kr * r - kb * b) / (1 - kr - kb);
    gdouble y2 = kr2 * r + (1 - kr2 - kb2) * g + kb2 * b;

    col[c][0] = y2;
    col[c][1] = (b - y2) / (2 * (1 - kb2));
    col[c][2] = (r - y2) / (2 * (1 - kr2));
  }
  for (c = 0; c < 3; c++) {
    s_in[c] = scale_in[c];
    s_out[c] = scale_out[c];
  }
  m->y_off_in = off_in[0];
  m->y_off_out = off_out[0];
  m->yy = (gint) lround (one * col[0][0] * s_out[0] / s_in[0]);
  m->yb = (gint) lround (one * col[1][0] * s_out[0] / s_in[1]);
  m->yr = (gint) lround (one * col[2][0] * s_out[0] / s_in[2]);
  m->bb = (gint) lround (one * col[1][1] * s_out[1] / s_in[1]);
  m->br = (gint) lround (one * col[2][1] * s_out[1] / s_in[2]);
  m->rb = (gint) lround (one * col[1][2] * s_out[2] / s_in[1]);
  m->rr = (gint) lround (one * col[2][2] * s_out[2] / s_in[2]);
  return TRUE;
}

static inline guint8
clip_round (gint v)
{
  v = (v + (1 << (JFIF_SHIFT - 1))) >> JFIF_SHIFT;
  return (guint8) CLAMP (v, 0, 255);
}

/* 0..255 of a shifted value in [-CLIP_LOW, CLIP_SIZE - CLIP_LOW): a load
 * instead of two compares per luma sample */
#define CLIP_LOW 1024
#define CLIP_SIZE 3072

/* One luma row: @lc holds each 2-pixel pair's chroma term, @lut the luma
 * term plus rounding, @clip the clamp. */
static inline void
jfif_luma_row (guint8 * y, gint w, const gint * lut, const gint * lc,
    const guint8 * clip)
{
  gint x;

  for (x = 0; x + 1 < w; x += 2) {
    gint c = lc[x >> 1];

    y[x] = clip[(lut[y[x]] + c) >> JFIF_SHIFT];
    y[x + 1] = clip[(lut[y[x + 1]] + c) >> JFIF_SHIFT];
  }
  if (x < w)
    y[x] = clip[(lut[y[x]] + lc[x >> 1]) >> JFIF_SHIFT];
}

/* Rewrites an 8-bit I420 frame of another range or matrix as JFIF's planes,
 * in place: each luma sample takes the chroma of its 2x2 block. */
static void
i420_to_jfif (GstVideoFrame * f, const JfifMatrix * m)
{
  gint w = GST_VIDEO_FRAME_WIDTH (f), h = GST_VIDEO_FRAME_HEIGHT (f);
  gint cw = GST_VIDEO_FRAME_COMP_WIDTH (f, 1);
  gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (f, 1);
  gint ys = GST_VIDEO_FRAME_PLANE_STRIDE (f, 0);
  gint us = GST_VIDEO_FRAME_PLANE_STRIDE (f, 1);
  gint vs = GST_VIDEO_FRAME_PLANE_STRIDE (f, 2);
  guint8 *yp = GST_VIDEO_FRAME_PLANE_DATA (f, 0);
  guint8 *up = GST_VIDEO_FRAME_PLANE_DATA (f, 1);
  guint8 *vp = GST_VIDEO_FRAME_PLANE_DATA (f, 2);
  gint lut[256], *lc = g_new (gint, cw);
  guint8 clip[CLIP_SIZE];
  gint i, j;

  for (i = 0; i < CLIP_SIZE; i++)
    clip[i] = CLAMP (i - CLIP_LOW, 0, 255);
  /* CLIP_LOW in the luma term keeps the index non-negative: a right shift
   * of a negative value is implementation-defined */
  for (i = 0; i < 256; i++)
    lut[i] = m->yy * (i - m->y_off_in) + (m->y_off_out << JFIF_SHIFT)
        + (1 << (JFIF_SHIFT - 1)) + (CLIP_LOW << JFIF_SHIFT);
  for (j = 0; j < ch; j++) {
    guint8 *u = up + (gsize) j * us, *v = vp + (gsize) j * vs;

    for (i = 0; i < cw; i++) {
      gint cb = u[i] - 128, cr = v[i] - 128;

      lc[i] = m->yb * cb + m->yr * cr;
      u[i] = clip_round (m->bb * cb + m->br * cr + (128 << JFIF_SHIFT));
      v[i] = clip_round (m->rb * cb + m->rr * cr + (128 << JFIF_SHIFT));
    }
    jfif_luma_row (yp + (gsize) 2 * j * ys, w, lut, lc, clip);
    if (2 * j + 1 < h)
      jfif_luma_row (yp + (gsize) (2 * j + 1) * ys, w, lut, lc, clip);
  }
  g_free (lc);
}

/* @picture at @width x @height in a form jpegenc takes as it is, described
 * in @small_info.  What the service sees is what the viewer sees: JFIF's
 * planes are full-range BT.601.  8-bit I420 is scaled in its own format
 * (the converter's plane-scaling fast path) and its range and matrix then
 * rewritten here, a 3x3 multiply; other YUV goes to that I420 through RGB
 * (gstimagegenscale.c, where range and matrix are applied exactly), RGB
 * stays RGB (jpegenc converts it).  Handing jpegenc RGB for YUV frames
 * cost twice the instructions of jpegenc on the whole frame (callgrind,
 * docs/performance.md). */
static GstBuffer *
small_picture (GstBuffer * picture, const GstVideoInfo * picture_info,
    gint width, gint height, GstVideoInfo * small_info)
{
  GstVideoFormat in_format = GST_VIDEO_INFO_FORMAT (picture_info);
  GstVideoInfo scaled_info;
  GstVideoFrame frame;
  GstBuffer *small;
  JfifMatrix m;

  if (!GST_VIDEO_INFO_IS_YUV (picture_info)) {
    gst_video_info_set_format (small_info, GST_VIDEO_FORMAT_RGBx, width,
        height);
    return gst_imagegen_scale_fast (picture, picture_info, small_info);
  }
  gst_video_info_set_format (small_info, GST_VIDEO_FORMAT_I420, width,
      height);
  small_info->colorimetry.range = GST_VIDEO_COLOR_RANGE_0_255;
  small_info->colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  small_info->chroma_site = GST_VIDEO_CHROMA_SITE_JPEG;
  /* HDR and linear frames need their transfer mapped (on RGB pixels) */
  if (in_format != GST_VIDEO_FORMAT_I420
      || gst_imagegen_transfer_differs (picture_info, small_info)
      || !jfif_matrix (&picture_info->colorimetry, &m))
    return gst_imagegen_scale_fast (picture, picture_info, small_info);

  gst_video_info_set_format (&scaled_info, GST_VIDEO_FORMAT_I420, width,
      height);
  scaled_info.colorimetry = picture_info->colorimetry;
  scaled_info.chroma_site = picture_info->chroma_site;
  small = gst_imagegen_scale_fast (picture, picture_info, &scaled_info);
  if (small == NULL)
    return NULL;
  small = gst_buffer_make_writable (small);
  if (!gst_video_frame_map (&frame, &scaled_info, small, GST_MAP_READWRITE)) {
    gst_buffer_unref (small);
    return NULL;
  }
  i420_to_jfif (&frame, &m);
  gst_video_frame_unmap (&frame);
  return small;
}

GBytes *
gst_imagegen_encode_jpeg (GstBuffer * frame, const GstVideoInfo * info,
    guint quality, guint max_long_side, GError ** error)
{
  GstVideoInfo small_info, picture_info;
  GstBuffer *picture, *small, *jpeg;
  GstCaps *caps;
  Encoder *e;
  GBytes *bytes = NULL;
  gint width, height;

  gst_imagegen_encode_size (info, max_long_side, &width, &height);
  picture = progressive_frame (frame, info, &picture_info);
  small = picture ? small_picture (picture, &picture_info, width, height,
      &small_info) : NULL;
  gst_clear_buffer (&picture);
  if (small == NULL) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "cannot convert %s frames for "
        "upload", gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (info)));
    return NULL;
  }

  quality = CLAMP (quality, 1, 100);
  e = g_private_get (&thread_encoder);
  if (e != NULL && e->quality != quality) {
    g_private_replace (&thread_encoder, NULL);
    e = NULL;
  }
  if (e == NULL) {
    e = encoder_new (quality);
    if (e == NULL) {
      g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
          GST_IMAGEGEN_DECODE_ERROR_FAILED, "jpegenc is not installed");
      gst_buffer_unref (small);
      return NULL;
    }
    g_private_set (&thread_encoder, e);
  }

  caps = gst_video_info_to_caps (&small_info);
  jpeg = encoder_encode (e, caps, small);
  gst_caps_unref (caps);
  if (jpeg != NULL) {
    GstMapInfo map;

    if (gst_buffer_map (jpeg, &map, GST_MAP_READ)) {
      bytes = g_bytes_new (map.data, map.size);
      gst_buffer_unmap (jpeg, &map);
    }
    gst_buffer_unref (jpeg);
  }
  if (bytes == NULL) {
    /* start from a fresh encoder next time */
    g_private_replace (&thread_encoder, NULL);
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "could not encode a %dx%d frame "
        "as JPEG", width, height);
  }
  return bytes;
}
