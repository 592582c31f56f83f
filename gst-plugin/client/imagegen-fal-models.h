/* gst-imagegen: fal's models (PROTOCOL-FAL.md, section 6) as rows of the
 * one model table, and the facts all of fal's rows share: the preset
 * sizes of image_size and how one base URL maps onto fal's hosts.
 *
 * Plain GLib and the model table, so that the emulator reads the same
 * facts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-models.h"

G_BEGIN_DECLS

/* fal's own hosts: the queue (submit, status, result, cancel) and the
 * REST host (tokens, storage uploads). */
#define IMAGEGEN_FAL_DEFAULT_BASE_URL "https://queue.fal.run"
#define IMAGEGEN_FAL_REST_URL "https://rest.fal.ai"
/* the realtime WebSocket's host */
#define IMAGEGEN_FAL_REALTIME_URL "wss://fal.run"

/* Limits of a custom {width, height} (UNCONFIRMED: fal documents none;
 * sides of at least 64 and at most 4096 pixels are assumed). */
#define IMAGEGEN_FAL_MIN_SIDE 64
#define IMAGEGEN_FAL_MAX_SIDE 4096

typedef enum
{
  IMAGEGEN_FAL_HOST_QUEUE,
  IMAGEGEN_FAL_HOST_REST,
  IMAGEGEN_FAL_HOST_REALTIME,
} ImagegenFalHost;

/* The URL of @path (starting with "/") on fal's @host for @base_url:
 * fal's own hosts when @base_url is NULL or IMAGEGEN_FAL_DEFAULT_BASE_URL,
 * else every host is @base_url itself (the emulator serves them all on
 * one origin); the realtime host's scheme is the WebSocket's (https to
 * wss, http to ws). */
gchar *imagegen_fal_url (const gchar * base_url, ImagegenFalHost host,
    const gchar * path);

/* The size of preset @name ("square_hd", "landscape_4_3" …); FALSE for a
 * name fal does not document. */
gboolean imagegen_fal_preset_size (const gchar * name, guint * width,
    guint * height);

/* The size a realtime row's @image_size makes: "square" (and NULL, the
 * default) 768 x 768, "square_hd" 1024 x 1024; FALSE for anything else. */
gboolean imagegen_fal_realtime_size (const gchar * image_size,
    guint * width, guint * height);

/* The @index-th of fal's rows; NULL past the end (imagegen_models_get()
 * lists them after the others). */
const ImagegenModelRow *imagegen_fal_models_get (guint index);

/* The realtime model's image_size for a request of @width x @height
 * (0: not known) at @resolution (NULL: none): the square whose side is
 * nearest the larger side, else square_hd from "1k" up; NULL: the
 * model's own default (square). */
const gchar *imagegen_fal_realtime_image_size (guint width, guint height,
    const gchar * resolution);

G_END_DECLS
