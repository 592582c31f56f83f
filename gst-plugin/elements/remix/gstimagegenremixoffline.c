/* gst-imagegen: imagegenremix in offline mode — every frame waits for the
 * remix of the latest pick at or before it — and the choice of mode.
 *
 * The sink side (upstream's streaming thread) picks frames and queues them,
 * with the serialized events between them, in a bounded queue that blocks
 * upstream when full.  A task on the src pad, as in `queue` and
 * `imagefreeze`, pushes each frame as soon as its pick has a result (or
 * has failed for good) and each event in its place.  So output never waits
 * for input: a demuxer blocked on another stream's full queue, or a tee,
 * cannot stall it.  Flush, READY and NULL wake every wait at once.
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
remix_item_free (RemixItem * item)
{
  gst_clear_buffer (&item->frame);
  gst_imagegen_remix_pick_unref (item->pick);
  gst_clear_event (&item->event);
  g_free (item);
}

static gboolean
queue_is_full_locked (GstImagegenRemix * remix)
{
  guint max_frames;
  guint64 max_bytes;

  GST_OBJECT_LOCK (remix);
  max_frames = remix->max_queue_frames;
  max_bytes = remix->max_queue_bytes;
  GST_OBJECT_UNLOCK (remix);
  return remix->queued_frames >= max_frames || remix->queue_bytes >= max_bytes;
}

static gboolean
head_is_ready_locked (GstImagegenRemix * remix)
{
  RemixItem *head = g_queue_peek_head (&remix->queue);

  /* aligned: every frame leaves at its deadline, done or not; with
   * motion=flow a frame waits for the next pick's result too */
  return head != NULL && (remix->aligned || head->frame == NULL
      || head->pick == NULL || (head->pick->done
          && gst_imagegen_remix_motion_settled_locked (remix, head,
              queue_is_full_locked (remix))));
}

GstFlowReturn
gst_imagegen_remix_offline_submit_locked (GstImagegenRemix * remix,
    GstBuffer * buf, GstClockTime time)
{
  RemixItem *item;

  if (remix->srcresult != GST_FLOW_OK) {
    /* downstream ended or failed: tell upstream, as queue does */
    gst_buffer_unref (buf);
    return remix->srcresult;
  }
  while (!remix->flushing && remix->reference_urls == NULL
      && remix->reference_error == NULL)
    g_cond_wait (&remix->cond, &remix->lock);
  /* waits for a request slot, so that the picks depend on the interval
   * alone */
  gst_imagegen_remix_pick_if_due_locked (remix, buf, time, TRUE);
  if (remix->flushing) {
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }

  item = g_new0 (RemixItem, 1);
  item->time = time;
  item->frame = buf;
  gst_imagegen_remix_queue_frame_locked (remix, item);

  while (!remix->flushing && remix->srcresult == GST_FLOW_OK
      && queue_is_full_locked (remix))
    g_cond_wait (&remix->cond, &remix->lock);
  return remix->flushing ? GST_FLOW_FLUSHING : remix->srcresult;
}

void
gst_imagegen_remix_offline_queue_event (GstImagegenRemix * remix,
    GstEvent * event)
{
  RemixItem *item = g_new0 (RemixItem, 1);

  item->event = event;
  g_mutex_lock (&remix->lock);
  if (remix->flushing) {
    g_mutex_unlock (&remix->lock);
    remix_item_free (item);
    return;
  }
  g_queue_push_tail (&remix->queue, item);
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
}

gboolean
gst_imagegen_remix_offline_wait_drained (GstImagegenRemix * remix)
{
  gboolean drained;

  g_mutex_lock (&remix->lock);
  /* frames waiting for a next pick stop waiting: none comes before this */
  remix->draining++;
  g_cond_broadcast (&remix->cond);
  while (!remix->flushing && remix->srcresult == GST_FLOW_OK
      && (remix->queue.length > 0 || remix->task_busy))
    g_cond_wait (&remix->cond, &remix->lock);
  remix->draining--;
  drained = remix->queue.length == 0 && !remix->task_busy;
  g_mutex_unlock (&remix->lock);
  return drained;
}

/* Ends the task's run after @ret, as queue does: a fatal flow is an
 * error, and downstream still gets EOS so that it can finish. */
static void
pause_after (GstImagegenRemix * remix, GstFlowReturn ret)
{
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (remix);

  GST_DEBUG_OBJECT (remix, "pausing the src task: %s",
      gst_flow_get_name (ret));
  g_mutex_lock (&remix->lock);
  if (remix->srcresult == GST_FLOW_OK || ret == GST_FLOW_FLUSHING)
    remix->srcresult = ret;
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
  gst_pad_pause_task (srcpad);
  if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS) {
    if (ret != GST_FLOW_ERROR)  /* an ERROR was posted where it arose */
      GST_ELEMENT_FLOW_ERROR (remix, ret);
    gst_pad_push_event (srcpad, gst_event_new_eos ());
  }
}

