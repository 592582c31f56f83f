/* gst-imagegen: placing a decoded image into an output frame with
 * GstVideoConverter (fit with borders, fill with crop, or stretch).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenscale.h"
#include "gstimagegentransfer.h"
#include "imagegen-enum.h"

typedef struct
{
  gint x, y, w, h;
} Rect;

/* Results come in the service's sizes (multiples of 16), a few pixels off
 * the frame's shape: 1920x1080 would get 7 black columns, 640x480 4 black
 * rows.  fit covers the frame (cropping a sliver) when the shapes differ by
 * less than this, in percent of the frame's aspect ratio. */
#define NEAR_SHAPE_PERCENT 2

IMAGEGEN_DEFINE_ENUM (gst_imagegen_scale_mode_get_type, "GstImagegenScaleMode",
    {GST_IMAGEGEN_SCALE_MODE_FIT,
        "Fit inside the frame, keep the aspect ratio, add borders "
          "(cover when the shapes differ by less than 2 %)", "fit"},
    {GST_IMAGEGEN_SCALE_MODE_FILL,
        "Cover the frame, keep the aspect ratio, crop the excess", "fill"},
    {GST_IMAGEGEN_SCALE_MODE_STRETCH,
        "Stretch to the frame, ignore the aspect ratio", "stretch"});

/* Places an @in_info picture (only its @region when not NULL) into an
 * @out_info frame: the rectangle of the input shown (@src) and where it
 * goes (@dest), in pixels.  Shapes are compared as displayed, pixel aspect
 * ratios applied: a 16:9 image fills a 1440x1080 frame of 4:3 pixels. */
static void
place (GstImagegenScaleMode mode, const GstVideoInfo * in_info,
    const Rect * region, const GstVideoInfo * out_info, Rect * src,
    Rect * dest)
{
  gint iw = region ? region->w : GST_VIDEO_INFO_WIDTH (in_info);
  gint ih = region ? region->h : GST_VIDEO_INFO_HEIGHT (in_info);
  gint ow = GST_VIDEO_INFO_WIDTH (out_info);
  gint oh = GST_VIDEO_INFO_HEIGHT (out_info);
  gint par_n = 1, par_d = 1;
  gint64 a, b;

  *src = (Rect) {
  0, 0, iw, ih};
  *dest = (Rect) {
  0, 0, ow, oh};

  /* the input's pixel aspect ratio over the output's */
  if (GST_VIDEO_INFO_PAR_N (in_info) <= 0 || GST_VIDEO_INFO_PAR_D (in_info) <= 0
      || GST_VIDEO_INFO_PAR_N (out_info) <= 0
      || GST_VIDEO_INFO_PAR_D (out_info) <= 0
      || !gst_util_fraction_multiply (GST_VIDEO_INFO_PAR_N (in_info),
          GST_VIDEO_INFO_PAR_D (in_info), GST_VIDEO_INFO_PAR_D (out_info),
          GST_VIDEO_INFO_PAR_N (out_info), &par_n, &par_d)
      || par_n > 1024 || par_d > 1024)
    par_n = par_d = 1;
  /* the input's displayed aspect ratio over the output's is a / b */
  a = (gint64) iw * par_n * oh;
  b = (gint64) ow * par_d * ih;

  if (mode == GST_IMAGEGEN_SCALE_MODE_FIT
      && ABS (a - b) * 100 < b * NEAR_SHAPE_PERCENT)
    mode = GST_IMAGEGEN_SCALE_MODE_FILL;
  if (mode == GST_IMAGEGEN_SCALE_MODE_FIT) {
    if (a > b) {                /* wider: bars top and bottom */
      dest->h = MAX (1, (gint) gst_util_uint64_scale_round (oh, b, a));
      dest->y = (oh - dest->h) / 2;
    } else {
      dest->w = MAX (1, (gint) gst_util_uint64_scale_round (ow, a, b));
      dest->x = (ow - dest->w) / 2;
    }
  } else if (mode == GST_IMAGEGEN_SCALE_MODE_FILL) {
    if (a > b) {                /* wider: crop the sides */
      src->w = MAX (1, (gint) gst_util_uint64_scale_round (iw, b, a));
      src->x = (iw - src->w) / 2;
    } else {
      src->h = MAX (1, (gint) gst_util_uint64_scale_round (ih, a, b));
      src->y = (ih - src->h) / 2;
    }
  }
  if (region != NULL) {
    src->x += region->x;
    src->y += region->y;
  }
}

