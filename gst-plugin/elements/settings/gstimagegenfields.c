/* gst-imagegen: table-driven property members.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstimagegenfields.h"

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

gboolean
gst_imagegen_fields_set (gpointer owner, const GstImagegenField * fields,
    GMutex * lock, guint first, guint prop_id, const GValue * value)
{
  gpointer m = member (owner, fields, first, prop_id);
  GType type = G_VALUE_TYPE (value);

  if (m == NULL)
    return FALSE;
  if (lock != NULL)
    g_mutex_lock (lock);
  switch (G_TYPE_FUNDAMENTAL (type)) {
    case G_TYPE_STRING:
      g_free (*(gchar **) m);
      *(gchar **) m = g_value_dup_string (value);
      break;
    case G_TYPE_BOOLEAN:
      *(gboolean *) m = g_value_get_boolean (value);
      break;
    case G_TYPE_UINT:
      *(guint *) m = g_value_get_uint (value);
      break;
    case G_TYPE_UINT64:
      *(guint64 *) m = g_value_get_uint64 (value);
      break;
    case G_TYPE_INT64:
      *(gint64 *) m = g_value_get_int64 (value);
      break;
    case G_TYPE_DOUBLE:
      *(gdouble *) m = g_value_get_double (value);
      break;
    case G_TYPE_ENUM:
      *(gint *) m = g_value_get_enum (value);
      break;
    case G_TYPE_BOXED:
      if (*(gpointer *) m != NULL)
        g_boxed_free (type, *(gpointer *) m);
      *(gpointer *) m = g_value_dup_boxed (value);
      break;
    default:
      g_assert_not_reached ();
  }
  if (lock != NULL)
    g_mutex_unlock (lock);
  return TRUE;
}

gboolean
gst_imagegen_fields_get (gconstpointer owner, const GstImagegenField * fields,
    GMutex * lock, guint first, guint prop_id, GValue * value)
{
  gconstpointer m = member (owner, fields, first, prop_id);

  if (m == NULL)
    return FALSE;
  if (lock != NULL)
    g_mutex_lock (lock);
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value))) {
    case G_TYPE_STRING:
      g_value_set_string (value, *(gchar * const *) m);
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, *(const gboolean *) m);
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value, *(const guint *) m);
      break;
    case G_TYPE_UINT64:
      g_value_set_uint64 (value, *(const guint64 *) m);
      break;
    case G_TYPE_INT64:
      g_value_set_int64 (value, *(const gint64 *) m);
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, *(const gdouble *) m);
      break;
    case G_TYPE_ENUM:
      g_value_set_enum (value, *(const gint *) m);
      break;
    case G_TYPE_BOXED:
      g_value_set_boxed (value, *(gconstpointer *) m);
      break;
    default:
      g_assert_not_reached ();
  }
  if (lock != NULL)
    g_mutex_unlock (lock);
  return TRUE;
}
