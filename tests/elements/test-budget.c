/* gst-imagegen: the spending guard alone (gstimagegentracker.h) — what
 * max-requests and max-cost admit and refuse, what a request reserves and
 * what its end settles, and the one warning a refusal posts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include "gstimagegentracker.h"
#include "imagegen-provider.h"

typedef struct
{
  GstElement *element;
  GstBus *bus;
  GstImagegenTracker tracker;
  ImagegenRequest *request;
} Budget;

static void
budget_init (Budget * b, guint max_requests, guint max_cost_cents)
{
  b->element = gst_bin_new ("guarded");
  b->bus = gst_bus_new ();
  gst_element_set_bus (b->element, b->bus);
  gst_imagegen_tracker_init (&b->tracker, b->element);
  b->tracker.max_requests = max_requests;
  b->tracker.max_cost = max_cost_cents * IMAGEGEN_NANOCENTS_PER_CENT;
  b->request = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
      "flux-2-pro-text-to-image", "a red fox in the snow");
}

static void
budget_clear (Budget * b)
{
  imagegen_request_free (b->request);
  gst_imagegen_tracker_clear (&b->tracker);
  gst_element_set_bus (b->element, NULL);
  gst_object_unref (b->bus);
  gst_object_unref (b->element);
}

/* The stats field @name, a number of any type. */
static gdouble
stat_number (Budget * b, const gchar * name)
{
  GstStructure *s = gst_imagegen_tracker_get_stats (&b->tracker);
  const GValue *value = gst_structure_get_value (s, name);
  GValue number = G_VALUE_INIT;

  fail_unless (value != NULL, "no %s", name);
  g_value_init (&number, G_TYPE_DOUBLE);
  fail_unless (g_value_transform (value, &number), "%s is no number", name);
  gst_structure_free (s);
  return g_value_get_double (&number);
}

/* The guard's warnings on the bus: how many, and the first one's text. */
static guint
count_warnings (Budget * b, gchar ** first)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (b->bus, GST_MESSAGE_WARNING))) {
    GError *error = NULL;

    gst_message_parse_warning (msg, &error, NULL);
    if (n++ == 0 && first != NULL)
      *first = g_strdup (error->message);
    g_error_free (error);
    gst_message_unref (msg);
  }
  return n;
}

/* A task of @b's request ended: completed (@error NULL) or not; billed
 * @cost_cents (with fractions; < 0: not reported). */
static void
finish (Budget * b, gint64 reserved, gdouble cost_cents, GError * error,
    const gchar * task_id)
{
  ImagegenResult r = { 0 };

  r.error = error;
  r.task_id = (gchar *) task_id;
  r.model = (gchar *) "flux-2-pro-text-to-image";
  r.cost_nanocents = imagegen_nanocents (cost_cents);
  r.reserved_nanocents = -1;
  gst_imagegen_tracker_finished (&b->tracker, &r, "a red fox", reserved, 0);
  g_clear_error (&error);
}

/* Admits b's request as the engine does: at the quote (cents, with
 * fractions) when there is one, else at the model table's price
 * (imagegen_models_price_nanocents()); @reserved in nanocents. */
static gboolean
admit (Budget * b, gdouble quote, gint64 * reserved)
{
  *reserved = quote >= 0 ? imagegen_nanocents (quote) :
      imagegen_models_price_nanocents (imagegen_provider_get
      (IMAGEGEN_PROVIDER_RUNAPI), b->request, NULL);
  return gst_imagegen_tracker_admit (&b->tracker, *reserved);
}

GST_START_TEST (test_max_requests)
{
  Budget b;
  gchar *warning = NULL;
  gint64 reserved = -1;
  guint i;

  budget_init (&b, 3, 0);
  for (i = 0; i < 3; i++)
    fail_unless (admit (&b, 5, &reserved));
  fail_unless_equals_int64 (reserved, 5 * IMAGEGEN_NANOCENTS_PER_CENT);
  /* the fourth and fifth are refused; one warning says why */
  fail_if (admit (&b, 5, &reserved));
  fail_if (admit (&b, 5, &reserved));
  fail_unless_equals_int (stat_number (&b, "requests"), 3);
  fail_unless_equals_int (count_warnings (&b, &warning), 1);
  fail_unless (strstr (warning, "max-requests (3) reached") != NULL, "%s",
      warning);
  g_free (warning);

  /* a reset forgets the totals, not the limit */
  gst_imagegen_tracker_reset (&b.tracker);
  fail_unless_equals_int (b.tracker.max_requests, 3);
  fail_unless (admit (&b, 5, &reserved));
  budget_clear (&b);
}