/* Building a GstVideoConverter computes the resamplers' filter taps, which
 * costs more than converting one frame at upload sizes; every stream converts
 * frames of one shape over and over, so converters are kept and reused.
 * A converter is not thread-safe: a caller takes one out of the cache (or
 * builds one), uses it alone and puts it back.  At most CACHE_SIZE idle
 * converters are kept, the most recently used first. */
#define CACHE_SIZE 8

typedef struct
{
  GstVideoInfo in_info, out_info;
  Rect src, dest;
  GstVideoResamplerMethod method;
  GstVideoConverter *convert;
} CachedConverter;

static GMutex cache_lock;
static GQueue cache = G_QUEUE_INIT;

/* Ours, not GStreamer's: linear with 2 taps per direction instead of the
 * resampler's 2 x ceil (ratio).  Shrinking by at most 2:1 a 2-tap tent
 * still covers every input pixel; it halves the upload downscale's cost
 * (the 1080p -> 1024x576 horizontal pass was 40 % of the upload's
 * instructions, docs/performance.md). */
#define METHOD_LINEAR_2_TAPS ((GstVideoResamplerMethod) 0x100)

/* fit's borders: transparent where the output has alpha, so that a
 * lower third over video hides nothing beside the image; black otherwise */
static guint32
border_argb (const GstVideoInfo * out_info)
{
  return GST_VIDEO_INFO_HAS_ALPHA (out_info) ? 0x00000000 : 0xff000000;
}

static gboolean
rect_equal (const Rect * a, const Rect * b)
{
  return a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h;
}

static void
cached_converter_free (CachedConverter * c)
{
  gst_video_converter_free (c->convert);
  g_free (c);
}

static CachedConverter *
converter_take (const GstVideoInfo * in_info, const GstVideoInfo * out_info,
    const Rect * src, const Rect * dest, GstVideoResamplerMethod method)
{
  CachedConverter *c = NULL;
  guint taps = 0;               /* the resampler's own choice */
  GList *l;

  g_mutex_lock (&cache_lock);
  for (l = cache.head; l != NULL; l = l->next) {
    CachedConverter *e = l->data;

    if (e->method == method && rect_equal (&e->src, src)
        && rect_equal (&e->dest, dest)
        && gst_video_info_is_equal (&e->in_info, in_info)
        && gst_video_info_is_equal (&e->out_info, out_info)) {
      g_queue_delete_link (&cache, l);
      c = e;
      break;
    }
  }
  g_mutex_unlock (&cache_lock);
  if (c != NULL)
    return c;

  c = g_new0 (CachedConverter, 1);
  c->in_info = *in_info;
  c->out_info = *out_info;
  c->src = *src;
  c->dest = *dest;
  c->method = method;
  if (method == METHOD_LINEAR_2_TAPS) {
    taps = 2;
    method = GST_VIDEO_RESAMPLER_METHOD_LINEAR;
  }
  c->convert = gst_video_converter_new (&c->in_info, &c->out_info,
      gst_structure_new ("GstVideoConverter",
          GST_VIDEO_CONVERTER_OPT_SRC_X, G_TYPE_INT, src->x,
          GST_VIDEO_CONVERTER_OPT_SRC_Y, G_TYPE_INT, src->y,
          GST_VIDEO_CONVERTER_OPT_SRC_WIDTH, G_TYPE_INT, src->w,
          GST_VIDEO_CONVERTER_OPT_SRC_HEIGHT, G_TYPE_INT, src->h,
          GST_VIDEO_CONVERTER_OPT_DEST_X, G_TYPE_INT, dest->x,
          GST_VIDEO_CONVERTER_OPT_DEST_Y, G_TYPE_INT, dest->y,
          GST_VIDEO_CONVERTER_OPT_DEST_WIDTH, G_TYPE_INT, dest->w,
          GST_VIDEO_CONVERTER_OPT_DEST_HEIGHT, G_TYPE_INT, dest->h,
          GST_VIDEO_CONVERTER_OPT_FILL_BORDER, G_TYPE_BOOLEAN, TRUE,
          GST_VIDEO_CONVERTER_OPT_BORDER_ARGB, G_TYPE_UINT,
          border_argb (&c->out_info),
          GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD,
          GST_TYPE_VIDEO_RESAMPLER_METHOD, method,
          GST_VIDEO_CONVERTER_OPT_RESAMPLER_TAPS, G_TYPE_UINT, taps, NULL));
  if (c->convert == NULL)
    g_clear_pointer (&c, g_free);
  return c;
}

