/* gst-imagegen: what every task did and cost — bus messages, the stats
 * property and the spending guard, shared by the imagegen elements.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include "imagegen-client.h"

G_BEGIN_DECLS

typedef struct
{
  GMutex lock;
  GstElement *element;          /* not owned */

  /* limits, 0 = none */
  guint max_requests;
  gint64 max_cost;              /* nanocents: max-cost, or max-cost-credits
                                 * with fractions */

  /* totals since start */
  guint requests;
  guint succeeded;
  guint failed;
  guint cancelled;
  guint retries;
  guint polls;
  /* money in nanocents (imagegen-client.h, "Money"): exact sums, shown
   * rounded up */
  gint64 spent;                 /* charged, or priced when not reported */
  gint64 reserved;              /* requests in flight, at catalogue price */
  gint64 latency_sum_us;        /* submit to decoded, successful tasks */
  gint64 last_latency_us;
  gboolean warned;
  guint cache_hits;             /* answered from the cache, not sent */
  guint cache_misses;           /* cache-only: not in the cache, not sent */
  gint64 estimated;             /* cache-only: what the misses would cost */
  guint resumed;                /* earlier runs' tasks polled, not created */


  /* adds the owner's own figures to the stats structure */
  void (*add_stats) (GstStructure * stats, gpointer data);
  gpointer add_stats_data;
} GstImagegenTracker;

void gst_imagegen_tracker_init (GstImagegenTracker * tracker,
    GstElement * element);
void gst_imagegen_tracker_clear (GstImagegenTracker * tracker);

/* Forget the totals (at start); the limits stay. */
void gst_imagegen_tracker_reset (GstImagegenTracker * tracker);

/* Admits one more request costing @price_nanocents (the caller's: the
 * service's live quote, else imagegen_models_price_nanocents()) unless
 * it would pass max-requests or max-cost: then posts a warning (once)
 * naming the limit and returns FALSE.  On TRUE, the price is reserved
 * until gst_imagegen_tracker_finished(). */
gboolean gst_imagegen_tracker_admit (GstImagegenTracker * tracker,
    gint64 price_nanocents);

/* A request admitted at @old_nanocents turns out to be reserved at
 * @new_nanocents by the service (its task's billing). */
void gst_imagegen_tracker_rereserve (GstImagegenTracker * tracker,
    gint64 old_nanocents, gint64 new_nanocents);

/* Is max-cost set, so that live quotes are worth asking? */
gboolean gst_imagegen_tracker_wants_quotes (GstImagegenTracker * tracker);

/* "submitted": the service created the task. */
void gst_imagegen_tracker_submitted (GstImagegenTracker * tracker,
    const ImagegenResult * progress, const gchar * prompt);

/* "resumed": a task an earlier run created (and paid for) is polled
 * instead of created again (see gstimagegencache.h). */
void gst_imagegen_tracker_resumed (GstImagegenTracker * tracker,
    const ImagegenResult * progress, const gchar * prompt);

/* The task ended: "completed", "failed" or "cancelled" by @result->error;
 * @decoded_us is when decoding ended (0 when it never ran). */
void gst_imagegen_tracker_finished (GstImagegenTracker * tracker,
    const ImagegenResult * result, const gchar * prompt,
    gint64 reserved_nanocents, gint64 decoded_us);

/* A request admitted by gst_imagegen_tracker_admit() was answered
 * without being sent: from the cache (@hit), or not at all (a cache-only
 * miss).  It counts as no request and costs nothing; a miss adds its
 * price to estimated-cents.  Posts a "cache-hit" or "cache-miss" task
 * message. */
void gst_imagegen_tracker_answered_locally (GstImagegenTracker * tracker,
    gboolean hit, const ImagegenResult * result, const gchar * prompt,
    gint64 reserved_nanocents);

/* A new "imagegen-stats" structure with the totals. */
GstStructure *gst_imagegen_tracker_get_stats (GstImagegenTracker * tracker);

/* Properties max-requests, max-cost, max-cost-credits and stats, at
 * @first_prop_id + 0..3 */
enum
{
  GST_IMAGEGEN_TRACKER_PROP_MAX_REQUESTS,
  GST_IMAGEGEN_TRACKER_PROP_MAX_COST,
  GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS,
  GST_IMAGEGEN_TRACKER_PROP_STATS,
  GST_IMAGEGEN_TRACKER_N_PROPS
};

void gst_imagegen_tracker_install_properties (GObjectClass * klass,
    guint first_prop_id);
gboolean gst_imagegen_tracker_set_property (GstImagegenTracker * tracker,
    guint first_prop_id, guint prop_id, const GValue * value);
gboolean gst_imagegen_tracker_get_property (GstImagegenTracker * tracker,
    guint first_prop_id, guint prop_id, GValue * value);

G_END_DECLS
