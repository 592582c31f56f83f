/* gst-imagegen fuzz targets: shared helpers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* Criticals and warnings are bugs too: make them crash, so the fuzzer
 * reports them. */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (!done) {
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    done = TRUE;
  }
}

/* What the client does with an API answer before a provider reads it
 * (imagegen-job.c, imagegen_job_api_answer()): NULL when it is not JSON. */
static inline JsonNode *
fuzz_parse_json (const uint8_t * data, size_t size)
{
  JsonParser *parser = json_parser_new_immutable ();
  JsonNode *root = NULL;

  if (json_parser_load_from_data (parser, (const gchar *) data, size, NULL)
      && json_parser_get_root (parser) != NULL)
    root = json_node_ref (json_parser_get_root (parser));
  g_object_unref (parser);
  return root;
}

/* Frees @root (may be NULL); the fuzzer's return value. */
static inline int
fuzz_done (JsonNode * root)
{
  if (root)
    json_node_unref (root);
  return 0;
}

G_END_DECLS
