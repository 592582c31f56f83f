/* gst-imagegen: imagegenremix in aligned mode — live, with a declared
 * latency.  Every frame leaves at its running time plus `latency` on the
 * pipeline clock, as live transcribers hold their stream: it shows the
 * remix of its own pick (the latest pick at or before it) when that is in
 * by then, else the newest earlier result.  The frames wait in the offline
 * queue and leave from the same src task; upstream is never blocked.
 *
 * Also here, for every mode: how many frames showed their own pick's
 * result or an older one, and how old the shown result was.
 *
 * Locks (see gstimagegenremixpriv.h): remix->lock, then GST_OBJECT_LOCK,
 * then the engine's; no bus message, push or engine call under remix->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"

#define GST_CAT_DEFAULT gst_imagegen_remix_debug

static void
remember_pick_locked (GstImagegenRemix * remix, RemixPick * pick)
{
  if (pick != NULL && g_queue_peek_tail (&remix->recent_picks) != pick)
    g_queue_push_tail (&remix->recent_picks,
        gst_imagegen_remix_pick_ref (pick));
}

GstFlowReturn
gst_imagegen_remix_aligned_submit_locked (GstImagegenRemix * remix,
    GstBuffer * buf, GstClockTime time)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (remix)->segment;
  GstClockTime running = GST_CLOCK_TIME_NONE, latency;
  RemixItem *item;

  if (remix->srcresult != GST_FLOW_OK) {
    gst_buffer_unref (buf);
    return remix->srcresult;
  }
  gst_imagegen_remix_pick_if_due_locked (remix, buf, time, FALSE);
  remember_pick_locked (remix, remix->governing);

  GST_OBJECT_LOCK (remix);
  latency = remix->latency;
  if (GST_BUFFER_PTS_IS_VALID (buf))
    running = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buf));
  GST_OBJECT_UNLOCK (remix);

  item = g_new0 (RemixItem, 1);
  item->time = time;
  item->deadline = GST_CLOCK_TIME_IS_VALID (running) ? running + latency :
      GST_CLOCK_TIME_NONE;
  /* held for `latency`: a frame of upstream's pool (a capture device has
   * a few) is copied so that the pool gets it back at once */
  if (buf->pool != NULL) {
    item->frame = gst_buffer_copy_deep (buf);
    gst_buffer_unref (buf);
  } else {
    item->frame = buf;
  }
  gst_imagegen_remix_queue_frame_locked (remix, item);
  return GST_FLOW_OK;
}

gboolean
gst_imagegen_remix_aligned_wait (GstImagegenRemix * remix, RemixItem * item)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (remix));
  GstClockReturn ret;
  GstClockID id;
  gboolean flushing;

  if (clock == NULL || !GST_CLOCK_TIME_IS_VALID (item->deadline)) {
    /* no clock to hold frames by: they leave at once */
    gst_clear_object (&clock);
    return TRUE;
  }
  id = gst_clock_new_single_shot_id (clock, item->deadline +
      gst_element_get_base_time (GST_ELEMENT (remix)));
  gst_object_unref (clock);

  g_mutex_lock (&remix->lock);
  if (remix->flushing) {
    g_mutex_unlock (&remix->lock);
    gst_clock_id_unref (id);
    return FALSE;
  }
  remix->deadline_id = id;
  g_mutex_unlock (&remix->lock);

  ret = gst_clock_id_wait (id, NULL);

  g_mutex_lock (&remix->lock);
  remix->deadline_id = NULL;
  flushing = remix->flushing;
  g_mutex_unlock (&remix->lock);
  gst_clock_id_unref (id);
  GST_LOG_OBJECT (remix, "deadline %" GST_TIME_FORMAT ": %d",
      GST_TIME_ARGS (item->deadline), ret);
  return !flushing && ret != GST_CLOCK_UNSCHEDULED;
}

void
gst_imagegen_remix_aligned_unschedule_locked (GstImagegenRemix * remix)
{
  if (remix->deadline_id != NULL)
    gst_clock_id_unschedule (remix->deadline_id);
}

RemixPick *
gst_imagegen_remix_aligned_choose (GstImagegenRemix * remix, RemixItem * item)
{
  RemixPick *own = item->pick, *shown = NULL;
  GList *l;

  g_mutex_lock (&remix->lock);
  if (own != NULL && own->done && own->image != NULL) {
    shown = own;
  } else if (own != NULL) {
    for (l = remix->recent_picks.tail; l != NULL && shown == NULL;
        l = l->prev) {
      RemixPick *pick = l->data;
      if (pick->index < own->index && pick->done && pick->image != NULL)
        shown = pick;
    }
  }
  /* a pick older than the one shown never shows again */
  while (shown != NULL && ((RemixPick *)
          g_queue_peek_head (&remix->recent_picks))->index < shown->index)
    gst_imagegen_remix_pick_unref (g_queue_pop_head (&remix->recent_picks));
  gst_imagegen_remix_note_shown_locked (remix, item->time, own, shown);
  if (shown != NULL)
    gst_imagegen_remix_pick_ref (shown);
  g_mutex_unlock (&remix->lock);
  return shown;
}

void
gst_imagegen_remix_aligned_clear_locked (GstImagegenRemix * remix)
{
  g_queue_clear_full (&remix->recent_picks,
      (GDestroyNotify) gst_imagegen_remix_pick_unref);
}

