/* gst-imagegen fuzz targets: a provider's task answers checked as the
 * client uses them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "fuzz-json.h"
#include "imagegen-errors.h"
#include "imagegen-provider.h"

G_BEGIN_DECLS

/* A create answer: a task id, or an error.  Returns @ok. */
static inline gboolean
fuzz_check_create (gboolean ok, const ImagegenTaskInfo * info,
    GError ** error)
{
  if (ok)
    g_assert (info->id != NULL && *info->id != '\0');
  else
    g_assert (*error != NULL);
  return ok;
}

/* A poll answer, and what the client does next with a good one: a
 * completed task has @n_images image URLs (0: at least one), a failed one
 * becomes an error. */
static inline void
fuzz_check_task (gboolean ok, const ImagegenTaskInfo * info, GError ** error,
    guint n_images)
{
  if (!ok) {
    g_assert (*error != NULL);
  } else if (info->state == IMAGEGEN_TASK_COMPLETED) {
    g_assert (info->image_urls != NULL && info->image_urls->len > 0);
    g_assert (n_images == 0 || info->image_urls->len == n_images);
  } else if (info->state == IMAGEGEN_TASK_FAILED) {
    *error = imagegen_error_new_for_failed_task (info->error_message);
  }
}

/* Clears what a parse left, for the next one. */
static inline void
fuzz_task_clear (ImagegenTaskInfo * info, GError ** error)
{
  g_clear_error (error);
  imagegen_task_info_clear (info);
  *info = (ImagegenTaskInfo) {
  .charged_nanocents = -1};
}

/* One input as @provider's answer to a create (@create) or a poll: the
 * whole of a fuzz target. */
static inline int
fuzz_task_answer (const uint8_t * data, size_t size,
    const ImagegenProvider * provider, gboolean create)
{
  ImagegenTaskInfo info = {.charged_nanocents = -1 };
  GError *error = NULL;
  JsonNode *root;

  fuzz_init ();
  root = fuzz_parse_json (data, size);
  if (create)
    fuzz_check_create (provider->parse_create (root, &info, &error), &info,
        &error);
  else
    fuzz_check_task (provider->parse_task (root, &info, &error), &info,
        &error, 0);
  fuzz_task_clear (&info, &error);
  return fuzz_done (root);
}

G_END_DECLS
