/* gst-imagegen: task messages, stats and the spending guard.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegentracker.h"

#define DEFAULT_MAX_REQUESTS 0
#define DEFAULT_MAX_COST 0

void
gst_imagegen_tracker_init (GstImagegenTracker * t, GstElement * element)
{
  memset (t, 0, sizeof (*t));
  g_mutex_init (&t->lock);
  t->element = element;
  t->max_requests = DEFAULT_MAX_REQUESTS;
  t->max_cost = DEFAULT_MAX_COST;
}

void
gst_imagegen_tracker_clear (GstImagegenTracker * t)
{
  g_mutex_clear (&t->lock);
}

void
gst_imagegen_tracker_reset (GstImagegenTracker * t)
{
  g_mutex_lock (&t->lock);
  t->requests = t->succeeded = t->failed = t->cancelled = 0;
  t->retries = t->polls = 0;
  t->spent = t->reserved = 0;
  t->latency_sum_us = t->last_latency_us = 0;
  t->warned = FALSE;
  t->cache_hits = t->cache_misses = 0;
  t->estimated = 0;
  t->resumed = 0;
  g_mutex_unlock (&t->lock);
}

void
gst_imagegen_tracker_rereserve (GstImagegenTracker * t, gint64 old_nanocents,
    gint64 new_nanocents)
{
  g_mutex_lock (&t->lock);
  t->reserved += new_nanocents - old_nanocents;
  g_mutex_unlock (&t->lock);
}

gboolean
gst_imagegen_tracker_wants_quotes (GstImagegenTracker * t)
{
  gboolean wants;

  g_mutex_lock (&t->lock);
  wants = t->max_cost > 0;
  g_mutex_unlock (&t->lock);
  return wants;
}

/* Why the next request, at @price nanocents, is not sent; NULL: it is */
static gchar *
refusal_locked (GstImagegenTracker * t, gint64 price)
{
  g_autofree gchar *limit = NULL, *committed = NULL, *next = NULL;

  if (t->max_requests > 0 && t->requests + 1 > t->max_requests)
    return g_strdup_printf ("max-requests (%u) reached: no more requests "
        "are sent", t->max_requests);
  /* exact: a run of 1.5-cent requests stops at the one that would cross */
  if (t->max_cost == 0 || t->spent + t->reserved + price <= t->max_cost)
    return NULL;
  limit = imagegen_cents_to_string (t->max_cost);
  committed = imagegen_cents_to_string (t->spent + t->reserved);
  next = imagegen_cents_to_string (price);
  return g_strdup_printf ("max-cost (%s cents) would be passed: %s cents "
      "spent or reserved, the next request costs %s", limit, committed, next);
}

gboolean
gst_imagegen_tracker_admit (GstImagegenTracker * t, gint64 price)
{
  gchar *why;

  g_mutex_lock (&t->lock);
  why = refusal_locked (t, price);
  if (why == NULL) {
    t->requests++;
    t->reserved += price;
  }
  g_mutex_unlock (&t->lock);

  if (why != NULL) {
    gboolean first;

    g_mutex_lock (&t->lock);
    first = !t->warned;
    t->warned = TRUE;
    g_mutex_unlock (&t->lock);
    if (first)
      GST_ELEMENT_WARNING (t->element, RESOURCE, FAILED,
          ("Spending guard: %s; the stream goes on with the last image.",
              why), (NULL));
    g_free (why);
    return FALSE;
  }
  return TRUE;
}

static gdouble
ms_between (gint64 from_us, gint64 to_us)
{
  return from_us > 0 && to_us >= from_us ? (to_us - from_us) / 1000.0 : -1.0;
}

static void
post_task_message (GstImagegenTracker * t, const gchar * event,
    const ImagegenResult * r, const gchar * prompt, gint64 decoded_us)
{
  GstStructure *s = gst_structure_new ("imagegen-task",
      "event", G_TYPE_STRING, event,
      "task-id", G_TYPE_STRING, r->task_id,
      "model", G_TYPE_STRING, r->model,
      "prompt", G_TYPE_STRING, prompt,
      "queued-ms", G_TYPE_DOUBLE, ms_between (r->submitted_us, r->started_us),
      "server-ms", G_TYPE_DOUBLE, ms_between (r->started_us, r->completed_us),
      "download-ms", G_TYPE_DOUBLE, ms_between (r->completed_us,
          r->downloaded_us),
      "decode-ms", G_TYPE_DOUBLE, ms_between (r->downloaded_us, decoded_us),
      "polls", G_TYPE_UINT, r->polls,
      "retries", G_TYPE_UINT, r->retries,
      "cost-cents", G_TYPE_INT, imagegen_cents_shown (r->cost_nanocents),
      "cost-credits", G_TYPE_DOUBLE, imagegen_cents_exact (r->cost_nanocents),
      "reserved-cents", G_TYPE_INT,
      imagegen_cents_shown (r->reserved_nanocents), NULL);

  if (r->error != NULL)
    gst_structure_set (s, "error", G_TYPE_STRING, r->error->message, NULL);
  gst_element_post_message (t->element,
      gst_message_new_element (GST_OBJECT (t->element), s));
}

