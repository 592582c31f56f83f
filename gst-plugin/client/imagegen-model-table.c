/* gst-imagegen: the model table's rows.  Facts from PROTOCOL.md (Flux 2 on
 * RunAPI, section 1; Black Forest Labs direct, section 2),
 * RUNAPI-MODELS.md section 1 (the others) and NEW-MODELS.md (FLUX 3,
 * RunAPI's contract v0.12.2); prices are the catalogue's
 * (July 2026 snapshot), "unconfirmed" where the service publishes none.
 * Actions left out, and why, are listed in docs/models.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"
#include "imagegen-fal-models.h"

#include "imagegen-model-rows.h"


/* ---- Flux 2 (PROTOCOL.md) ---- */
#define FLUX2_RATIOS "1:1 4:3 3:4 16:9 9:16 3:2 2:3"
static const ImagegenModelField flux2[] = {
  PROMPT (TRUE, 3, 5000), ENUM ("aspect_ratio", FALSE, FLUX2_RATIOS),
  ENUM ("output_resolution", FALSE, "1k 2k"), SAFETY, END
};
static const ImagegenModelField flux2_remix[] = {
  PROMPT (TRUE, 3, 5000), ENUM ("aspect_ratio", FALSE, FLUX2_RATIOS " auto"),
  ENUM ("output_resolution", FALSE, "1k 2k"), SAFETY, END
};
static const ImagegenModelField flux2_max[] = {
  PROMPT (TRUE, 3, 5000), RATIO_R (FLUX2_RATIOS),
  ENUM ("output_resolution", FALSE, "1k"), INTS ("output_count", FALSE, "1"),
  END
};

/* ---- Flux Kontext: edits through text_to_image with source_image_url */
#define KONTEXT_COMMON \
  PROMPT (TRUE, 1, 0), \
  ENUM ("aspect_ratio", FALSE, "21:9 16:9 4:3 1:1 3:4 9:16"), \
  ENUM ("output_format", FALSE, "jpeg png"), \
  BOOL ("enable_translation"), EXPANSION, TEXT ("watermark", 0)
static const ImagegenModelField kontext[] = {
  KONTEXT_COMMON, INT ("safety_tolerance", FALSE, 0, 6), END
};
static const ImagegenModelField kontext_edit[] = {
  KONTEXT_COMMON, INT ("safety_tolerance", FALSE, 0, 2), END
};

/* ---- flux (klein, dev, pro) ---- */
static const ImagegenModelField flux[] = {
  PROMPT (TRUE, 3, 5000), ENUM ("aspect_ratio", FALSE, FLUX2_RATIOS),
  INTS ("output_count", FALSE, "1"), END
};

/* ---- GPT image ---- */
static const ImagegenModelField gpt_4o[] = {
  PROMPT (FALSE, 1, 0), RATIO_R ("1:1 3:2 2:3"),
  INTS ("output_count", FALSE, "1 2 4"), EXPANSION, END
};
static const ImagegenModelField gpt_15[] = {
  PROMPT (TRUE, 1, 0), RATIO_R ("1:1 2:3 3:2"),
  ENUM_R ("quality", "medium high", "medium"), END
};
static const ImagegenModelField gpt_2[] = {
  PROMPT (TRUE, 1, 0),
  ENUM ("aspect_ratio", FALSE, "auto 1:1 3:2 2:3 4:3 3:4 5:4 4:5 16:9 9:16 "
      "2:1 1:2 3:1 1:3 21:9 9:21"),
  ENUM ("output_resolution", FALSE, "1k 2k 4k"), END
};

/* ---- Grok Imagine ---- */
#define GROK_RATIOS "2:3 3:2 1:1 16:9 9:16"
static const ImagegenModelField grok[] = {
  PROMPT (TRUE, 1, 5000), ENUM ("aspect_ratio", FALSE, GROK_RATIOS),
  BOOL ("enable_pro"), SAFETY, END
};
static const ImagegenModelField grok_2[] = {
  PROMPT (TRUE, 1, 0), RATIO_R (GROK_RATIOS), END
};
static const ImagegenModelField grok_edit[] = {
  PROMPT (FALSE, 1, 0), SAFETY, END
};
/* contract v0.12.2: the frame itself, no longer a chained task */
static const ImagegenModelField grok_2_edit[] = {
  PROMPT (FALSE, 1, 390000), RATIO_R ("1:1 2:3 3:2 16:9 9:16 auto"), END
};

