/* gst-imagegen: imagegenremix motion=flow — results carried along the
 * input's motion to the frames between picks, so stylised video moves
 * like its source (keyframe propagation).
 *
 * Each picked frame is kept small and grey.  A frame between two picks
 * gets the dense optical flow from itself to each pick's frame (DIS,
 * warm-started from the frame before's flow to the same pick), each
 * result is carried along it at output size, and the two are blended per
 * pixel by how well each carried pick frame matches this frame (a region
 * one pick has not seen takes the other) and by the frame's place between
 * them.  Never across a shot change: a pick made after a cut is no
 * neighbour of the frames before it, and frames after a cut show only the
 * pick after it.  Live mode carries the newest result from its pick's
 * frame to the current frame, and shows it unwarped when flow does not
 * fit a frame's time.
 *
 * Locks (see gstimagegenremixpriv.h): the property under GST_OBJECT_LOCK,
 * picks' links and the counters under remix->lock; the flow engine, the
 * picks' warm flows and RGBA placements belong to the output thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstimagegenremixpriv.h"
#include "gstimagegenscale.h"
#include "imagegen-enum.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

#define DEFAULT_MOTION GST_IMAGEGEN_REMIX_MOTION_HOLD
/* live: a frame whose flow is skipped because it did not fit is followed,
 * this many frames on, by one that measures it again */
#define LIVE_PROBE_EVERY 25

IMAGEGEN_DEFINE_ENUM (gst_imagegen_remix_motion_get_type,
    "GstImagegenRemixMotion",
    {GST_IMAGEGEN_REMIX_MOTION_HOLD,
        "A result stands still until the next", "hold"},
    {GST_IMAGEGEN_REMIX_MOTION_FLOW,
        "Results move with the input's optical flow", "flow"});

const GstImagegenField gst_imagegen_remix_motion_fields[] = {
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_MOTION, GstImagegenRemix,
      motion),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_MEASURE_FLICKER,
      GstImagegenRemix, measure_flicker),
  GST_IMAGEGEN_FIELDS_END
};

void
gst_imagegen_remix_motion_install_properties (GObjectClass * klass,
    guint first)
{
  /**
   * GstImagegenRemix:motion:
   *
   * What frames between picks show: `hold`, the latest pick's result as
   * it is; `flow`, the results of the picks before and after (offline and
   * aligned; live: the newest) carried along the input's optical flow and
   * blended.  Needs the plugin's motion feature (OpenCV).
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_MOTION, g_param_spec_enum ("motion", "Motion",
          "Frames between picks: hold the result, or carry results along "
          "the input's optical flow (needs the motion feature)",
          gst_imagegen_remix_motion_get_type (), DEFAULT_MOTION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstImagegenRemix:measure-flicker:
   *
   * Measures how steady the output is beside the input (see the stats'
   * `flicker-output`, `flicker-input` and `flicker-frames`): each frame's
   * mean difference from the one before, carried onto it along the
   * input's optical flow.  Costs a flow between every two frames, so off
   * by default.  Needs the motion feature.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_MEASURE_FLICKER,
      g_param_spec_boolean ("measure-flicker", "Measure flicker",
          "Put in the stats the mean difference between consecutive output "
          "frames, and input frames, carried along the input's motion "
          "(grey levels 0-255; needs the motion feature; default: off)",
          FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (gst_imagegen_remix_motion_get_type (), 0);
}

gboolean
gst_imagegen_remix_motion_is_flow (GstImagegenRemix * remix)
{
  gboolean flow;

  GST_OBJECT_LOCK (remix);
  flow = remix->motion == GST_IMAGEGEN_REMIX_MOTION_FLOW;
  GST_OBJECT_UNLOCK (remix);
  return flow;
}

gboolean
gst_imagegen_remix_motion_check_start (GstImagegenRemix * remix)
{
  gboolean measure;

  GST_OBJECT_LOCK (remix);
  measure = remix->measure_flicker;
  GST_OBJECT_UNLOCK (remix);
  if (measure && !gst_imagegen_flow_available ())
    GST_ELEMENT_WARNING (remix, CORE, MISSING_PLUGIN,
        ("measure-flicker needs the motion feature (OpenCV optical flow), "
            "which this build of the plugin does not have: the stats will "
            "have no flicker figures."), (NULL));
  if (!gst_imagegen_remix_motion_is_flow (remix)
      || gst_imagegen_flow_available ())
    return TRUE;
  GST_ELEMENT_ERROR (remix, CORE, MISSING_PLUGIN,
      ("motion=flow needs the motion feature (OpenCV optical flow), which "
          "this build of the plugin does not have: use motion=hold, or "
          "rebuild with the OpenCV packages installed "
          "(meson -Dmotion=enabled)."),
      (NULL));
  return FALSE;
}

guint8 *
gst_imagegen_remix_motion_grey (GstBuffer * frame, const GstVideoInfo * info,
    gint width, gint height)
{
  GstVideoInfo grey_info;
  GstBuffer *small;
  GstMapInfo map;
  guint8 *grey;
  gint y;

  gst_video_info_set_format (&grey_info, GST_VIDEO_FORMAT_GRAY8, width,
      height);
  small = gst_imagegen_scale_fast (frame, info, &grey_info);
  if (small == NULL || !gst_buffer_map (small, &map, GST_MAP_READ)) {
    gst_clear_buffer (&small);
    return NULL;
  }
  grey = g_malloc ((gsize) width * height);
  for (y = 0; y < height; y++)
    memcpy (grey + (gsize) y * width,
        map.data + (gsize) y * GST_VIDEO_INFO_PLANE_STRIDE (&grey_info, 0),
        width);
  gst_buffer_unmap (small, &map);
  gst_buffer_unref (small);
  return grey;
}

/* @frame small and grey, in packed rows of gst_imagegen_flow_size() */
static guint8 *
grey_of (GstBuffer * frame, const GstVideoInfo * info, gint * width,
    gint * height)
{
  if (GST_VIDEO_INFO_WIDTH (info) <= 0 || GST_VIDEO_INFO_HEIGHT (info) <= 0)
    return NULL;
  gst_imagegen_flow_size (GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), width, height);
  return gst_imagegen_remix_motion_grey (frame, info, *width, *height);
}

