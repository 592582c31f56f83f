/* imagegen-emulator: tasks held by the `task:held` fault stay processing
 * (realtime frames held by `fal-frame:held` stay in service) until a test
 * releases them (POST /emulator/release), so that a test
 * decides when a result arrives instead of sleeping.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

/* The body: empty or "1" releases the oldest held task, a count that
 * many, "all" every one.  Answers {"released":[ids]}. */
void
emu_hold_handle_release (EmuRequest * req)
{
  gchar *spec = emu_request_body_text (req);
  JsonObject *obj;
  JsonArray *ids;
  guint64 want = 1;
  guint i;

  if (g_strcmp0 (spec, "all") == 0) {
    want = G_MAXUINT64;
  } else if (*spec != '\0' && !g_ascii_string_to_unsigned (spec, 10, 1,
          G_MAXUINT, &want, NULL)) {
    emu_request_reply_error (req, 400,
        "expected a count of tasks to release, or \"all\"");
    g_free (spec);
    return;
  }

  obj = json_object_new ();
  ids = json_array_new ();
  /* stats_tasks is in creation order: the oldest held one goes first */
  for (i = 0; i < req->emu->stats_tasks->len && want > 0; i++) {
    EmuTask *task = g_ptr_array_index (req->emu->stats_tasks, i);

    if (task->outcome != EMU_FAULT_HELD || task->terminal)
      continue;
    json_array_add_string_element (ids, task->id);
    emu_task_release (task);
    want--;
  }
  /* then realtime frames held in service */
  want -= MIN (want, emu_fal_rt_release (req->emu, (guint) MIN (want,
              G_MAXUINT), ids));
  json_object_set_array_member (obj, "released", ids);
  emu_request_reply_json (req, 200, emu_json_object_node (obj));
  g_free (spec);
}
