/* gst-imagegen: the request engine both imagegen elements share.
 *
 * A request goes: submit (guard, in-flight count) -> worker: prepare ->
 * result cache (gstimagegencache.c, when cache-dir or cache-only is set:
 * a hit or a cache-only miss goes straight to the next worker step) ->
 * client thread: upload, create, poll, download -> worker: header check
 * and decode (and a store in the cache) -> the element's done callback ->
 * task message.  Work of an
 * older epoch is dropped wherever it is found, and reported "cancelled".
 *
 * Paid work is never thrown away: once a create is answered, the task is
 * noted in the cache under the request's key, and a later miss of that
 * key resumes the task (poll, download) instead of creating it again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenengine.h"
#include "gstimagegensettings.h"
#include "imagegen-provider.h"

GST_DEBUG_CATEGORY_STATIC (gst_imagegen_engine_debug);
#define GST_CAT_DEFAULT gst_imagegen_engine_debug

typedef struct
{
  GstImagegenEngine *engine;
  guint epoch;
  GCancellable *cancellable;
  ImagegenRequest *request;     /* until it is sent */
  ImagegenRequest *to_quote;    /* a live price to ask once it is sent */
  ImagegenResult *result;       /* once the client is done */
  GstImagegenEnginePrepareFunc prepare;
  GstImagegenEngineDoneFunc done;
  gpointer tag;
  GDestroyNotify tag_free;
  gint64 reserved;              /* nanocents: what the guard holds for it */
  gchar *prompt;
  gboolean tracked;             /* its end is still to be reported */
  gchar *cache_key;             /* where its result is stored, or NULL */
  gchar *resume_task_id;        /* an earlier run's task for this key */
  gchar *resume_poll_url;
  gint answered_locally;        /* ANSWERED_* */
  guint64 ticket;               /* a realtime frame's place in line, 0:
                                 * none (gstimagegenrealtime.c) */
} EngineWork;

enum
{
  ANSWERED_BY_SERVICE,
  ANSWERED_BY_CACHE,
  ANSWERED_NOT_SENT,            /* cache-only and not in the cache */
};

/* Reports the task's end once: bus message, stats, spending. */
static void
work_report (EngineWork * work, const ImagegenResult * result,
    gint64 decoded_us)
{
  ImagegenResult cancelled = { 0, };

  if (!work->tracked)
    return;
  work->tracked = FALSE;
  if (result == NULL) {
    /* it never reached the client: stopped or flushed before */
    cancelled.error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "cancelled before it was sent");
    cancelled.cost_nanocents = -1;
    cancelled.model = work->request ? work->request->model : NULL;
    result = &cancelled;
  }
  if (work->answered_locally != ANSWERED_BY_SERVICE)
    gst_imagegen_tracker_answered_locally (&work->engine->tracker,
        work->answered_locally == ANSWERED_BY_CACHE, result, work->prompt,
        work->reserved);
  else
    gst_imagegen_tracker_finished (&work->engine->tracker, result,
        work->prompt, work->reserved, decoded_us);
  g_clear_error (&cancelled.error);
}

static void
engine_work_free (EngineWork * work)
{
  work_report (work, work->result, 0);
  if (work->tag_free != NULL && work->tag != NULL)
    work->tag_free (work->tag);
  g_free (work->prompt);
  g_free (work->cache_key);
  g_free (work->resume_task_id);
  g_free (work->resume_poll_url);
  g_clear_object (&work->cancellable);
  g_clear_pointer (&work->request, imagegen_request_free);
  g_clear_pointer (&work->to_quote, imagegen_request_free);
  g_clear_pointer (&work->result, imagegen_result_free);
  g_free (work);
}

static gboolean
work_is_stale (EngineWork * work)
{
  GstImagegenEngine *engine = work->engine;
  gboolean stale;

  g_mutex_lock (&engine->lock);
  stale = work->epoch != engine->epoch;
  g_mutex_unlock (&engine->lock);
  return stale || g_cancellable_is_cancelled (work->cancellable);
}

/* A task that failed for good: polling it again would give nothing. */
static gboolean
failed_for_good (const GError * error)
{
  return g_error_matches (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_TASK_FAILED)
      || g_error_matches (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_MODERATED);
}

/* worker: the result goes into the cache, and the note of its task goes
 * once it is there (or the task failed for good); a job stopped or cut
 * short keeps it for the next run */