void
gst_imagegen_remix_motion_note_pick_locked (GstImagegenRemix * remix,
    RemixPick * pick, GstBuffer * frame)
{
  pick->at_cut = remix->cut_since_pick;
  if (gst_imagegen_remix_motion_is_flow (remix))
    pick->grey = grey_of (frame, &remix->in_info, &pick->grey_width,
        &pick->grey_height);
}

gboolean
gst_imagegen_remix_motion_settled_locked (GstImagegenRemix * remix,
    RemixItem * head, gboolean full)
{
  RemixPick *next = head->pick->next;
  GList *l;

  /* the pick's own frame needs no neighbour */
  if (!gst_imagegen_remix_motion_is_flow (remix)
      || (head->time == head->pick->time && !head->after_cut))
    return TRUE;
  if (next != NULL)
    return next->done;
  /* no next pick can come: the queue is at its bounds, someone waits for
   * it to drain (caps, a serialized query), or an event (EOS, a new
   * segment) ends the run of frames */
  if (full || remix->draining > 0)
    return TRUE;
  for (l = remix->queue.head; l != NULL; l = l->next)
    if (((RemixItem *) l->data)->event != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
has_result (RemixPick * pick)
{
  return pick != NULL && pick->done && pick->image != NULL;
}

RemixPick *
gst_imagegen_remix_motion_next_locked (GstImagegenRemix * remix,
    RemixItem * item, RemixPick ** shown, gboolean * carry)
{
  RemixPick *next = *shown ? (*shown)->next : NULL;

  /* an older result (aligned) is carried unless a cut came since */
  *carry = !item->after_cut && (*shown == item->pick || item->pick == NULL
      || !item->pick->at_cut);
  if (!gst_imagegen_remix_motion_is_flow (remix) || *shown == NULL
      || *shown != item->pick)
    return NULL;
  if (item->after_cut) {
    /* the shot the pick saw has ended: only the pick after the cut; with
     * none (the stream ended first), the pick's result held as it is */
    if (has_result (next)) {
      gst_imagegen_remix_replace_pick (shown, next);
      *carry = TRUE;
    }
    return NULL;
  }
  if (!has_result (next) || next->at_cut)
    return NULL;
  return gst_imagegen_remix_pick_ref (next);
}

static void
count_locked (GstImagegenRemix * remix, gboolean carried, gboolean one,
    gint64 us)
{
  if (carried) {
    remix->flow_frames++;
    remix->flow_one_neighbour += one;
    remix->flow_us += us;
  } else {
    remix->flow_fallbacks++;
  }
}

/* live never waits: the flow runs when its recent cost fits the frame's
 * duration (MEDIUM, else FAST); else the frame shows the result as it
 * is, and every LIVE_PROBE_EVERY such frames one measures again */
static gboolean
live_fits (GstImagegenRemix * remix, GstBuffer * input,
    const GstVideoInfo * in_info)
{
  GstClockTime duration = GST_BUFFER_DURATION (input);
  gint64 budget_us;

  if (!GST_CLOCK_TIME_IS_VALID (duration) && GST_VIDEO_INFO_FPS_N (in_info))
    duration = gst_util_uint64_scale (GST_SECOND,
        GST_VIDEO_INFO_FPS_D (in_info), GST_VIDEO_INFO_FPS_N (in_info));
  if (!GST_CLOCK_TIME_IS_VALID (duration))
    return TRUE;
  budget_us = duration / GST_USECOND;
  if (remix->flow_cost_us <= budget_us)
    return TRUE;
  if (!remix->flow_fast) {
    GST_INFO_OBJECT (remix, "flow takes %" G_GINT64_FORMAT " us a frame of "
        "%" G_GINT64_FORMAT ": FAST preset from now", remix->flow_cost_us,
        budget_us);
    remix->flow_fast = TRUE;
    return TRUE;
  }
  if (++remix->flow_skipped < LIVE_PROBE_EVERY)
    return FALSE;
  remix->flow_skipped = 0;
  return TRUE;
}

/* the pick's image placed at @rgba_info, mapped; FALSE without one */
static gboolean
map_placed (RemixPick * pick, const GstVideoInfo * rgba_info,
    GstImagegenScaleMode mode, GstVideoFrame * frame)
{
  GstBuffer *placed;

  if (pick->placed_rgba.image == NULL) {
    gst_imagegen_placement_set_image (&pick->placed_rgba, pick->image);
    /* a square's answer goes back the same way at either format */
    gst_imagegen_placement_set_square (&pick->placed_rgba,
        pick->placed.squared ? &pick->placed.square_of : NULL);
  }
  placed = gst_imagegen_placement_get (&pick->placed_rgba, rgba_info, mode);
  return placed != NULL && gst_video_frame_map (frame,
      (GstVideoInfo *) rgba_info, placed, GST_MAP_READ);
}

/* the flow from @grey to @pick's frame, kept to start the next one from */
static GstImagegenFlowField *
flow_to (GstImagegenRemix * remix, const guint8 * grey, RemixPick * pick,
    gboolean fast)
{
  GError *error = NULL;
  GstImagegenFlowField *field = gst_imagegen_flow_compute (remix->flow, grey,
      pick->grey, pick->grey_width, pick->grey_height, pick->warm, fast,
      &error);

  if (field == NULL) {
    GST_WARNING_OBJECT (remix, "%s", error->message);
    g_error_free (error);
    return NULL;
  }
  gst_imagegen_flow_field_free (pick->warm);
  pick->warm = field;
  return field;
}

static GstBuffer *
render (GstImagegenRemix * remix, const guint8 * grey, GstClockTime time,
    RemixPick * shown, RemixPick * next, gboolean fast,
    const GstVideoInfo * out_info, GstImagegenScaleMode mode)
{
  GstImagegenFlowField *fa, *fb = NULL;
  GstVideoFrame a, b, out;
  GstVideoInfo rgba_info;
  GstBuffer *rgba, *converted = NULL;
  GError *error = NULL;
  gdouble t = 0.0;
  gboolean ok;

  fa = flow_to (remix, grey, shown, fast);
  if (next != NULL && next->time > shown->time && time > shown->time)
    t = CLAMP ((gdouble) (time - shown->time) / (next->time - shown->time),
        0.0, 1.0);
  /* the first flow to the next pick, a long way off, starts from the
   * motion so far at the same speed */
  if (fa != NULL && next != NULL && next->warm == NULL && t > 0.0)
    next->warm = gst_imagegen_flow_field_scaled (fa, -(1.0 - t) / t);
  if (next != NULL)
    fb = flow_to (remix, grey, next, fast);
  if (fa == NULL || (next != NULL && fb == NULL))
    return NULL;

  gst_video_info_set_format (&rgba_info, GST_VIDEO_FORMAT_RGBA,
      GST_VIDEO_INFO_WIDTH (out_info), GST_VIDEO_INFO_HEIGHT (out_info));
  GST_VIDEO_INFO_PAR_N (&rgba_info) = GST_VIDEO_INFO_PAR_N (out_info);
  GST_VIDEO_INFO_PAR_D (&rgba_info) = GST_VIDEO_INFO_PAR_D (out_info);
  if (!map_placed (shown, &rgba_info, mode, &a))
    return NULL;
  if (next != NULL && !map_placed (next, &rgba_info, mode, &b)) {
    gst_video_frame_unmap (&a);
    return NULL;
  }
  rgba = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgba_info),
      NULL);
  gst_video_frame_map (&out, &rgba_info, rgba, GST_MAP_WRITE);
  ok = gst_imagegen_flow_render (remix->flow, fa,
      GST_VIDEO_FRAME_PLANE_DATA (&a, 0), fb,
      next ? GST_VIDEO_FRAME_PLANE_DATA (&b, 0) : NULL, t,
      GST_VIDEO_FRAME_PLANE_DATA (&out, 0), GST_VIDEO_INFO_WIDTH (&rgba_info),
      GST_VIDEO_INFO_HEIGHT (&rgba_info),
      GST_VIDEO_FRAME_PLANE_STRIDE (&out, 0), &error);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&a);
  if (next != NULL)
    gst_video_frame_unmap (&b);
  if (ok) {
    converted = gst_imagegen_scale (rgba, &rgba_info, out_info, mode);
  } else {
    GST_WARNING_OBJECT (remix, "%s", error->message);
    g_error_free (error);
  }
  gst_buffer_unref (rgba);
  return converted;
}

