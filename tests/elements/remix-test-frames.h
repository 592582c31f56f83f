/* gst-imagegen tests: solid frames whose colour names them, and the
 * emulator's remix of them (the source inverted).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <string.h>

#define FPS 30
#define FRAME_TIME(i) gst_util_uint64_scale (i, GST_SECOND, FPS)
#define TOLERANCE 12

static void
frame_colour (guint i, guint8 rgb[3])
{
  /* moderate colours: JPEG's chroma loss stays small, and inverting
   * changes at least one channel a lot */
  rgb[0] = 40 + (i * 4) % 120;
  rgb[1] = 200 - (i * 3) % 120;
  rgb[2] = 60 + (i * 7) % 80;
}

static GstBuffer *
make_frame (guint i, gint width, gint height)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, width * height * 4, NULL);
  GstMapInfo map;
  guint8 rgb[3];
  gint p;

  frame_colour (i, rgb);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (p = 0; p < width * height; p++) {
    memcpy (map.data + 4 * p, rgb, 3);
    map.data[4 * p + 3] = 255;
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = FRAME_TIME (i);
  GST_BUFFER_DURATION (buf) = FRAME_TIME (i + 1) - FRAME_TIME (i);
  return buf;
}

/* The centre pixel against frame @source's colour, inverted or not. */
static gboolean
shows_frame (GstBuffer * buf, guint source, gboolean inverted, gint width,
    gint height)
{
  GstMapInfo map;
  guint8 rgb[3];
  gboolean ok = TRUE;
  gint c;

  frame_colour (source, rgb);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (c = 0; c < 3; c++) {
    gint want = inverted ? 255 - rgb[c] : rgb[c];
    gint got = map.data[4 * ((height / 2) * width + width / 2) + c];
    if (ABS (want - got) > TOLERANCE)
      ok = FALSE;

  }
  gst_buffer_unmap (buf, &map);
  return ok;
}

