/* imagegen-bench-codec: the CPU cost of the elements' image helpers against
 * plain GStreamer pipelines doing the same work, measured in one process,
 * interleaved iteration by iteration so that a noisy machine hurts both
 * sides alike.  Prints one JSON object on stdout.
 *
 *   imagegen-bench-codec decode --file F [--width W --height H] [--iterations N]
 *     element:  gst_imagegen_decode() + gst_imagegen_scale() (fit) to W x H RGBA
 *               -- what imagegensrc does per result (decode on its worker,
 *               place on the streaming thread)
 *     baseline: filesrc ! pngdec|jpegdec ! videoconvert ! videoscale !
 *               video/x-raw,format=RGBA,width=W,height=H ! fakesink
 *
 *   imagegen-bench-codec encode --file F [--width W --height H] [--format I420]
 *                        [--quality Q] [--max-side S] [--iterations N]
 *     the file is decoded and scaled to a W x H frame first (not timed);
 *     element:  gst_imagegen_encode_jpeg() (scale to the long side S, JPEG)
 *               + base64 of the bytes (what the Files API upload sends)
 *     baseline: appsrc ! jpegenc quality=Q ! appsink on the full frame
 *     and the encoded size for several long sides.
 *     With --side element|baseline only that side runs, N times, nothing
 *     else: for instruction counts under valgrind --tool=callgrind (two
 *     runs of different N; the difference over the N difference is the
 *     cost of one frame, repeatable on a noisy machine).
 *
 * Times are per iteration: wall (g_get_monotonic_time) and process CPU
 * (CLOCK_PROCESS_CPUTIME_ID, all threads).  Part of tools/bench.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gstimagegendecode.h"
#include "gstimagegenscale.h"
#include "gstimagegenencode.h"

static gint64
cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct
{
  GArray *wall;                 /* gint64 us */
  GArray *cpu;
} Timings;

static void
timings_init (Timings * t)
{
  t->wall = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->cpu = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
timings_add (Timings * t, gint64 wall, gint64 cpu)
{
  g_array_append_val (t->wall, wall);
  g_array_append_val (t->cpu, cpu);
}

static void
append_array (GString * out, GArray * a)
{
  guint i;
  g_string_append_c (out, '[');
  for (i = 0; i < a->len; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i ? "," : "",
        g_array_index (a, gint64, i));
  g_string_append_c (out, ']');
}

static void
append_timings (GString * out, const gchar * name, Timings * t)
{
  g_string_append_printf (out, "\"%s\":{\"wall_us\":", name);
  append_array (out, t->wall);
  g_string_append (out, ",\"cpu_us\":");
  append_array (out, t->cpu);
  g_string_append (out, "}");
}

static gboolean
run_to_eos (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m;
  gboolean ok;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = m != NULL && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
  if (m != NULL && !ok) {
    GError *e;
    gst_message_parse_error (m, &e, NULL);
    g_printerr ("pipeline error: %s\n", e->message);
    g_error_free (e);
  }
  if (m)
    gst_message_unref (m);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return ok;
}

static const gchar *
decoder_of (GBytes * bytes)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  if (n > 4 && d[0] == 0x89 && d[1] == 'P')
    return "pngdec";
  return "jpegdec";
}

/* A W x H frame (of @format) made from the file: fill mode, not timed. */
static GstBuffer *
frame_from_file (GBytes * bytes, gint w, gint h, GstVideoFormat format,
    GstVideoInfo * info)
{
  GstVideoInfo dec_info;
  GstBuffer *dec = gst_imagegen_decode (bytes, G_MAXUINT32, &dec_info, NULL);
  GstBuffer *frame;

  if (dec == NULL)
    return NULL;
  gst_video_info_set_format (info, format, w, h);
  GST_VIDEO_INFO_FPS_N (info) = 30;
  GST_VIDEO_INFO_FPS_D (info) = 1;
  frame = gst_imagegen_scale (dec, &dec_info, info,
      GST_IMAGEGEN_SCALE_MODE_FILL);
  gst_buffer_unref (dec);
  return frame;
}