static void
settle_pending (EngineWork * work, GstImagegenImage * image)
{
  GstImagegenCache *cache = &work->engine->cache;

  if (image->error == NULL) {
    if (gst_imagegen_cache_store (cache, work->cache_key,
            image->result->image, image->result->content_type))
      gst_imagegen_cache_clear_pending (cache, work->cache_key);
  } else if (failed_for_good (image->error)) {
    gst_imagegen_cache_clear_pending (cache, work->cache_key);
  }
}

/* worker: header check and decode, then the element's callback */
static void
finish_work (EngineWork * work)
{
  GstImagegenEngine *engine = work->engine;
  GstImagegenImage *image;
  guint64 max_pixels;
  gboolean decode, current, report_first;

  g_mutex_lock (&engine->lock);
  max_pixels = engine->max_pixels;
  decode = engine->decode;
  g_mutex_unlock (&engine->lock);

  image = gst_imagegen_image_new_from_result (g_steal_pointer (&work->result),
      max_pixels, decode);
  if (image->error != NULL && image->result->error == NULL)
    image->result->error = g_error_copy (image->error);
  /* only what decoded (or passed the header check) is kept */
  if (work->cache_key != NULL
      && work->answered_locally == ANSWERED_BY_SERVICE)
    settle_pending (work, image);
  GST_DEBUG_OBJECT (engine->element, "task %s done%s%s",
      GST_STR_NULL (image->result->task_id), image->error ? ": " : "",
      image->error ? image->error->message : "");

  g_mutex_lock (&engine->lock);
  current = work->epoch == engine->epoch;
  /* once settings were changed while running, a request the service
   * refuses (422) is taken for the change's fault, not the stream's: the
   * stream goes on.  Judged when the answer comes, not when the request
   * left, as a request sent just before the change may answer after it */
  image->fatal = image->error != NULL
      && gst_imagegen_error_is_fatal (image->error)
      && !(engine->changed_while_running && g_error_matches (image->error,
          IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_VALIDATION));
  if (current) {
    engine->in_flight--;
    if (image->fatal && engine->fatal_error == NULL)
      engine->fatal_error = g_error_copy (image->error);
  }
  report_first = engine->report_first;
  g_mutex_unlock (&engine->lock);

  gst_imagegen_engine_realtime_note (engine);
  if (report_first)
    work_report (work, image->result, image->decoded_us);
  if (current)
    work->done (engine, work->tag, image);
  work_report (work, image->result, image->decoded_us);
  gst_imagegen_image_unref (image);
}

static void
job_event (const gchar * event, const ImagegenResult * progress,
    gpointer user_data)
{
  EngineWork *work = user_data;

  if (g_str_equal (event, "resumed")) {
    gst_imagegen_tracker_resumed (&work->engine->tracker, progress,
        work->prompt);
    return;
  }
  if (!g_str_equal (event, "submitted"))
    return;
  /* paid from now on: noted before anything else can stop the run (a
   * few hundred bytes, so written here, on the client thread) */
  if (work->cache_key != NULL && progress->task_id != NULL)
    gst_imagegen_cache_store_pending (&work->engine->cache,
        work->cache_key, progress->task_id, progress->poll_url);
  /* the service's own reservation replaces the quote's or the table's
   * (this and the finish run on the client thread, one after the other) */
  if (progress->reserved_nanocents >= 0) {
    gst_imagegen_tracker_rereserve (&work->engine->tracker,
        work->reserved, progress->reserved_nanocents);
    work->reserved = progress->reserved_nanocents;
  }
  gst_imagegen_tracker_submitted (&work->engine->tracker, progress,
      work->prompt);
}

/* client thread: never block it, decoding goes to the workers */
static void
job_done (ImagegenResult * result, gpointer user_data)
{
  EngineWork *work = user_data;
  GstImagegenEngine *engine = work->engine;

  work->result = result;
  g_mutex_lock (&engine->lock);
  if (work->epoch == engine->epoch && engine->workers != NULL) {
    g_thread_pool_push (engine->workers, work, NULL);
    work = NULL;
  }
  g_mutex_unlock (&engine->lock);
  if (work != NULL)
    engine_work_free (work);
}

