/* gst-imagegen: properties that are plain members of a struct, set and
 * read through one table instead of a switch per property group.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Property @prop (counted from the group's first id) is the member at
 * @offset of the owner, of the C type of the property's value type:
 * gchar * for strings (owned), gint for enums, a pointer for boxed
 * types (owned). */
typedef struct
{
  guint prop;
  gsize offset;
} GstImagegenField;

#define GST_IMAGEGEN_FIELD(prop, Type, member) \
  { (prop), G_STRUCT_OFFSET (Type, member) }
#define GST_IMAGEGEN_FIELDS_END { G_MAXUINT, 0 }

/* Stores @value into the member of @owner that property @prop_id (with
 * @fields counted from @first) is, under @lock unless NULL; FALSE when
 * @fields has no such property. */
gboolean gst_imagegen_fields_set (gpointer owner,
    const GstImagegenField * fields, GMutex * lock, guint first,
    guint prop_id, const GValue * value);

/* The member of @owner that property @prop_id is, into @value; FALSE when
 * @fields has no such property. */
gboolean gst_imagegen_fields_get (gconstpointer owner,
    const GstImagegenField * fields, GMutex * lock, guint first,
    guint prop_id, GValue * value);

G_END_DECLS
