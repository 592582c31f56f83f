/* imagegen-emulator: deterministic result images
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on render workers, never on the server thread.
 * Encoding and decoding go through GStreamer itself, so the emulator needs
 * nothing the plugin does not already need. The drawing rules are
 * documented in docs/emulator.md; tests rely on them, keep them stable.
 */

#include "emulator.h"
#include "imagegen-provider.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#define PIPELINE_TIMEOUT (60 * GST_SECOND)

static gboolean
parse_ratio (const gchar * s, guint * w, guint * h)
{
  guint a, b;
  gchar tail;

  if (s == NULL || sscanf (s, "%u:%u%c", &a, &b, &tail) != 2 || a == 0
      || b == 0)
    return FALSE;
  *w = a;
  *h = b;
  return TRUE;
}

/* The model table's size (imagegen_models_output_size()); "auto" (or no
 * ratio) keeps the source's ratio when there is one. */
void
emu_image_size (const gchar * aspect_ratio, const gchar * resolution,
    guint src_width, guint src_height, guint * width, guint * height)
{
  g_autofree gchar *shape = NULL;
  guint rw, rh;

  if (!parse_ratio (aspect_ratio, &rw, &rh) && src_width > 0
      && src_height > 0)
    shape = g_strdup_printf ("%u:%u", src_width, src_height);
  imagegen_models_output_size (NULL, NULL, shape ? shape : aspect_ratio,
      resolution, width, height);
}

/* Pushes @input through a "appsrc name=src ! ... ! appsink name=sink"
 * pipeline and returns the first output sample. */
static GstSample *
run_pipeline (const gchar * description, GstCaps * caps, GBytes * input,
    GError ** error)
{
  GstElement *pipeline, *src, *sink;
  GstBus *bus;
  GstMessage *msg;
  GstSample *sample = NULL;
  GstBuffer *buf;
  GError *err = NULL;

  pipeline = gst_parse_launch (description, &err);
  if (pipeline == NULL || err != NULL) {
    g_propagate_error (error, err);
    if (pipeline)
      gst_object_unref (pipeline);
    return NULL;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  if (caps)
    g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  /* EOS must reach the bus while our one sample is still queued */
  g_object_set (sink, "sync", FALSE, "wait-on-eos", FALSE, NULL);

  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline,
          GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "could not start the pipeline");
    goto done;
  }

  buf = gst_buffer_new_wrapped_bytes (input);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND;
  gst_app_src_push_buffer (GST_APP_SRC (src), buf);
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  msg = gst_bus_timed_pop_filtered (bus, PIPELINE_TIMEOUT,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  if (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0);
    if (sample == NULL)
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
          "the pipeline produced no output");
  } else if (msg != NULL) {
    gst_message_parse_error (msg, &err, NULL);
    g_propagate_error (error, err);
  } else {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "the pipeline timed out");
  }
  if (msg)
    gst_message_unref (msg);

done:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return sample;
}

static GBytes *
encode_rgba (guint8 * pixels, guint width, guint height, gboolean jpeg,
    GError ** error)
{
  GstCaps *caps;
  GstSample *sample;
  GBytes *input, *out = NULL;
  GstMapInfo map;
  GstBuffer *buf;

  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGBA",
      "width", G_TYPE_INT, (gint) width, "height", G_TYPE_INT, (gint) height,
      "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
  input = g_bytes_new_take (pixels, (gsize) width * height * 4);
  /* low PNG compression: the emulator should not be slower than its
   * --latency, and the bytes stay deterministic either way */
  sample = run_pipeline (jpeg ?
      "appsrc name=src ! videoconvert ! jpegenc quality=90 ! appsink name=sink"
      : "appsrc name=src ! videoconvert ! pngenc compression-level=1 "
      "! appsink name=sink", caps, input, error);
  gst_caps_unref (caps);
  g_bytes_unref (input);
  if (sample == NULL)
    return NULL;

  buf = gst_sample_get_buffer (sample);
  if (buf && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    out = g_bytes_new (map.data, map.size);
    gst_buffer_unmap (buf, &map);
  } else {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_ENCODE,
        "encoder produced no data");
  }
  gst_sample_unref (sample);
  return out;
}