void
gst_imagegen_remix_note_shown_locked (GstImagegenRemix * remix,
    GstClockTime time, RemixPick * own, RemixPick * shown)
{
  GstClockTime age = GST_CLOCK_TIME_NONE, max_age;
  gboolean changed = shown != NULL && shown != remix->last_noted;

  if (shown == NULL)
    return;                     /* no result yet: nothing to age */
  if (shown == own)
    remix->frames_own++;
  else
    remix->frames_older++;
  if (GST_CLOCK_TIME_IS_VALID (time) && GST_CLOCK_TIME_IS_VALID (shown->time)
      && time >= shown->time)
    age = time - shown->time;
  remix->shown_age = age;
  if (GST_CLOCK_TIME_IS_VALID (age) && (!GST_CLOCK_TIME_IS_VALID
          (remix->max_shown_age) || age > remix->max_shown_age))
    remix->max_shown_age = age;
  gst_imagegen_remix_replace_pick (&remix->last_noted, shown);

  GST_OBJECT_LOCK (remix);
  max_age = remix->max_result_age;
  GST_OBJECT_UNLOCK (remix);
  if (max_age > 0 && GST_CLOCK_TIME_IS_VALID (age) && age > max_age
      && !remix->age_warned) {
    remix->age_warned = TRUE;
    gst_clear_structure (&remix->pending_post);
    remix->pending_post = gst_structure_new ("imagegen-age-warning",
        "age-ms", G_TYPE_UINT64, age / GST_MSECOND,
        "max-result-age-ms", G_TYPE_UINT64, max_age / GST_MSECOND, NULL);
    return;
  }
  if (max_age == 0 || (GST_CLOCK_TIME_IS_VALID (age) && age <= max_age))
    remix->age_warned = FALSE;
  if (changed && remix->pending_post == NULL)
    remix->pending_post = gst_structure_new ("imagegen-shown",
        "pick-time", G_TYPE_UINT64, shown->time,
        "frame-time", G_TYPE_UINT64, time,
        "age-ms", G_TYPE_UINT64, GST_CLOCK_TIME_IS_VALID (age) ?
        age / GST_MSECOND : G_MAXUINT64,
        "own", G_TYPE_BOOLEAN, shown == own,
        "frames-own-result", G_TYPE_UINT64, remix->frames_own,
        "frames-older-result", G_TYPE_UINT64, remix->frames_older, NULL);
}

void
gst_imagegen_remix_post_shown (GstImagegenRemix * remix)
{
  GstStructure *s;

  g_mutex_lock (&remix->lock);
  s = g_steal_pointer (&remix->pending_post);
  g_mutex_unlock (&remix->lock);
  if (s == NULL)
    return;
  if (gst_structure_has_name (s, "imagegen-age-warning")) {
    guint64 age_ms = 0, max_ms = 0;

    gst_structure_get_uint64 (s, "age-ms", &age_ms);
    gst_structure_get_uint64 (s, "max-result-age-ms", &max_ms);
    gst_structure_free (s);
    GST_ELEMENT_WARNING_WITH_DETAILS (remix, STREAM, FAILED,
        ("The shown remix is %" G_GUINT64_FORMAT " ms older than its frame, "
            "more than max-result-age (%" G_GUINT64_FORMAT " ms): the service "
            "is slower than the stream.", age_ms, max_ms), (NULL),
        ("age-ms", G_TYPE_UINT64, age_ms, NULL));
    return;
  }
  gst_element_post_message (GST_ELEMENT (remix),
      gst_message_new_element (GST_OBJECT (remix), s));
}

void
gst_imagegen_remix_add_frame_stats (GstImagegenRemix * remix,
    GstStructure * stats)
{
  g_mutex_lock (&remix->lock);
  gst_structure_set (stats,
      "frames-own-result", G_TYPE_UINT64, remix->frames_own,
      "frames-older-result", G_TYPE_UINT64, remix->frames_older,
      "shown-age-ms", G_TYPE_INT64,
      GST_CLOCK_TIME_IS_VALID (remix->shown_age) ?
      (gint64) (remix->shown_age / GST_MSECOND) : (gint64) - 1,
      "max-shown-age-ms", G_TYPE_INT64,
      GST_CLOCK_TIME_IS_VALID (remix->max_shown_age) ?
      (gint64) (remix->max_shown_age / GST_MSECOND) : (gint64) - 1,
      /* motion=flow (gstimagegenremixmotion.c) */
      "frames-flow", G_TYPE_UINT64, remix->flow_frames,
      "frames-flow-one-neighbour", G_TYPE_UINT64, remix->flow_one_neighbour,
      "frames-flow-fallback", G_TYPE_UINT64, remix->flow_fallbacks,
      "flow-ms-per-frame", G_TYPE_DOUBLE, remix->flow_frames > 0 ?
      remix->flow_us / 1000.0 / remix->flow_frames : 0.0, NULL);
  g_mutex_unlock (&remix->lock);
  gst_imagegen_remix_flicker_add_stats (remix, stats);
}

void
gst_imagegen_remix_reset_frame_stats_locked (GstImagegenRemix * remix)
{
  remix->frames_own = remix->frames_older = 0;
  remix->shown_age = remix->max_shown_age = GST_CLOCK_TIME_NONE;
  remix->age_warned = FALSE;
  gst_imagegen_remix_replace_pick (&remix->last_noted, NULL);
  gst_clear_structure (&remix->pending_post);
}

void
gst_imagegen_remix_aligned_adjust_latency (GstImagegenRemix * remix,
    GstQuery * query)
{
  GstClockTime min, max, latency;
  gboolean live;

  GST_OBJECT_LOCK (remix);
  latency = remix->latency;
  GST_OBJECT_UNLOCK (remix);
  gst_query_parse_latency (query, &live, &min, &max);
  min += latency;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += latency;
  GST_DEBUG_OBJECT (remix, "latency %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT,
      GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  gst_query_set_latency (query, live, min, max);
}
