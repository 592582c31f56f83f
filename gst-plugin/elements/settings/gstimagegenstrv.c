/* gst-imagegen: string-array (GStrv) properties that gst-launch can set.
 *
 * A GStrv property is what plain PyGObject (and every other binding) sets
 * and reads as a list of strings; a GstValueArray property needs
 * gst-python's overrides.  GStreamer 1.22 cannot parse a GStrv from text,
 * so gst-launch-1.0 could not set one: this teaches it the array syntax
 * `"<a.png, https://host/b.png>"` (or one bare item), unless the running
 * GStreamer already knows how.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenstrv.h"

static gboolean
strv_deserialize (GValue * dest, const gchar * s)
{
  GValue array = G_VALUE_INIT;
  GPtrArray *items;
  guint i, n;
  gboolean ok = TRUE;

  if (s[0] != '<') {
    const gchar *one[] = { s, NULL };

    g_value_set_boxed (dest, one);
    return TRUE;
  }
  g_value_init (&array, GST_TYPE_ARRAY);
  if (!gst_value_deserialize (&array, s)) {
    g_value_unset (&array);
    return FALSE;
  }
  n = gst_value_array_get_size (&array);
  items = g_ptr_array_new_full (n + 1, g_free);
  for (i = 0; i < n && ok; i++) {
    const GValue *item = gst_value_array_get_value (&array, i);
    GValue text = G_VALUE_INIT;

    /* an unquoted item may have been read as a number: take its text */
    g_value_init (&text, G_TYPE_STRING);
    ok = g_value_transform (item, &text);
    if (ok)
      g_ptr_array_add (items, g_value_dup_string (&text));
    g_value_unset (&text);
  }
  g_ptr_array_add (items, NULL);
  if (ok)
    g_value_set_boxed (dest, items->pdata);
  g_ptr_array_unref (items);
  g_value_unset (&array);
  return ok;
}

static gchar *
strv_serialize (const GValue * value)
{
  const gchar *const *strv = g_value_get_boxed (value);
  GString *out = g_string_new ("<");
  guint i;

  for (i = 0; strv != NULL && strv[i] != NULL; i++) {
    GValue item = G_VALUE_INIT;
    gchar *text;

    g_value_init (&item, G_TYPE_STRING);
    g_value_set_static_string (&item, strv[i]);
    text = gst_value_serialize (&item);
    g_string_append_printf (out, "%s%s", i ? ", " : "", text);
    g_free (text);
    g_value_unset (&item);
  }
  g_string_append_c (out, '>');
  return g_string_free (out, FALSE);
}

static gboolean
gstreamer_parses_strv (void)
{
  GValue probe = G_VALUE_INIT;
  gboolean ok;

  g_value_init (&probe, G_TYPE_STRV);
  ok = gst_value_deserialize (&probe, "<a, b>");
  g_value_unset (&probe);
  return ok;
}

/* Once per process, before the first GStrv property is parsed. */
void
gst_imagegen_strv_enable_parsing (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    if (!gstreamer_parses_strv ()) {
      static GstValueTable table = { 0, NULL, strv_serialize,
        strv_deserialize, NULL, {NULL}
      };

      table.type = G_TYPE_STRV;
      gst_value_register (&table);
    }
    g_once_init_leave (&done, 1);
  }
}
