/* gst-imagegen: motion between frames on OpenCV — DIS optical flow on
 * small grey frames, warm-started from the flow before; the flow scaled up
 * and applied with cv::remap to an RGBA result at output size; a match
 * weight per pixel from how well the key frame, carried along the flow,
 * matches the frame.
 *
 * The only C++ of the plugin: every OpenCV call is here, every exception
 * is caught here (a C caller cannot unwind one), and OpenCV's
 * process-wide settings (threads, IPP) are left as the application has
 * them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <exception>
#include <gio/gio.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "gstimagegenflow.h"

/* flow runs at most this wide: DIS at 480x270 follows pans and zooms of
 * tens of pixels a frame in a few milliseconds */
#define FLOW_WIDTH 480
/* grey levels at which a carried pixel counts half as matching */
#define MATCH_HALF 12.0
/* the floor of a weight: two neighbours that both mismatch still mix */
#define WEIGHT_FLOOR 1e-4f

struct _GstImagegenFlowField
{
  cv::Mat flow;                 /* CV_32FC2: frame pixel to key pixel */
  cv::Mat match;                /* CV_32FC1, 0..1 */
};

struct _GstImagegenFlow
{
  cv::Ptr < cv::DISOpticalFlow > medium, fast;
  cv::Mat grid_small, grid_big; /* CV_32FC2: each pixel's own position */
};

static void
set_error (GError ** error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
      "Optical flow failed: %s", what);
}

/* a CV_32FC2 map holding each pixel's own (x, y), kept for its size */
static const cv::Mat &
grid (cv::Mat & cached, int width, int height)
{
  if (cached.cols != width || cached.rows != height) {
    cached.create (height, width, CV_32FC2);
    for (int y = 0; y < height; y++) {
      cv::Vec2f * row = cached.ptr < cv::Vec2f > (y);
      for (int x = 0; x < width; x++)
        row[x] = cv::Vec2f ((float) x, (float) y);
    }
  }
  return cached;
}

gboolean
gst_imagegen_flow_available (void)
{
  return TRUE;
}

void
gst_imagegen_flow_size (gint width, gint height, gint * flow_width,
    gint * flow_height)
{
  *flow_width = MIN (width, FLOW_WIDTH);
  *flow_height = MAX (1, (gint) ((gint64) height * *flow_width / MAX (1,
              width)));
}

GstImagegenFlow *
gst_imagegen_flow_new (void)
{
  return new (std::nothrow) GstImagegenFlow ();
}

void
gst_imagegen_flow_free (GstImagegenFlow * flow)
{
  delete flow;
}

void
gst_imagegen_flow_field_free (GstImagegenFlowField * field)
{
  delete field;
}

GstImagegenFlowField *
gst_imagegen_flow_compute (GstImagegenFlow * flow, const guint8 * frame,
    const guint8 * key, gint width, gint height,
    const GstImagegenFlowField * warm, gboolean fast, GError ** error)
{
  GstImagegenFlowField *field = NULL;

  try {
    cv::Ptr < cv::DISOpticalFlow > &dis = fast ? flow->fast : flow->medium;
    cv::Mat f (height, width, CV_8UC1, (void *) frame);
    cv::Mat k (height, width, CV_8UC1, (void *) key);
    cv::Mat map, key_f, frame_f, carried, diff;

    if (dis.empty ())
      dis = cv::DISOpticalFlow::create (fast ?
          cv::DISOpticalFlow::PRESET_FAST : cv::DISOpticalFlow::PRESET_MEDIUM);
    field = new GstImagegenFlowField ();
    /* DIS starts from the flow it is given when it has the frame's size */
    if (warm != NULL && warm->flow.cols == width && warm->flow.rows == height)
      field->flow = warm->flow.clone ();
    dis->calc (f, k, field->flow);

    /* the key carried to the frame; pixels from outside it never match */
    cv::add (grid (flow->grid_small, width, height), field->flow, map);
    k.convertTo (key_f, CV_32F);
    f.convertTo (frame_f, CV_32F);
    cv::remap (key_f, carried, map, cv::noArray (), cv::INTER_LINEAR,
        cv::BORDER_CONSTANT, cv::Scalar (-1e4));
    cv::absdiff (carried, frame_f, diff);
    cv::GaussianBlur (diff, diff, cv::Size (5, 5), 0);
    /* 1 / (1 + (d / MATCH_HALF)^2) */
    cv::multiply (diff, diff, field->match, 1.0 / (MATCH_HALF * MATCH_HALF));
    field->match += 1.0;
    cv::divide (1.0, field->match, field->match);
    return field;
  }
  catch (const std::exception & e) {
    set_error (error, e.what ());
  }
  catch ( ...) {
    set_error (error, "unknown exception");
  }
  delete field;
  return NULL;
}

/* @src carried along @field into @dst, at @dst's size; the field's match
 * scaled to that size into @match when not NULL */
static void
carry (GstImagegenFlow * flow, const GstImagegenFlowField * field,
    const cv::Mat & src, cv::Mat & dst, cv::Mat * match)
{
  cv::Size size (src.cols, src.rows);
  cv::Mat map;

  cv::resize (field->flow, map, size, 0, 0, cv::INTER_LINEAR);
  cv::multiply (map, cv::Scalar ((double) src.cols / field->flow.cols,
          (double) src.rows / field->flow.rows), map);
  map += grid (flow->grid_big, src.cols, src.rows);
  cv::remap (src, dst, map, cv::noArray (), cv::INTER_LINEAR,
      cv::BORDER_REPLICATE);
  if (match != NULL)
    cv::resize (field->match, *match, size, 0, 0, cv::INTER_LINEAR);
}

gboolean
gst_imagegen_flow_render (GstImagegenFlow * flow,
    const GstImagegenFlowField * fa, const guint8 * a,
    const GstImagegenFlowField * fb, const guint8 * b, gdouble t,
    guint8 * out, gint width, gint height, gint stride, GError ** error)
{
  try {
    cv::Mat am (height, width, CV_8UC4, (void *) a, stride);
    cv::Mat om (height, width, CV_8UC4, out, stride);
    cv::Mat ca, cb, ma, mb;

    if (b == NULL || fb == NULL) {
      carry (flow, fa, am, om, NULL);
      return TRUE;
    }
    cv::Mat bm (height, width, CV_8UC4, (void *) b, stride);
    carry (flow, fa, am, ca, &ma);
    carry (flow, fb, bm, cb, &mb);
    const float ta = (float) (1.0 - t), tb = (float) t;
    for (int y = 0; y < height; y++) {
      const guint8 *pa = ca.ptr < guint8 > (y), *pb = cb.ptr < guint8 > (y);
      const float *wa = ma.ptr < float >(y), *wb = mb.ptr < float >(y);
      guint8 *po = om.ptr < guint8 > (y);
      for (int x = 0; x < width; x++) {
        float wxa = ta * wa[x] + WEIGHT_FLOOR, wxb = tb * wb[x] + WEIGHT_FLOOR;
        float s = 1.0f / (wxa + wxb);
        for (int c = 0; c < 4; c++)
          po[4 * x + c] = (guint8) ((pa[4 * x + c] * wxa +
                  pb[4 * x + c] * wxb) * s + 0.5f);
      }
    }
    return TRUE;
  }
  catch (const std::exception & e) {
    set_error (error, e.what ());
  }
  catch ( ...) {
    set_error (error, "unknown exception");
  }
  return FALSE;
}