void
gst_imagegen_tracker_submitted (GstImagegenTracker * t,
    const ImagegenResult * progress, const gchar * prompt)
{
  post_task_message (t, "submitted", progress, prompt, 0);
}

void
gst_imagegen_tracker_resumed (GstImagegenTracker * t,
    const ImagegenResult * progress, const gchar * prompt)
{
  g_mutex_lock (&t->lock);
  t->resumed++;
  g_mutex_unlock (&t->lock);
  post_task_message (t, "resumed", progress, prompt, 0);
}

void
gst_imagegen_tracker_finished (GstImagegenTracker * t,
    const ImagegenResult * r, const gchar * prompt, gint64 reserved,
    gint64 decoded_us)
{
  const gchar *event = "completed";
  gint64 cost;

  if (r->error != NULL)
    event = g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
        "cancelled" : "failed";

  /* The service's billing wins.  Without it: a completed task costs its
   * price, and so does a cancelled one the service had already created
   * (it goes on and is charged); failed generations are not charged. */
  cost = r->cost_nanocents;
  if (cost < 0)
    cost = r->error == NULL || (g_str_equal (event, "cancelled")
        && r->task_id != NULL) ? reserved : 0;

  g_mutex_lock (&t->lock);
  t->reserved -= reserved;
  t->spent += cost;
  t->retries += r->retries;
  t->polls += r->polls;
  if (r->error == NULL) {
    t->succeeded++;
    if (decoded_us > 0) {
      t->last_latency_us = decoded_us - r->submitted_us;
      t->latency_sum_us += t->last_latency_us;
    }
  } else if (g_str_equal (event, "cancelled")) {
    t->cancelled++;
  } else {
    t->failed++;
  }
  g_mutex_unlock (&t->lock);

  post_task_message (t, event, r, prompt, decoded_us);
}

void
gst_imagegen_tracker_answered_locally (GstImagegenTracker * t, gboolean hit,
    const ImagegenResult * r, const gchar * prompt, gint64 reserved)
{
  g_mutex_lock (&t->lock);
  t->requests--;
  t->reserved -= reserved;
  if (hit) {
    t->cache_hits++;
  } else {
    t->cache_misses++;
    t->estimated += reserved;
  }
  g_mutex_unlock (&t->lock);
  post_task_message (t, hit ? "cache-hit" : "cache-miss", r, prompt, 0);
}

/* A total for the stats' int64 cent fields; the -credits fields beside
 * them are exact */
static gint64
shown_cents (gint64 nanocents)
{
  return (gint64) imagegen_cents_shown (MAX (nanocents, 0));
}

GstStructure *
gst_imagegen_tracker_get_stats (GstImagegenTracker * t)
{
  GstStructure *s;

  g_mutex_lock (&t->lock);
  s = gst_structure_new ("imagegen-stats",
      "requests", G_TYPE_UINT, t->requests,
      "succeeded", G_TYPE_UINT, t->succeeded,
      "failed", G_TYPE_UINT, t->failed,
      "cancelled", G_TYPE_UINT, t->cancelled,
      "retries", G_TYPE_UINT, t->retries,
      "polls", G_TYPE_UINT, t->polls,
      "spent-cents", G_TYPE_INT64, shown_cents (t->spent),
      "spent-credits", G_TYPE_DOUBLE, imagegen_cents_exact (t->spent),
      "reserved-cents", G_TYPE_INT64, shown_cents (t->reserved),
      "reserved-credits", G_TYPE_DOUBLE, imagegen_cents_exact (t->reserved),
      "last-latency-ms", G_TYPE_DOUBLE, t->last_latency_us / 1000.0,
      "mean-latency-ms", G_TYPE_DOUBLE, t->succeeded ?
      t->latency_sum_us / 1000.0 / t->succeeded : 0.0,
      "cache-hits", G_TYPE_UINT, t->cache_hits,
      "cache-misses", G_TYPE_UINT, t->cache_misses,
      "estimated-cents", G_TYPE_INT64, shown_cents (t->estimated),
      "estimated-credits", G_TYPE_DOUBLE, imagegen_cents_exact (t->estimated),
      "resumed", G_TYPE_UINT, t->resumed, NULL);
  g_mutex_unlock (&t->lock);
  if (t->add_stats != NULL)
    t->add_stats (s, t->add_stats_data);
  return s;
}

