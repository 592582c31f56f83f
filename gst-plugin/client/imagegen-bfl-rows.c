/* gst-imagegen: Black Forest Labs direct's rows of the model table.
 * Facts from PROTOCOL.md section 2 (FLUX.2) and NEW-MODELS.md section 1
 * (FLUX 3); prices are BFL's pricing page's, "unconfirmed" where it
 * publishes none.  Their sizes follow imagegen-bfl-models.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-model-rows.h"

/* ---- Black Forest Labs direct (PROTOCOL.md section 2): exact size, each
 * side a multiple of 16 (at most 4 MP in all, a protocol fact the provider
 * and the emulator hold) ---- */
#define BFL_SIDE(name) {name, IMAGEGEN_FIELD_INT, FALSE, NULL, 64, 8192, 16}
#define BFL_COMMON \
  PROMPT (TRUE, 1, 0), SEED, BFL_SIDE ("width"), BFL_SIDE ("height"), \
  INT ("safety_tolerance", FALSE, 0, 5), \
  ENUM ("output_format", FALSE, "jpeg png"), \
  TEXT ("webhook_url", 0), TEXT ("webhook_secret", 0)
static const ImagegenModelField bfl[] = { BFL_COMMON, END };
static const ImagegenModelField bfl_flex[] = {
  BFL_COMMON, INT ("steps", FALSE, 1, 50), NUM ("guidance", 1.5, 10),
  BOOL ("prompt_upsampling"), END
};

/* ---- FLUX 3 on Black Forest Labs direct (NEW-MODELS.md section 1): no
 * exact size, equal-area resolution tiers and ratios instead; no seed.
 * Klein's and 3.1's field lists are UNCONFIRMED: the fields the sheet
 * names for them, each as FLUX 3 Image has it where the sheet says no
 * more; what it cannot confirm is left out (their schema is strict). */
#define FLUX3_RATIOS IMAGEGEN_FLUX3_RATIOS
/* 0–4 in BFL's schema, "0–7" in one release note: the range both take */
#define FLUX3_SAFETY INT ("safety_tolerance", FALSE, 0, 4)
static const ImagegenModelField flux3[] = {
  PROMPT (TRUE, 1, 0), ENUM ("aspect_ratio", FALSE, FLUX3_RATIOS),
  ENUM ("resolution", FALSE, "768sq 1k 1.5k 2k 4k"), FLUX3_SAFETY,
  BOOL ("grounding"), TEXT ("version", 0), END
};
static const ImagegenModelField flux3_klein[] = {
  PROMPT (TRUE, 1, 0), ENUM ("aspect_ratio", FALSE, FLUX3_RATIOS),
  ENUM ("resolution", FALSE, "768sq 1k 1.5k 2k 4k"), FLUX3_SAFETY,
  BOOL ("grounding"), SEED, ENUM ("output_format", FALSE, "jpeg png"), END
};
/* 3.1: a mask (URL or base64; white may change), fast or quality; its
 * resolution list beyond 1k, 2k and 4k is unconfirmed */
static const ImagegenModelField flux31[] = {
  PROMPT (TRUE, 1, 0),
  ENUM ("aspect_ratio", FALSE, FLUX3_RATIOS " match_first_image"),
  ENUM ("resolution", FALSE, "1k 2k 4k"),
  ENUM ("grounding", FALSE, "off auto force"),
  ENUM ("mode", FALSE, "fast quality"), TEXT ("mask", 0), END
};

/* Black Forest Labs: the id is the path, images inline, priced by their
 * formula: @first_mp cents for the first output megapixel, @mp cents for
 * each further output and each input megapixel (PROTOCOL.md section 2) */
#define B "bfl"
#define BFL_ROWS_PRICED(id, fields, n_inputs, first_mp, mp, confirmed) \
  {B, id, T2I, "/v1/" id, NULL, 0, 0, fields, NULL, "result.sample", \
      first_mp, confirmed, NULL, NULL, FALSE, TRUE, TRUE, 0, 0, FALSE, 0, \
      mp}, \
  {B, id, EDIT, "/v1/" id, "input_image", 1, n_inputs, fields, NULL, \
      "result.sample", first_mp, confirmed, NULL, NULL, FALSE, TRUE, TRUE, \
      0, 0, FALSE, 0, mp}
#define BFL_ROWS(id, fields, n_inputs, first_mp, mp) \
  BFL_ROWS_PRICED (id, fields, n_inputs, first_mp, mp, TRUE)
/* FLUX 3: images in one array (the frame first), a price per resolution
 * tier (@cents at 1k; edits cost the same, references are free), a window
 * of tens of seconds; their tasks pass through Reasoning */
#define FLUX3_ROWS(id, fields, cents, tiers, lo, hi) \
  {B, id, T2I, "/v1/" id, NULL, 0, 0, fields, NULL, "result.sample", \
        cents, TRUE, "resolution", tiers, FALSE, FALSE, TRUE, lo, hi, \
      .reasons = TRUE}, \
  {B, id, EDIT, "/v1/" id, "images", 1, 10, fields, NULL, "result.sample", \
        cents, TRUE, "resolution", tiers, FALSE, FALSE, TRUE, lo, hi, \
      .inputs_array = TRUE, .reasons = TRUE}

static const ImagegenModelRow bfl_rows[] = {
  BFL_ROWS ("flux-2-pro", bfl, 8, 3.0, 1.5),
  BFL_ROWS ("flux-2-flex", bfl_flex, 8, 5.0, 5.0),
  BFL_ROWS ("flux-2-max", bfl, 8, 7.0, 3.0),
  BFL_ROWS ("flux-2-klein-4b", bfl, 4, 1.4, 0.1),
  BFL_ROWS ("flux-2-klein-9b", bfl, 4, 1.5, 0.2),
  /* the previews take their base model's fields; no price of their own
   * was found, so their base model's, unconfirmed */
  BFL_ROWS_PRICED ("flux-2-pro-preview", bfl, 8, 3.0, 1.5, FALSE),
  BFL_ROWS_PRICED ("flux-2-klein-9b-preview", bfl, 4, 1.5, 0.2, FALSE),
  /* 1k about 25-32 s, an edit 40-90 s, 4k 80-100 s */
  FLUX3_ROWS ("flux-3-image", flux3, 4.8, "768sq=4.1 1.5k=7 2k=10 4k=60.7",
      20000, 100000),
  /* about 10 s at 1k, 13 s an edit; 768sq has no published price: 1k's */
  FLUX3_ROWS ("flux-3-image-klein", flux3_klein, 0.9,
      "768sq=0.9 1.5k=1.1 2k=1.4 4k=3.6", 6000, 20000),
  /* quality mode's prices (fast costs about half), an upper bound; no
   * latency published: FLUX 3 Image's */
  FLUX3_ROWS ("flux-3.1-image", flux31, 3, "2k=6 4k=28", 20000, 100000),
};

guint
imagegen_bfl_rows_count (void)
{
  return G_N_ELEMENTS (bfl_rows);
}

const ImagegenModelRow *
imagegen_bfl_rows_get (guint index)
{
  return index < G_N_ELEMENTS (bfl_rows) ? &bfl_rows[index] : NULL;
}