GST_END_TEST;

GST_START_TEST (test_max_cost_reserves_and_settles)
{
  Budget b;
  gchar *warning = NULL;
  gint64 first = -1, second = -1, third = -1;

  budget_init (&b, 0, 20);
  fail_unless (gst_imagegen_tracker_wants_quotes (&b.tracker));
  fail_unless (admit (&b, 8, &first));
  fail_unless (admit (&b, 8, &second));
  fail_unless_equals_int64 (stat_number (&b, "reserved-cents"), 16);
  /* 16 reserved + 8 would pass 20 */
  fail_if (admit (&b, 8, &third));
  fail_unless_equals_int (count_warnings (&b, &warning), 1);
  fail_unless (strstr (warning, "max-cost (20 cents) would be passed: 16 "
          "cents spent or reserved, the next request costs 8") != NULL, "%s",
      warning);
  g_free (warning);

  /* the service billed the first 3 cents; the second failed, unbilled */
  finish (&b, first, 3, NULL, "task-1");
  finish (&b, second, -1, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
          "no"), "task-2");
  fail_unless_equals_int64 (stat_number (&b, "reserved-cents"), 0);
  fail_unless_equals_int64 (stat_number (&b, "spent-cents"), 3);
  fail_unless_equals_int (stat_number (&b, "succeeded"), 1);
  fail_unless_equals_int (stat_number (&b, "failed"), 1);
  /* now 3 spent: two more of 8 fit, a third does not; no second warning */
  fail_unless (admit (&b, 8, &first));
  fail_unless (admit (&b, 8, &second));
  fail_if (admit (&b, 8, &third));
  fail_unless_equals_int (count_warnings (&b, NULL), 0);
  budget_clear (&b);
}

GST_END_TEST;

GST_START_TEST (test_cancelled_task_is_charged)
{
  Budget b;
  gint64 reserved = -1;

  budget_init (&b, 0, 100);
  /* cancelled after the service created it: it runs on and is charged */
  fail_unless (admit (&b, 7, &reserved));
  finish (&b, reserved, -1, g_error_new_literal (G_IO_ERROR,
          G_IO_ERROR_CANCELLED, "cancelled"), "task-1");
  /* cancelled before any task existed: free */
  fail_unless (admit (&b, 7, &reserved));
  finish (&b, reserved, -1, g_error_new_literal (G_IO_ERROR,
          G_IO_ERROR_CANCELLED, "cancelled"), NULL);
  fail_unless_equals_int64 (stat_number (&b, "spent-cents"), 7);
  fail_unless_equals_int (stat_number (&b, "cancelled"), 2);
  budget_clear (&b);
}

GST_END_TEST;

GST_START_TEST (test_rereserve_and_cache)
{
  Budget b;
  gint64 reserved = -1;
  ImagegenResult r = { 0 };

  budget_init (&b, 0, 0);
  fail_if (gst_imagegen_tracker_wants_quotes (&b.tracker));
  /* without a quote the model table prices it */
  fail_unless (admit (&b, -1, &reserved));
  fail_unless (reserved > 0);
  gst_imagegen_tracker_rereserve (&b.tracker, reserved,
      30 * IMAGEGEN_NANOCENTS_PER_CENT);
  fail_unless_equals_int64 (stat_number (&b, "reserved-cents"), 30);
  gst_imagegen_tracker_rereserve (&b.tracker,
      30 * IMAGEGEN_NANOCENTS_PER_CENT, reserved);

  /* answered from the cache: no request, nothing spent */
  r.model = (gchar *) "flux-2-pro-text-to-image";
  r.cost_nanocents = -1;
  gst_imagegen_tracker_answered_locally (&b.tracker, TRUE, &r, "a red fox",
      reserved);
  fail_unless_equals_int (stat_number (&b, "requests"), 0);
  fail_unless_equals_int (stat_number (&b, "cache-hits"), 1);
  fail_unless_equals_int64 (stat_number (&b, "reserved-cents"), 0);
  fail_unless_equals_int64 (stat_number (&b, "spent-cents"), 0);
  budget_clear (&b);
}

GST_END_TEST;

/* Admits @n requests at @price cents (reserved in @reserved), then sees
 * the next one refused. */
static void
fill (Budget * b, gdouble price, guint n, gint64 * reserved)
{
  gint64 refused;
  guint i;

  for (i = 0; i < n; i++)
    fail_unless (admit (b, price, &reserved[i]), "request %u of %g cents "
        "refused", i + 1, price);
  fail_if (admit (b, price, &refused), "request %u of %g cents admitted",
      n + 1, price);
}

