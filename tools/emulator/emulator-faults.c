/* imagegen-emulator: fault specs (STAGE:FAULT[:TIMES]) and their matching
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

static const struct
{
  const gchar *name;
  EmuStage stage;
} stages[] = {
  {"create", EMU_STAGE_CREATE},
  {"poll", EMU_STAGE_POLL},
  {"download", EMU_STAGE_DOWNLOAD},
  {"upload", EMU_STAGE_UPLOAD},
  {"task", EMU_STAGE_TASK},
  {"any", EMU_STAGE_ANY},
  {"fal-submit", EMU_STAGE_FAL_SUBMIT},
  {"fal-stream", EMU_STAGE_FAL_STREAM},
  {"fal-token", EMU_STAGE_FAL_TOKEN},
  {"fal-connect", EMU_STAGE_FAL_CONNECT},
  {"fal-frame", EMU_STAGE_FAL_FRAME},
};

/* @counted: KIND@N is taken too, N the frames a realtime connection
 * answered before the fault fires */
static const struct
{
  const gchar *name;
  EmuFaultKind kind;
  gboolean counted;
} kinds[] = {
  {"reset", EMU_FAULT_RESET},
  {"hang", EMU_FAULT_HANG},
  {"slow", EMU_FAULT_SLOW},
  {"truncate", EMU_FAULT_TRUNCATE},
  {"notimage", EMU_FAULT_NOTIMAGE},
  {"badjson", EMU_FAULT_BADJSON},
  {"failed", EMU_FAULT_FAILED},
  {"moderated", EMU_FAULT_MODERATED},
  {"request-moderated", EMU_FAULT_REQUEST_MODERATED},
  {"stuck", EMU_FAULT_STUCK},
  {"held", EMU_FAULT_HELD},
  {"trickle", EMU_FAULT_TRICKLE},
  {"redirect", EMU_FAULT_REDIRECT},
  {"drop", EMU_FAULT_DROP, TRUE},
  {"error", EMU_FAULT_FRAME_ERROR, TRUE},
  {"timeout", EMU_FAULT_FRAME_TIMEOUT, TRUE},
  {"unauthorized", EMU_FAULT_UNAUTHORIZED, TRUE},
};

/* Answers of the wrong shape, all 200 application/json; "%s" is the task
 * id (the polled one, or a fresh one on a create). */
static const struct
{
  const gchar *name;
  const gchar *json;
} canned[] = {
  {"wrongshape-noid", "{\"status\":\"pending\"}"},
  {"wrongshape-noimages", "{\"id\":\"%s\",\"status\":\"completed\","
        "\"images\":[]}"},
  {"wrongshape-numbers", "{\"id\":\"%s\",\"status\":7,"
        "\"images\":[{\"url\":42}],\"error\":3}"},
  {"wrongshape-array", "[\"%s\"]"},
  {"unknownstatus", "{\"id\":\"%s\",\"status\":\"exploded\"}"},
};

static gboolean
parse_uint (const gchar * s, guint min, guint max, guint * out)
{
  gchar *end = NULL;
  guint64 v;

  if (s == NULL || *s == '\0' || !g_ascii_isdigit (*s))
    return FALSE;
  v = g_ascii_strtoull (s, &end, 10);
  if (*end != '\0' || v < min || v > max)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_fault_kind (const gchar * s, EmuFault * fault)
{
  gchar **at = g_strsplit (s, "@", 2);
  gboolean ok = FALSE;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++) {
    if (g_strcmp0 (at[0], kinds[i].name) == 0) {
      fault->kind = kinds[i].kind;
      ok = at[1] == NULL || (kinds[i].counted && parse_uint (at[1], 0,
              G_MAXINT, &fault->after));
    }
  }
  /* close@CODE: 1000 is no fault; 1005 and 1006 never go on the wire */
  if (g_strcmp0 (at[0], "close") == 0) {
    fault->kind = EMU_FAULT_CLOSE;
    ok = parse_uint (at[1], 1001, 4999, &fault->close_code)
        && fault->close_code != 1005 && fault->close_code != 1006;
  }
  g_strfreev (at);
  if (fault->kind != EMU_FAULT_NONE)
    return ok;

  for (i = 0; i < G_N_ELEMENTS (canned); i++) {
    if (g_strcmp0 (s, canned[i].name) == 0) {
      fault->kind = EMU_FAULT_CANNED;
      fault->canned = canned[i].json;
      return TRUE;
    }
  }

  /* NNN, 429@SECONDS or 429@date */
  at = g_strsplit (s, "@", 2);
  if (parse_uint (at[0], 400, 599, &fault->status)) {
    fault->kind = EMU_FAULT_STATUS;
    fault->retry_after = 1;
    ok = TRUE;
    if (at[1] != NULL) {
      guint secs;

      if (fault->status != 429)
        ok = FALSE;
      else if (g_strcmp0 (at[1], "date") == 0)
        fault->retry_after = -1;
      else if (parse_uint (at[1], 0, 86400, &secs))
        fault->retry_after = (gint) secs;
      else
        ok = FALSE;
    }
  }
  g_strfreev (at);
  return ok;
}

#define STAGE_BIT(stage) (1u << (stage))

/* The stages @kind makes sense on: a fault elsewhere is refused rather
 * than silently never firing. */