static void
offline_loop (GstImagegenRemix * remix)
{
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (remix);
  GstFlowReturn ret = GST_FLOW_OK;
  RemixItem *item;

  g_mutex_lock (&remix->lock);
  while (!remix->flushing && !head_is_ready_locked (remix))
    g_cond_wait (&remix->cond, &remix->lock);
  if (remix->flushing) {
    g_mutex_unlock (&remix->lock);
    pause_after (remix, GST_FLOW_FLUSHING);
    return;
  }
  item = g_queue_pop_head (&remix->queue);
  if (item->frame != NULL) {
    remix->queued_frames--;
    remix->queue_bytes -= gst_buffer_get_size (item->frame);
  }
  remix->task_busy = TRUE;
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);

  if (item->event != NULL) {
    gboolean eos = GST_EVENT_TYPE (item->event) == GST_EVENT_EOS;

    GST_DEBUG_OBJECT (remix, "pushing %" GST_PTR_FORMAT, item->event);
    gst_pad_push_event (srcpad, g_steal_pointer (&item->event));
    if (eos)
      ret = GST_FLOW_EOS;
  } else if (remix->aligned && !gst_imagegen_remix_aligned_wait (remix,
          item)) {
    ret = GST_FLOW_FLUSHING;
  } else if (gst_imagegen_engine_has_fatal (&remix->engine)) {
    gst_imagegen_engine_post_fatal (&remix->engine, "Remix");
    ret = GST_FLOW_ERROR;
  } else {
    RemixPick *shown = remix->aligned ?
        gst_imagegen_remix_aligned_choose (remix, item) :
        item->pick ? gst_imagegen_remix_pick_ref (item->pick) : NULL;
    RemixPick *next;
    gboolean carry;
    GstBuffer *out;

    g_mutex_lock (&remix->lock);
    next = gst_imagegen_remix_motion_next_locked (remix, item, &shown,
        &carry);
    g_mutex_unlock (&remix->lock);
    out = gst_imagegen_remix_make_output (remix, item->frame, item->time,
        shown, next, remix->aligned, carry);
    gst_imagegen_remix_pick_unref (next);
    gst_imagegen_remix_pick_unref (shown);
    gst_imagegen_remix_post_shown (remix);

    if (out != NULL) {
      ret = gst_pad_push (srcpad, out);
    } else {
      GST_ELEMENT_ERROR (remix, CORE, NEGOTIATION,
          ("Cannot convert frames to the output format."), (NULL));
      ret = GST_FLOW_ERROR;
    }
  }
  remix_item_free (item);

  g_mutex_lock (&remix->lock);
  remix->task_busy = FALSE;
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
  if (ret != GST_FLOW_OK)
    pause_after (remix, ret);
}

void
gst_imagegen_remix_offline_start_task (GstImagegenRemix * remix)
{
  GST_DEBUG_OBJECT (remix, "starting the src task");
  gst_pad_start_task (GST_BASE_TRANSFORM_SRC_PAD (remix),
      (GstTaskFunction) offline_loop, remix, NULL);
}

void
gst_imagegen_remix_offline_set_flushing (GstImagegenRemix * remix)
{
  g_mutex_lock (&remix->lock);
  remix->flushing = TRUE;
  remix->srcresult = GST_FLOW_FLUSHING;
  gst_imagegen_remix_aligned_unschedule_locked (remix);
  g_cond_broadcast (&remix->cond);
  g_mutex_unlock (&remix->lock);
}

void
gst_imagegen_remix_offline_stop_task (GstImagegenRemix * remix)
{
  /* joins the task: it sees flushing, or a push that returns FLUSHING */
  gst_pad_stop_task (GST_BASE_TRANSFORM_SRC_PAD (remix));
}

void
gst_imagegen_remix_offline_clear_locked (GstImagegenRemix * remix)
{
  g_queue_clear_full (&remix->queue, (GDestroyNotify) remix_item_free);
  remix->queued_frames = 0;
  remix->queue_bytes = 0;
  remix->task_busy = FALSE;
}

static gboolean
upstream_is_live (GstImagegenRemix * remix)
{
  GstQuery *query = gst_query_new_latency ();
  gboolean live = FALSE;

  if (gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (remix), query))
    gst_query_parse_latency (query, &live, NULL, NULL);
  gst_query_unref (query);
  return live;
}

/* mode=auto turned out offline: the model must take files too */
static gboolean
check_offline_model (GstImagegenRemix * remix)
{
  GError *error = NULL;
  gboolean ok;

  GST_OBJECT_LOCK (remix);
  remix->settings.streams_frames = FALSE;
  ok = gst_imagegen_settings_check (&remix->settings,
      IMAGEGEN_ENDPOINT_REMIX, &error);
  GST_OBJECT_UNLOCK (remix);
  if (!ok) {
    gst_imagegen_post_error (GST_ELEMENT (remix), error, NULL, FALSE);
    g_error_free (error);
  }
  return ok;
}

gboolean
gst_imagegen_remix_decide_mode (GstImagegenRemix * remix)
{
  GstImagegenRemixMode mode;
  gboolean live;

  GST_OBJECT_LOCK (remix);
  mode = remix->mode;
  GST_OBJECT_UNLOCK (remix);
  if (mode == GST_IMAGEGEN_REMIX_MODE_AUTO)
    live = upstream_is_live (remix);
  else
    live = mode == GST_IMAGEGEN_REMIX_MODE_LIVE;
  if (mode == GST_IMAGEGEN_REMIX_MODE_AUTO && !live
      && !check_offline_model (remix))
    return FALSE;
  GST_INFO_OBJECT (remix, "%s mode", live ? "live" : mode ==
      GST_IMAGEGEN_REMIX_MODE_ALIGNED ? "aligned" : "offline");
  g_mutex_lock (&remix->lock);
  remix->live = live;
  remix->aligned = mode == GST_IMAGEGEN_REMIX_MODE_ALIGNED;
  g_mutex_unlock (&remix->lock);
  remix->mode_decided = TRUE;
  /* offline, a task's message comes before its frames (and EOS); aligned
   * frames leave by the clock, and a result is in place before its
   * message */
  gst_imagegen_engine_set_report_first (&remix->engine, !live
      && mode != GST_IMAGEGEN_REMIX_MODE_ALIGNED);
  if (!live)
    gst_imagegen_remix_offline_start_task (remix);
  return TRUE;
}
