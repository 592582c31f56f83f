/* gst-imagegen: decoding a result image with the system's own decoders.
 *
 * A tiny private pipeline (appsrc ! <decoder> ! appsink) per image: the
 * decoders are the ones every GStreamer user already has (pngdec, jpegdec,
 * webpdec when installed), so no image library is added to the plugin.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include "gstimagegendecode.h"

#define DECODE_TIMEOUT (30 * GST_SECOND)

static const gchar *
decoder_for (const gchar * media_type)
{
  if (g_str_equal (media_type, "image/png"))
    return "pngdec";
  if (g_str_equal (media_type, "image/jpeg"))
    return "jpegdec";
  return "decodebin";
}

static gchar *
pipeline_error_text (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gchar *text = NULL;

  if (msg != NULL) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return text;
}

static void
link_decoded_pad (GstElement * decodebin, GstPad * pad, GstElement * sink)
{
  GstPad *sinkpad = gst_element_get_static_pad (sink, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static gpointer
preload_thread (gpointer data)
{
  static const gchar *const names[] = { "appsrc", "appsink", "pngdec",
    "jpegdec", NULL
  };
  guint i;

  for (i = 0; names[i]; i++) {
    GstPluginFeature *f = gst_registry_find_feature (gst_registry_get (),
        names[i], GST_TYPE_ELEMENT_FACTORY);
    GstPluginFeature *loaded = f ? gst_plugin_feature_load (f) : NULL;

    if (loaded)
      gst_object_unref (loaded);
    if (f)
      gst_object_unref (f);
  }
  return NULL;
}

void
gst_imagegen_decode_preload (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started)) {
    g_thread_unref (g_thread_new ("imagegen-preload", preload_thread, NULL));
    g_once_init_leave (&started, 1);
  }
}

GstBuffer *
gst_imagegen_decode (GBytes * bytes, guint64 max_pixels, GstVideoInfo * info,
    GError ** error)
{
  GstImagegenImageHeader header;
  GstElement *pipeline, *src, *dec, *sink;
  GstCaps *src_caps;
  GstSample *sample;
  GstBuffer *frame = NULL;
  const gchar *decoder;
  gboolean dynamic;

  if (!gst_imagegen_image_header_parse (bytes, max_pixels, &header, error))
    return NULL;

  decoder = decoder_for (header.media_type);
  dynamic = g_str_equal (decoder, "decodebin");
  pipeline = gst_pipeline_new (NULL);
  src = gst_element_factory_make ("appsrc", NULL);
  dec = gst_element_factory_make (decoder, NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (src == NULL || dec == NULL || sink == NULL) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED,
        "no decoder for %s is installed (%s)", header.media_type, decoder);
    g_clear_object (&src);
    g_clear_object (&dec);
    g_clear_object (&sink);
    gst_object_unref (pipeline);
    return NULL;
  }

  src_caps = gst_caps_new_empty_simple (header.media_type);
  g_object_set (src, "caps", src_caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (src_caps);
  g_object_set (sink, "sync", FALSE, "emit-signals", FALSE, NULL);
  src_caps = gst_caps_new_empty_simple ("video/x-raw");
  gst_app_sink_set_caps (GST_APP_SINK (sink), src_caps);
  gst_caps_unref (src_caps);
  gst_bin_add_many (GST_BIN (pipeline), src, dec, sink, NULL);
  if (!gst_element_link (src, dec) || (!dynamic && !gst_element_link (dec,
              sink))) {
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED, "could not build the decoder");
    gst_object_unref (pipeline);
    return NULL;
  }
  if (dynamic)
    g_signal_connect (dec, "pad-added", G_CALLBACK (link_decoded_pad), sink);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src),
      gst_buffer_new_wrapped_bytes (bytes));
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), DECODE_TIMEOUT);
  if (sample != NULL) {
    GstCaps *caps = gst_sample_get_caps (sample);

    if (caps != NULL && gst_video_info_from_caps (info, caps)
        && (guint64) GST_VIDEO_INFO_WIDTH (info) *
        GST_VIDEO_INFO_HEIGHT (info) <= max_pixels) {
      frame = gst_buffer_ref (gst_sample_get_buffer (sample));
    }
    gst_sample_unref (sample);
  }
  if (frame == NULL) {
    gchar *why = pipeline_error_text (pipeline);
    g_set_error (error, GST_IMAGEGEN_DECODE_ERROR,
        GST_IMAGEGEN_DECODE_ERROR_FAILED,
        "could not decode the %ux%u %s result: %s", header.width,
        header.height, header.media_type, why ? why : "no picture came out");
    g_free (why);
  }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return frame;
}
