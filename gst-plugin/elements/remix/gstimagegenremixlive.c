/* gst-imagegen: imagegenremix in live mode — every frame leaves at once,
 * on the streaming thread, showing the newest result.  A frame is picked
 * only when it is due and a request slot is free: live never waits.
 * With motion=flow the newest result is carried from its pick's frame to
 * the current one, when that fits the frame's time.
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

GstFlowReturn
gst_imagegen_remix_live_submit_locked (GstImagegenRemix * remix,
    GstBuffer * buf, GstClockTime time)
{
  gst_imagegen_remix_pick_if_due_locked (remix, buf, time, FALSE);
  gst_buffer_replace (&remix->live_input, buf);
  remix->live_time = time;
  gst_buffer_unref (buf);
  gst_imagegen_remix_replace_pick (&remix->live_pick, remix->newest_done);
  gst_imagegen_remix_note_shown_locked (remix, time, remix->governing,
      remix->newest_done);
  return GST_FLOW_OK;
}

GstFlowReturn
gst_imagegen_remix_live_generate (GstImagegenRemix * remix,
    GstBuffer ** outbuf)
{
  GstClockTime time;
  GstBuffer *input;
  RemixPick *pick;

  g_mutex_lock (&remix->lock);
  input = g_steal_pointer (&remix->live_input);
  pick = g_steal_pointer (&remix->live_pick);
  time = remix->live_time;
  g_mutex_unlock (&remix->lock);
  gst_imagegen_remix_post_shown (remix);
  if (input == NULL)
    return GST_FLOW_OK;

  *outbuf = gst_imagegen_remix_make_output (remix, input, time, pick, NULL,
      TRUE, TRUE);
  gst_buffer_unref (input);
  gst_imagegen_remix_pick_unref (pick);
  if (*outbuf == NULL) {
    GST_ELEMENT_ERROR (remix, CORE, NEGOTIATION,
        ("Cannot convert frames to the output format."), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  return GST_FLOW_OK;
}
