/* gst-imagegen: imagegenremix's smarter picks — shot changes and frames
 * too like the last pick to pay for again — and the coherence property.
 *
 * Both compare frames as small grey thumbnails (SIG_W x SIG_H, linear
 * downscale): the mean absolute difference of their pixels, from 0 (the
 * same) to 1 (black against white).  A shot change is a frame whose
 * difference from the frame before reaches scene-threshold; a due pick
 * whose difference from the last picked frame stays under skip-similar
 * reuses that pick's result and sends nothing.
 *
 * Motion makes every frame differ from the one before, and fast motion
 * of high-contrast things by as much as a cut: a cut is a spike, so the
 * difference must also be CUT_SPIKE times the one before it.
 *
 * Locks (see gstimagegenremixpriv.h): properties under GST_OBJECT_LOCK,
 * thumbnails and counters under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include "gstimagegenremixpriv.h"
#include "gstimagegenscale.h"
#include "imagegen-enum.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

#define SIG_W 32
#define SIG_H 18
#define SIG_SIZE (SIG_W * SIG_H)

#define CUT_SPIKE 3.0

#define DEFAULT_PICK GST_IMAGEGEN_REMIX_PICK_INTERVAL
#define DEFAULT_SCENE_THRESHOLD 0.12
#define DEFAULT_SKIP_SIMILAR 0.0

IMAGEGEN_DEFINE_ENUM (gst_imagegen_remix_pick_mode_get_type,
    "GstImagegenRemixPickMode",
    {GST_IMAGEGEN_REMIX_PICK_INTERVAL,
        "Every interval of stream time", "interval"},
    {GST_IMAGEGEN_REMIX_PICK_SCENE, "At shot changes only", "scene"},
    {GST_IMAGEGEN_REMIX_PICK_BOTH,
        "At shot changes, and after interval at the latest", "both"});

static IMAGEGEN_DEFINE_ENUM (gst_imagegen_remix_coherence_get_type,
    "GstImagegenRemixCoherence",
    {GST_IMAGEGEN_REMIX_COHERENCE_NONE, "Every pick stands alone", "none"},
    {GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT,
        "The previous result goes along as a reference; requests run one "
          "after another", "previous-result"});

void
gst_imagegen_remix_scene_init (GstImagegenRemix * remix)
{
  remix->pick_mode = DEFAULT_PICK;
  remix->scene_threshold = DEFAULT_SCENE_THRESHOLD;
  remix->skip_similar = DEFAULT_SKIP_SIMILAR;
  remix->coherence = GST_IMAGEGEN_REMIX_COHERENCE_NONE;
}

void
gst_imagegen_remix_scene_reset_locked (GstImagegenRemix * remix)
{
  g_clear_pointer (&remix->previous_thumb, g_free);
  g_clear_pointer (&remix->picked_thumb, g_free);
  remix->previous_change = 0.0;
  remix->cut_since_pick = FALSE;
  remix->force_pick = FALSE;
}

/* a SIG_W x SIG_H grey thumbnail of @frame, or NULL */
static guint8 *
thumbnail (GstBuffer * frame, const GstVideoInfo * info)
{
  GstVideoInfo thumb_info;
  GstBuffer *small;
  guint8 *thumb;
  GstMapInfo map;
  guint y;

  gst_video_info_set_format (&thumb_info, GST_VIDEO_FORMAT_GRAY8, SIG_W,
      SIG_H);
  small = gst_imagegen_scale_fast (frame, info, &thumb_info);
  if (small == NULL || !gst_buffer_map (small, &map, GST_MAP_READ)) {
    gst_clear_buffer (&small);
    return NULL;
  }
  thumb = g_malloc (SIG_SIZE);
  for (y = 0; y < SIG_H; y++)
    memcpy (thumb + y * SIG_W,
        map.data + y * GST_VIDEO_INFO_PLANE_STRIDE (&thumb_info, 0), SIG_W);
  gst_buffer_unmap (small, &map);
  gst_buffer_unref (small);
  return thumb;
}

/* 0: the same picture, 1: black against white */
static gdouble
difference (const guint8 * a, const guint8 * b)
{
  guint64 sum = 0;
  guint i;

  for (i = 0; i < SIG_SIZE; i++)
    sum += abs ((gint) a[i] - (gint) b[i]);
  return sum / (255.0 * SIG_SIZE);
}