static void
sha256 (const guint8 * data, gsize len, guint8 out[32])
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = 32;

  g_checksum_update (c, data, len);
  g_checksum_get_digest (c, out, &out_len);
  g_checksum_free (c);
}

static void
fill_clipped (guint8 * px, guint width, guint height, gint x0, gint y0,
    gint x1, gint y1, gint cx, gint cy, gint radius, const guint8 rgb[3])
{
  gint lo_x = EMU_IMAGE_BORDER, lo_y = EMU_IMAGE_BORDER;
  gint hi_x = (gint) width - EMU_IMAGE_BORDER;
  gint hi_y = (gint) height - EMU_IMAGE_BORDER;
  gint x, y;

  x0 = MAX (x0, lo_x);
  y0 = MAX (y0, lo_y);
  x1 = MIN (x1, hi_x);
  y1 = MIN (y1, hi_y);
  for (y = y0; y < y1; y++) {
    for (x = x0; x < x1; x++) {
      guint8 *p;

      if (radius > 0) {
        gint dx = x - cx, dy = y - cy;

        if (dx * dx + dy * dy > radius * radius)
          continue;
      }
      p = px + ((gsize) y * width + x) * 4;
      p[0] = rgb[0];
      p[1] = rgb[1];
      p[2] = rgb[2];
    }
  }
}

/* The picture for @prompt: see "Images" in docs/emulator.md. */
GBytes *
emu_image_draw_prompt (const gchar * prompt, guint width, guint height,
    gboolean jpeg, GError ** error)
{
  guint8 h1[32], shapes[64], *px;
  guint n_shapes, i, x, y, span, inner_w, inner_h;

  sha256 ((const guint8 *) prompt, strlen (prompt), h1);
  sha256 (h1, 32, shapes);
  sha256 (shapes, 32, shapes + 32);

  px = g_malloc ((gsize) width * height * 4);
  for (y = 0; y < height; y++) {
    guint8 rgba[4];
    guint8 *row = px + (gsize) y * width * 4;
    guint k;

    for (k = 0; k < 3; k++)
      rgba[k] = height > 1 ?
          (h1[k] * (height - 1 - y) + h1[3 + k] * y) / (height - 1) : h1[k];
    rgba[3] = 255;
    for (x = 0; x < width; x++)
      memcpy (row + x * 4, rgba, 4);
  }

  n_shapes = 3 + h1[6] % 4;
  span = MIN (width, height);
  inner_w = width > 2 * EMU_IMAGE_BORDER ? width - 2 * EMU_IMAGE_BORDER : 0;
  inner_h = height > 2 * EMU_IMAGE_BORDER ? height - 2 * EMU_IMAGE_BORDER : 0;
  for (i = 0; i < n_shapes; i++) {
    const guint8 *s = shapes + i * 8;
    gint cx = EMU_IMAGE_BORDER + s[1] * inner_w / 255;
    gint cy = EMU_IMAGE_BORDER + s[2] * inner_h / 255;
    gint size = span / 16 + s[3] * (span / 4) / 255;
    gint half_h = size * (64 + s[7]) / 192;

    if (s[0] & 1)
      fill_clipped (px, width, height, cx - size, cy - half_h, cx + size,
          cy + half_h, 0, 0, 0, s + 4);
    else
      fill_clipped (px, width, height, cx - size, cy - size, cx + size + 1,
          cy + size + 1, cx, cy, size, s + 4);
  }

  return encode_rgba (px, width, height, jpeg, error);
}

static guint8 *
decode_rgba (GBytes * source, guint * width, guint * height, GError ** error)
{
  GstSample *sample;
  GstVideoInfo info;
  GstVideoFrame frame;
  guint8 *px;
  guint y;

  sample = run_pipeline ("appsrc name=src ! decodebin ! videoconvert "
      "! video/x-raw,format=RGBA ! appsink name=sink", NULL, source, error);
  if (sample == NULL)
    return NULL;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample),
          GST_MAP_READ)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "decoder produced no frame");
    gst_sample_unref (sample);
    return NULL;
  }

  *width = GST_VIDEO_INFO_WIDTH (&info);
  *height = GST_VIDEO_INFO_HEIGHT (&info);
  px = g_malloc ((gsize) * width * *height * 4);
  for (y = 0; y < *height; y++)
    memcpy (px + (gsize) y * *width * 4,
        (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), *width * 4);
  gst_video_frame_unmap (&frame);
  gst_sample_unref (sample);
  return px;
}