/* ---- Ideogram v3 ---- */
#define IDEO_RATIOS "1:1 3:4 9:16 4:3 16:9"
#define IDEO_COMMON \
  INT ("output_count", FALSE, 1, 4), \
  ENUM ("rendering_speed", FALSE, "turbo balanced quality"), \
  ENUM ("style", FALSE, "auto general realistic design"), SEED
static const ImagegenModelField ideogram[] = {
  PROMPT (FALSE, 1, 5000), TEXT ("negative_prompt", 5000),
  ENUM ("aspect_ratio", FALSE, IDEO_RATIOS), IDEO_COMMON, EXPANSION, END
};
static const ImagegenModelField ideogram_remix[] = {
  PROMPT (FALSE, 1, 5000), TEXT ("negative_prompt", 5000),
  NUM ("strength", 0.01, 1), ENUM ("aspect_ratio", FALSE, IDEO_RATIOS),
  IDEO_COMMON, EXPANSION, END
};
static const ImagegenModelField ideogram_reframe[] = {
  RATIO_R (IDEO_RATIOS), IDEO_COMMON, END
};

/* ---- Imagen 4 ---- */
#define IMAGEN_RATIOS "1:1 16:9 9:16 3:4 4:3"
static const ImagegenModelField imagen[] = {
  PROMPT (FALSE, 1, 5000), TEXT ("negative_prompt", 0), SEED,
  ENUM ("aspect_ratio", FALSE, IMAGEN_RATIOS), END
};
static const ImagegenModelField imagen_fast[] = {
  PROMPT (FALSE, 1, 5000), TEXT ("negative_prompt", 0), SEED,
  ENUM ("aspect_ratio", FALSE, IMAGEN_RATIOS " auto"), END
};
static const ImagegenModelField imagen_remix[] = {
  PROMPT (FALSE, 1, 10000),
  ENUM ("aspect_ratio", FALSE, "1:1 2:3 3:2 3:4 4:3 4:5 5:4 9:16 16:9 21:9 "
      "auto"),
  ENUM ("output_resolution", FALSE, "1k 2k 4k"),
  ENUM ("output_format", FALSE, "png jpg"), END
};

/* ---- Nano Banana ---- */
#define NANO_RATIOS "1:1 9:16 16:9 3:4 4:3 3:2 2:3 5:4 4:5 21:9 auto"
#define NANO2_RATIOS NANO_RATIOS " 1:4 1:8 4:1 8:1"
static const ImagegenModelField nano[] = {
  PROMPT (FALSE, 1, 0), URLS ("reference_image_urls", 8),
  ENUM ("aspect_ratio", FALSE, NANO_RATIOS),
  ENUM ("output_format", FALSE, "png jpeg jpg"),
  TEXT ("output_resolution", 0), END
};
static const ImagegenModelField nano_pro[] = {
  PROMPT (FALSE, 1, 0), URLS ("reference_image_urls", 8),
  ENUM ("aspect_ratio", FALSE, NANO_RATIOS),
  ENUM ("output_format", FALSE, "png jpeg jpg"),
  ENUM ("output_resolution", FALSE, "1k 2k 4k"), END
};
static const ImagegenModelField nano_2[] = {
  PROMPT (FALSE, 1, 20000), URLS ("reference_image_urls", 14),
  ENUM ("aspect_ratio", FALSE, NANO2_RATIOS),
  ENUM ("output_format", FALSE, "png jpeg jpg"),
  ENUM ("output_resolution", FALSE, "1k 2k 4k"), END
};
static const ImagegenModelField nano_2_lite[] = {
  PROMPT (TRUE, 1, 20000), URLS ("reference_image_urls", 10),
  RATIO_R (NANO2_RATIOS), END
};
static const ImagegenModelField nano_edit[] = {
  PROMPT (FALSE, 1, 0), ENUM ("aspect_ratio", FALSE, NANO_RATIOS),
  ENUM ("output_format", FALSE, "png jpeg"), END
};
static const ImagegenModelField nano_2_lite_edit[] = {
  PROMPT (TRUE, 1, 20000), RATIO_R (NANO2_RATIOS), END
};