static int
bench_decode (GBytes * bytes, const gchar * file, gint w, gint h, gint iters)
{
  Timings el, el_decode, base;
  GstVideoInfo out_info;
  gchar *desc;
  gint i;
  GString *out;
  GstVideoInfo dec_info;
  GstBuffer *probe;

  timings_init (&el);
  timings_init (&el_decode);
  timings_init (&base);
  gst_video_info_set_format (&out_info, GST_VIDEO_FORMAT_RGBA, w, h);
  GST_VIDEO_INFO_FPS_N (&out_info) = 1;
  GST_VIDEO_INFO_FPS_D (&out_info) = 1;
  desc = g_strdup_printf ("filesrc location=%s ! %s ! videoconvert ! "
      "videoscale ! video/x-raw,format=RGBA,width=%d,height=%d ! fakesink",
      file, decoder_of (bytes), w, h);

  probe = gst_imagegen_decode (bytes, G_MAXUINT32, &dec_info, NULL);
  if (probe == NULL) {
    g_printerr ("cannot decode %s\n", file);
    return 1;
  }
  gst_buffer_unref (probe);

  for (i = -1; i < iters; i++) {        /* -1: warm-up, not recorded */
    gint64 w0, c0, w1, c1, w2, c2;
    GstBuffer *raw, *placed;
    GstElement *pipeline;
    GError *error = NULL;

    /* alternate which side goes first */
    gboolean element_first = (i % 2) == 0;
    gint turn;

    for (turn = 0; turn < 2; turn++) {
      if ((turn == 0) == element_first) {
        w0 = g_get_monotonic_time ();
        c0 = cpu_us ();
        raw = gst_imagegen_decode (bytes, G_MAXUINT32, &dec_info, NULL);
        w1 = g_get_monotonic_time ();
        c1 = cpu_us ();
        placed = gst_imagegen_scale (raw, &dec_info, &out_info,
            GST_IMAGEGEN_SCALE_MODE_FIT);
        w2 = g_get_monotonic_time ();
        c2 = cpu_us ();
        gst_buffer_unref (placed);
        gst_buffer_unref (raw);
        if (i >= 0) {
          timings_add (&el, w2 - w0, c2 - c0);
          timings_add (&el_decode, w1 - w0, c1 - c0);
        }
      } else {
        w0 = g_get_monotonic_time ();
        c0 = cpu_us ();
        pipeline = gst_parse_launch (desc, &error);
        if (pipeline == NULL || !run_to_eos (pipeline))
          return 1;
        gst_object_unref (pipeline);
        w1 = g_get_monotonic_time ();
        c1 = cpu_us ();
        if (i >= 0)
          timings_add (&base, w1 - w0, c1 - c0);
      }
    }
  }

  out = g_string_new ("{\"mode\":\"decode\",\"file\":");
  g_string_append_printf (out, "\"%s\",\"bytes\":%" G_GSIZE_FORMAT
      ",\"width\":%d,\"height\":%d,\"out_width\":%d,\"out_height\":%d,"
      "\"decoder\":\"%s\",\"baseline_pipeline\":\"%s\",", file,
      g_bytes_get_size (bytes), GST_VIDEO_INFO_WIDTH (&dec_info),
      GST_VIDEO_INFO_HEIGHT (&dec_info), w, h, decoder_of (bytes), desc);
  append_timings (out, "element", &el);
  g_string_append_c (out, ',');
  append_timings (out, "element_decode_only", &el_decode);
  g_string_append_c (out, ',');
  append_timings (out, "baseline", &base);
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
  g_free (desc);
  return 0;
}

/* appsrc ! jpegenc ! appsink on @frame, a fresh pipeline like the element. */
static GBytes *
jpegenc_alone (GstBuffer * frame, const GstVideoInfo * info, guint quality)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("appsrc", NULL);
  GstElement *enc = gst_element_factory_make ("jpegenc", NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstCaps *caps = gst_video_info_to_caps (info);
  GstSample *sample;
  GBytes *bytes = NULL;

  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);
  g_object_set (enc, "quality", quality, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, enc, sink, NULL);
  gst_element_link_many (src, enc, sink, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_ref (frame));
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 30 * GST_SECOND);
  if (sample) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer (sample);
    if (gst_buffer_map (b, &map, GST_MAP_READ)) {
      bytes = g_bytes_new (map.data, map.size);
      gst_buffer_unmap (b, &map);
    }
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return bytes;
}

/* One upload as the element makes it: JPEG + base64. */
static GBytes *
element_upload (GstBuffer * frame, const GstVideoInfo * info, guint quality,
    guint max_side)
{
  GBytes *jpeg = gst_imagegen_encode_jpeg (frame, info, quality, max_side,
      NULL);
  gsize n;
  const guint8 *d;

  if (jpeg == NULL)
    return NULL;
  d = g_bytes_get_data (jpeg, &n);
  g_free (g_base64_encode (d, n));
  return jpeg;
}

/* --side: one side alone, @iters times */
static int
encode_one_side (GstBuffer * frame, const GstVideoInfo * info,
    const gchar * side, guint quality, guint max_side, gint iters)
{
  gboolean element = g_str_equal (side, "element");
  gint i;

  if (!element && !g_str_equal (side, "baseline"))
    return 2;
  for (i = 0; i < iters; i++) {
    GBytes *jpeg = element ? element_upload (frame, info, quality, max_side)
        : jpegenc_alone (frame, info, quality);

    if (jpeg == NULL)
      return 1;
    g_bytes_unref (jpeg);
  }
  g_print ("{\"mode\":\"encode\",\"side\":\"%s\",\"iterations\":%d}\n",
      side, iters);
  return 0;
}

