/* gst-imagegen: the shared settings refuse at start what the service would
 * refuse, each with its sentence, before anything is sent or paid.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "element-test-util.h"
#include <glib/gstdio.h>
#include "gstimagegensettings.h"

#define T2I_MODEL "flux-2-pro-text-to-image"

static void
settings_for (GstImagegenSettings * s, const gchar * model,
    const gchar * prompt)
{
  gst_imagegen_settings_init (s, model, "16:9");
  s->prompt = g_strdup (prompt);
}

/* The sentence gst_imagegen_settings_check() refuses @s with. */
static gchar *
refusal (const GstImagegenSettings * s, ImagegenEndpoint endpoint)
{
  GError *error = NULL;
  gchar *message;

  fail_if (gst_imagegen_settings_check (s, endpoint, &error),
      "the settings were accepted");
  fail_unless (error != NULL);
  message = g_strdup (error->message);
  g_error_free (error);
  return message;
}

#define assert_contains(text, part) \
  fail_unless (strstr ((text), (part)) != NULL, "\"%s\" lacks \"%s\"", \
      (text), (part))

GST_START_TEST (test_good_settings_pass)
{
  GstImagegenSettings s;
  GError *error = NULL;

  settings_for (&s, T2I_MODEL, "a red fox in the snow");
  fail_unless (gst_imagegen_settings_check (&s,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, &error), "refused: %s",
      error ? error->message : "");
  fail_unless (gst_imagegen_settings_row (&s,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE) != NULL);
  gst_imagegen_settings_clear (&s);
}

GST_END_TEST;

GST_START_TEST (test_model_typo_names_nearest)
{
  GstImagegenSettings s;
  gchar *message;

  settings_for (&s, "flux-2-pro-text-to-imag", "a red fox in the snow");
  fail_unless (gst_imagegen_settings_row (&s,
          IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE) == NULL);
  message = refusal (&s, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);
  assert_contains (message, "flux-2-pro-text-to-imag");
  assert_contains (message, T2I_MODEL);
  g_free (message);
  gst_imagegen_settings_clear (&s);
}

GST_END_TEST;

GST_START_TEST (test_prompt_length_refused)
{
  GstImagegenSettings s;
  gchar *long_prompt = g_strnfill (5001, 'a');
  gchar *message;

  settings_for (&s, T2I_MODEL, "ab");
  message = refusal (&s, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);
  assert_contains (message, "prompt");
  g_free (message);
  gst_imagegen_settings_clear (&s);

  settings_for (&s, T2I_MODEL, long_prompt);
  message = refusal (&s, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);
  assert_contains (message, "prompt");
  g_free (message);
  gst_imagegen_settings_clear (&s);
  g_free (long_prompt);
}

GST_END_TEST;

GST_START_TEST (test_aspect_ratio_refused)
{
  GstImagegenSettings s;
  gchar *message;

  settings_for (&s, T2I_MODEL, "a red fox in the snow");
  g_free (s.aspect_ratio);
  s.aspect_ratio = g_strdup ("7:5");
  message = refusal (&s, IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE);
  assert_contains (message, "7:5");
  g_free (message);
  gst_imagegen_settings_clear (&s);
}

GST_END_TEST;

/* resolve_client_config()'s refusal of @s, with the key variables unset. */
static gchar *
resolve_refusal (GstImagegenSettings * s)
{
  ImagegenClientConfig config;
  GError *error = NULL;
  gchar *message;

  g_unsetenv ("RUNAPI_API_KEY");
  g_unsetenv ("BFL_API_KEY");
  fail_if (gst_imagegen_settings_resolve_client_config (s, &config, &error));
  fail_unless (error != NULL);
  message = g_strdup (error->message);
  g_error_free (error);
  return message;
}

GST_START_TEST (test_no_key_refused)
{
  GstImagegenSettings s;
  gchar *message;

  settings_for (&s, T2I_MODEL, "a red fox in the snow");
  message = resolve_refusal (&s);
  fail_unless_equals_string (message, "No API key: set the api-key or "
      "api-key-file property or the RUNAPI_API_KEY environment variable.");
  g_free (message);
  gst_imagegen_settings_clear (&s);
}

GST_END_TEST;

GST_START_TEST (test_key_file)
{
  GstImagegenSettings s;
  ImagegenClientConfig config;
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("imagegen-settings-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "key", NULL);
  gchar *message, *expected;

  settings_for (&s, T2I_MODEL, "a red fox in the snow");
  s.api_key_file = g_strdup (path);

  /* missing */
  message = resolve_refusal (&s);
  assert_contains (message, "Cannot read the API key file: ");
  g_free (message);

  /* empty */
  fail_unless (g_file_set_contents (path, "\n", -1, NULL));
  message = resolve_refusal (&s);
  expected = g_strdup_printf ("The API key file \"%s\" is empty or not text.",
      path);
  fail_unless_equals_string (message, expected);
  g_free (expected);
  g_free (message);

  /* readable by others: used, with a warning kept for the bus */
  fail_unless (g_file_set_contents (path, "file-key-0123\n", -1, NULL));
  fail_unless (g_chmod (path, 0644) == 0);
  s.client.base_url = g_strdup ("http://127.0.0.1:1");
  fail_unless (gst_imagegen_settings_resolve_client_config (&s, &config,
          &error), "refused: %s", error ? error->message : "");
  fail_unless_equals_string (config.api_key, "file-key-0123");
  fail_unless (s.pending_warning != NULL);
  assert_contains (s.pending_warning, "readable by other users");
  imagegen_client_config_clear (&config);

  /* private: no warning */
  fail_unless (g_chmod (path, 0600) == 0);
  fail_unless (gst_imagegen_settings_resolve_client_config (&s, &config,
          NULL));
  fail_unless (s.pending_warning == NULL);
  imagegen_client_config_clear (&config);

  gst_imagegen_settings_clear (&s);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

GST_END_TEST;

static Suite *
settings_check_suite (void)
{
  return element_test_suite ("settings-check", 0,
      ELEMENT_TEST (test_good_settings_pass),
      ELEMENT_TEST (test_model_typo_names_nearest),
      ELEMENT_TEST (test_prompt_length_refused),
      ELEMENT_TEST (test_aspect_ratio_refused),
      ELEMENT_TEST (test_no_key_refused), ELEMENT_TEST (test_key_file), NULL);
}

GST_CHECK_MAIN (settings_check);
