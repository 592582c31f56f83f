/* gst-imagegen: realtime jobs in and out of the session's two slots —
 * the frame in flight and the one waiting, the newest replacing it.  See
 * imagegen-realtime.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-realtime-private.h"
#include "imagegen-realtime-codec.h"

gboolean
imagegen_realtime_takes (ImagegenClient * client,
    const ImagegenRequest * request)
{
  const ImagegenModelRow *row = imagegen_models_find (client->provider->name,
      request->endpoint, request->model);

  return row != NULL && row->realtime;
}

static gboolean
rt_enqueue_idle (gpointer data)
{
  ImagegenJob *job = data;
  ImagegenClient *client = job->client;
  ImagegenRealtime *rt = client->realtime;
  GError *error = NULL;

  imagegen_job_ref (job);       /* the session's */
  job->realtime = TRUE;
  job->result->started_us = g_get_monotonic_time ();
  if (!imagegen_job_arrive (job))
    return G_SOURCE_REMOVE;
  if (client->config_error) {
    imagegen_job_finish (job, g_error_copy (client->config_error));
    return G_SOURCE_REMOVE;
  }
  job->rt_frame = imagegen_realtime_encode_request (client->provider,
      job->request, &error);
  if (job->rt_frame == NULL) {
    imagegen_job_finish (job, error);
    return G_SOURCE_REMOVE;
  }

  if (rt->current == NULL && !rt->on_wire) {
    rt->current = job;
  } else {
    ImagegenJob *old = g_steal_pointer (&rt->waiting);

    rt->waiting = job;
    if (old != NULL) {
      STAT_INC (rt, superseded);
      old->result->cost_nanocents = 0;  /* never sent */
      imagegen_job_finish (old, g_error_new_literal (G_IO_ERROR,
              G_IO_ERROR_CANCELLED, "superseded by a newer frame"));
    }
  }
  imagegen_realtime_pump_soon (rt);
  return G_SOURCE_REMOVE;
}

void
imagegen_realtime_submit (ImagegenJob * job)
{
  GSource *source = g_idle_source_new ();

  g_atomic_int_inc (&job->client->jobs_pending);
  g_source_set_callback (source, rt_enqueue_idle, job, imagegen_job_unref);
  g_source_attach (source, job->client->context);
  g_source_unref (source);
}

void
imagegen_realtime_release (ImagegenJob * job)
{
  ImagegenRealtime *rt = job->client->realtime;

  if (job == rt->current) {
    rt->current = NULL;
    /* sent: fal works on it and bills it whatever happens to the job */
    if (rt->on_wire && job->result->cost_nanocents < 0)
      job->result->cost_nanocents = imagegen_realtime_frame_price (job);
    imagegen_realtime_pump_soon (rt);
  }
  if (job == rt->waiting)
    rt->waiting = NULL;
}
