/* gst-imagegen: fal's models (PROTOCOL-FAL.md, section 6).  Fields and
 * defaults are the schemas fal's JS client is generated from; prices are
 * per megapixel as fal lists them, "unconfirmed" where only a third party
 * gives one (the spending guard then assumes the dearest price).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-fal-models.h"

#include <string.h>

#define PRESETS "square_hd square portrait_4_3 portrait_16_9 landscape_4_3 " \
  "landscape_16_9"
#define IMAGE_SIZE(choices) {"image_size", IMAGEGEN_FIELD_SIZE, FALSE, \
      choices, IMAGEGEN_FAL_MIN_SIDE, IMAGEGEN_FAL_MAX_SIDE}
#define PROMPT {"prompt", IMAGEGEN_FIELD_STRING, TRUE, NULL, 1, 0}
#define INT(name, min, max) {name, IMAGEGEN_FIELD_INT, FALSE, NULL, min, max}
#define NUM(name, min, max) {name, IMAGEGEN_FIELD_NUMBER, FALSE, NULL, min, max}
#define ENUM(name, choices) {name, IMAGEGEN_FIELD_ENUM, FALSE, choices, 0, 0}
/* an optional field with the model's own default, which the emulator
 * follows */
#define FORMAT(choices, def) \
  {"output_format", IMAGEGEN_FIELD_ENUM, FALSE, choices, 0, 0, 0, def}
#define BOOL(name) {name, IMAGEGEN_FIELD_BOOL, FALSE, NULL, 0, 0}
#define SEED INT ("seed", 0, 2147483647)
#define END {NULL, 0, FALSE, NULL, 0, 0}

/* sync_mode is left out: it answers data: URIs instead of result URLs */
static const ImagegenModelField klein[] = {
  PROMPT, IMAGE_SIZE (PRESETS), INT ("num_images", 1, 4),
  INT ("num_inference_steps", 4, 8), SEED,
  FORMAT ("jpeg png webp", "png"), BOOL ("enable_safety_checker"),
  END
};

/* flex and pro (and max) edit: "auto" is their default size; the step and
 * guidance ranges are UNCONFIRMED (Black Forest Labs' own for flex) */
#define EDIT_COMMON \
  PROMPT, IMAGE_SIZE (PRESETS " auto"), SEED, \
  ENUM ("safety_tolerance", "1 2 3 4 5"), BOOL ("enable_safety_checker"), \
  FORMAT ("jpeg png", "jpeg")
static const ImagegenModelField flex_edit[] = {
  EDIT_COMMON, INT ("num_inference_steps", 1, 50),
  NUM ("guidance_scale", 1.5, 10), END
};
static const ImagegenModelField pro_edit[] = { EDIT_COMMON, END };

static const ImagegenModelField schnell[] = {
  PROMPT, IMAGE_SIZE (PRESETS), INT ("num_inference_steps", 1, 12),
  NUM ("guidance_scale", 1, 20), SEED, INT ("num_images", 1, 4),
  BOOL ("enable_safety_checker"), FORMAT ("jpeg png", "jpeg"),
  ENUM ("acceleration", "none regular high"), END
};

/* realtime: square frames in (704 a side recommended, JPEG quality 50),
 * 768 (square) or 1024 (square_hd) out */
static const ImagegenModelField realtime[] = {
  {"prompt", IMAGEGEN_FIELD_STRING, FALSE, NULL, 1, 0},
  ENUM ("image_size", "square square_hd"), INT ("num_inference_steps", 1, 8),
  SEED, NUM ("output_feedback_strength", 0, 1), NUM ("schedule_mu", 0, 10),
  BOOL ("enable_interpolation"), END
};

/* FLUX 3 on fal (NEW-MODELS.md section 3, fal's model pages): no seed
 * and no exact size.  The text-to-image and edit pages give only prompt,
 * aspect_ratio and the images; their resolution, grounding and safety
 * fields were not captured (UNCONFIRMED), so they are left out rather
 * than risk a 422.  3.1's resolution is priced by tier; its spelling
 * (Black Forest Labs' 1k 2k 4k) is UNCONFIRMED. */
