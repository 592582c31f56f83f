/* gst-imagegen tests: run tools/emulator as a child process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-test-emulator.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define LISTENING "imagegen-emulator listening on "
#define ASSETS "imagegen-emulator assets on "

struct _ImagegenTestEmulator
{
  GSubprocess *process;
  gchar *base_url;
  gchar *assets_url;            /* NULL with --same-origin */
  GThread *drain;               /* reads stdout so the child never blocks */
  GInputStream *stdout_stream;
};

static gpointer
drain_thread (gpointer data)
{
  GInputStream *in = data;
  gchar buf[4096];

  while (g_input_stream_read (in, buf, sizeof buf, NULL, NULL) > 0);
  return NULL;
}

/* In the child: die with the test, even when it aborts on a failed
 * assertion, so no emulator outlives it (and holds its output open). */
static void
child_setup (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

ImagegenTestEmulator *
imagegen_test_emulator_start (const gchar * const *extra_args)
{
  const gchar *path = g_getenv ("IMAGEGEN_EMULATOR");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  ImagegenTestEmulator *emu;
  gchar *line;
  gsize len;
  guint i;
  gboolean assets = TRUE;

  if (path == NULL)
    g_error ("IMAGEGEN_EMULATOR is not set");

  g_ptr_array_add (argv, (gpointer) path);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  for (i = 0; extra_args && extra_args[i]; i++) {
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
    assets &= !g_str_equal (extra_args[i], "--same-origin");
  }
  g_ptr_array_add (argv, NULL);

  emu = g_new0 (ImagegenTestEmulator, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  emu->process = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, &error);
  if (emu->process == NULL)
    g_error ("cannot start %s: %s", path, error->message);

  /* Read the first line byte by byte so nothing past it is buffered. */
  emu->stdout_stream =
      g_object_ref (g_subprocess_get_stdout_pipe (emu->process));
  data = g_data_input_stream_new (emu->stdout_stream);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (data), 1);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data),
      FALSE);
  line = g_data_input_stream_read_line_utf8 (data, &len, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, LISTENING))
    g_error ("emulator did not start: %s", line ? line :
        error ? error->message : "no output");

  emu->base_url = g_strdup (line + strlen (LISTENING));
  g_strstrip (emu->base_url);
  g_free (line);

  if (assets) {
    line = g_data_input_stream_read_line_utf8 (data, &len, NULL, &error);
    if (line == NULL || !g_str_has_prefix (line, ASSETS))
      g_error ("emulator did not report its assets origin: %s",
          line ? line : error ? error->message : "no output");
    emu->assets_url = g_strstrip (g_strdup (line + strlen (ASSETS)));
    g_free (line);
  }

  emu->drain = g_thread_new ("emulator-stdout", drain_thread,
      emu->stdout_stream);
  return emu;
}

void
imagegen_test_emulator_stop (ImagegenTestEmulator * emu)
{
  guint i;

  if (emu == NULL)
    return;

  g_subprocess_send_signal (emu->process, SIGTERM);
  for (i = 0; i < 100 && g_subprocess_get_identifier (emu->process); i++)
    g_usleep (50 * 1000);
  if (g_subprocess_get_identifier (emu->process)) {
    g_printerr ("emulator ignored SIGTERM, killing it\n");
    g_subprocess_force_exit (emu->process);
  }
  g_subprocess_wait (emu->process, NULL, NULL);

  g_thread_join (emu->drain);
  g_object_unref (emu->stdout_stream);
  g_object_unref (emu->process);
  g_free (emu->base_url);
  g_free (emu->assets_url);
  g_free (emu);
}

const gchar *
imagegen_test_emulator_get_base_url (ImagegenTestEmulator * emu)
{
  return emu->base_url;
}

const gchar *
imagegen_test_emulator_get_assets_url (ImagegenTestEmulator * emu)
{
  return emu->assets_url;
}

/* The control endpoints of a --tls-cert emulator: the test knows whom it
 * talks to, and only the client under test must verify. */
static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

/* A session of its own per call: tests call this from any thread. */
static GBytes *
emulator_call (ImagegenTestEmulator * emu, const gchar * method,
    const gchar * path, const gchar * body, guint * status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = g_strconcat (emu->base_url, path, NULL);
  GBytes *answer;

  msg = soup_message_new (method, url);
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_any_certificate), NULL);
  if (body) {
    g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "text/plain", b);
  }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (answer == NULL) {
    g_printerr ("%s %s failed: %s\n", method, path, error->message);
    return NULL;
  }
  *status = soup_message_get_status (msg);
  return answer;
}