GstBuffer *
gst_imagegen_remix_motion_carry (GstImagegenRemix * remix, GstBuffer * input,
    GstClockTime time, RemixPick * shown, RemixPick * next, gboolean live,
    const GstVideoInfo * in_info, const GstVideoInfo * out_info,
    GstImagegenScaleMode scale_mode)
{
  GstBuffer *out;
  guint8 *grey;
  gint width, height;
  gint64 start;
  gboolean fast;

  if (shown == NULL || shown->image == NULL || shown->grey == NULL
      || !gst_imagegen_remix_motion_is_flow (remix))
    return NULL;
  if (next != NULL && (next->image == NULL || next->grey == NULL))
    next = NULL;
  /* a pick's own frame shows its result as it is */
  if (time == shown->time)
    return NULL;
  live = live && !remix->aligned;
  if (live && !live_fits (remix, input, in_info)) {
    g_mutex_lock (&remix->lock);
    count_locked (remix, FALSE, FALSE, 0);
    g_mutex_unlock (&remix->lock);
    return NULL;
  }

  start = g_get_monotonic_time ();
  grey = grey_of (input, in_info, &width, &height);
  /* the caps changed since the pick: its frame is another size */
  if (grey == NULL || width != shown->grey_width
      || height != shown->grey_height || (next != NULL
          && (width != next->grey_width || height != next->grey_height))) {
    g_free (grey);
    return NULL;
  }
  if (remix->flow == NULL)
    remix->flow = gst_imagegen_flow_new ();
  fast = live && remix->flow_fast;
  out = render (remix, grey, time, shown, next, fast, out_info, scale_mode);
  g_free (grey);
  if (out == NULL)
    return NULL;

  if (live) {
    gint64 cost = g_get_monotonic_time () - start;
    remix->flow_cost_us = remix->flow_cost_us == 0 ? cost :
        (3 * remix->flow_cost_us + cost) / 4;
  }
  g_mutex_lock (&remix->lock);
  count_locked (remix, TRUE, next == NULL && !live,
      g_get_monotonic_time () - start);
  g_mutex_unlock (&remix->lock);
  return out;
}

void
gst_imagegen_remix_motion_reset_locked (GstImagegenRemix * remix)
{
  remix->flow_frames = remix->flow_one_neighbour = remix->flow_fallbacks = 0;
  remix->flow_us = 0;
  remix->flow_cost_us = 0;
  remix->flow_fast = FALSE;
  remix->flow_skipped = 0;
}

void
gst_imagegen_remix_motion_stop (GstImagegenRemix * remix)
{
  g_clear_pointer (&remix->flow, gst_imagegen_flow_free);
}