static void
send_work (EngineWork * work)
{
  GstImagegenEngine *engine = work->engine;

  ImagegenRequest *to_quote = g_steal_pointer (&work->to_quote);

  g_mutex_lock (&engine->lock);
  if (work->epoch == engine->epoch && engine->client != NULL
      && !gst_imagegen_engine_realtime_in_order_locked (engine,
          work->ticket)) {
    g_mutex_unlock (&engine->lock);
    g_clear_pointer (&to_quote, imagegen_request_free);
    work->result = gst_imagegen_engine_realtime_superseded (work->request);
    finish_work (work);
    engine_work_free (work);
    return;
  }
  if (work->epoch == engine->epoch && engine->client != NULL) {
    ImagegenRequest *request = g_steal_pointer (&work->request);

    if (work->resume_task_id != NULL)
      imagegen_client_resume (engine->client, request, work->resume_task_id,
          work->resume_poll_url, work->cancellable, job_event, job_done,
          work);
    else
      imagegen_client_submit (engine->client, request, work->cancellable,
          job_event, job_done, work);
    imagegen_request_free (request);
    work = NULL;
    /* queued after the create: a quote never holds up an image */
    if (to_quote != NULL)
      imagegen_client_prefetch_quote (engine->client, to_quote);
  }
  g_mutex_unlock (&engine->lock);
  g_clear_pointer (&to_quote, imagegen_request_free);
  if (work != NULL)
    engine_work_free (work);
}

/* worker: a result the cache holds, or (cache-only) the miss, as the
 * job's result; else remembers the key to store the answer under, and
 * the task an earlier run left pending under it */
static gboolean
answer_from_cache (EngineWork * work)
{
  GstImagegenCache *cache = &work->engine->cache;
  ImagegenResult *result;
  gchar *content_type = NULL;
  GBytes *image;

  if (!gst_imagegen_cache_enabled (cache))
    return FALSE;
  work->cache_key = gst_imagegen_cache_key (cache, work->engine->service,
      work->request);
  image = gst_imagegen_cache_lookup (cache, work->cache_key, &content_type);
  if (image == NULL && !gst_imagegen_cache_only (cache)) {
    gst_imagegen_cache_lookup_pending (cache, work->cache_key,
        &work->resume_task_id, &work->resume_poll_url);
    return FALSE;
  }

  result = g_new0 (ImagegenResult, 1);
  result->model = g_strdup (work->request->model);
  result->cost_nanocents = 0;
  result->submitted_us = g_get_monotonic_time ();
  if (image != NULL) {
    result->image = image;
    result->content_type = content_type;
    result->downloaded_us = result->submitted_us;
    work->answered_locally = ANSWERED_BY_CACHE;
  } else {
    result->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "not in the result cache (cache-only: nothing is sent)");
    work->answered_locally = ANSWERED_NOT_SENT;
  }
  work->result = result;
  return TRUE;
}

static void
run_work (EngineWork * work, GstImagegenEngine * engine)
{
  GError *error = NULL;

  if (work_is_stale (work)) {
    engine_work_free (work);
    return;
  }
  if (work->result != NULL) {
    finish_work (work);
  } else if (work->prepare != NULL
      && !work->prepare (work->tag, work->request, &error)) {
    /* a failed request all the same, so that whoever waits moves on */
    work->result = g_new0 (ImagegenResult, 1);
    work->result->cost_nanocents = -1;
    work->result->model = g_strdup (work->request->model);
    work->result->error = error;
    finish_work (work);
  } else if (answer_from_cache (work)) {
    finish_work (work);
  } else {
    send_work (work);
    return;
  }
  engine_work_free (work);
}

/* the client's gate, for the stats: rate limits lower it */
static void
add_gate_stats (GstStructure * stats, gpointer data)
{
  GstImagegenEngine *engine = data;
  guint limit, held, in_flight;

  g_mutex_lock (&engine->lock);
  if (engine->client != NULL) {
    engine->in_flight_limit =
        imagegen_client_get_in_flight_limit (engine->client);
    engine->rate_limited = imagegen_client_get_rate_limited (engine->client);
  }
  limit = engine->in_flight_limit;
  held = engine->rate_limited;
  in_flight = engine->in_flight;
  g_mutex_unlock (&engine->lock);
  gst_structure_set (stats, "in-flight", G_TYPE_UINT, in_flight,
      "in-flight-limit", G_TYPE_UINT, limit,
      "rate-limited", G_TYPE_UINT, held, NULL);
  gst_imagegen_engine_realtime_add_stats (engine, stats);
}

void
gst_imagegen_engine_init (GstImagegenEngine * engine, GstElement * element)
{
  static gsize debug_init = 0;

  if (g_once_init_enter (&debug_init)) {
    GST_DEBUG_CATEGORY_INIT (gst_imagegen_engine_debug, "imagegenengine", 0,
        "imagegen request engine");
    g_once_init_leave (&debug_init, 1);
  }
  memset (engine, 0, sizeof (*engine));
  engine->element = element;
  gst_imagegen_tracker_init (&engine->tracker, element);
  gst_imagegen_cache_init (&engine->cache);
  engine->tracker.add_stats = add_gate_stats;
  engine->tracker.add_stats_data = engine;
  g_mutex_init (&engine->lock);
  engine->decode = TRUE;
}

