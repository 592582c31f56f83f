/* gst-imagegen: registering an enumeration as a GType.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-enum.h"

GType
imagegen_enum_register (GType * type, const gchar * name,
    const GEnumValue * values)
{
  if (g_once_init_enter (type)) {
    GType t = g_enum_register_static (name, values);

    g_once_init_leave (type, t);
  }
  return *type;
}
