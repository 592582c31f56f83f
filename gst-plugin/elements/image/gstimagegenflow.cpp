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
  cv::Mat grid;                 /* CV_32FC2: each small pixel's position */
  /* render's scratch at output size, kept: fresh pages for them every
   * frame cost more than the work */
  cv::Mat small, map, ca, cb, wa, wb;
};

static void
set_error (GError ** error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
      "Optical flow failed: %s", what);
}

/* runs @work, turning any exception into @error: none may reach C */
template < typename Work > static bool
guarded (GError ** error, Work work)
{
  try {
    work ();
    return true;
  }
  catch (const std::exception & e) {
    set_error (error, e.what ());
  }
  catch ( ...) {
    set_error (error, "unknown exception");
  }
  return false;
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
gst_imagegen_flow_field_scaled (const GstImagegenFlowField * field,
    gdouble factor)
{
  GstImagegenFlowField *scaled = NULL;

  if (guarded (NULL,[&] {
        scaled = new GstImagegenFlowField ();
        scaled->flow = field->flow * factor;}))
    return scaled;
  delete scaled;
  return NULL;
}

GstImagegenFlowField *
gst_imagegen_flow_compute (GstImagegenFlow * flow, const guint8 * frame,
    const guint8 * key, gint width, gint height,
    const GstImagegenFlowField * warm, gboolean fast, GError ** error)
{
  GstImagegenFlowField *field = NULL;

  if (guarded (error,[&] {
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
    cv::add (grid (flow->grid, width, height), field->flow, map);
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
  }))
    return field;
  delete field;
  return NULL;
}

/* @src carried along @field into @dst, at @dst's size.  The map of
 * absolute source positions is built small and scaled up in one pass:
 * linear resampling of positions that are linear in the pixel is exact,
 * except in the outer half small pixel, where it clamps (at most half a
 * small pixel off, at the frame's very edge). */
static void
carry (GstImagegenFlow * flow, const GstImagegenFlowField * field,
    const cv::Mat & src, cv::Mat & dst)
{
  const int w = field->flow.cols, h = field->flow.rows;
  const float sx = (float) src.cols / w, sy = (float) src.rows / h;
  cv::Mat & small = flow->small, &map = flow->map;

  small.create (h, w, CV_32FC2);
  for (int y = 0; y < h; y++) {
    const cv::Vec2f * f = field->flow.ptr < cv::Vec2f > (y);
    cv::Vec2f * m = small.ptr < cv::Vec2f > (y);
    for (int x = 0; x < w; x++)
      m[x] = cv::Vec2f ((x + 0.5f + f[x][0]) * sx - 0.5f,
          (y + 0.5f + f[x][1]) * sy - 0.5f);
  }
  cv::resize (small, map, src.size (), 0, 0, cv::INTER_LINEAR);
  cv::remap (src, dst, map, cv::noArray (), cv::INTER_LINEAR,
      cv::BORDER_REPLICATE);
}

/* the weight of a neighbour at @size: its match, by its share @t */
static void
weight (const GstImagegenFlowField * field, float t, cv::Size size,
    cv::Mat & out)
{
  cv::Mat small = field->match * t + WEIGHT_FLOOR;

  cv::resize (small, out, size, 0, 0, cv::INTER_LINEAR);
}

gboolean
gst_imagegen_flow_render (GstImagegenFlow * flow,
    const GstImagegenFlowField * fa,
    const guint8 * a, const GstImagegenFlowField * fb, const guint8 * b,
    gdouble t, guint8 * out, gint width, gint height, gint stride,
    GError ** error)
{
  return guarded (error,[&] {
    cv::Mat am (height, width, CV_8UC4, (void *) a, stride);
    cv::Mat om (height, width, CV_8UC4, out, stride);
    if (b == NULL || fb == NULL) {
      carry (flow, fa, am, om);
      return;
    }
    cv::Mat bm (height, width, CV_8UC4, (void *) b, stride);
    carry (flow, fa, am, flow->ca);
    carry (flow, fb, bm, flow->cb);
    weight (fa, (float) (1.0 - t), om.size (), flow->wa);
    weight (fb, (float) t, om.size (), flow->wb);
    /* (wa a + wb b) / (wa + wb), a pixel at a time */
    cv::blendLinear (flow->ca, flow->cb, flow->wa, flow->wb, om);
  });
}

gdouble
gst_imagegen_flow_carried_difference (GstImagegenFlow * flow,
    const GstImagegenFlowField * field, const guint8 * key,
    const guint8 * frame)
{
  gdouble mean = -1.0;

  guarded (NULL,[&] {
    const int w = field->flow.cols, h = field->flow.rows;
    cv::Mat k (h, w, CV_8UC1, (void *) key), key_f, carried, diff, inside;
    cv::Mat f (h, w, CV_8UC1, (void *) frame), frame_f, map;

    cv::add (grid (flow->grid, w, h), field->flow, map);
    k.convertTo (key_f, CV_32F);
    f.convertTo (frame_f, CV_32F);
    /* pixels carried from outside the key have no counterpart: left out */
    cv::remap (key_f, carried, map, cv::noArray (), cv::INTER_LINEAR,
        cv::BORDER_CONSTANT, cv::Scalar (-1.0));
    inside = carried >= 0.0f;
    cv::absdiff (carried, frame_f, diff);
    if (cv::countNonZero (inside) > 0)
      mean = cv::mean (diff, inside)[0];
  });
  return mean;
}