static void
converter_put_back (CachedConverter * c)
{
  CachedConverter *evicted = NULL;

  g_mutex_lock (&cache_lock);
  g_queue_push_head (&cache, c);
  if (cache.length > CACHE_SIZE)
    evicted = g_queue_pop_tail (&cache);
  g_mutex_unlock (&cache_lock);
  if (evicted != NULL)
    cached_converter_free (evicted);
}

/* GstVideoConverter (1.22) skips the matrix step between two YUV infos of
 * one matrix and bit depth, and the range goes with it: limited-range
 * BT.601 to full-range BT.601 (I420 from an SD decoder to the JPEG upload,
 * a JPEG result into SD output) keeps its values, black arriving as RGB 16.
 * Between two matrices its direct YUV-to-YUV step loses several levels on
 * saturated colours.  So a range or matrix change between YUV infos goes
 * through RGB, where both are applied exactly. */
static gboolean
needs_rgb_step (const GstVideoInfo * in_info, const GstVideoInfo * out_info)
{
  /* transfer functions are mapped on RGB pixels (gstimagegentransfer.c) */
  if (gst_imagegen_transfer_differs (in_info, out_info))
    return !gst_imagegen_transfer_can_apply (out_info);
  return GST_VIDEO_INFO_IS_YUV (in_info) && GST_VIDEO_INFO_IS_YUV (out_info)
      && (in_info->colorimetry.range != out_info->colorimetry.range
      || in_info->colorimetry.matrix != out_info->colorimetry.matrix);
}

static GstBuffer *
convert (GstBuffer * in, const GstVideoInfo * in_info, const Rect * region,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode,
    GstVideoResamplerMethod method, gboolean shortcut);

static GstBuffer *
convert_through_rgb (GstBuffer * in, const GstVideoInfo * in_info,
    const Rect * region, const GstVideoInfo * out_info,
    GstImagegenScaleMode mode, GstVideoResamplerMethod method)
{
  GstVideoInfo rgb;
  GstBuffer *mid, *out;
  gboolean deep = GST_VIDEO_INFO_COMP_DEPTH (in_info, 0) > 8
      || GST_VIDEO_INFO_COMP_DEPTH (out_info, 0) > 8;

  gst_video_info_set_format (&rgb, deep ? GST_VIDEO_FORMAT_ARGB64 :
      GST_VIDEO_FORMAT_RGBA, GST_VIDEO_INFO_WIDTH (out_info),
      GST_VIDEO_INFO_HEIGHT (out_info));
  GST_VIDEO_INFO_FPS_N (&rgb) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&rgb) = GST_VIDEO_INFO_FPS_D (out_info);
  /* the first step maps the transfer, if any, the second keeps it */
  rgb.colorimetry.transfer = out_info->colorimetry.transfer;
  mid = convert (in, in_info, region, &rgb, mode, method, FALSE);
  if (mid == NULL)
    return NULL;
  out = convert (mid, &rgb, NULL, out_info, GST_IMAGEGEN_SCALE_MODE_STRETCH,
      GST_VIDEO_RESAMPLER_METHOD_NEAREST, FALSE);
  gst_buffer_unref (mid);
  return out;
}