void
gst_imagegen_engine_clear (GstImagegenEngine * engine)
{
  g_warn_if_fail (engine->client == NULL);
  g_clear_object (&engine->cancellable);
  g_clear_error (&engine->fatal_error);
  g_clear_pointer (&engine->service, g_free);
  gst_imagegen_tracker_clear (&engine->tracker);
  gst_imagegen_cache_clear (&engine->cache);
  g_mutex_clear (&engine->lock);
}

void
gst_imagegen_engine_install_properties (GObjectClass * klass, guint first)
{
  gst_imagegen_tracker_install_properties (klass, first);
  gst_imagegen_cache_install_properties (klass,
      first + GST_IMAGEGEN_ENGINE_PROP_CACHE_FIRST);
}

gboolean
gst_imagegen_engine_set_property (GstImagegenEngine * engine, guint first,
    guint prop_id, const GValue * value)
{
  return gst_imagegen_tracker_set_property (&engine->tracker, first, prop_id,
      value) || gst_imagegen_fields_set (&engine->cache,
      gst_imagegen_cache_fields, &engine->cache.lock,
      first + GST_IMAGEGEN_ENGINE_PROP_CACHE_FIRST, prop_id, value);
}

gboolean
gst_imagegen_engine_get_property (GstImagegenEngine * engine, guint first,
    guint prop_id, GValue * value)
{
  return gst_imagegen_tracker_get_property (&engine->tracker, first, prop_id,
      value) || gst_imagegen_fields_get (&engine->cache,
      gst_imagegen_cache_fields, &engine->cache.lock,
      first + GST_IMAGEGEN_ENGINE_PROP_CACHE_FIRST, prop_id, value);
}

static void
new_epoch_locked (GstImagegenEngine * engine)
{
  engine->epoch++;
  engine->in_flight = 0;
  g_clear_error (&engine->fatal_error);
  engine->fatal_posted = FALSE;
  if (engine->cancellable != NULL) {
    g_cancellable_cancel (engine->cancellable);
    g_object_unref (engine->cancellable);
  }
  engine->cancellable = g_cancellable_new ();
}

void
gst_imagegen_engine_start (GstImagegenEngine * engine,
    const ImagegenClientConfig * config, guint64 max_pixels)
{
  gst_imagegen_tracker_reset (&engine->tracker);
  gst_imagegen_cache_forget_urls (&engine->cache);
  g_mutex_lock (&engine->lock);
  new_epoch_locked (engine);
  engine->client = imagegen_client_new (config);
  /* the emulator's results never answer for the service's, nor one
   * provider's for another's */
  g_free (engine->service);
  engine->provider = config->provider;
  engine->service = g_strdup_printf ("%s@%s",
      imagegen_provider_get (config->provider)->name, config->base_url ?
      config->base_url : "default");
  engine->in_flight_limit = imagegen_client_get_in_flight_limit
      (engine->client);
  engine->rate_limited = 0;
  memset (&engine->realtime, 0, sizeof (engine->realtime));
  engine->drops_warned = 0;
  engine->rt_superseded_unsent = 0;
  engine->changed_while_running = FALSE;
  engine->workers = g_thread_pool_new ((GFunc) run_work, engine,
      MAX (2, g_get_num_processors ()), FALSE, NULL);
  engine->max_pixels = max_pixels;
  engine->decode = TRUE;
  g_mutex_unlock (&engine->lock);
  /* while the first task runs */
  gst_imagegen_decode_preload ();
}

void
gst_imagegen_engine_stop (GstImagegenEngine * engine)
{
  ImagegenClient *client;
  GThreadPool *workers;

  g_mutex_lock (&engine->lock);
  new_epoch_locked (engine);
  client = g_steal_pointer (&engine->client);
  if (client != NULL) {
    engine->in_flight_limit = imagegen_client_get_in_flight_limit (client);
    engine->rate_limited = imagegen_client_get_rate_limited (client);
    /* the counters up to the end, for the stats after stop */
    imagegen_client_get_realtime_stats (client, &engine->realtime);
  }
  workers = g_steal_pointer (&engine->workers);
  g_mutex_unlock (&engine->lock);

  /* the jobs are cancelled: freeing the client only waits for their
   * callbacks, and the workers drop stale work at once */
  if (client != NULL)
    imagegen_client_free (client);
  if (workers != NULL)
    g_thread_pool_free (workers, FALSE, TRUE);
}