static guint
kind_stages (EmuFaultKind kind)
{
  switch (kind) {
    case EMU_FAULT_SLOW:
    case EMU_FAULT_TRICKLE:
    case EMU_FAULT_NOTIMAGE:
      return STAGE_BIT (EMU_STAGE_DOWNLOAD);
    case EMU_FAULT_CANNED:
      return STAGE_BIT (EMU_STAGE_CREATE) | STAGE_BIT (EMU_STAGE_POLL) |
          STAGE_BIT (EMU_STAGE_ANY);
    case EMU_FAULT_FAILED:
    case EMU_FAULT_MODERATED:
    case EMU_FAULT_REQUEST_MODERATED:
    case EMU_FAULT_STUCK:
      return STAGE_BIT (EMU_STAGE_TASK);
    case EMU_FAULT_HELD:
      return STAGE_BIT (EMU_STAGE_TASK) | STAGE_BIT (EMU_STAGE_FAL_FRAME);
    case EMU_FAULT_DROP:
    case EMU_FAULT_FRAME_ERROR:
    case EMU_FAULT_FRAME_TIMEOUT:
    case EMU_FAULT_CLOSE:
    case EMU_FAULT_UNAUTHORIZED:
      return STAGE_BIT (EMU_STAGE_FAL_FRAME);
    default:
      return ~(STAGE_BIT (EMU_STAGE_TASK) | STAGE_BIT (EMU_STAGE_FAL_FRAME));
  }
}

gboolean
emu_fault_parse (const gchar * spec, EmuFault * fault, GError ** error)
{
  gchar **parts;
  gboolean stage_ok = FALSE;
  guint i, n;

  memset (fault, 0, sizeof (*fault));
  parts = g_strsplit (spec, ":", -1);
  n = g_strv_length (parts);
  if (n < 2 || n > 3)
    goto bad;

  for (i = 0; i < G_N_ELEMENTS (stages); i++) {
    if (g_strcmp0 (parts[0], stages[i].name) == 0) {
      fault->stage = stages[i].stage;
      stage_ok = TRUE;
    }
  }
  if (!stage_ok || !parse_fault_kind (parts[1], fault))
    goto bad;

  fault->times = 1;
  if (n == 3) {
    guint times;

    if (g_strcmp0 (parts[2], "*") == 0)
      fault->times = -1;
    else if (parse_uint (parts[2], 1, G_MAXINT, &times))
      fault->times = (gint) times;
    else
      goto bad;
  }

  if (!(kind_stages (fault->kind) & STAGE_BIT (fault->stage)))
    goto bad_stage;

  fault->spec = g_strdup (spec);
  g_strfreev (parts);
  return TRUE;

bad_stage:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "fault '%s' cannot be used with stage '%s'", parts[1], parts[0]);
  g_strfreev (parts);
  return FALSE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "invalid fault spec '%s' (expected STAGE:FAULT[:TIMES])", spec);
  g_strfreev (parts);
  return FALSE;
}

void
emu_fault_clear (EmuFault * fault)
{
  g_clear_pointer (&fault->spec, g_free);
}

void
emu_fault_free (EmuFault * fault)
{
  emu_fault_clear (fault);
  g_free (fault);
}

gboolean
emu_faults_add (GPtrArray * faults, const gchar * spec, GError ** error)
{
  EmuFault fault;

  if (!emu_fault_parse (spec, &fault, error))
    return FALSE;
  g_ptr_array_add (faults, g_memdup2 (&fault, sizeof (fault)));
  return TRUE;
}

/* Takes the first registered fault that matches @stage, consuming one of
 * its firings; @api says the request is under /api/v1, where "any"
 * applies. @fault receives a copy the caller must clear. */
gboolean
emu_faults_take (GPtrArray * faults, EmuStage stage, gboolean api,
    EmuFault * fault)
{
  return emu_faults_take_after (faults, stage, api, G_MAXUINT, fault);
}

gboolean
emu_faults_take_after (GPtrArray * faults, EmuStage stage, gboolean api,
    guint answered, EmuFault * fault)
{
  guint i;

  for (i = 0; i < faults->len; i++) {
    EmuFault *f = g_ptr_array_index (faults, i);

    if (f->after > answered)
      continue;

    /* "any" covers /api/v1 requests only */
    if (f->stage != stage && !(f->stage == EMU_STAGE_ANY && api))
      continue;
    /* download-only faults can't fire elsewhere through "any" */
    if (stage != EMU_STAGE_DOWNLOAD && (f->kind == EMU_FAULT_SLOW
            || f->kind == EMU_FAULT_TRICKLE || f->kind == EMU_FAULT_NOTIMAGE))
      continue;
    /* canned task answers only make sense for task requests */
    if (f->kind == EMU_FAULT_CANNED && stage != EMU_STAGE_CREATE
        && stage != EMU_STAGE_POLL)
      continue;

    *fault = *f;
    fault->spec = g_strdup (f->spec);
    if (f->times > 0 && --f->times == 0)
      g_ptr_array_remove_index (faults, i);
    return TRUE;
  }
  return FALSE;
}

const gchar *
emu_fault_error_message (guint status)
{
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Invalid API key";
    case 402:
      return "Insufficient credits";
    case 403:
      return "Forbidden: API key lacks permission";
    case 404:
      return "Not found";
    case 409:
      return "Idempotency key reused with a different request";
    case 413:
      return "Payload too large";
    case 422:
      return "Validation failed";
    case 429:
      return "Too many requests";
    case 500:
      return "Internal server error";
    case 502:
      return "Bad gateway";
    case 503:
      return "No active channel available";
    case 504:
      return "Gateway timeout";
    default:
      return soup_status_get_phrase (status);
  }
}