#define FLUX3_RATIO ENUM ("aspect_ratio", IMAGEGEN_FLUX3_RATIOS)
static const ImagegenModelField flux3[] = { PROMPT, FLUX3_RATIO, END };

/* bounding boxes: {label, edges as fractions, (0,0) top left}, cited in
 * the prompt as <label>; how many fal takes is UNCONFIRMED (Black Forest
 * Labs' 3.1 takes 32) */
static const ImagegenModelField flux31[] = {
  PROMPT, FLUX3_RATIO, ENUM ("resolution", "1k 2k 4k"),
  {"bounding_boxes", IMAGEGEN_FIELD_OBJECTS, FALSE, NULL, 0, 32}, END
};

#define F "fal"
#define T2I IMAGEGEN_KIND_TEXT_TO_IMAGE
#define EDIT IMAGEGEN_KIND_EDIT
/* the id is the submit path; frames go as data: URIs in image_urls; the
 * price by the per-megapixel formula (imagegen_model_price_exact()):
 * @first cents for the first output megapixel, @mp for each further
 * output and each input megapixel */
#define FAL_ROW(id, kind, input, max, fields, first, confirmed, mp) \
  {F, id, kind, "/" id, input, input ? 1 : 0, max, fields, NULL, \
      "images", first, confirmed, NULL, NULL, FALSE, TRUE, FALSE, 0, 0, \
      FALSE, 0, mp, TRUE, TRUE, FALSE}

/* FLUX 3: a price per image by resolution tier (@cents at 1k; references
 * are free), unconfirmed as the sheet has every FLUX 3 fact on fal only
 * second-hand (the guard then assumes the dearest price); tens of seconds
 * a task, the prompt expanded first (@reasons);
 * an edit takes 1 to 10 images of at most 4 MP each, fal's own limit
 * (Black Forest Labs take 16 MP); the 256-pixel least side is not held */
#define FAL_FLUX3(id, kind, input, fields, cents, tiers) \
  {F, id, kind, "/" id, input, input ? 1 : 0, input ? 10 : 0, fields, NULL, \
        "images", cents, FALSE, tiers ? "resolution" : NULL, tiers, FALSE, \
        FALSE, FALSE, 20000, 100000, FALSE, 0, 0, TRUE, TRUE, \
      .reasons = TRUE, .input_max_pixels = input ? 4000000 : 0}

static const ImagegenModelRow rows[] = {
  /* $0.005/MP (a third party's figure) */
  FAL_ROW ("fal-ai/flux-2/klein/4b", T2I, NULL, 0, klein, 0.5, FALSE, 0.5),
  /* $0.006/MP, fal's own */
  FAL_ROW ("fal-ai/flux-2/klein/9b", T2I, NULL, 0, klein, 0.6, TRUE, 0.6),
  /* $0.010 and $0.011 per input MP (a third party's figures); counted
   * here on output megapixels too, erring on the side of the bill */
  FAL_ROW ("fal-ai/flux-2/klein/4b/edit", EDIT, "image_urls", 4, klein,
      1.0, FALSE, 1.0),
  FAL_ROW ("fal-ai/flux-2/klein/9b/edit", EDIT, "image_urls", 4, klein,
      1.1, FALSE, 1.1),
  /* $0.05/MP of input and output, fal's own, but rounded up per image
   * there, which the formula does not do: taken as unconfirmed, so that
   * the guard assumes the dearest price rather than too little */
  FAL_ROW ("fal-ai/flux-2-flex/edit", EDIT, "image_urls", 4, flex_edit,
      5.0, FALSE, 5.0),
  /* no price published: Black Forest Labs' own for pro, unconfirmed */
  FAL_ROW ("fal-ai/flux-2-pro/edit", EDIT, "image_urls", 4, pro_edit,
      3.0, FALSE, 1.5),
  /* $0.07 for the first MP, $0.03 per further MP, inputs counted */
  FAL_ROW ("fal-ai/flux-2-max/edit", EDIT, "image_urls", 4, pro_edit,
      7.0, TRUE, 3.0),
  /* $0.003/MP (a third party's figure) */
  FAL_ROW ("fal-ai/flux/schnell", T2I, NULL, 0, schnell, 0.3, FALSE, 0.3),
  /* 1k $0.048 since the launch offer ended (2026-10-08); the other
   * tiers are not offered (no resolution field) */
  FAL_FLUX3 ("blackforestlabs/flux-3/text-to-image", T2I, NULL, flux3, 4.8,
      NULL),
  FAL_FLUX3 ("blackforestlabs/flux-3/edit-image", EDIT, "image_urls", flux3,
      4.8, NULL),
  /* $0.03 at 1k, $0.06 at 2k, $0.28 at 4k */
  FAL_FLUX3 ("fal-ai/flux-3.1-image", T2I, NULL, flux31, 3, "2k=6 4k=28"),
  /* WebSocket only; fal publishes no price: klein 4b edit's assumed */
  {F, "fal-ai/flux-2/klein/realtime", EDIT, "/fal-ai/flux-2/klein/realtime",
        "image_url", 1, 1, realtime, NULL, "images", 1.0, FALSE, NULL, NULL,
        FALSE, TRUE, FALSE, 0, 0, FALSE, 0, 1.0, TRUE, TRUE,
      .realtime = TRUE, .price_assumed = TRUE, .square_input = 704},
};

