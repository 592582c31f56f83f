/* gst-imagegen client, unit tests without any network: the error sentences of HTTP statuses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"
#include "imagegen-errors.h"
#include "imagegen-test-fixture.h"

static void
test_error_sentences (void)
{
  GError *e;

  e = imagegen_error_new_for_status (401, "Invalid API key", 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH);
  g_assert_cmpstr (e->message, ==, "invalid API key (HTTP 401): Invalid API key");
  g_error_free (e);

  e = imagegen_error_new_for_status (402, NULL, 0);
  g_assert_cmpstr (e->message, ==, "insufficient credits (HTTP 402)");
  g_error_free (e);

  e = imagegen_error_new_for_status (429, NULL, 3);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpstr (e->message, ==, "rate limited (HTTP 429) after 3 retries");
  g_error_free (e);

  e = imagegen_error_new_for_status (503, "No active channel available", 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_SERVER);
  g_assert_cmpstr (e->message, ==,
      "server error (HTTP 503): No active channel available");
  g_error_free (e);

  e = imagegen_error_new_for_status (302, NULL, 0);
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_PROTOCOL);
  g_error_free (e);

  e = imagegen_error_new_for_failed_task
      ("Content policy violation: the request was flagged by moderation");
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_MODERATED);
  imagegen_error_add_task_id (e, "6f1");
  g_assert_cmpstr (e->message, ==, "content moderated: Content policy "
      "violation: the request was flagged by moderation (task 6f1)");
  g_error_free (e);

  e = imagegen_error_new_for_failed_task ("Generation failed: internal error");
  g_assert_error (e, IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_TASK_FAILED);
  g_assert_cmpstr (e->message, ==,
      "task failed: Generation failed: internal error");
  g_error_free (e);

  g_assert_true (imagegen_error_message_is_moderation ("NSFW content"));
  g_assert_true (imagegen_error_message_is_moderation ("Safety check hit"));
  g_assert_false (imagegen_error_message_is_moderation ("out of memory"));

  e = g_error_new (IMAGEGEN_CLIENT_ERROR, IMAGEGEN_CLIENT_ERROR_AUTH,
      "bad key sk-secret-1 here");
  imagegen_error_redact (e, "sk-secret-1");
  g_assert_null (strstr (e->message, "sk-secret-1"));
  g_error_free (e);

  /* details ride along, through copies */
  e = imagegen_error_new_for_status (503, "busy", 2);
  imagegen_error_set_details (e, "task-7", "flux-2-pro-text-to-image", 3);
  {
    GError *copy = g_error_copy (e);
    const ImagegenClientErrorDetails *d =
        imagegen_client_error_get_details (copy);

    g_assert_cmpuint (d->http_status, ==, 503);
    g_assert_cmpuint (d->retries, ==, 3);
    g_assert_cmpstr (d->task_id, ==, "task-7");
    g_assert_cmpstr (d->model, ==, "flux-2-pro-text-to-image");
    g_error_free (copy);
  }
  g_error_free (e);
  g_assert_cmpstr (imagegen_client_error_code_name
      (IMAGEGEN_CLIENT_ERROR_TIMEOUT), ==, "timeout");
  g_assert_null (imagegen_client_error_get_details (NULL));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/errors/sentences",
      test_error_sentences, NULL);
}