void
gst_imagegen_engine_flush (GstImagegenEngine * engine)
{
  g_mutex_lock (&engine->lock);
  new_epoch_locked (engine);
  g_mutex_unlock (&engine->lock);
}

/* The one gate: the element's max-in-flight and the client's current
 * limit (429s halve it), the smaller wins.  A request handed over past
 * the client's limit would only wait in its queue and go stale. */
static gboolean
slot_is_free_locked (GstImagegenEngine * engine, guint max_in_flight)
{
  guint limit = max_in_flight;

  if (engine->client != NULL) {
    guint adaptive = imagegen_client_get_in_flight_limit (engine->client);

    limit = limit > 0 ? MIN (limit, adaptive) : adaptive;
  }
  return limit == 0 || engine->in_flight < limit;
}

gboolean
gst_imagegen_engine_has_slot (GstImagegenEngine * engine, guint max_in_flight)
{
  gboolean free;

  g_mutex_lock (&engine->lock);
  free = slot_is_free_locked (engine, max_in_flight);
  g_mutex_unlock (&engine->lock);
  return free;
}

GstImagegenSubmitResult
gst_imagegen_engine_submit (GstImagegenEngine * engine, guint max_in_flight,
    ImagegenRequest * request, GstImagegenEnginePrepareFunc prepare,
    GstImagegenEngineDoneFunc done, gpointer tag, GDestroyNotify tag_free)
{
  GstImagegenSubmitResult verdict = GST_IMAGEGEN_SUBMIT_SENT;
  EngineWork *work;
  gint64 reserved = 0, quoted = -1;
  guint epoch;
  gboolean quotes = gst_imagegen_tracker_wants_quotes (&engine->tracker);
  ImagegenRequest *to_quote = NULL;

  /* the slot first, so that two threads cannot both take the last one */
  g_mutex_lock (&engine->lock);
  if (!slot_is_free_locked (engine, max_in_flight))
    verdict = GST_IMAGEGEN_SUBMIT_BUSY;
  else
    engine->in_flight++;
  epoch = engine->epoch;
  /* with max-cost, the live quote prices requests once it has come; the
   * first goes at the table's price rather than wait for it */
  if (quotes && verdict == GST_IMAGEGEN_SUBMIT_SENT && engine->client) {
    quoted = imagegen_client_get_quote (engine->client, request);
    if (quoted < 0)
      to_quote = imagegen_request_copy (request);
  }
  g_mutex_unlock (&engine->lock);

  /* the service's live quote, else the model table's price */
  if (verdict == GST_IMAGEGEN_SUBMIT_SENT)
    reserved = quoted >= 0 ? quoted : imagegen_models_price_nanocents
        (imagegen_provider_get (engine->provider), request, NULL);
  if (verdict == GST_IMAGEGEN_SUBMIT_SENT
      && !gst_imagegen_tracker_admit (&engine->tracker, reserved)) {
    g_mutex_lock (&engine->lock);
    if (engine->epoch == epoch)
      engine->in_flight--;
    g_mutex_unlock (&engine->lock);
    verdict = GST_IMAGEGEN_SUBMIT_REFUSED;
  }
  if (verdict != GST_IMAGEGEN_SUBMIT_SENT) {
    imagegen_request_free (request);
    g_clear_pointer (&to_quote, imagegen_request_free);
    if (tag_free != NULL && tag != NULL)
      tag_free (tag);
    return verdict;
  }

  work = g_new0 (EngineWork, 1);
  work->engine = engine;
  work->request = request;
  work->prepare = prepare;
  work->done = done;
  work->tag = tag;
  work->tag_free = tag_free;
  work->reserved = reserved;
  work->prompt = g_strdup (request->prompt);
  work->tracked = TRUE;
  work->epoch = epoch;

  g_mutex_lock (&engine->lock);
  work->ticket = gst_imagegen_engine_realtime_ticket_locked (engine, request);
  work->cancellable = engine->cancellable ?
      g_object_ref (engine->cancellable) : g_cancellable_new ();
  if (engine->client == NULL || engine->epoch != epoch) {
    /* stopped or flushed meanwhile: reported as cancelled */
    g_cancellable_cancel (work->cancellable);
  } else if (prepare != NULL
      || gst_imagegen_cache_enabled (&engine->cache)) {
    /* the worker prepares it and looks it up; the create leaves from
     * there, and so does the quote, after it */
    work->to_quote = g_steal_pointer (&to_quote);
    g_thread_pool_push (engine->workers, work, NULL);
    work = NULL;
  } else {
    imagegen_client_submit (engine->client, work->request, work->cancellable,
        job_event, job_done, work);
    g_clear_pointer (&work->request, imagegen_request_free);
    work = NULL;
  }
  /* queued after the create: a quote never holds up an image */
  if (to_quote != NULL && engine->client != NULL)
    imagegen_client_prefetch_quote (engine->client, to_quote);
  g_mutex_unlock (&engine->lock);
  g_clear_pointer (&to_quote, imagegen_request_free);
  if (work != NULL)
    engine_work_free (work);
  return GST_IMAGEGEN_SUBMIT_SENT;
}

