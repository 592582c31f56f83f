/* gst-imagegen: imagegenremix's results — a pick's life, shared by the
 * files that keep one (picks, the queue, the output).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenremixpriv.h"

static void
pick_clear (gpointer data)
{
  RemixPick *pick = data;

  g_clear_pointer (&pick->image, gst_imagegen_image_unref);
  gst_imagegen_placement_clear (&pick->placed);
  gst_imagegen_placement_clear (&pick->placed_rgba);
  gst_imagegen_remix_pick_unref (pick->next);
  g_free (pick->grey);
  gst_imagegen_flow_field_free (pick->warm);
}

RemixPick *
gst_imagegen_remix_pick_new (void)
{
  return g_atomic_rc_box_new0 (RemixPick);
}

RemixPick *
gst_imagegen_remix_pick_ref (RemixPick * pick)
{
  return g_atomic_rc_box_acquire (pick);
}

void
gst_imagegen_remix_pick_unref (RemixPick * pick)
{
  if (pick != NULL)
    g_atomic_rc_box_release_full (pick, pick_clear);
}

void
gst_imagegen_remix_queue_frame_locked (GstImagegenRemix * remix,
    RemixItem * item)
{
  item->pick = remix->governing ?
      gst_imagegen_remix_pick_ref (remix->governing) : NULL;
  item->after_cut = remix->cut_since_pick;
  g_queue_push_tail (&remix->queue, item);
  remix->queued_frames++;
  remix->queue_bytes += gst_buffer_get_size (item->frame);
  g_cond_broadcast (&remix->cond);
}

void
gst_imagegen_remix_replace_pick (RemixPick ** slot, RemixPick * pick)
{
  RemixPick *old = *slot;
  *slot = pick ? gst_imagegen_remix_pick_ref (pick) : NULL;
  gst_imagegen_remix_pick_unref (old);
}
