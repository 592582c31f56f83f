/* gst-imagegen: how the model table's files write their rows: field
 * shorthands shared by imagegen-model-table.c (RunAPI) and
 * imagegen-bfl-rows.c (Black Forest Labs direct).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-models.h"

G_BEGIN_DECLS

#define T2I IMAGEGEN_KIND_TEXT_TO_IMAGE
#define EDIT IMAGEGEN_KIND_EDIT
#define UPSCALE IMAGEGEN_KIND_UPSCALE
#define REMOVE_BG IMAGEGEN_KIND_REMOVE_BACKGROUND

#define PROMPT(req, min, max) \
  {"prompt", IMAGEGEN_FIELD_STRING, req, NULL, min, max}
#define TEXT(name, max) {name, IMAGEGEN_FIELD_STRING, FALSE, NULL, 0, max}
#define ENUM(name, req, choices) \
  {name, IMAGEGEN_FIELD_ENUM, req, choices, 0, 0}
#define INT(name, req, min, max) {name, IMAGEGEN_FIELD_INT, req, NULL, min, max}
#define INTS(name, req, choices) \
  {name, IMAGEGEN_FIELD_INT, req, choices, 0, 0}
/* required, with the value sent when the request sets none: the cheapest
 * choice that still changes the image */
#define ENUM_R(name, choices, def) \
  {name, IMAGEGEN_FIELD_ENUM, TRUE, choices, 0, 0, 0, def}
#define INTS_R(name, choices, def) \
  {name, IMAGEGEN_FIELD_INT, TRUE, choices, 0, 0, 0, def}
/* a required ratio: remix's auto sends the listed one nearest the frame */
#define RATIO_R(choices) ENUM_R ("aspect_ratio", choices, "1:1")
#define NUM(name, min, max) {name, IMAGEGEN_FIELD_NUMBER, FALSE, NULL, min, max}
#define BOOL(name) {name, IMAGEGEN_FIELD_BOOL, FALSE, NULL, 0, 0}
#define URLS(name, max) {name, IMAGEGEN_FIELD_URLS, FALSE, NULL, 0, max}
#define END {NULL, 0, FALSE, NULL, 0, 0}

#define SEED INT ("seed", FALSE, 0, 2147483647)
#define SAFETY BOOL ("enable_safety_checker")
#define EXPANSION BOOL ("enable_prompt_expansion")

/* imagegen-bfl-rows.c: Black Forest Labs' rows, listed by
 * imagegen_models_get() after RunAPI's */
guint imagegen_bfl_rows_count (void);
const ImagegenModelRow *imagegen_bfl_rows_get (guint index);

G_END_DECLS