/* ---- Qwen ---- */
#define FORMAT ENUM ("output_format", FALSE, "png jpeg")
static const ImagegenModelField qwen_2[] = {
  PROMPT (TRUE, 1, 800), ENUM ("aspect_ratio", FALSE, IDEO_RATIOS), FORMAT,
  SEED, SAFETY, END
};
static const ImagegenModelField qwen_2_edit[] = {
  PROMPT (TRUE, 1, 800),
  ENUM ("aspect_ratio", FALSE, "1:1 2:3 3:2 3:4 4:3 9:16 16:9 21:9"), FORMAT,
  SEED, SAFETY, END
};
static const ImagegenModelField qwen_3[] = {
  PROMPT (TRUE, 1, 800), TEXT ("negative_prompt", 5000),
  ENUM ("aspect_ratio", FALSE, "1:1 3:2 2:3 4:3 3:4 16:9 9:16 21:9"),
  ENUM ("output_resolution", FALSE, "1k 2k"), FORMAT, SEED, EXPANSION,
  SAFETY, END
};
static const ImagegenModelField qwen_image[] = {
  PROMPT (TRUE, 1, 5000), ENUM ("aspect_ratio", FALSE, IDEO_RATIOS), FORMAT,
  SEED, END
};
static const ImagegenModelField qwen_image_edit[] = {
  PROMPT (TRUE, 1, 2000), ENUM ("aspect_ratio", FALSE, IDEO_RATIOS), FORMAT,
  SEED, END
};
static const ImagegenModelField qwen_image_remix[] = {
  PROMPT (TRUE, 1, 5000), NUM ("strength", 0, 1), FORMAT, SEED, END
};

/* ---- upscale, remove background ---- */
static const ImagegenModelField none[] = { END };
static const ImagegenModelField topaz[] = {
  /* 8 left the contract in v0.12.1 */
  INTS_R ("upscale_factor", "1 2 4", "2"), END
};

/* ---- Seedream ---- */
#define SEED_RATIOS "1:1 4:3 3:4 16:9 9:16 2:3 3:2 21:9"
static const ImagegenModelField seedream_45[] = {
  PROMPT (TRUE, 1, 3000), RATIO_R (SEED_RATIOS),
  ENUM_R ("output_quality", "basic high", "basic"), SAFETY, END
};
static const ImagegenModelField seedream_5_lite[] = {
  PROMPT (TRUE, 3, 3000), RATIO_R (SEED_RATIOS),
  ENUM_R ("output_quality", "basic high ultra", "basic"), FORMAT, SAFETY, END
};
static const ImagegenModelField seedream_5_pro[] = {
  PROMPT (TRUE, 3, 5000), RATIO_R (SEED_RATIOS),
  ENUM_R ("output_quality", "basic high", "basic"), FORMAT, SAFETY, END
};
static const ImagegenModelField seedream_v4[] = {
  PROMPT (TRUE, 1, 5000), ENUM ("aspect_ratio", FALSE, SEED_RATIOS),
  ENUM ("output_resolution", FALSE, "1k 2k 4k"),
  INT ("output_count", FALSE, 1, 6), SEED, SAFETY, END
};

/* ---- Wan, Z-Image ---- */
#define WAN_COMMON \
  PROMPT (FALSE, 1, 0), \
  ENUM ("aspect_ratio", FALSE, "1:1 16:9 4:3 21:9 3:4 9:16 8:1 1:8"), \
  ENUM ("output_resolution", FALSE, "1k 2k 4k"), \
  INT ("output_count", FALSE, 1, 4), SEED, SAFETY, BOOL ("watermark"), \
  BOOL ("enable_sequential")
static const ImagegenModelField wan[] = { WAN_COMMON, END };
static const ImagegenModelField wan_pro[] = {
  WAN_COMMON, BOOL ("thinking_mode"), END
};
static const ImagegenModelField z_image[] = {
  PROMPT (TRUE, 1, 1000), RATIO_R (IDEO_RATIOS), SAFETY,
  END
};

#define R "runapi"
#define P(svc, action) "/api/v1/" svc "/" action
#define IMAGES "images"
/* flat, confirmed price */
#define FLAT(c) c, TRUE, NULL, NULL, FALSE
#define UNKNOWN -1, FALSE, NULL, NULL, FALSE
/* a typical completion window (ms), from the provider's figures and our
 * runs; wide, since history replaces it after one task */
