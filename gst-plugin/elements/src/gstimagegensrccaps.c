/* gst-imagegen: imagegensrc's caps — what it can produce, the size and
 * framerate it settles on, and the exact size it asks of models that take
 * one, decided from the same downstream caps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include "gstimagegensrcpriv.h"
#include "imagegen-bfl-models.h"
#include "imagegen-provider.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define LIVE_FPS_N 30

/* GstBaseSrc's own methods (GstPushSrc keeps them), whatever the
 * subclass: imagegentextsrc's parent would be this file's */
static GstBaseSrcClass *
parent_class (void)
{
  return GST_BASE_SRC_CLASS (g_type_class_peek (GST_TYPE_PUSH_SRC));
}

gboolean
gst_imagegen_src_is_live (GstImagegenSrc * src)
{
  gboolean live;

  GST_OBJECT_LOCK (src);
  live = src->is_live;
  GST_OBJECT_UNLOCK (src);
  return live;
}

/* The size the service makes for the aspect ratio and resolution, as the
 * model table says for the element's provider: the default size where
 * downstream leaves it open. */
static void
expected_size (GstImagegenSrc * src, gint * width, gint * height)
{
  guint w, h;

  GST_OBJECT_LOCK (src);
  imagegen_models_output_size (imagegen_provider_get
      (gst_imagegen_provider_resolve (&src->settings.service,
              src->settings.model)), src->settings.aspect_ratio,
      src->settings.resolution, &w, &h);
  GST_OBJECT_UNLOCK (src);
  *width = w;
  *height = h;
}

/* The raw size @caps settle on, as fixate() settles it: the size
 * downstream fixes, else the nearest to @width x @height (in and out).
 * FALSE when @caps hold no raw video. */
static gboolean
settled_size (GstCaps * caps, gint * width, gint * height)
{
  GstStructure *s = NULL;
  guint i;

  for (i = 0; caps != NULL && i < gst_caps_get_size (caps) && s == NULL; i++)
    if (gst_structure_has_name (gst_caps_get_structure (caps, i),
            "video/x-raw"))
      s = gst_structure_copy (gst_caps_get_structure (caps, i));
  if (s == NULL)
    return FALSE;
  gst_structure_fixate_field_nearest_int (s, "width", *width);
  gst_structure_fixate_field_nearest_int (s, "height", *height);
  gst_structure_get_int (s, "width", width);
  gst_structure_get_int (s, "height", height);
  gst_structure_free (s);
  return TRUE;
}

void
gst_imagegen_src_requested_size (GstImagegenSrc * src, guint * width,
    guint * height)
{
  GstPad *pad = GST_BASE_SRC_PAD (src);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gint w, h;

  expected_size (src, &w, &h);
  /* not live, caps come with the first image: ask downstream now, so
   * that a size it fixes is the size asked for (no borders) */
  if (caps == NULL) {
    GstCaps *templ = gst_pad_get_pad_template_caps (pad);

    caps = gst_pad_peer_query_caps (pad, templ);
    gst_caps_unref (templ);
  }
  settled_size (caps, &w, &h);
  gst_clear_caps (&caps);
  imagegen_bfl_frame_size (MAX (w, 1), MAX (h, 1), width, height);
}

const gchar *
gst_imagegen_src_downstream_encoded_format (GstImagegenSrc * src)
{
  GstCaps *peer = gst_pad_peer_query_caps (GST_BASE_SRC_PAD (src), NULL);
  const gchar *types[][2] = { {"video/x-raw", NULL}, {"image/jpeg", "jpeg"},
  {"image/png", "png"}
  };
  const gchar *format = NULL;
  guint i;

  if (peer == NULL || gst_caps_is_any (peer) || gst_caps_is_empty (peer)) {
    gst_clear_caps (&peer);
    return NULL;
  }
  /* the first type downstream takes decides; raw video needs no format */
  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    GstCaps *type = gst_caps_new_empty_simple (types[i][0]);
    gboolean takes = gst_caps_can_intersect (peer, type);

    gst_caps_unref (type);
    if (takes) {
      format = types[i][1];
      break;
    }
  }
  gst_caps_unref (peer);
  return format;
}

/* Raw video, the image's own encoded type (its bytes untouched) and the
 * other encoded type (transcoded) can be produced; live streams are raw
 * video only. */