/* The @n requests of @reserved completed, each billed @cost cents. */
static void
settle (Budget * b, const gint64 * reserved, guint n, gdouble cost)
{
  guint i;

  for (i = 0; i < n; i++)
    finish (b, reserved[i], cost, NULL, "task");
}

/* Fractional prices add up exactly: 100 requests of 1.5 cents fill a
 * max-cost of 150 and the 101st is refused; 1.7 (no exact binary
 * fraction) ten times fills 17, not one request fewer; the bill is
 * rounded only where a figure is shown. */
GST_START_TEST (test_max_cost_fractional)
{
  gint64 reserved[100];
  gchar *warning = NULL;
  Budget b;

  budget_init (&b, 0, 150);
  fill (&b, 1.5, 100, reserved);
  fail_unless_equals_int (stat_number (&b, "requests"), 100);
  fail_unless_equals_int (count_warnings (&b, &warning), 1);
  fail_unless (strstr (warning, "max-cost (150 cents) would be passed: 150 "
          "cents spent or reserved, the next request costs 1.5") != NULL,
      "%s", warning);
  g_free (warning);
  settle (&b, reserved, 100, 1.5);
  fail_unless_equals_int64 (stat_number (&b, "spent-cents"), 150);
  fail_unless_equals_int64 (stat_number (&b, "reserved-cents"), 0);
  fail_unless (stat_number (&b, "spent-credits") == 150.0);
  budget_clear (&b);

  budget_init (&b, 0, 17);
  fill (&b, 1.7, 10, reserved);
  /* billed 1.4024 each (the service's own figure): 14.024 in all, shown
   * as 15 cents, where rounding each bill would show 20 */
  settle (&b, reserved, 10, 1.4024);
  fail_unless_equals_int64 (stat_number (&b, "spent-cents"), 15);
  fail_unless_equals_int64 (imagegen_nanocents (stat_number (&b,
              "spent-credits")), 14024000000);
  /* 2.976 left: two more at 1.4024, not a third */
  fill (&b, 1.4024, 2, reserved);
  budget_clear (&b);
}

GST_END_TEST;

/* max-cost-credits is the bound to the nanocent (what is left of a batch's
 * budget): 4.5 admits three requests of 1.5 cents, where max-cost 4 admits
 * two; setting either sets both. */
GST_START_TEST (test_max_cost_credits)
{
  GValue value = G_VALUE_INIT;
  gint64 reserved[3];
  gchar *warning = NULL;
  Budget b;

  budget_init (&b, 0, 0);
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 4.5);
  fail_unless (gst_imagegen_tracker_set_property (&b.tracker, 0,
          GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS, &value));
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_UINT);
  fail_unless (gst_imagegen_tracker_get_property (&b.tracker, 0,
          GST_IMAGEGEN_TRACKER_PROP_MAX_COST, &value));
  fail_unless_equals_int (g_value_get_uint (&value), 4);
  fill (&b, 1.5, 3, reserved);
  fail_unless_equals_int (count_warnings (&b, &warning), 1);
  fail_unless (strstr (warning, "max-cost (4.5 cents) would be passed")
      != NULL, "%s", warning);
  g_free (warning);
  budget_clear (&b);

  budget_init (&b, 0, 0);
  g_value_set_uint (&value, 4);
  fail_unless (gst_imagegen_tracker_set_property (&b.tracker, 0,
          GST_IMAGEGEN_TRACKER_PROP_MAX_COST, &value));
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_DOUBLE);
  fail_unless (gst_imagegen_tracker_get_property (&b.tracker, 0,
          GST_IMAGEGEN_TRACKER_PROP_MAX_COST_CREDITS, &value));
  fail_unless (g_value_get_double (&value) == 4.0);
  g_value_unset (&value);
  fill (&b, 1.5, 2, reserved);
  budget_clear (&b);
}

GST_END_TEST;

static Suite *
budget_suite (void)
{
  return element_test_suite ("budget", 0, ELEMENT_TEST (test_max_requests),
      ELEMENT_TEST (test_max_cost_reserves_and_settles),
      ELEMENT_TEST (test_cancelled_task_is_charged),
      ELEMENT_TEST (test_rereserve_and_cache),
      ELEMENT_TEST (test_max_cost_fractional),
      ELEMENT_TEST (test_max_cost_credits), NULL);
}

GST_CHECK_MAIN (budget);
