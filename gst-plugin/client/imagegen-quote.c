/* gst-imagegen: live prices.  imagegen_client_prefetch_quote() submits a
 * quote job (a job with a quote_key and no task); its answer fills the
 * cache that imagegen_client_get_quote() reads from any thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "imagegen-quote.h"
#include "imagegen-gate.h"

/* The quote cache's values: a gint64 of nanocents, or one of these. */
#define QUOTE_PENDING (-2)
#define QUOTE_NONE (-1)

static gpointer
quote_value (gint64 nanocents)
{
  return g_memdup2 (&nanocents, sizeof (nanocents));
}

typedef struct
{
  ImagegenClient *client;
  gchar *key;
} QuoteWait;

static void
quote_answer_done (const ImagegenHttpResponse * r, gpointer data)
{
  ImagegenJob *job = data;
  GError *error = NULL;
  JsonNode *root;
  gint64 nanocents = -1;

  job->exchange = NULL;
  job->result->retries += r->retries;
  root = imagegen_job_api_answer (job, r, &error);
  if (root != NULL) {
    job->client->provider->parse_quote (root, &nanocents, &error);
    json_node_unref (root);
  }
  job->result->cost_nanocents = error ? -1 : nanocents;
  imagegen_job_finish (job, error);
}

/* One POST: no upload, no task, no Idempotency-Key (nothing is bought). */
void
imagegen_quote_send (ImagegenJob * job)
{
  const ImagegenProvider *provider = job->client->provider;
  gchar *url = imagegen_job_api_url (job, provider->quote_path);

  job->step = "asking the price of";
  imagegen_job_exchange (job, "POST", url, job->quote_key,
      IMAGEGEN_HTTP_FLAG_API, IMAGEGEN_HTTP_API_MAX_BYTES, quote_answer_done);
  g_free (url);
}

/* On the client thread: a quote came back.  Failed, or without a figure
 * yet, it is not asked again: the table's price stays in use. */
static void
quote_done (ImagegenResult * result, gpointer user_data)
{
  QuoteWait *wait = user_data;
  ImagegenClient *client = wait->client;

  g_mutex_lock (&client->quotes_lock);
  g_hash_table_replace (client->quotes, g_steal_pointer (&wait->key),
      quote_value (result->error == NULL && result->cost_nanocents >= 0 ?
          result->cost_nanocents : QUOTE_NONE));
  g_mutex_unlock (&client->quotes_lock);
  g_free (wait);
  imagegen_result_free (result);
}

void
imagegen_client_prefetch_quote (ImagegenClient * client,
    const ImagegenRequest * request)
{
  gchar *key;
  QuoteWait *wait;
  ImagegenJob *job;

  g_return_if_fail (client != NULL && request != NULL);
  /* a provider without live prices (Black Forest Labs) has the table's */
  if (client->provider->build_quote_body == NULL)
    return;
  key = client->provider->build_quote_body (request);
  if (key == NULL)
    return;
  g_mutex_lock (&client->quotes_lock);
  if (g_hash_table_contains (client->quotes, key)) {
    g_mutex_unlock (&client->quotes_lock);
    g_free (key);
    return;
  }
  g_hash_table_insert (client->quotes, g_strdup (key),
      quote_value (QUOTE_PENDING));
  g_mutex_unlock (&client->quotes_lock);

  wait = g_new0 (QuoteWait, 1);
  wait->client = client;
  wait->key = g_strdup (key);
  job = imagegen_job_new (client, request, NULL, NULL, quote_done, wait);
  job->quote_key = key;
  imagegen_gate_submit (job);
}

gint64
imagegen_client_get_quote (ImagegenClient * client,
    const ImagegenRequest * request)
{
  g_autofree gchar *key = NULL;
  gint64 *value;
  gint64 nanocents = -1;

  g_return_val_if_fail (client != NULL && request != NULL, -1);
  if (client->provider->build_quote_body == NULL)
    return -1;
  key = client->provider->build_quote_body (request);
  if (key == NULL)
    return -1;
  g_mutex_lock (&client->quotes_lock);
  value = g_hash_table_lookup (client->quotes, key);
  /* pending and none are below 0 too */
  if (value != NULL && *value >= 0)
    nanocents = *value;
  g_mutex_unlock (&client->quotes_lock);
  return nanocents;
}
