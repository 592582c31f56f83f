/* gst-imagegen: the flow interface of a plugin built without the motion
 * feature (no OpenCV): nothing is available and nothing runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include "gstimagegenflow.h"

gboolean
gst_imagegen_flow_available (void)
{
  return FALSE;
}

GstImagegenFlow *
gst_imagegen_flow_new (void)
{
  return NULL;
}

void
gst_imagegen_flow_free (GstImagegenFlow * flow)
{
}

GstImagegenFlowField *
gst_imagegen_flow_compute (GstImagegenFlow * flow, const guint8 * frame,
    const guint8 * key, gint width, gint height,
    const GstImagegenFlowField * warm, gboolean fast, GError ** error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
      "This build has no motion feature (OpenCV).");
  return NULL;
}

void
gst_imagegen_flow_field_free (GstImagegenFlowField * field)
{
}

GstImagegenFlowField *
gst_imagegen_flow_field_scaled (const GstImagegenFlowField * field,
    gdouble factor)
{
  return NULL;
}

gboolean
gst_imagegen_flow_render (GstImagegenFlow * flow,
    const GstImagegenFlowField * fa,
    const guint8 * a, const GstImagegenFlowField * fb, const guint8 * b,
    gdouble t, guint8 * out, gint width, gint height, gint stride,
    GError ** error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
      "This build has no motion feature (OpenCV).");
  return FALSE;
}

gdouble
gst_imagegen_flow_carried_difference (GstImagegenFlow * flow,
    const GstImagegenFlowField * field, const guint8 * key,
    const guint8 * frame)
{
  return -1.0;
}