const ImagegenModelRow *
imagegen_fal_models_get (guint index)
{
  return index < G_N_ELEMENTS (rows) ? &rows[index] : NULL;
}

gboolean
imagegen_fal_preset_size (const gchar * name, guint * width, guint * height)
{
  static const struct
  {
    const gchar *name;
    guint width, height;
  } presets[] = {
    {"square_hd", 1024, 1024}, {"square", 512, 512},
    {"portrait_4_3", 768, 1024}, {"portrait_16_9", 576, 1024},
    {"landscape_4_3", 1024, 768}, {"landscape_16_9", 1024, 576},
  };
  guint i;

  for (i = 0; name != NULL && i < G_N_ELEMENTS (presets); i++) {
    if (strcmp (name, presets[i].name) == 0) {
      *width = presets[i].width;
      *height = presets[i].height;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
imagegen_fal_realtime_size (const gchar * image_size, guint * width,
    guint * height)
{
  guint side = image_size == NULL || strcmp (image_size, "square") == 0 ?
      768 : strcmp (image_size, "square_hd") == 0 ? 1024 : 0;

  *width = *height = side;
  return side > 0;
}

gchar *
imagegen_fal_url (const gchar * base_url, ImagegenFalHost host,
    const gchar * path)
{
  const gchar *scheme = "";
  gsize len;

  if (base_url == NULL || strcmp (base_url, IMAGEGEN_FAL_DEFAULT_BASE_URL)
      == 0)
    base_url = host == IMAGEGEN_FAL_HOST_REST ? IMAGEGEN_FAL_REST_URL :
        host == IMAGEGEN_FAL_HOST_REALTIME ? IMAGEGEN_FAL_REALTIME_URL :
        IMAGEGEN_FAL_DEFAULT_BASE_URL;
  else if (host == IMAGEGEN_FAL_HOST_REALTIME
      && g_str_has_prefix (base_url, "https://"))
    scheme = "wss", base_url += strlen ("https");
  else if (host == IMAGEGEN_FAL_HOST_REALTIME
      && g_str_has_prefix (base_url, "http://"))
    scheme = "ws", base_url += strlen ("http");
  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%s%.*s%s", scheme, (int) len, base_url, path);
}

const gchar *
imagegen_fal_realtime_image_size (guint width, guint height,
    const gchar * resolution)
{
  guint side = MAX (width, height), sq, hd;

  imagegen_fal_realtime_size ("square", &sq, &sq);
  imagegen_fal_realtime_size ("square_hd", &hd, &hd);
  if (side > 0)
    return side > (sq + hd) / 2 ? "square_hd" : "square";
  if (resolution != NULL && g_ascii_strtod (resolution, NULL) >= 1
      && g_str_has_suffix (resolution, "k"))
    return "square_hd";
  return NULL;
}