void
gst_imagegen_engine_alias_url (GstImagegenEngine * engine, const gchar * url,
    GBytes * image)
{
  gst_imagegen_cache_alias_url (&engine->cache, url, image);
}

/* cache-only sends no upload either: names made of the images' hashes
 * stand for their URLs (keys are the same as after a real upload) */
static void
pretend_upload (const ImagegenRequest * request, ImagegenJobDoneFunc done,
    gpointer user_data)
{
  ImagegenResult *result = g_new0 (ImagegenResult, 1);
  guint i;

  result->cost_nanocents = 0;
  result->uploaded_urls = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; request->source_images && i < request->source_images->len;
      i++)
    g_ptr_array_add (result->uploaded_urls,
        gst_imagegen_cache_unsent_url (g_ptr_array_index
            (request->source_images, i)));
  for (i = 0; request->source_urls && i < request->source_urls->len; i++)
    g_ptr_array_add (result->uploaded_urls,
        g_strdup (g_ptr_array_index (request->source_urls, i)));
  done (result, user_data);
}

void
gst_imagegen_engine_upload (GstImagegenEngine * engine,
    const ImagegenRequest * request, ImagegenJobDoneFunc done,
    gpointer user_data)
{
  if (gst_imagegen_cache_only (&engine->cache)) {
    pretend_upload (request, done, user_data);
    return;
  }
  g_mutex_lock (&engine->lock);
  if (engine->client != NULL)
    imagegen_client_submit (engine->client, request, engine->cancellable,
        NULL, done, user_data);
  g_mutex_unlock (&engine->lock);
}

guint
gst_imagegen_engine_in_flight (GstImagegenEngine * engine)
{
  guint n;

  g_mutex_lock (&engine->lock);
  n = engine->in_flight;
  g_mutex_unlock (&engine->lock);
  return n;
}

gboolean
gst_imagegen_engine_is_running (GstImagegenEngine * engine)
{
  gboolean running;

  g_mutex_lock (&engine->lock);
  running = engine->client != NULL;
  g_mutex_unlock (&engine->lock);
  return running;
}

void
gst_imagegen_engine_set_decode (GstImagegenEngine * engine, gboolean decode)
{
  g_mutex_lock (&engine->lock);
  engine->decode = decode;
  g_mutex_unlock (&engine->lock);
}

void
gst_imagegen_engine_settings_changed (GstImagegenEngine * engine)
{
  g_mutex_lock (&engine->lock);
  engine->changed_while_running = engine->client != NULL;
  g_mutex_unlock (&engine->lock);
}

void
gst_imagegen_engine_set_report_first (GstImagegenEngine * engine,
    gboolean report_first)
{
  g_mutex_lock (&engine->lock);
  engine->report_first = report_first;
  g_mutex_unlock (&engine->lock);
}

gboolean
gst_imagegen_engine_has_fatal (GstImagegenEngine * engine)
{
  gboolean fatal;

  g_mutex_lock (&engine->lock);
  fatal = engine->fatal_error != NULL;
  g_mutex_unlock (&engine->lock);
  return fatal;
}

void
gst_imagegen_engine_post_fatal (GstImagegenEngine * engine,
    const gchar * what)
{
  GError *error = NULL;

  g_mutex_lock (&engine->lock);
  if (engine->fatal_error != NULL && !engine->fatal_posted) {
    error = g_error_copy (engine->fatal_error);
    engine->fatal_posted = TRUE;
  }
  g_mutex_unlock (&engine->lock);
  if (error != NULL) {
    gst_imagegen_post_error (engine->element, error, what, FALSE);
    g_error_free (error);
  }
}

