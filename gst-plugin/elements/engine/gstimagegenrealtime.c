/* gst-imagegen: the engine's side of fal's realtime WebSocket — the
 * client's counters in the element's stats, and a warning when the
 * socket dropped (the client reconnects by itself: the show goes on).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenengine.h"
#include "imagegen-models.h"

/* the client's counters into engine->realtime (kept after stop); the
 * drops not yet warned about.  Takes the engine's lock. */
static guint
update (GstImagegenEngine * engine)
{
  guint new_drops = 0;

  g_mutex_lock (&engine->lock);
  if (engine->client != NULL) {
    imagegen_client_get_realtime_stats (engine->client, &engine->realtime);
    new_drops = engine->realtime.drops - engine->drops_warned;
    engine->drops_warned = engine->realtime.drops;
  }
  g_mutex_unlock (&engine->lock);
  return new_drops;
}

void
gst_imagegen_engine_realtime_note (GstImagegenEngine * engine)
{
  guint drops = update (engine);

  if (drops == 0)
    return;
  GST_ELEMENT_WARNING (engine->element, RESOURCE, READ,
      ("The connection to fal's realtime WebSocket dropped (%u time%s so "
          "far): a new one is opened with a fresh token and the frame in "
          "flight sent again.", engine->drops_warned,
          engine->drops_warned == 1 ? "" : "s"),
      ("%u drop%s since the last result", drops, drops == 1 ? "" : "s"));
}

void
gst_imagegen_engine_realtime_add_stats (GstImagegenEngine * engine,
    GstStructure * stats)
{
  ImagegenRealtimeStats rt;
  guint superseded_unsent;

  update (engine);
  g_mutex_lock (&engine->lock);
  rt = engine->realtime;
  superseded_unsent = engine->rt_superseded_unsent;
  g_mutex_unlock (&engine->lock);
  gst_structure_set (stats,
      "frames-superseded", G_TYPE_UINT, rt.superseded + superseded_unsent,
      "reconnects", G_TYPE_UINT, rt.reconnects,
      "drops", G_TYPE_UINT, rt.drops,
      "service-errors", G_TYPE_UINT, rt.service_errors, NULL);
}

guint64
gst_imagegen_engine_realtime_ticket_locked (GstImagegenEngine * engine,
    const ImagegenRequest * request)
{
  const ImagegenModelRow *row = request->model ?
      imagegen_models_find_any (request->model) : NULL;

  return row != NULL && row->realtime ? ++engine->rt_tickets : 0;
}

gboolean
gst_imagegen_engine_realtime_in_order_locked (GstImagegenEngine * engine,
    guint64 ticket)
{
  if (ticket == 0)
    return TRUE;
  if (ticket < engine->rt_sent_ticket) {
    engine->rt_superseded_unsent++;
    return FALSE;
  }
  engine->rt_sent_ticket = ticket;
  return TRUE;
}

ImagegenResult *
gst_imagegen_engine_realtime_superseded (const ImagegenRequest * request)
{
  ImagegenResult *result = g_new0 (ImagegenResult, 1);

  result->model = g_strdup (request->model);
  result->cost_nanocents = 0;
  result->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
      "superseded by a newer frame");
  return result;
}
