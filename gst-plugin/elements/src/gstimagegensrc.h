/* gst-imagegen: imagegensrc, text to image.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>
#include "gstimagegensettings.h"
#include "gstimagegenimage.h"
#include "gstimagegenengine.h"
#include "gstimagegenscreen.h"

G_BEGIN_DECLS

/**
 * GstImagegenSrcBackground:
 * @GST_IMAGEGEN_SRC_BACKGROUND_OPAQUE: the image as generated
 * @GST_IMAGEGEN_SRC_BACKGROUND_TRANSPARENT: a second task removes the
 *   background: frames carry real alpha
 */
typedef enum
{
  GST_IMAGEGEN_SRC_BACKGROUND_OPAQUE,
  GST_IMAGEGEN_SRC_BACKGROUND_TRANSPARENT,
} GstImagegenSrcBackground;

GType gst_imagegen_src_background_get_type (void);

/* Derivable: imagegentextsrc (gstimagegensrctext.c) is an imagegensrc
 * with a text pad, overriding the class's prompt methods. */
#define GST_TYPE_IMAGEGEN_SRC (gst_imagegen_src_get_type ())
#define GST_IMAGEGEN_SRC(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), \
      GST_TYPE_IMAGEGEN_SRC, GstImagegenSrc))
#define GST_IS_IMAGEGEN_SRC(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), \
      GST_TYPE_IMAGEGEN_SRC))
typedef struct _GstImagegenSrc GstImagegenSrc;
#define GST_IMAGEGEN_SRC_GET_CLASS(obj) (G_TYPE_INSTANCE_GET_CLASS ((obj), \
      GST_TYPE_IMAGEGEN_SRC, GstImagegenSrcClass))
typedef struct
{
  GstPushSrcClass parent_class;

  /* Where prompts come from besides the prompt property; NULL in
   * imagegensrc.  With prompt_due set the prompt property may stay unset.
   * start_prompts checks at start and posts the error (FALSE stops);
   * stop_prompts forgets what waits; prompt_due, on the streaming thread
   * when live, makes a prompt due at @pts the pending wish (pending_prompt,
   * pending_show_at, text_prompt, under src->lock) and returns TRUE when a
   * request should go now. */
  gboolean (*start_prompts) (GstImagegenSrc * src);
  void (*stop_prompts) (GstImagegenSrc * src);
  gboolean (*prompt_due) (GstImagegenSrc * src, GstClockTime pts);
} GstImagegenSrcClass;
GType gst_imagegen_src_get_type (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstImagegenSrc, gst_object_unref)

struct _GstImagegenSrc
{
  GstPushSrc parent;

  /* properties, under the object lock */
  GstImagegenSettings settings;
  guint num_images;
  gboolean is_live;
  GstClockTime regenerate_interval;
  GstClockTime transition_duration;
  gboolean black_placeholder;
  GstImagegenSrcBackground background;
  GstClockTime image_duration;  /* not live, framerate 0/1 */

  GstImagegenEngine engine;
  gint generate_requested;      /* atomic: prompt change or "generate" */

  /* shared with the workers, under lock */
  GMutex lock;
  GCond cond;
  gboolean flushing;

  /* not live, under lock */
  guint n_images;               /* num-images, less what the guard refused */
  guint submitted;              /* images the requests handed to the
                                 * engine will bring */
  guint per_request;            /* images one request brings: the extra
                                 * property's output_count, else 1 */
  guint next_out;               /* index of the next image to push */
  GHashTable *ready;            /* index -> GstImagegenImage */

  /* live, under lock: the newest request's image wins */
  guint request_seq;            /* last request started */
  guint shown_seq;              /* request whose image shows */
  gboolean generate_pending;    /* a request waits for a free slot */
  GstImagegenPlacement live;    /* the newest image, placed by its worker */
  GstClockTime last_request_pts;
  gchar *pending_prompt;        /* the waiting request's prompt, NULL: the
                                 * prompt property's */
  GstClockTime pending_show_at; /* its image shows from then, NONE: at once */
  gchar *text_prompt;           /* the last prompt prompt_due gave */
  GstImagegenPlacement upcoming;        /* an image in before its time to show */
  guint upcoming_seq;
  GstClockTime upcoming_show_at;

  /* streaming thread only (out_info and out_raw also read by workers,
   * under lock) */
  GstImagegenImage *negotiated_for;
  gboolean out_raw;
  const gchar *out_media_type;  /* "image/png" or "image/jpeg", not raw */
  const gchar *asked_format;    /* "png" or "jpeg": downstream takes only
                                 * that, asked of models that can; NULL */
  GstVideoInfo out_info;
  GstClockTime timestamp_offset;
  guint64 n_frames;
  GstImagegenScreen screen;     /* live: what shows, fades, placeholder */
};

GST_ELEMENT_REGISTER_DECLARE (imagegensrc);
GST_ELEMENT_REGISTER_DECLARE (imagegentextsrc);

G_END_DECLS