/* Bilinear scale with pixel centres aligned, then (with @invert) every
 * colour channel inverted (255 - v) with alpha kept: a test can check the
 * output came from its input. */
static guint8 *
scale_rgba (const guint8 * in, guint iw, guint ih, guint ow, guint oh,
    gboolean invert)
{
  guint8 *out = g_malloc ((gsize) ow * oh * 4);
  guint x, y, k;

  for (y = 0; y < oh; y++) {
    gdouble sy = CLAMP ((y + 0.5) * ih / oh - 0.5, 0.0, ih - 1.0);
    guint y0 = (guint) sy, y1 = MIN (y0 + 1, ih - 1);
    gdouble fy = sy - y0;

    for (x = 0; x < ow; x++) {
      gdouble sx = CLAMP ((x + 0.5) * iw / ow - 0.5, 0.0, iw - 1.0);
      guint x0 = (guint) sx, x1 = MIN (x0 + 1, iw - 1);
      gdouble fx = sx - x0;
      const guint8 *a = in + ((gsize) y0 * iw + x0) * 4;
      const guint8 *b = in + ((gsize) y0 * iw + x1) * 4;
      const guint8 *c = in + ((gsize) y1 * iw + x0) * 4;
      const guint8 *d = in + ((gsize) y1 * iw + x1) * 4;
      guint8 *o = out + ((gsize) y * ow + x) * 4;

      for (k = 0; k < 4; k++) {
        gdouble v = (a[k] * (1 - fx) + b[k] * fx) * (1 - fy) +
            (c[k] * (1 - fx) + d[k] * fx) * fy;
        guint8 s = (guint8) CLAMP (v + 0.5, 0.0, 255.0);

        o[k] = k == 3 || !invert ? s : 255 - s;
      }
    }
  }
  return out;
}

GBytes *
emu_image_remix (GBytes * source, const gchar * aspect_ratio,
    const gchar * resolution, gboolean jpeg, GError ** error)
{
  guint8 *in, *out;
  guint iw, ih, ow, oh;

  in = decode_rgba (source, &iw, &ih, error);
  if (in == NULL)
    return NULL;
  emu_image_size (aspect_ratio, resolution, iw, ih, &ow, &oh);
  out = scale_rgba (in, iw, ih, ow, oh, TRUE);
  g_free (in);
  return encode_rgba (out, ow, oh, jpeg, error);
}

GBytes *
emu_image_remix_sized (GBytes * source, guint width, guint height,
    gboolean jpeg, GError ** error)
{
  guint iw, ih;
  guint8 *in = decode_rgba (source, &iw, &ih, error), *out;

  if (in == NULL)
    return NULL;
  out = scale_rgba (in, iw, ih, width, height, TRUE);
  g_free (in);
  return encode_rgba (out, width, height, jpeg, error);
}

/* The remix at the size asked; the border (EMU_IMAGE_BORDER pixels) takes
 * the prompt's colour, the first three bytes of its SHA-256 (the top row
 * of its text-to-image picture), so a result shows both its frame and its
 * prompt.  Always JPEG, as fal's realtime results. */
GBytes *
emu_image_remix_prompted (GBytes * source, const gchar * prompt,
    guint width, guint height, gboolean inverted, GError ** error)
{
  guint iw, ih, x, y;
  guint8 *in = decode_rgba (source, &iw, &ih, error), *out, h1[32];

  if (in == NULL)
    return NULL;
  out = scale_rgba (in, iw, ih, width, height, inverted);
  g_free (in);
  sha256 ((const guint8 *) prompt, strlen (prompt), h1);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      if (x < EMU_IMAGE_BORDER || y < EMU_IMAGE_BORDER
          || x >= width - EMU_IMAGE_BORDER || y >= height - EMU_IMAGE_BORDER)
        memcpy (out + ((gsize) y * width + x) * 4, h1, 3);
  return encode_rgba (out, width, height, TRUE, error);
}