#define PRIOR(lo, hi) FALSE, FALSE, lo, hi
static const ImagegenModelRow rows[] = {
  {R, "flux-2-pro-text-to-image", T2I, P ("flux_2", "text_to_image"),
      NULL, 0, 0, flux2, NULL, IMAGES, FLAT (5), PRIOR (3000, 12000)},
  {R, "flux-2-flex-text-to-image", T2I, P ("flux_2", "text_to_image"),
        NULL, 0, 0, flux2, NULL, IMAGES,
        14, TRUE, "output_resolution", "2k=24", FALSE,
      PRIOR (5000, 20000)},
  {R, "flux-2-max-text-to-image", T2I, P ("flux_2", "text_to_image"),
        NULL, 0, 0, flux2_max, "enable_safety_checker", IMAGES,
      7, FALSE, NULL, NULL, FALSE, PRIOR (5000, 20000)},
  {R, "flux-2-pro-remix-image", EDIT, P ("flux_2", "remix_image"),
        "source_image_urls", 1, 8, flux2_remix, NULL, IMAGES, FLAT (5),
      PRIOR (3000, 12000)},
  {R, "flux-2-flex-remix-image", EDIT, P ("flux_2", "remix_image"),
        "source_image_urls", 1, 8, flux2_remix, NULL, IMAGES, FLAT (14),
      PRIOR (5000, 20000)},
  {R, "flux-2-max-remix-image", EDIT, P ("flux_2", "remix_image"),
        "source_image_urls", 1, 1, flux2_max, "enable_safety_checker", IMAGES,
      7, FALSE, NULL, NULL, FALSE, PRIOR (5000, 20000)},

  {R, "flux-kontext-pro", T2I, P ("flux_kontext", "text_to_image"),
      NULL, 0, 0, kontext, NULL, IMAGES, FLAT (5)},
  {R, "flux-kontext-max", T2I, P ("flux_kontext", "text_to_image"),
      NULL, 0, 0, kontext, NULL, IMAGES, FLAT (10)},
  {R, "flux-kontext-pro", EDIT, P ("flux_kontext", "text_to_image"),
      "source_image_url", 1, 1, kontext_edit, NULL, IMAGES, FLAT (5)},
  {R, "flux-kontext-max", EDIT, P ("flux_kontext", "text_to_image"),
      "source_image_url", 1, 1, kontext_edit, NULL, IMAGES, FLAT (10)},

  {R, "flux-2-klein", T2I, P ("flux", "text_to_image"),
      NULL, 0, 0, flux, NULL, IMAGES, FLAT (3)},
  {R, "flux-dev", T2I, P ("flux", "text_to_image"),
      NULL, 0, 0, flux, NULL, IMAGES, FLAT (7)},
  {R, "flux-pro", T2I, P ("flux", "text_to_image"),
      NULL, 0, 0, flux, NULL, IMAGES, FLAT (10)},
  {R, "flux-dev", EDIT, P ("flux", "remix_image"),
      "source_image_url", 1, 1, flux, NULL, IMAGES, FLAT (7)},
  {R, "flux-pro", EDIT, P ("flux", "remix_image"),
      "source_image_url", 1, 1, flux, NULL, IMAGES, FLAT (10)},

  {R, "gpt-4o-image", T2I, P ("gpt_4o_image", "text_to_image"),
      NULL, 0, 0, gpt_4o, NULL, IMAGES,
      6, TRUE, "output_count", "2=7 4=8", FALSE},
  {R, "gpt-4o-image", EDIT, P ("gpt_4o_image", "text_to_image"),
      "source_image_urls", 1, 5, gpt_4o, NULL, IMAGES,
      6, TRUE, "output_count", "2=7 4=8", FALSE},
  {R, "gpt-image-1.5", T2I, P ("gpt_image", "text_to_image"),
      NULL, 0, 0, gpt_15, NULL, IMAGES,
      4, TRUE, "quality", "high=22", FALSE},
  {R, "gpt-image-1.5", EDIT, P ("gpt_image", "edit_image"),
      "source_image_urls", 1, 16, gpt_15, NULL, IMAGES, FLAT (22)},
  {R, "gpt-image-2", T2I, P ("gpt_image_2", "text_to_image"),
      NULL, 0, 0, gpt_2, NULL, IMAGES,
      6, TRUE, "output_resolution", "2k=10 4k=16", FALSE},
  {R, "gpt-image-2", EDIT, P ("gpt_image_2", "edit_image"),
      "source_image_urls", 1, 16, gpt_2, NULL, IMAGES, FLAT (16)},

  {R, "grok-imagine-text-to-image", T2I, P ("grok_imagine", "text_to_image"),
      NULL, 0, 0, grok, NULL, IMAGES, 4, TRUE, "enable_pro", "true=5", FALSE},
  {R, "grok-imagine-image-2-0", T2I, P ("grok_imagine", "text_to_image"),
      NULL, 0, 0, grok_2, "enable_pro enable_safety_checker", IMAGES,
      UNKNOWN},
  {R, "grok-imagine-edit-image", EDIT, P ("grok_imagine", "edit_image"),
        "source_image_url", 1, 1, grok_edit,
        "source_task_id mask_indices source_image_urls aspect_ratio",
      IMAGES, FLAT (4)},
  {R, "grok-imagine-image-2-0", EDIT, P ("grok_imagine", "edit_image"),
        "source_image_urls", 1, 5, grok_2_edit,
        "source_image_url source_task_id mask_indices enable_safety_checker",
      IMAGES, UNKNOWN},

  {R, "ideogram-v3-text-to-image", T2I, P ("ideogram_v3", "text_to_image"),
      NULL, 0, 0, ideogram, NULL, IMAGES,
      7, TRUE, "rendering_speed", "turbo=3.5 quality=10", FALSE},
  {R, "ideogram-v3-remix", EDIT, P ("ideogram_v3", "remix_image"),
      "source_image_url", 1, 1, ideogram_remix, NULL, IMAGES,
      7, TRUE, "rendering_speed", "turbo=3.5 quality=10", FALSE},
  {R, "ideogram-v3-reframe", EDIT, P ("ideogram_v3", "reframe_image"),
      "source_image_url", 1, 1, ideogram_reframe, NULL, IMAGES,
        7, TRUE, "rendering_speed", "turbo=3.5 quality=10", FALSE,
      .whole_source = TRUE},

  {R, "imagen-4", T2I, P ("imagen_4", "text_to_image"),
      NULL, 0, 0, imagen, NULL, IMAGES, FLAT (8)},
  {R, "imagen-4-ultra", T2I, P ("imagen_4", "text_to_image"),
      NULL, 0, 0, imagen, NULL, IMAGES, FLAT (12)},
  {R, "imagen-4-fast", T2I, P ("imagen_4", "text_to_image"),
      NULL, 0, 0, imagen_fast, NULL, IMAGES, FLAT (4)},
  {R, "imagen-4-pro-remix-image", EDIT, P ("imagen_4", "remix_image"),
      "source_image_urls", 1, 8, imagen_remix, NULL, IMAGES,
      18, TRUE, "output_resolution", "4k=24", FALSE},

  {R, "nano-banana", T2I, P ("nano_banana", "text_to_image"),
      NULL, 0, 0, nano, NULL, IMAGES, FLAT (4)},
  {R, "nano-banana-pro", T2I, P ("nano_banana", "text_to_image"),
      NULL, 0, 0, nano_pro, NULL, IMAGES,
      18, TRUE, "output_resolution", "4k=24", FALSE},
  {R, "nano-banana-2", T2I, P ("nano_banana", "text_to_image"),
      NULL, 0, 0, nano_2, NULL, IMAGES,
      8, TRUE, "output_resolution", "2k=12 4k=18", FALSE},
  {R, "nano-banana-2-lite", T2I, P ("nano_banana", "text_to_image"),
      NULL, 0, 0, nano_2_lite, "output_resolution output_format", IMAGES,
      FLAT (3)},
  {R, "nano-banana-edit", EDIT, P ("nano_banana", "edit_image"),
      "source_image_urls", 1, 10, nano_edit, NULL, IMAGES, FLAT (4)},
  {R, "nano-banana-2-lite", EDIT, P ("nano_banana", "edit_image"),
      "source_image_urls", 1, 10, nano_2_lite_edit, "output_format", IMAGES,
      FLAT (4)},

  {R, "qwen-2-text-to-image", T2I, P ("qwen_2", "text_to_image"),
      NULL, 0, 0, qwen_2, NULL, IMAGES, FLAT (6)},
  {R, "qwen-2-edit-image", EDIT, P ("qwen_2", "edit_image"),
      "source_image_url", 1, 1, qwen_2_edit, NULL, IMAGES, FLAT (6)},
  {R, "qwen-3-text-to-image", T2I, P ("qwen_3", "text_to_image"),
      NULL, 0, 0, qwen_3, NULL, IMAGES, UNKNOWN},
  {R, "qwen-3-pro-text-to-image", T2I, P ("qwen_3", "text_to_image"),
      NULL, 0, 0, qwen_3, NULL, IMAGES, UNKNOWN},
  {R, "qwen-3-edit-image", EDIT, P ("qwen_3", "edit_image"),
      "source_image_urls", 1, 3, qwen_3, NULL, IMAGES, UNKNOWN},
  {R, "qwen-3-pro-edit-image", EDIT, P ("qwen_3", "edit_image"),
      "source_image_urls", 1, 3, qwen_3, NULL, IMAGES, UNKNOWN},
  {R, "qwen-image-text-to-image", T2I, P ("qwen_image", "text_to_image"),
      NULL, 0, 0, qwen_image, NULL, IMAGES, UNKNOWN},
  {R, "qwen-image-edit-image", EDIT, P ("qwen_image", "edit_image"),
      "source_image_url", 1, 1, qwen_image_edit, NULL, IMAGES, UNKNOWN},
  {R, "qwen-image-remix-image", EDIT, P ("qwen_image", "remix_image"),
      "source_image_url", 1, 1, qwen_image_remix, NULL, IMAGES, UNKNOWN},

  {R, "recraft-crisp-upscale", UPSCALE, P ("recraft", "upscale_image"),
      "source_image_url", 1, 1, none, NULL, IMAGES, FLAT (1)},
  {R, "recraft-remove-background", REMOVE_BG,
        P ("recraft", "remove_background"),
      "source_image_url", 1, 1, none, NULL, IMAGES, FLAT (1)},
  {R, "topaz-upscale-image", UPSCALE, P ("topaz", "upscale_image"),
      "source_image_url", 1, 1, topaz, NULL, IMAGES,
      10, TRUE, "upscale_factor", "4=20", FALSE},

  {R, "seedream-4.5-text-to-image", T2I, P ("seedream", "text_to_image"),
      NULL, 0, 0, seedream_45, "output_format", IMAGES, FLAT (7)},
  {R, "seedream-5-lite-text-to-image", T2I, P ("seedream", "text_to_image"),
      NULL, 0, 0, seedream_5_lite, NULL, IMAGES, FLAT (6)},
  {R, "seedream-5-pro-text-to-image", T2I, P ("seedream", "text_to_image"),
        NULL, 0, 0, seedream_5_pro,
        "output_resolution output_count seed", IMAGES,
      7, TRUE, "output_quality", "high=14", FALSE},
  {R, "seedream-v4-text-to-image", T2I, P ("seedream", "text_to_image"),
      NULL, 0, 0, seedream_v4, "output_format", IMAGES, FLAT (10)},
  {R, "seedream-4.5-edit", EDIT, P ("seedream", "edit_image"),
      "source_image_urls", 1, 14, seedream_45, "output_format", IMAGES,
      FLAT (7)},
  {R, "seedream-5-lite-edit", EDIT, P ("seedream", "edit_image"),
      "source_image_urls", 1, 14, seedream_5_lite, NULL, IMAGES, FLAT (6)},
  {R, "seedream-5-pro-edit", EDIT, P ("seedream", "edit_image"),
        "source_image_urls", 1, 10, seedream_5_pro,
        "output_resolution output_count seed", IMAGES,
      7, TRUE, "output_quality", "high=14", FALSE},
  {R, "seedream-v4-edit", EDIT, P ("seedream", "edit_image"),
      "source_image_urls", 1, 10, seedream_v4, "output_format", IMAGES,
      10, TRUE, NULL, NULL, TRUE},

  {R, "wan-2.7-image", T2I, P ("wan", "text_to_image"),
      NULL, 0, 0, wan, NULL, IMAGES, FLAT (5)},
  {R, "wan-2.7-image-pro", T2I, P ("wan", "text_to_image"),
      NULL, 0, 0, wan_pro, NULL, IMAGES, FLAT (12)},
  {R, "z-image", T2I, P ("z_image", "text_to_image"),
      NULL, 0, 0, z_image, NULL, IMAGES, FLAT (1)},
};

const ImagegenModelRow *
imagegen_models_get (guint index)
{
  guint n_bfl = imagegen_bfl_rows_count ();

  /* Black Forest Labs' and fal's rows live in files of their own */
  if (index < G_N_ELEMENTS (rows))
    return &rows[index];
  index -= G_N_ELEMENTS (rows);
  return index < n_bfl ? imagegen_bfl_rows_get (index) :
      imagegen_fal_models_get (index - n_bfl);
}
