/* gst-imagegen: what the elements tell users and applications: error
 * details and where they come from, the api-key-file property.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include <glib/gstdio.h>
#include "imagegen-test-emulator.h"

#define PROMPT "a lighthouse at dusk, oil painting"
#define KEY "sk-diagnostics-0123456789"

/* Runs @src into a fakesink until EOS or an error; returns the error
 * message (or NULL) and collects warnings into @warnings (may be NULL). */
static GstMessage *
run (GstElement * src, GPtrArray * warnings, GstStateChangeReturn * ret)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg, *error = NULL;

  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  *ret = gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
              GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      if (warnings)
        g_ptr_array_add (warnings, msg);
      else
        gst_message_unref (msg);
      continue;
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      error = msg;
    else
      gst_message_unref (msg);
    break;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return error;
}

/* An error names task, model, HTTP status and retries in its details, and
 * its debug text and origin are about the failure, not the helper that
 * posted it. */
GST_START_TEST (test_error_details)
{
  const gchar *args[] = { "--latency", "100", "--require-key", "right-key",
    NULL
  };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  const GstStructure *details = NULL;
  GstStateChangeReturn ret;
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;
  guint status = 0;

  g_object_set (src, "prompt", PROMPT, "api-key", "wrong-key", "base-url",
      imagegen_test_emulator_get_base_url (emu), "num-images", 1, NULL);
  msg = run (src, NULL, &ret);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  gst_message_parse_error_details (msg, &details);
  fail_unless (strstr (err->message, "invalid API key (HTTP 401)") != NULL,
      "got: %s", err->message);
  fail_unless (details != NULL);
  fail_unless_equals_string (gst_structure_get_string (details, "error-code"),
      "auth");
  fail_unless (gst_structure_get_uint (details, "http-status", &status));
  fail_unless_equals_int (status, 401);
  fail_unless_equals_string (gst_structure_get_string (details, "model"),
      "flux-2-pro-text-to-image");
  fail_unless (gst_structure_has_field (details, "retries"));
  fail_if (strstr (debug, "quark") != NULL, "debug text: %s", debug);
  fail_unless (strstr (debug, "HTTP 401") != NULL, "debug text: %s", debug);
  /* the caller's location, not the helper's that posts for everyone; the
   * path before the file name depends on where the build directory is */
  {
    g_autofree gchar *location = g_strndup (debug, strcspn (debug, "("));
    g_autofree gchar *file = g_path_get_basename (location);

    fail_unless (g_str_has_prefix (file, "gstimagegen")
        && g_str_has_suffix (file, ".c"), "%s", debug);
    fail_if (strcmp (file, "gstimagegenerror.c") == 0, "%s", debug);
  }
  fail_if (strstr (debug, "wrong-key") != NULL, "the key leaked: %s", debug);
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
}

GST_END_TEST;

static gchar *
write_key_file (const gchar * contents, gint mode)
{
  gchar *dir = g_dir_make_tmp ("imagegen-key-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "runapi-key", NULL);

  fail_unless (g_file_set_contents (path, contents, -1, NULL));
  fail_unless_equals_int (g_chmod (path, mode), 0);
  g_free (dir);
  return path;
}

static void
remove_key_file (gchar * path)
{
  gchar *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
  g_free (dir);
  g_free (path);
}

/* Runs one image with the key from a file of @mode; returns the warnings
 * posted. */
static GPtrArray *
run_with_key_file (gint mode, const gchar * element)
{
  const gchar *args[] = { "--latency", "100", "--require-key", KEY, NULL };
  g_autoptr (ImagegenTestEmulator) emu = imagegen_test_emulator_start (args);
  GstElement *src = gst_element_factory_make (element, NULL);
  GPtrArray *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_message_unref);
  gchar *path = write_key_file (KEY "\n", mode);
  GstStateChangeReturn ret;
  GstMessage *error;
  gchar *got = NULL;
  JsonObject *stats;

  g_unsetenv ("RUNAPI_API_KEY");
  g_object_set (src, "prompt", PROMPT, "api-key-file", path, "base-url",
      imagegen_test_emulator_get_base_url (emu), "num-images", 1, NULL);
  g_object_get (src, "api-key-file", &got, NULL);
  fail_unless_equals_string (got, path);
  error = run (src, warnings, &ret);
  fail_unless (error == NULL, "the key from the file was refused");
  stats = imagegen_test_emulator_stats (emu);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (stats,
          "tasks_completed"), 1);
  fail_unless_equals_int (imagegen_test_emulator_stats_int (stats,
          "auth_failures"), 0);
  json_object_unref (stats);
  g_free (got);
  remove_key_file (path);
  return warnings;
}

static guint
count_key_file_warnings (GPtrArray * warnings)
{
  guint i, n = 0;

  for (i = 0; i < warnings->len; i++) {
    GError *err = NULL;

    gst_message_parse_warning (g_ptr_array_index (warnings, i), &err, NULL);
    n += strstr (err->message, "readable by other users") != NULL;
    fail_if (strstr (err->message, KEY) != NULL);
    g_error_free (err);
  }
  return n;
}

/* A private key file: the key (without its newline) is used, silently. */
GST_START_TEST (test_api_key_file)
{
  GPtrArray *warnings = run_with_key_file (0600, "imagegensrc");

  fail_unless_equals_int (count_key_file_warnings (warnings), 0);
  g_ptr_array_unref (warnings);
}

GST_END_TEST;

/* A mounted secret others can read (0644, as Docker and Kubernetes often
 * make them): still used, with a warning. */
GST_START_TEST (test_api_key_file_readable_by_others)
{
  GPtrArray *warnings = run_with_key_file (0644, "imagegensrc");

  fail_unless_equals_int (count_key_file_warnings (warnings), 1);
  g_ptr_array_unref (warnings);
}

GST_END_TEST;

/* A key file that is not there fails the start with a sentence. */
GST_START_TEST (test_api_key_file_missing)
{
  GstElement *src = gst_element_factory_make ("imagegensrc", NULL);
  GstStateChangeReturn ret;
  GstMessage *msg;
  GError *err = NULL;

  g_object_set (src, "prompt", PROMPT, "api-key-file",
      "/nonexistent/imagegen/key", "base-url", "http://127.0.0.1:9", NULL);
  msg = run (src, NULL, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "Cannot read the API key file") != NULL,
      "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
}

GST_END_TEST;

/* imagegenremix has the property too. */
GST_START_TEST (test_remix_has_api_key_file)
{
  GstElement *remix = gst_element_factory_make ("imagegenremix", NULL);
  GParamSpec *pspec =
      g_object_class_find_property (G_OBJECT_GET_CLASS (remix),
      "api-key-file");

  fail_unless (pspec != NULL);
  fail_unless (pspec->value_type == G_TYPE_STRING);
  gst_object_unref (remix);
}

GST_END_TEST;

static Suite *
diagnostics_suite (void)
{
  return element_test_suite ("imagegen-diagnostics", 120,
      ELEMENT_TEST (test_error_details), ELEMENT_TEST (test_api_key_file),
      ELEMENT_TEST (test_api_key_file_readable_by_others),
      ELEMENT_TEST (test_api_key_file_missing),
      ELEMENT_TEST (test_remix_has_api_key_file), NULL);
}

GST_CHECK_MAIN (diagnostics);