GstCaps *
gst_imagegen_src_get_caps (GstBaseSrc * basesrc, GstCaps * filter)
{
  /* installed by imagegensrc on its own class: no type check needed */
  GstImagegenSrc *src = (GstImagegenSrc *) basesrc;
  GstCaps *caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (basesrc));
  const gchar *own_type = NULL;
  gboolean live;

  GST_OBJECT_LOCK (src);
  if (src->negotiated_for != NULL)
    own_type = src->negotiated_for->header.media_type;
  live = src->is_live;
  GST_OBJECT_UNLOCK (src);

  if (own_type != NULL || live) {
    GstCaps *only = gst_caps_new_empty ();
    guint i;

    /* raw video first: a sink that takes anything (fakesink) gets decoded
     * frames, as the docs say; the bytes only when asked for */
    for (i = 0; i < gst_caps_get_size (caps); i++) {
      GstStructure *s = gst_caps_get_structure (caps, i);
      if (gst_structure_has_name (s, "video/x-raw"))
        gst_caps_append_structure (only, gst_structure_copy (s));
    }
    if (own_type != NULL) {
      gst_caps_append (only, gst_caps_new_empty_simple (own_type));
      for (i = 0; i < gst_caps_get_size (caps); i++) {
        GstStructure *s = gst_caps_get_structure (caps, i);
        if (!gst_structure_has_name (s, "video/x-raw")
            && !gst_structure_has_name (s, own_type))
          gst_caps_append_structure (only, gst_structure_copy (s));
      }
    }
    gst_caps_unref (caps);
    caps = only;
  }
  if (filter != NULL) {
    GstCaps *tmp = gst_caps_intersect_full (filter, caps,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = tmp;
  }
  return gst_imagegen_src_cutout_caps (src, caps);
}

/* Not live, negotiation waits for the first image: its type and size
 * decide.  Live streams start with a placeholder, so negotiate at once. */
gboolean
gst_imagegen_src_negotiate (GstBaseSrc * basesrc)
{
  /* installed by imagegensrc on its own class: no type check needed */
  GstImagegenSrc *src = (GstImagegenSrc *) basesrc;

  if (src->negotiated_for == NULL && !gst_imagegen_src_is_live (src))
    return TRUE;
  return parent_class ()->negotiate (basesrc);
}

/* Not live, an image has no rate of its own: where downstream leaves the
 * framerate open (videorate, encoders, muxers) it is 0/1 and each buffer
 * lasts image-duration; a rate downstream fixes is kept. */
static GstCaps *
prefer_still_framerate (GstCaps * caps)
{
  GstCaps *still = gst_caps_from_string ("video/x-raw, "
      "framerate=(fraction)0/1");
  GstCaps *both = gst_caps_intersect_full (caps, still,
      GST_CAPS_INTERSECT_FIRST);

  gst_caps_unref (still);
  if (gst_caps_is_empty (both)) {
    gst_caps_unref (both);
    return caps;
  }
  gst_caps_unref (caps);
  return both;
}

GstCaps *
gst_imagegen_src_fixate (GstBaseSrc * basesrc, GstCaps * caps)
{
  /* installed by imagegensrc on its own class: no type check needed */
  GstImagegenSrc *src = (GstImagegenSrc *) basesrc;
  GstStructure *s;
  gint width, height;
  gboolean live = gst_imagegen_src_is_live (src);

  if (src->negotiated_for != NULL) {
    width = src->negotiated_for->header.width;
    height = src->negotiated_for->header.height;
  } else {
    expected_size (src, &width, &height);
  }
  s = gst_caps_get_structure (caps, 0);
  if (!live && gst_structure_has_name (s, "video/x-raw"))
    caps = prefer_still_framerate (caps);
  caps = gst_caps_truncate (gst_caps_make_writable (caps));
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (s, "video/x-raw")) {
    gst_structure_fixate_field_nearest_int (s, "width", width);
    gst_structure_fixate_field_nearest_int (s, "height", height);
    gst_structure_fixate_field_nearest_fraction (s, "framerate",
        live ? LIVE_FPS_N : 1, 1);
    gst_structure_fixate_field_string (s, "format", "RGBA");
  }
  return parent_class ()->fixate (basesrc, caps);
}