GBytes *
emu_image_prerendered (Emulator * emu, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error)
{
  g_autofree gchar *key = NULL;
  GBytes *image;
  guint w, h;

  emu_image_size (aspect_ratio, resolution, 0, 0, &w, &h);
  key = g_strdup_printf ("%ux%u", w, h);
  g_mutex_lock (&emu->prerendered_lock);
  if (emu->prerendered_images == NULL)
    emu->prerendered_images = g_hash_table_new_full (g_str_hash, g_str_equal,
        g_free, (GDestroyNotify) g_bytes_unref);
  image = g_hash_table_lookup (emu->prerendered_images, key);
  if (image == NULL) {
    image = emu_image_draw_prompt ("pre-rendered", w, h, emu->jpeg, error);
    if (image)
      g_hash_table_insert (emu->prerendered_images, g_steal_pointer (&key),
          image);
  }
  if (image)
    g_bytes_ref (image);
  g_mutex_unlock (&emu->prerendered_lock);
  return image;
}

void
emu_image_prerendered_clear (Emulator * emu)
{
  g_clear_pointer (&emu->prerendered_images, g_hash_table_unref);
}

/* The source, @factor times as wide and high, colours kept. */
GBytes *
emu_image_upscale (GBytes * source, guint factor, gboolean jpeg,
    GError ** error)
{
  guint8 *in, *out;
  guint iw, ih;

  in = decode_rgba (source, &iw, &ih, error);
  if (in == NULL)
    return NULL;
  out = scale_rgba (in, iw, ih, iw * factor, ih * factor, FALSE);
  g_free (in);
  return encode_rgba (out, iw * factor, ih * factor, jpeg, error);
}

/* Background removal as a rule a test can check, on the emulator's own
 * pictures: text-to-image paints a vertical gradient, one colour per row,
 * and keeps its shapes off a border, so a row's left-edge pixel is
 * background.  A pixel within EMU_BACKGROUND_DISTANCE (per channel) of its
 * row's left-edge colour becomes fully transparent, the rest stays opaque.
 * Always PNG: JPEG has no alpha. */
GBytes *
emu_image_remove_background (GBytes * source, GError ** error)
{
  guint8 *px;
  guint w, h, x, y, k;

  px = decode_rgba (source, &w, &h, error);
  if (px == NULL)
    return NULL;
  for (y = 0; y < h; y++) {
    guint8 *row = px + (gsize) y * w * 4, edge[3];

    memcpy (edge, row, 3);
    for (x = 0; x < w; x++) {
      guint8 *p = row + (gsize) x * 4;
      gboolean near = TRUE;

      for (k = 0; k < 3; k++)
        near = near && ABS ((gint) p[k] - (gint) edge[k]) <=
            EMU_BACKGROUND_DISTANCE;
      p[3] = near ? 0 : 255;
    }
  }
  return encode_rgba (px, w, h, FALSE, error);
}

/* The size a PNG or JPEG header states, without decoding the pixels. */
gboolean
emu_image_peek_size (GBytes * image, guint * width, guint * height)
{
  gsize len, i;
  const guint8 *d = g_bytes_get_data (image, &len);

  if (len >= 24 && memcmp (d, "\x89PNG", 4) == 0) {
    *width = GUINT32_FROM_BE (*(const guint32 *) (d + 16));
    *height = GUINT32_FROM_BE (*(const guint32 *) (d + 20));
    return *width > 0 && *height > 0;
  }
  if (len < 4 || d[0] != 0xff || d[1] != 0xd8)
    return FALSE;
  /* walk the segments to a start-of-frame (SOF0..SOF15 but DHT, JPG, DAC) */
  for (i = 2; i + 9 < len && d[i] == 0xff;) {
    guint8 m = d[i + 1];
    guint seg = (d[i + 2] << 8) | d[i + 3];

    if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
      *height = (d[i + 5] << 8) | d[i + 6];
      *width = (d[i + 7] << 8) | d[i + 8];
      return *width > 0 && *height > 0;
    }
    i += 2 + seg;
  }
  return FALSE;
}