GBytes *
imagegen_test_emulator_request (ImagegenTestEmulator * emu,
    const gchar * method, const gchar * path, const gchar * const *headers,
    GBytes * body, const gchar * content_type, guint * status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  /* a whole URL: the assets origin's */
  g_autofree gchar *url = g_str_has_prefix (path, "http") ? g_strdup (path) :
      g_strconcat (emu->base_url, path, NULL);
  SoupMessageHeaders *h;
  GBytes *answer;
  guint i;

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_any_certificate), NULL);
  h = soup_message_get_request_headers (msg);
  for (i = 0; headers && headers[i] && headers[i + 1]; i += 2)
    soup_message_headers_replace (h, headers[i], headers[i + 1]);
  if (body)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return answer;
}

JsonObject *
imagegen_test_json_object (GBytes * bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (bytes == NULL || !json_parser_load_from_data (parser,
          g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
imagegen_test_emulator_stats (ImagegenTestEmulator * emu)
{
  g_autoptr (GBytes) answer = NULL;
  guint status = 0;

  answer = emulator_call (emu, "GET", "/emulator/stats", NULL, &status);
  if (answer == NULL || status != 200)
    return NULL;
  return imagegen_test_json_object (answer);
}

gint64
imagegen_test_emulator_stats_int (JsonObject * stats, const gchar * name)
{
  JsonNode *node = stats ? json_object_get_member (stats, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

gint64
imagegen_test_emulator_stats_requests (JsonObject * stats, const gchar * name)
{
  JsonNode *node = stats ? json_object_get_member (stats, "requests") : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  return imagegen_test_emulator_stats_int (json_node_get_object (node), name);
}

/* One figure of /emulator/stats read now: a request count or a total. */
static gint64
stat_now (ImagegenTestEmulator * emu, const gchar * name, gboolean request)
{
  JsonObject *stats = imagegen_test_emulator_stats (emu);
  gint64 n = request ? imagegen_test_emulator_stats_requests (stats, name) :
      imagegen_test_emulator_stats_int (stats, name);

  if (stats != NULL)
    json_object_unref (stats);
  return n;
}

gint64
imagegen_test_emulator_count (ImagegenTestEmulator * emu, const gchar * name)
{
  return stat_now (emu, name, TRUE);
}

gint64
imagegen_test_emulator_stat (ImagegenTestEmulator * emu, const gchar * name)
{
  return stat_now (emu, name, FALSE);
}

gint64
imagegen_test_emulator_wait_count (ImagegenTestEmulator * emu,
    const gchar * name, gint64 min)
{
  gint64 end = g_get_monotonic_time () + 300 * G_TIME_SPAN_SECOND;
  gint64 n = imagegen_test_emulator_count (emu, name);

  while (n < min && g_get_monotonic_time () < end) {
    g_usleep (20 * 1000);
    n = imagegen_test_emulator_count (emu, name);
  }
  if (n < min)
    g_error ("emulator: %s stayed at %" G_GINT64_FORMAT ", below %"
        G_GINT64_FORMAT, name, n, min);
  return n;
}

gboolean
imagegen_test_emulator_fail (ImagegenTestEmulator * emu, const gchar * spec)
{
  g_autoptr (GBytes) answer = NULL;
  guint status = 0;

  answer = emulator_call (emu, "POST", "/emulator/fail", spec, &status);
  return answer != NULL && SOUP_STATUS_IS_SUCCESSFUL (status);
}

gboolean
imagegen_test_emulator_reset (ImagegenTestEmulator * emu)
{
  g_autoptr (GBytes) answer = NULL;
  guint status = 0;

  answer = emulator_call (emu, "POST", "/emulator/reset", NULL, &status);
  return answer != NULL && SOUP_STATUS_IS_SUCCESSFUL (status);
}

guint
imagegen_test_emulator_release (ImagegenTestEmulator * emu, guint n)
{
  g_autoptr (GBytes) answer = NULL;
  g_autofree gchar *count = g_strdup_printf ("%u", n);
  JsonObject *obj;
  guint status = 0, released = 0;

  answer = emulator_call (emu, "POST", "/emulator/release", count, &status);
  if (answer == NULL || !SOUP_STATUS_IS_SUCCESSFUL (status))
    return 0;
  obj = imagegen_test_json_object (answer);
  if (obj != NULL && json_object_has_member (obj, "released"))
    released = json_array_get_length (json_object_get_array_member (obj,
            "released"));
  if (obj != NULL)
    json_object_unref (obj);
  return released;
}

void
imagegen_test_emulator_assert_counts (ImagegenTestEmulator * emu,
    gboolean requests, const gchar * name, ...)
{
  g_autoptr (JsonObject) stats = imagegen_test_emulator_stats (emu);
  va_list ap;

  g_assert_nonnull (stats);
  va_start (ap, name);
  for (; name != NULL; name = va_arg (ap, const gchar *)) {
    gint want = va_arg (ap, gint);
    gint64 got = requests ? imagegen_test_emulator_stats_requests (stats,
        name) : imagegen_test_emulator_stats_int (stats, name);

    if (got != want)
      g_error ("the emulator counted %" G_GINT64_FORMAT " %s, not %d", got,
          name, want);
  }
  va_end (ap);
}