void
gst_imagegen_tracker_install_properties (GObjectClass * klass, guint first)
{
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_TRACKER_PROP_MAX_REQUESTS,
      g_param_spec_uint ("max-requests", "Most requests",
          "Requests sent at most in one run (from READY to PAUSED and back), "
          "then the last image stays (count, 0 = no limit)", 0, G_MAXUINT,
          DEFAULT_MAX_REQUESTS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_TRACKER_PROP_MAX_COST,
      g_param_spec_uint ("max-cost", "Most cost",
          "Spending limit of one run: a request that would pass it is not "
          "sent (US cents, from the service's billing or the price table, "
          "summed with fractions; 0 = no limit)", 0, G_MAXUINT,
          DEFAULT_MAX_COST, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /* a bound with fractions: what is left of a budget shared by several
   * runs (imagegen-stylize's batch) is rarely a whole cent */
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS,
      g_param_spec_double ("max-cost-credits", "Most cost, exact",
          "max-cost in cents with fractions (credits, one a cent), to the "
          "nanocent; setting either sets both (0 = no limit)", 0,
          G_MAXUINT, DEFAULT_MAX_COST, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass,
      first + GST_IMAGEGEN_TRACKER_PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Totals of this run: requests, succeeded, failed, cancelled, "
          "retries, polls, spent-cents, reserved-cents (rounded up; "
          "spent-credits and reserved-credits: exact cents with fractions), "
          "last-latency-ms, mean-latency-ms (submit to decoded), in-flight "
          "(requests handed over and not done), in-flight-limit (lowered "
          "by rate limits), rate-limited (requests held by a 429), "
          "cache-hits (answered from cache-dir, not counted in requests), "
          "cache-misses and estimated-cents, estimated-credits (cache-only: "
          "not sent, and their catalogue price), resumed (tasks an earlier "
          "run paid for, polled instead of created again)", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

gboolean
gst_imagegen_tracker_set_property (GstImagegenTracker * t, guint first,
    guint prop_id, const GValue * value)
{
  if (prop_id < first || prop_id >= first + GST_IMAGEGEN_TRACKER_N_PROPS)
    return FALSE;
  g_mutex_lock (&t->lock);
  switch (prop_id - first) {
    case GST_IMAGEGEN_TRACKER_PROP_MAX_REQUESTS:
      t->max_requests = g_value_get_uint (value);
      t->warned = FALSE;
      break;
    case GST_IMAGEGEN_TRACKER_PROP_MAX_COST:
      t->max_cost = g_value_get_uint (value) * IMAGEGEN_NANOCENTS_PER_CENT;
      t->warned = FALSE;
      break;
    case GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS:
      t->max_cost = MAX (imagegen_nanocents (g_value_get_double (value)), 0);
      t->warned = FALSE;
      break;
    default:
      break;
  }
  g_mutex_unlock (&t->lock);
  return TRUE;
}

gboolean
gst_imagegen_tracker_get_property (GstImagegenTracker * t, guint first,
    guint prop_id, GValue * value)
{
  if (prop_id < first || prop_id >= first + GST_IMAGEGEN_TRACKER_N_PROPS)
    return FALSE;
  switch (prop_id - first) {
    case GST_IMAGEGEN_TRACKER_PROP_MAX_REQUESTS:
      g_mutex_lock (&t->lock);
      g_value_set_uint (value, t->max_requests);
      g_mutex_unlock (&t->lock);
      break;
    case GST_IMAGEGEN_TRACKER_PROP_MAX_COST:
      /* a bound with fractions reads as the whole cents it allows */
      g_mutex_lock (&t->lock);
      g_value_set_uint (value, t->max_cost / IMAGEGEN_NANOCENTS_PER_CENT);
      g_mutex_unlock (&t->lock);
      break;
    case GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS:
      g_mutex_lock (&t->lock);
      g_value_set_double (value, imagegen_cents_exact (t->max_cost));
      g_mutex_unlock (&t->lock);
      break;
    case GST_IMAGEGEN_TRACKER_PROP_STATS:
      g_value_take_boxed (value, gst_imagegen_tracker_get_stats (t));
      break;
  }
  return TRUE;
}
