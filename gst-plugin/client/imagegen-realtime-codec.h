/* gst-imagegen: what goes over fal's realtime WebSocket (PROTOCOL-FAL.md,
 * section 5): the input map, msgpack-encoded for a binary frame, and what
 * a frame from the server says.  Pure functions, no I/O.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-models.h"
#include "imagegen-provider.h"

#include <msgpack.h>

G_BEGIN_DECLS

/* @body (a request body built from @row, imagegen_model_build_body()) as
 * one msgpack map: strings as str, integers as int, the row's number
 * fields as float64 (also when the JSON holds an integer), booleans as
 * bool, objects as maps, arrays as arrays, null as nil. */
GBytes *imagegen_realtime_encode (const ImagegenModelRow * row,
    JsonObject * body);

/* The frame of @request (a realtime row of @provider's): the row's body,
 * the one source image as a data: URI in its input field, extra fields
 * checked against the row as for any request, encoded as above; NULL with
 * an INVALID_ARGUMENT error when the request does not fit the row. */
GBytes *imagegen_realtime_encode_request (const ImagegenProvider * provider,
    const ImagegenRequest * request, GError ** error);

typedef enum
{
  IMAGEGEN_REALTIME_RESULT,     /* images: the frame's result */
  IMAGEGEN_REALTIME_MESSAGE,    /* x-fal-message (timings): nothing to do */
  IMAGEGEN_REALTIME_IDLE,       /* x-fal-error TIMEOUT: the server closes an
                                 * idle socket, not an error */
  IMAGEGEN_REALTIME_ERROR,      /* another x-fal-error: the frame failed */
  IMAGEGEN_REALTIME_UNAUTHORIZED,       /* the token is no good */
  IMAGEGEN_REALTIME_OTHER,      /* anything else: ignored */
  IMAGEGEN_REALTIME_MALFORMED,  /* not msgpack, not JSON, or a result
                                 * without an image */
} ImagegenRealtimeKind;

/* What one frame from the server says. */
typedef struct
{
  ImagegenRealtimeKind kind;
  GBytes *image;                /* RESULT: the last image's bytes (with
                                 * interpolation the current frame's) */
  gchar *content_type;          /* RESULT: as given, else image/jpeg */
  guint width, height;          /* RESULT: as given, 0 when not */
  gint64 seed;                  /* RESULT: -1 when not given */
  gchar *error;                 /* ERROR, IDLE: "CODE: reason";
                                 * UNAUTHORIZED: its error */
} ImagegenRealtimeAnswer;

/* Reads one frame: @binary a msgpack frame, else a JSON text frame.
 * A result's content may be bin, or str holding raw bytes or a data:
 * URI (its type is UNCONFIRMED); control messages are read from either
 * kind of frame. */
void imagegen_realtime_decode (GBytes * frame, gboolean binary,
    ImagegenRealtimeAnswer * answer);

/* The value of key @name (a str) in @map, NULL when @map is no map or
 * has none. */
const msgpack_object *imagegen_realtime_map_get (const msgpack_object * map,
    const gchar * name);

void imagegen_realtime_answer_clear (ImagegenRealtimeAnswer * answer);

G_END_DECLS
