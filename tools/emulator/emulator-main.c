/* imagegen-emulator: command line and startup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command line is a public interface: scripts, tests and docs rely on
 * it and on the exact first line printed on stdout.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "emulator.h"
#include "imagegen-version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib-unix.h>
#include <gst/gst.h>

#define DEFAULT_LATENCY_MS 3000
#define DEFAULT_SEED 1

static const gchar description[] =
    "Speaks the RunAPI protocol on http://127.0.0.1:PORT/api/v1 for every\n"
    "model of the plugin's model table (docs/models.md) and\n"
    "serves result images itself. Point a client at it with\n"
    "RUNAPI_BASE_URL=http://127.0.0.1:PORT (or the elements' base-url).\n"
    "The first stdout line is exactly\n"
    "  imagegen-emulator listening on http://127.0.0.1:PORT\n"
    "(https:// with --tls-cert); a second line follows (but with\n"
    "--same-origin):\n"
    "  imagegen-emulator assets on http://127.0.0.1:PORT\n"
    "the origin of result images, file URLs and upload URLs, another host\n"
    "as at the real service.\n"
    "It runs until SIGINT or SIGTERM.\n"
    "\n"
    "It also speaks Black Forest Labs' FLUX.2 protocol under /v1/ (POST\n"
    "/v1/<model> with an x-key header, inline base64 input_image…, exact\n"
    "width/height, polling_url to /v1/get_result); point a client at it with\n"
    "BFL_BASE_URL=http://127.0.0.1:PORT. Faults, credits and --max-active\n"
    "apply there too, with their error bodies.\n"
    "\n"
    "And fal's queue API, one origin for all of fal's hosts (POST\n"
    "/<model id> with Authorization: Key, status, status/stream, result\n"
    "and cancel below /<owner>/<app>/requests/<id>, the storage upload\n"
    "/storage/upload/initiate and the token endpoint /tokens/); point a\n"
    "client at it with FAL_BASE_URL=http://127.0.0.1:PORT.\n"
    "fal's realtime WebSocket is ws://127.0.0.1:PORT/<realtime model id>\n"
    "(fal-ai/flux-2/klein/realtime), authenticated by ?fal_jwt_token= (a\n"
    "token of /tokens/) or Authorization: Key on the upgrade; msgpack frames\n"
    "are served one at a time, max_buffering (default 2) waiting, the oldest\n"
    "dropped.\n"
    "\n"
    "Prices (cents, charged once when a task completes; failed tasks are\n"
    "free): the model table's (docs/models.md), e.g. Flux 2 pro 5, flex 14\n"
    "(1k) / 24 (2k), max 7 (max prices are not confirmed by the provider).\n"
    "\n"
    "Fault SPEC: STAGE:FAULT[:TIMES]\n"
    "  STAGE  create    either create POST\n"
    "         poll      task GET\n"
    "         download  result image GET (/emulator/results/)\n"
    "         upload    any Files API call (POST files, prepare, confirm,\n"
    "                   and the PUT to the upload URL)\n"
    "         task      the outcome of the next created task\n"
    "         any       any /api/v1 request\n"
    "         fal-submit  fal's submit only (create covers it too)\n"
    "         fal-stream  fal's status stream (poll covers status GETs)\n"
    "         fal-token   fal's POST /tokens/\n"
    "         fal-connect fal's realtime WebSocket upgrade\n"
    "         fal-frame   a realtime frame as it enters service\n"
    "  FAULT  NNN        answer HTTP status NNN (400-599) with a RunAPI\n"
    "                    error body, e.g. 500, 503, 401, 402, 403\n"
    "         429@SECS   429 with Retry-After: SECS (plain 429: 1 s)\n"
    "         429@date   429 with Retry-After as an HTTP date >= 1 s ahead\n"
    "         reset      close the connection without answering\n"
    "         truncate   full Content-Length, half the body, then close\n"
    "                    (download: the image; API stages: a JSON answer)\n"
    "         redirect   307 to the same path on the other origin (API <->\n"
    "                    assets); a client must not follow it with\n"
    "                    its key\n"
    "         wrongshape-noid      create/poll: 200 {\"status\":\"pending\"}\n"
    "         wrongshape-noimages  completed with \"images\":[]\n"
    "         wrongshape-numbers   numbers where strings belong\n"
    "         wrongshape-array     a JSON array instead of an object\n"
    "         unknownstatus        status \"exploded\"\n"
    "         hang       never answer (until the emulator stops)\n"
    "         badjson    answer 200 '{\"id\":' as application/json\n"
    "         slow       download only: ~1 KiB per 100 ms\n"
    "         trickle    download only: 1 byte per second\n"
    "         notimage   download only: text bytes with an image type\n"
    "         failed     task only: ends failed, \"Generation failed\"\n"
    "         moderated  task only: ends failed, \"Content policy violation\"\n"
    "         request-moderated  task only: as moderated; Black Forest Labs\n"
    "                    answers \"Request Moderated\" (the request refused)\n"
    "         stuck      task only: stays processing forever\n"
    "         held       task: processing until POST /emulator/release;\n"
    "                    fal-frame: the frame stays in service until then\n"
    "         drop[@N]   fal-frame only: the connection cut without a close\n"
    "                    frame (@N: on a connection that answered N frames)\n"
    "         error[@N]  fal-frame only: x-fal-error INTERNAL_ERROR, close 1000\n"
    "         timeout[@N]  fal-frame only: x-fal-error TIMEOUT, close 1000\n"
    "         close@CODE   fal-frame only: closed with CODE (1001-4999)\n"
    "         unauthorized[@N]  fal-frame only: {\"status\":\"error\",\n"
    "                    \"error\":\"Unauthorized\"}, the socket left open\n"
    "  TIMES  how many matching requests it fires on (default 1), or *\n"
    "         for every one. Faults fire in registration order; the first\n"
    "         match wins.\n"
    "  e.g. --fail create:429@2:3 --fail download:truncate --fail task:moderated\n"
    "\n"
    "Control endpoints (no auth):\n"
    "  POST /emulator/fail    body: a SPEC as plain text; adds a fault\n"
    "  POST /emulator/release body: N or all; completes held tasks (then\n"
    "                         held realtime frames), oldest first\n"
    "  POST /emulator/reset   clears faults, counters, task stats, charges\n"
    "  GET  /emulator/stats   request counters and tasks as JSON\n"
    "See docs/emulator.md for the image rules and every detail.\n";

static gboolean
parse_latency (const gchar * s, guint * min, guint * max)
{
  gchar *end;
  guint64 a, b;

  if (s == NULL || !g_ascii_isdigit (*s))
    return FALSE;
  a = g_ascii_strtoull (s, &end, 10);
  b = a;
  if (*end == '-') {
    if (!g_ascii_isdigit (end[1]))
      return FALSE;
    b = g_ascii_strtoull (end + 1, &end, 10);
  }
  if (*end != '\0' || a > b || b > G_MAXINT)
    return FALSE;
  *min = (guint) a;
  *max = (guint) b;
  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
emulator_free (Emulator * emu)
{
  /* answer nothing new, let fetches and raw writes end, then the workers */
  g_atomic_int_set (&emu->stopping, 1);
  g_cancellable_cancel (emu->cancellable);
  do {
    while (g_main_context_iteration (NULL, FALSE));
    if (emu->async_pending > 0)
      g_main_context_iteration (NULL, TRUE);
  } while (emu->async_pending > 0);
  emu_server_stop (emu);
  if (emu->render_pool)
    emu_tasks_shutdown (emu);

  g_clear_pointer (&emu->files, g_hash_table_unref);
  g_clear_pointer (&emu->uploads, g_hash_table_unref);
  g_clear_pointer (&emu->sdk_uploads, g_hash_table_unref);
  g_clear_pointer (&emu->faults, g_ptr_array_unref);
  g_clear_object (&emu->session);
  g_clear_object (&emu->cancellable);
  g_clear_pointer (&emu->rand, g_rand_free);
  g_clear_pointer (&emu->loop, g_main_loop_unref);
  emu_log_close (emu->log);
  g_free (emu->base_url);
  g_free (emu->assets_url);
  g_clear_object (&emu->tls_certificate);
  g_free (emu->require_key);
  g_free (emu->log_path);
  g_free (emu);
}