GstImagegenRemixPickReason
gst_imagegen_remix_scene_judge_locked (GstImagegenRemix * remix,
    GstBuffer * frame, GstClockTime time, gboolean interval_due)
{
  GstImagegenRemixPickMode mode;
  gdouble scene_threshold, skip_similar;
  gboolean first = remix->last_pick_time == GST_CLOCK_TIME_NONE;
  gboolean cut = FALSE, cuts, forced = remix->force_pick;
  guint8 *thumb = NULL;

  GST_OBJECT_LOCK (remix);
  mode = remix->pick_mode;
  scene_threshold = remix->scene_threshold;
  skip_similar = remix->skip_similar;
  /* motion=flow carries no result across a cut, picked or not */
  cuts = mode != GST_IMAGEGEN_REMIX_PICK_INTERVAL
      || remix->motion == GST_IMAGEGEN_REMIX_MOTION_FLOW;
  GST_OBJECT_UNLOCK (remix);

  if (cuts || skip_similar > 0.0)
    thumb = thumbnail (frame, &remix->in_info);
  if (thumb != NULL && remix->previous_thumb != NULL && cuts) {
    gdouble change = difference (thumb, remix->previous_thumb);

    cut = change >= scene_threshold
        && change >= CUT_SPIKE * remix->previous_change;
    GST_LOG_OBJECT (remix, "frame at %" GST_TIME_FORMAT ": change %.3f%s",
        GST_TIME_ARGS (time), change, cut ? ", a shot change" : "");
    remix->previous_change = change;
  }
  g_free (remix->previous_thumb);
  remix->previous_thumb = thumb;
  remix->cut_since_pick |= cut;
  /* pick=interval: a cut ends the frames of a pick, it makes none */
  cut = cut && mode != GST_IMAGEGEN_REMIX_PICK_INTERVAL;

  /* asked for (a new prompt from here on): neither the interval nor a
   * likeness to the last pick may stand in for it */
  remix->force_pick = FALSE;
  if (forced)
    return GST_IMAGEGEN_REMIX_PICK_DUE;
  if (!first && !cut && (mode == GST_IMAGEGEN_REMIX_PICK_SCENE
          || !interval_due))
    return GST_IMAGEGEN_REMIX_PICK_NOT_DUE;
  if (!first && thumb != NULL && remix->picked_thumb != NULL
      && difference (thumb, remix->picked_thumb) < skip_similar) {
    /* the last result stands for this frame too; the interval starts
     * again from here */
    remix->last_pick_time = time;
    remix->picks_skipped++;
    GST_DEBUG_OBJECT (remix, "frame at %" GST_TIME_FORMAT " is like the "
        "last pick: its result is reused", GST_TIME_ARGS (time));
    return GST_IMAGEGEN_REMIX_PICK_NOT_DUE;
  }
  return cut ? GST_IMAGEGEN_REMIX_PICK_AT_CUT : GST_IMAGEGEN_REMIX_PICK_DUE;
}

void
gst_imagegen_remix_scene_picked_locked (GstImagegenRemix * remix,
    GstImagegenRemixPickReason reason)
{
  remix->cut_since_pick = FALSE;
  g_free (remix->picked_thumb);
  remix->picked_thumb = remix->previous_thumb ?
      g_memdup2 (remix->previous_thumb, SIG_SIZE) : NULL;
  if (reason == GST_IMAGEGEN_REMIX_PICK_AT_CUT)
    remix->picks_at_cuts++;
}

void
gst_imagegen_remix_scene_add_stats (GstImagegenRemix * remix,
    GstStructure * stats)
{
  g_mutex_lock (&remix->lock);
  gst_structure_set (stats, "picks", G_TYPE_UINT, remix->n_picks,
      "picks-skipped", G_TYPE_UINT, remix->picks_skipped,
      "picks-at-cuts", G_TYPE_UINT, remix->picks_at_cuts, NULL);
  g_mutex_unlock (&remix->lock);
}

void
gst_imagegen_remix_scene_install_properties (GObjectClass * klass,
    guint first)
{
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  /**
   * GstImagegenRemix:pick:
   *
   * Which frames are sent: every #GstImagegenRemix:interval, at shot
   * changes (frame differences on small grey thumbnails reaching
   * #GstImagegenRemix:scene-threshold), or both (interval is then the
   * longest gap between picks).  The first frame is always picked.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_PICK,
      g_param_spec_enum ("pick", "Picking",
          "Which frames are sent: every interval, at shot changes, or both "
          "(interval is then the longest gap)",
          gst_imagegen_remix_pick_mode_get_type (), DEFAULT_PICK, rw));
  /**
   * GstImagegenRemix:scene-threshold:
   *
   * How different a frame must be from the one before to be a shot
   * change: the mean absolute difference of their grey thumbnails, 0 to 1.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_SCENE_THRESHOLD,
      g_param_spec_double ("scene-threshold", "Shot change threshold",
          "Difference from the frame before that makes a shot change "
          "(mean absolute difference of small grey thumbnails, 0 to 1)",
          0.0, 1.0, DEFAULT_SCENE_THRESHOLD, rw));
  /**
   * GstImagegenRemix:skip-similar:
   *
   * A due pick whose frame differs from the last picked frame by less
   * than this (same measure as scene-threshold) reuses that result and
   * sends nothing; counted in stats as picks-skipped.  0: off.
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_SKIP_SIMILAR,
      g_param_spec_double ("skip-similar", "Skip similar frames",
          "A due pick differing from the last picked frame by less than "
          "this reuses its result, with no request (0 to 1, 0 = off)",
          0.0, 1.0, DEFAULT_SKIP_SIMILAR, rw));
  /**
   * GstImagegenRemix:coherence:
   *
   * previous-result: the previous result is sent as one more source image
   * (models taking several images; not the max models), so that
   * consecutive results look alike.  Each request then waits for the one
   * before (one in flight), every pick uploads one more image, and cache
   * keys chain (a result depends on all before it).
   */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_REMIX_PROP_COHERENCE,
      g_param_spec_enum ("coherence", "Temporal coherence",
          "previous-result: send the previous result as a reference too "
          "(requests then run one after another)",
          gst_imagegen_remix_coherence_get_type (),
          GST_IMAGEGEN_REMIX_COHERENCE_NONE, rw));
}

const GstImagegenField gst_imagegen_remix_scene_fields[] = {
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_PICK, GstImagegenRemix,
      pick_mode),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_SCENE_THRESHOLD,
      GstImagegenRemix, scene_threshold),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_SKIP_SIMILAR, GstImagegenRemix,
      skip_similar),
  GST_IMAGEGEN_FIELD (GST_IMAGEGEN_REMIX_PROP_COHERENCE, GstImagegenRemix,
      coherence),
  GST_IMAGEGEN_FIELDS_END
};