static GstBuffer *
convert (GstBuffer * in, const GstVideoInfo * in_info, const Rect * region,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode,
    GstVideoResamplerMethod method, gboolean shortcut)
{
  CachedConverter *cc;
  GstVideoFrame in_frame, out_frame;
  GstVideoInfo in_timed, out_progressive;
  GstBuffer *out;
  Rect src, dest;

  if (shortcut && region == NULL
      && GST_VIDEO_INFO_FORMAT (in_info) == GST_VIDEO_INFO_FORMAT (out_info)
      && GST_VIDEO_INFO_WIDTH (in_info) == GST_VIDEO_INFO_WIDTH (out_info)
      && GST_VIDEO_INFO_HEIGHT (in_info) == GST_VIDEO_INFO_HEIGHT (out_info)
      && (GST_VIDEO_INFO_IS_RGB (in_info)
          || gst_video_colorimetry_is_equal (&in_info->colorimetry,
              &out_info->colorimetry))
      && !gst_imagegen_transfer_differs (in_info, out_info)
      && gst_buffer_get_size (in) == GST_VIDEO_INFO_SIZE (out_info)
      && gst_buffer_get_video_meta (in) == NULL)
    return gst_buffer_ref (in);
  if (needs_rgb_step (in_info, out_info))
    return convert_through_rgb (in, in_info, region, out_info, mode, method);

  place (mode, in_info, region, out_info, &src, &dest);

  /* the converter insists on equal frame rates; a still image has none */
  in_timed = *in_info;
  GST_VIDEO_INFO_FPS_N (&in_timed) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&in_timed) = GST_VIDEO_INFO_FPS_D (out_info);
  /* ... and on equal interlace modes: a progressive result placed into
   * interleaved (or mixed) output fills both fields, and those frames are
   * laid out like progressive ones */
  out_progressive = *out_info;
  if (GST_VIDEO_INFO_INTERLACE_MODE (in_info) !=
      GST_VIDEO_INFO_INTERLACE_MODE (out_info)) {
    GST_VIDEO_INFO_INTERLACE_MODE (&in_timed) =
        GST_VIDEO_INTERLACE_MODE_PROGRESSIVE;
    GST_VIDEO_INFO_INTERLACE_MODE (&out_progressive) =
        GST_VIDEO_INTERLACE_MODE_PROGRESSIVE;
  }
  out_info = &out_progressive;
  cc = converter_take (&in_timed, out_info, &src, &dest, method);
  if (cc == NULL)
    return NULL;

  out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (out_info), NULL);
  if (!gst_video_frame_map (&in_frame, &in_timed, in, GST_MAP_READ)) {
    converter_put_back (cc);
    gst_buffer_unref (out);
    return NULL;
  }
  if (!gst_video_frame_map (&out_frame, out_info, out, GST_MAP_WRITE)) {
    converter_put_back (cc);
    gst_video_frame_unmap (&in_frame);
    gst_buffer_unref (out);
    return NULL;
  }
  gst_video_converter_frame (cc->convert, &in_frame, &out_frame);
  converter_put_back (cc);
  if (gst_imagegen_transfer_differs (in_info, out_info))
    gst_imagegen_transfer_apply (&out_frame, in_info->colorimetry.transfer);
  gst_video_frame_unmap (&out_frame);
  gst_video_frame_unmap (&in_frame);
  return out;
}

static GstBuffer *
scale (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode,
    GstVideoResamplerMethod method)
{
  return convert (in, in_info, NULL, out_info, mode, method, TRUE);
}

static GstBuffer *
convert_same_size (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  return convert (in, in_info, NULL, out_info,
      GST_IMAGEGEN_SCALE_MODE_STRETCH, GST_VIDEO_RESAMPLER_METHOD_LINEAR,
      FALSE);
}

GstBuffer *
gst_imagegen_scale (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode)
{
  return scale (in, in_info, out_info, mode,
      GST_VIDEO_RESAMPLER_METHOD_CUBIC);
}

GstBuffer *
gst_imagegen_scale_region (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoRectangle * region, const GstVideoInfo * out_info,
    GstImagegenScaleMode mode)
{
  Rect r = { region->x, region->y, region->w, region->h };

  return convert (in, in_info, &r, out_info, mode,
      GST_VIDEO_RESAMPLER_METHOD_CUBIC, FALSE);
}

void
gst_imagegen_scale_where (GstImagegenScaleMode mode,
    const GstVideoInfo * in_info, const GstVideoInfo * out_info,
    GstVideoRectangle * src, GstVideoRectangle * dest)
{
  Rect s, d;

  place (mode, in_info, NULL, out_info, &s, &d);
  *src = (GstVideoRectangle) {
  s.x, s.y, s.w, s.h};
  *dest = (GstVideoRectangle) {
  d.x, d.y, d.w, d.h};
}

/* 2 taps when neither side shrinks by more than 2:1 (1080p to the default
 * upload-max-side 1024: 1.875), the resampler's own count otherwise */