int
main (int argc, char **argv)
{
  Emulator *emu = g_new0 (Emulator, 1);
  /* assets_port -1: not given (the default is a second origin) */
  gint port = 0, max_active = 0, assets_port = -1;
  gboolean same_origin = FALSE, assets_port_given;
  gchar *tls_cert = NULL, *tls_key = NULL;
  gint64 credits = -1, seed = DEFAULT_SEED;
  gboolean show_version = FALSE;
  gchar *latency = NULL, *image_format = NULL, **fails = NULL;
  gchar *error_shape = NULL, *upload_headers = NULL;
  gint realtime_ms = -1, realtime_idle = EMU_FAL_RT_DEFAULT_IDLE_S;
  gint token_ttl = 0;
  GOptionContext *ctx;
  GError *err = NULL;
  guint sigint, sigterm, i;
  int ret = 1;
  GOptionEntry entries[] = {
    {"port", 0, 0, G_OPTION_ARG_INT, &port,
        "Port on 127.0.0.1; 0 picks a free one (default 0)", "N"},
    {"latency", 0, 0, G_OPTION_ARG_STRING, &latency,
          "Time from create to completed in ms, or a uniform range MIN-MAX "
          "(default 3000; slow models such as FLUX 3 their typical time)",
        "MS|MIN-MAX"},
    {"require-key", 0, 0, G_OPTION_ARG_STRING, &emu->require_key,
          "Accept only 'Authorization: Bearer KEY' (on /v1/: 'x-key: KEY') "
          "(default: any non-empty key)", "KEY"},
    {"fail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fails,
        "Inject a fault, repeatable (see below)", "SPEC"},
    {"log", 0, 0, G_OPTION_ARG_FILENAME, &emu->log_path,
        "Append one JSON line per request/event to FILE", "FILE"},
    {"image-format", 0, 0, G_OPTION_ARG_STRING, &image_format,
        "Format of result images of requests without an output_format: png or jpeg (default png)", "png|jpeg"},
    {"max-active", 0, 0, G_OPTION_ARG_INT, &max_active,
          "Answer 429 to a create while N tasks are unfinished; 0 means "
          "unlimited (default 0)", "N"},
    {"credits", 0, 0, G_OPTION_ARG_INT64, &credits,
          "Credit in cents; a create that would exceed it answers 402 "
          "(default unlimited)", "CENTS"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed,
        "Seed for latency ranges, for repeatable runs (default 1)", "N"},
    {"assets-port", 0, 0, G_OPTION_ARG_INT, &assets_port,
          "Port of the second origin that serves result images, file URLs "
          "and upload URLs, 127.0.0.1:N (default 0: a free one)", "N"},
    {"same-origin", 0, 0, G_OPTION_ARG_NONE, &same_origin,
          "Serve result images, file URLs and upload URLs from the API's own "
          "origin (the real service never does)", NULL},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
        "Speak https with this PEM certificate (needs --tls-key)", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
        "PEM private key of --tls-cert", "FILE"},
    {"error-shape", 0, 0, G_OPTION_ARG_STRING, &error_shape,
          "Error bodies: service ({\"error\":{\"code\",\"message\"}} on 409 "
          "and 429, {\"error\":\"text\"} elsewhere), text or object "
          "(default service)", "service|text|object"},
    {"upload-headers", 0, 0, G_OPTION_ARG_STRING, &upload_headers,
          "What /files/prepare answers in \"headers\": fixture (Content-Type "
          "and Content-MD5, which the PUT must carry) or none (default "
          "fixture)", "fixture|none"},
    {"task-extensions", 0, 0, G_OPTION_ARG_NONE, &emu->task_extensions,
          "Add model, prompt, created_at and completed_at to task objects "
          "(emulator extensions: the service's fixtures have none)", NULL},
    {"prerendered", 0, 0, G_OPTION_ARG_NONE, &emu->prerendered,
          "Serve one pre-rendered image per result size, whatever the prompt "
          "or source image (benchmarks: no rendering on the client's "
          "cores)", NULL},
    {"fal-realtime-ms", 0, 0, G_OPTION_ARG_INT, &realtime_ms,
          "Service time of one fal realtime frame in ms (default: --latency "
          "if given, else 50)", "MS"},
    {"fal-realtime-idle", 0, 0, G_OPTION_ARG_INT, &realtime_idle,
          "Seconds without input before a fal realtime socket gets TIMEOUT "
          "and is closed (default 60)", "SECONDS"},
    {"fal-token-ttl", 0, 0, G_OPTION_ARG_INT, &token_ttl,
          "Cap on the lifetime of tokens /tokens/ issues, in seconds "
          "(default 0: the token_expiration asked)", "SECONDS"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &show_version,
        "Print the version and exit", NULL},
    {NULL}
  };

  ctx = g_option_context_new ("- local RunAPI Flux 2 emulator");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("imagegen-emulator: %s\n", err->message);
    goto out;
  }
  if (show_version) {
    g_print ("imagegen-emulator %s\n", IMAGEGEN_VERSION);
    ret = 0;
    goto out;
  }

  emu->latency_min_ms = emu->latency_max_ms = DEFAULT_LATENCY_MS;
  emu->latency_given = latency != NULL;
  if (latency && !parse_latency (latency, &emu->latency_min_ms,
          &emu->latency_max_ms)) {
    g_printerr ("imagegen-emulator: invalid --latency '%s'\n", latency);
    goto out;
  }
  if (realtime_ms < -1 || realtime_idle < 1 || token_ttl < 0) {
    g_printerr ("imagegen-emulator: invalid --fal-realtime-ms, "
        "--fal-realtime-idle or --fal-token-ttl\n");
    goto out;
  }
  emu->fal_realtime_ms = realtime_ms;
  emu->fal_realtime_idle_s = (guint) realtime_idle;
  emu->fal_token_ttl_s = (guint) token_ttl;
  if (port < 0 || port > 65535 || max_active < 0 || credits < -1) {
    g_printerr ("imagegen-emulator: invalid --port, --max-active or "
        "--credits\n");
    goto out;
  }
  assets_port_given = assets_port != -1;
  if (assets_port < -1 || assets_port > 65535) {
    g_printerr ("imagegen-emulator: invalid --assets-port\n");
    goto out;
  }
  if (same_origin && assets_port_given) {
    g_printerr ("imagegen-emulator: --same-origin and --assets-port exclude "
        "each other\n");
    goto out;
  }
  if (!assets_port_given)
    assets_port = same_origin ? -1 : 0;
  if ((tls_cert == NULL) != (tls_key == NULL)) {
    g_printerr ("imagegen-emulator: --tls-cert and --tls-key go together\n");
    goto out;
  }
  if (tls_cert && !(emu->tls_certificate =
          g_tls_certificate_new_from_files (tls_cert, tls_key, &err))) {
    g_printerr ("imagegen-emulator: %s\n", err->message);
    goto out;
  }
  emu->assets_port = assets_port;
  if (image_format && strcmp (image_format, "png") != 0
      && strcmp (image_format, "jpeg") != 0) {
    g_printerr ("imagegen-emulator: --image-format must be png or jpeg\n");
    goto out;
  }
  if (error_shape && !g_strv_contains ((const gchar *[]) {
            "service", "text", "object", NULL}, error_shape)) {
    g_printerr ("imagegen-emulator: --error-shape must be service, text or "
        "object\n");
    goto out;
  }
  emu->error_shape = g_strcmp0 (error_shape, "text") == 0 ?
      EMU_ERROR_SHAPE_TEXT : g_strcmp0 (error_shape, "object") == 0 ?
      EMU_ERROR_SHAPE_OBJECT : EMU_ERROR_SHAPE_SERVICE;
  if (upload_headers && g_strcmp0 (upload_headers, "fixture") != 0
      && g_strcmp0 (upload_headers, "none") != 0) {
    g_printerr ("imagegen-emulator: --upload-headers must be fixture or "
        "none\n");
    goto out;
  }
  emu->upload_headers = g_strcmp0 (upload_headers, "none") != 0;
  if (emu->require_key && *emu->require_key == '\0') {
    g_printerr ("imagegen-emulator: --require-key must not be empty\n");
    goto out;
  }
  emu->port = (guint) port;
  emu->max_active = (guint) max_active;
  emu->credits_cents = credits;
  emu->seed = (guint32) seed;
  emu->jpeg = g_strcmp0 (image_format, "jpeg") == 0;

  emu->faults = g_ptr_array_new_with_free_func ((GDestroyNotify)
      emu_fault_free);
  for (i = 0; fails && fails[i]; i++) {
    if (!emu_faults_add (emu->faults, fails[i], &err)) {
      g_printerr ("imagegen-emulator: %s\n", err->message);
      goto out;
    }
  }
  if (emu->log_path && !(emu->log = emu_log_open (emu->log_path, &err))) {
    g_printerr ("imagegen-emulator: %s\n", err->message);
    goto out;
  }

  gst_init (NULL, NULL);
  emu->rand = g_rand_new_with_seed (emu->seed);
  emu->cancellable = g_cancellable_new ();
  emu->session = soup_session_new_with_options ("timeout", 30,
      "user-agent", "imagegen-emulator/" PACKAGE_VERSION, NULL);
  /* source images live on loopback test servers: no system proxy */
  soup_session_set_proxy_resolver (emu->session, NULL);
  emu->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) emu_file_free);
  emu->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      emu_upload_free);
  emu_tasks_init (emu);
  emu_fal_rt_init (emu);
  /* the default size drawn before the first task asks for it */
  if (emu->prerendered) {
    GBytes *image = emu_image_prerendered (emu, NULL, NULL, &err);

    if (image == NULL) {
      g_printerr ("imagegen-emulator: cannot render: %s\n", err->message);
      goto out;
    }
    g_bytes_unref (image);
  }
  if (!emu_server_start (emu, &err)) {
    g_printerr ("imagegen-emulator: cannot listen: %s\n", err->message);
    goto out;
  }

  g_print ("imagegen-emulator listening on %s\n", emu->base_url);
  if (emu->assets_server)
    g_print ("imagegen-emulator assets on %s\n", emu->assets_url);
  fflush (stdout);

  emu->loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, emu->loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, emu->loop);
  g_main_loop_run (emu->loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  ret = 0;

out:
  g_clear_error (&err);
  g_option_context_free (ctx);
  g_free (latency);
  g_free (image_format);
  g_free (error_shape);
  g_free (upload_headers);
  g_free (tls_cert);
  g_free (tls_key);
  g_strfreev (fails);
  emulator_free (emu);
  if (gst_is_initialized ())
    gst_deinit ();
  return ret;
}
