/* gst-imagegen: table-driven property members.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenfields.h"
#include <gobject/gvaluecollector.h>

/* The member property @prop_id names, or NULL */
static gpointer
member (gconstpointer owner, const GstImagegenField * fields, guint first,
    guint prop_id)
{
  for (; prop_id >= first && fields->prop != G_MAXUINT; fields++)
    if (fields->prop == prop_id - first)
      return (guint8 *) owner + fields->offset;
  return NULL;
}

/* Members and values meet through the type's own value table, as
 * g_object_get() and g_object_set() do: lcopy_value writes a value into
 * a member (strings and boxed copied), collect_value reads one. */
gboolean
gst_imagegen_fields_set (gpointer owner, const GstImagegenField * fields,
    GMutex * lock, guint first, guint prop_id, const GValue * value)
{
  gpointer m = member (owner, fields, first, prop_id);
  GType type = G_VALUE_TYPE (value);
  GTypeCValue where = { 0, };

  if (m == NULL)
    return FALSE;
  where.v_pointer = m;
  if (lock != NULL)
    g_mutex_lock (lock);
  /* the member owns its string or boxed copy */
  if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_STRING)
    g_free (*(gchar **) m);
  else if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_BOXED && *(gpointer *) m)
    g_boxed_free (type, *(gpointer *) m);
  g_free (g_type_value_table_peek (type)->lcopy_value (value, 1, &where, 0));
  if (lock != NULL)
    g_mutex_unlock (lock);
  return TRUE;
}

gboolean
gst_imagegen_fields_get (gconstpointer owner, const GstImagegenField * fields,
    GMutex * lock, guint first, guint prop_id, GValue * value)
{
  gconstpointer m = member (owner, fields, first, prop_id);
  GTypeValueTable *table = g_type_value_table_peek (G_VALUE_TYPE (value));
  GTypeCValue what = { 0, };

  if (m == NULL)
    return FALSE;
  if (lock != NULL)
    g_mutex_lock (lock);
  /* 'i': gint, guint, gboolean and enums; 'q': 64 bits; 'p': pointers */
  switch (table->collect_format[0]) {
    case 'i':
      what.v_int = *(const gint *) m;
      break;
    case 'q':
      what.v_int64 = *(const gint64 *) m;
      break;
    case 'd':
      what.v_double = *(const gdouble *) m;
      break;
    default:
      what.v_pointer = *(gpointer const *) m;
      break;
  }
  g_free (table->collect_value (value, 1, &what, 0));
  if (lock != NULL)
    g_mutex_unlock (lock);
  return TRUE;
}