static GstVideoResamplerMethod
shrink_method (const GstVideoInfo * in_info, const GstVideoInfo * out_info)
{
  if (GST_VIDEO_INFO_WIDTH (in_info) <= 2 * GST_VIDEO_INFO_WIDTH (out_info)
      && GST_VIDEO_INFO_HEIGHT (in_info) <= 2 * GST_VIDEO_INFO_HEIGHT (out_info))
    return METHOD_LINEAR_2_TAPS;
  return GST_VIDEO_RESAMPLER_METHOD_LINEAR;
}

GstBuffer *
gst_imagegen_scale_fast (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info)
{
  GstVideoInfo mid;
  GstBuffer *small, *out;
  GstVideoResamplerMethod method = shrink_method (in_info, out_info);

  /* Shrinking and changing format or colorimetry at once makes the
   * converter unpack, convert and scale every input line at full size
   * (5.7 ms for 1080p I420 BT.709 -> 1024x576 full-range BT.601 I420);
   * scaling in the input's own format first takes its plane-scaling fast
   * path, and the conversion then runs at the small size (2.7 ms in all,
   * the same picture within rounding). */
  if ((gint64) GST_VIDEO_INFO_WIDTH (out_info) * GST_VIDEO_INFO_HEIGHT (out_info)
      >= (gint64) GST_VIDEO_INFO_WIDTH (in_info) * GST_VIDEO_INFO_HEIGHT (in_info)
      || (GST_VIDEO_INFO_FORMAT (in_info) == GST_VIDEO_INFO_FORMAT (out_info)
          && gst_video_colorimetry_is_equal (&in_info->colorimetry,
              &out_info->colorimetry)))
    return scale (in, in_info, out_info, GST_IMAGEGEN_SCALE_MODE_STRETCH,
        method);

  gst_video_info_set_format (&mid, GST_VIDEO_INFO_FORMAT (in_info),
      GST_VIDEO_INFO_WIDTH (out_info), GST_VIDEO_INFO_HEIGHT (out_info));
  mid.colorimetry = in_info->colorimetry;
  mid.chroma_site = in_info->chroma_site;
  GST_VIDEO_INFO_FPS_N (&mid) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&mid) = GST_VIDEO_INFO_FPS_D (out_info);
  small = scale (in, in_info, &mid, GST_IMAGEGEN_SCALE_MODE_STRETCH, method);
  if (small == NULL)
    return NULL;
  /* not scale(): its shortcut would skip a colorimetry-only change */
  out = convert_same_size (small, &mid, out_info);
  gst_buffer_unref (small);
  return out;
}

GstBuffer *
gst_imagegen_solid_frame (const GstVideoInfo * info, guint32 rgba)
{
  GstVideoInfo tiny;
  GstBuffer *pixel, *frame;
  GstMapInfo map;
  gsize i;

  /* one colour converted by the same path as images: right in any format */
  gst_video_info_set_format (&tiny, GST_VIDEO_FORMAT_RGBA, 2, 2);
  pixel = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&tiny), NULL);
  gst_buffer_map (pixel, &map, GST_MAP_WRITE);
  for (i = 0; i + 4 <= map.size; i += 4)
    GST_WRITE_UINT32_BE (map.data + i, rgba);
  gst_buffer_unmap (pixel, &map);
  frame = scale (pixel, &tiny, info, GST_IMAGEGEN_SCALE_MODE_STRETCH,
      GST_VIDEO_RESAMPLER_METHOD_NEAREST);
  gst_buffer_unref (pixel);
  return frame;
}

GstBuffer *
gst_imagegen_share_pixels (GstBuffer * pixels)
{
  return gst_buffer_copy_region (pixels, GST_BUFFER_COPY_MEMORY, 0, -1);
}

gboolean
gst_imagegen_check_frame_size (GstElement * element, const GstCaps * caps,
    guint64 max_pixels)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint width = 0, height = 0;
  guint64 pixels;

  if (!gst_structure_has_name (s, "video/x-raw")
      || !gst_structure_get_int (s, "width", &width)
      || !gst_structure_get_int (s, "height", &height))
    return TRUE;
  pixels = (guint64) MAX (width, 0) * MAX (height, 0);
  if (pixels <= max_pixels)
    return TRUE;
  GST_ELEMENT_ERROR (element, CORE, NEGOTIATION,
      ("Frames of %dx%d (%" G_GUINT64_FORMAT " pixels) are over the "
          "frame-size limit, max-pixels = %" G_GUINT64_FORMAT " pixels.",
          width, height, pixels, max_pixels), (NULL));
  return FALSE;
}
