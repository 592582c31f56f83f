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
gst_imagegen_remix_replace_pick (RemixPick ** slot, RemixPick * pick)
{
  RemixPick *old = *slot;
  *slot = pick ? gst_imagegen_remix_pick_ref (pick) : NULL;
  gst_imagegen_remix_pick_unref (old);
}