static int
bench_encode (GBytes * bytes, gint w, gint h, const gchar * format_name,
    guint quality, guint max_side, gint iters, const gchar * side)
{
  static const guint sides[] = { 0, 2048, 1536, 1024, 768, 512 };
  GstVideoFormat format = gst_video_format_from_string (format_name);
  GstVideoInfo info;
  GstBuffer *frame;
  Timings el, base;
  GString *out;
  gsize el_size = 0, base_size = 0;
  gint i;
  guint k;

  if (format == GST_VIDEO_FORMAT_UNKNOWN)
    return 2;
  frame = frame_from_file (bytes, w, h, format, &info);
  if (frame == NULL)
    return 1;
  if (side) {
    gint ret = encode_one_side (frame, &info, side, quality, max_side, iters);

    gst_buffer_unref (frame);
    return ret;
  }
  timings_init (&el);
  timings_init (&base);

  for (i = -1; i < iters; i++) {
    gboolean element_first = (i % 2) == 0;
    gint turn;

    for (turn = 0; turn < 2; turn++) {
      gint64 w0 = g_get_monotonic_time (), c0 = cpu_us ();
      GBytes *jpeg;

      if ((turn == 0) == element_first) {
        jpeg = element_upload (frame, &info, quality, max_side);
        if (jpeg == NULL)
          return 1;
        el_size = g_bytes_get_size (jpeg);
        if (i >= 0)
          timings_add (&el, g_get_monotonic_time () - w0, cpu_us () - c0);
      } else {
        jpeg = jpegenc_alone (frame, &info, quality);
        if (jpeg == NULL)
          return 1;
        base_size = g_bytes_get_size (jpeg);
        if (i >= 0)
          timings_add (&base, g_get_monotonic_time () - w0, cpu_us () - c0);
      }
      g_bytes_unref (jpeg);
    }
  }

  out = g_string_new (NULL);
  g_string_append_printf (out, "{\"mode\":\"encode\",\"width\":%d,"
      "\"height\":%d,\"format\":\"%s\",\"quality\":%u,\"max_side\":%u,"
      "\"element_bytes\":%" G_GSIZE_FORMAT ",\"baseline_bytes\":%"
      G_GSIZE_FORMAT ",", w, h, format_name, quality, max_side, el_size,
      base_size);
  append_timings (out, "element", &el);
  g_string_append_c (out, ',');
  append_timings (out, "baseline", &base);
  g_string_append (out, ",\"sizes\":[");
  for (k = 0; k < G_N_ELEMENTS (sides); k++) {
    GBytes *jpeg = gst_imagegen_encode_jpeg (frame, &info, quality, sides[k],
        NULL);
    gint ew, eh;
    gst_imagegen_encode_size (&info, sides[k], &ew, &eh);
    g_string_append_printf (out, "%s{\"max_side\":%u,\"width\":%d,"
        "\"height\":%d,\"bytes\":%" G_GSIZE_FORMAT "}", k ? "," : "",
        sides[k], ew, eh, jpeg ? g_bytes_get_size (jpeg) : 0);
    if (jpeg)
      g_bytes_unref (jpeg);
  }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
  gst_buffer_unref (frame);
  return 0;
}

int
main (int argc, char **argv)
{
  gchar *file = NULL, *format = NULL, *side = NULL;
  gint width = 1920, height = 1080, iters = 20, quality = 85, max_side = 1024;
  GOptionEntry entries[] = {
    {"file", 0, 0, G_OPTION_ARG_FILENAME, &file, "Image file", "F"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height", "H"},
    {"iterations", 0, 0, G_OPTION_ARG_INT, &iters, "Iterations", "N"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format,
        "encode: frame format (default I420)", "FMT"},
    {"quality", 0, 0, G_OPTION_ARG_INT, &quality, "encode: JPEG quality",
        "Q"},
    {"max-side", 0, 0, G_OPTION_ARG_INT, &max_side,
        "encode: long side limit (0 = none)", "S"},
    {"side", 0, 0, G_OPTION_ARG_STRING, &side,
        "encode: run only element or baseline (for callgrind)", "SIDE"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("decode|encode");
  GError *error = NULL;
  GMappedFile *mapped;
  GBytes *bytes;
  int ret;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2
      || file == NULL) {
    g_printerr ("usage: %s decode|encode --file F [options]\n", argv[0]);
    return 2;
  }
  gst_init (NULL, NULL);
  mapped = g_mapped_file_new (file, FALSE, &error);
  if (mapped == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  /* a private copy: the element gets its bytes from the network */
  bytes = g_bytes_new (g_mapped_file_get_contents (mapped),
      g_mapped_file_get_length (mapped));
  g_mapped_file_unref (mapped);

  if (g_str_equal (argv[1], "decode"))
    ret = bench_decode (bytes, file, width, height, iters);
  else if (g_str_equal (argv[1], "encode"))
    ret = bench_encode (bytes, width, height, format ? format : "I420",
        quality, max_side, iters, side);
  else
    ret = 2;
  g_bytes_unref (bytes);
  return ret;
}
