/* imagegen-emulator: recraft/remove_background (model
 * recraft-remove-background, body {model, source_image_url}), answering a
 * PNG with real alpha.
 *
 * Which pixels are background is defined on the emulator's own pictures:
 * text-to-image paints a vertical gradient, one colour per row, and keeps
 * its shapes off a border, so a row's left-edge pixel is background.  A
 * pixel within EMU_BACKGROUND_DISTANCE of its row's left-edge colour (each
 * channel) gets alpha 0, any other 255.  Colours stay as they were.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

#define EMU_BACKGROUND_DISTANCE 24

gboolean
emu_background_validate (JsonObject * body, JsonObject * errors)
{
  GList *members, *l;
  const gchar *url;

  members = json_object_get_members (body);
  for (l = members; l; l = l->next) {
    if (g_strcmp0 (l->data, "model") != 0
        && g_strcmp0 (l->data, "source_image_url") != 0
        && g_strcmp0 (l->data, "callback_url") != 0)
      emu_errors_add (errors, l->data, "is not permitted");
  }
  g_list_free (members);

  if (g_strcmp0 (json_object_get_string_member_with_default (body, "model",
              NULL), EMU_REMOVE_BACKGROUND_MODEL) != 0)
    emu_errors_add (errors, "model", "is not included in the list");
  url = json_object_get_string_member_with_default (body, "source_image_url",
      NULL);
  if (url == NULL)
    emu_errors_add (errors, "source_image_url", "is required");
  else if (!g_str_has_prefix (url, "http://")
      && !g_str_has_prefix (url, "https://"))
    emu_errors_add (errors, "source_image_url", "must be a public http(s) "
        "URL");
  return json_object_get_size (errors) == 0;
}

GBytes *
emu_image_remove_background (GBytes * source, GError ** error)
{
  guint8 *px;
  guint w, h, x, y, k;

  px = emu_image_decode_rgba (source, &w, &h, error);
  if (px == NULL)
    return NULL;
  for (y = 0; y < h; y++) {
    guint8 *row = px + (gsize) y * w * 4, edge[3];

    memcpy (edge, row, 3);
    for (x = 0; x < w; x++) {
      guint8 *p = row + x * 4;
      gboolean near = TRUE;

      for (k = 0; k < 3; k++)
        near = near && ABS ((gint) p[k] - (gint) edge[k]) <=
            EMU_BACKGROUND_DISTANCE;
      p[3] = near ? 0 : 255;
    }
  }
  return emu_image_encode_png (px, w, h, error);
}
