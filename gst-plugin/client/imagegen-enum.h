/* gst-imagegen: registering an enumeration as a GType, the one way every
 * enumeration property of the elements does it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The GType @name of @values (static, ending with {0, NULL, NULL}),
 * registered on the first call; @type is the caller's static slot. */
GType imagegen_enum_register (GType * type, const gchar * name,
    const GEnumValue * values);

/* Defines GType @func (void), the enumeration @name of the GEnumValue
 * initializers that follow. */
#define IMAGEGEN_DEFINE_ENUM(func, name, ...)                             \
GType                                                                     \
func (void)                                                               \
{                                                                         \
  static GType type = 0;                                                  \
  static const GEnumValue values[] = { __VA_ARGS__, {0, NULL, NULL} };    \
                                                                          \
  return imagegen_enum_register (&type, name, values);                    \
}

G_END_DECLS
