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
#include "gstimagegendecode.h"

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
  /* What the service sees is what the viewer sees: the frame is converted
   * from its own range and matrix to full-range RGB (sRGB), and jpegenc
   * makes the JFIF (full-range BT.601) planes from that.  Converting YUV to
   * JFIF's YUV directly would depend on GstVideoConverter applying a
   * range-only change, which it does not between formats of one matrix. */
  gst_video_info_set_format (&small_info, GST_VIDEO_FORMAT_RGBx, width,
      height);
  GST_VIDEO_INFO_FPS_N (&small_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&small_info) = GST_VIDEO_INFO_FPS_D (info);
  picture = progressive_frame (frame, info, &picture_info);
  small = picture ? gst_imagegen_scale_fast (picture, &picture_info,
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
