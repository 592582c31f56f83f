/* gst-imagegen: the model table — every image action the plugin can send,
 * one row per (provider, action, model), read by validation, request
 * bodies, prices, gst-inspect blurbs, the emulator and docs/models.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef IMAGEGEN_MODELS_H
#define IMAGEGEN_MODELS_H

#include "imagegen-client.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  IMAGEGEN_KIND_TEXT_TO_IMAGE,
  IMAGEGEN_KIND_EDIT,           /* remix, edit, reframe: image(s) + prompt */
  IMAGEGEN_KIND_UPSCALE,
  IMAGEGEN_KIND_REMOVE_BACKGROUND,
} ImagegenModelKind;

typedef enum
{
  IMAGEGEN_FIELD_STRING,        /* min..max characters (max 0: no limit) */
  IMAGEGEN_FIELD_ENUM,          /* one of @choices */
  IMAGEGEN_FIELD_INT,           /* one of @choices, else min..max */
  IMAGEGEN_FIELD_NUMBER,        /* min..max */
  IMAGEGEN_FIELD_BOOL,
  IMAGEGEN_FIELD_URL,           /* one public http(s) URL */
  IMAGEGEN_FIELD_URLS,          /* min..max public http(s) URLs */
  IMAGEGEN_FIELD_SIZE,          /* a preset of @choices, or an object
                                 * {width, height} of sides min..max (fal's
                                 * image_size); the frame size sets it */
  IMAGEGEN_FIELD_OBJECTS,       /* an array of up to max JSON objects (fal's
                                 * bounding_boxes), sent as extra gives it */
} ImagegenFieldType;

typedef struct
{
  const gchar *name;
  ImagegenFieldType type;
  gboolean required;
  const gchar *choices;         /* space-separated, or NULL */
  gdouble min, max;
  guint multiple_of;            /* an INT must be a multiple of it; 0: any */
  const gchar *default_value;   /* a required field's value when the request
                                 * sets none: the cheapest that still changes
                                 * the image (imagegen_model_build_body()) */
} ImagegenModelField;

/**
 * ImagegenModelRow:
 * @input_field: where the source image(s) go (source_image_url,
 *   source_image_urls, image_url…); NULL for text-to-image
 * @fields: every other field the action takes besides model and
 *   callback_url (prompt, aspect_ratio, output_resolution, extras),
 *   terminated by a NULL name.  Anything else is refused.
 * @forbidden: fields the service names as forbidden for this model
 *   (space-separated; refused like any field not in @fields)
 * @price_cents: per call; < 0 when unknown
 * @price_key: the billing_config key whose value picks a price from
 *   @price_overrides ("2k=10 4k=16"); NULL: flat
 * @price_per_output: the price is per image (× output_count)
 * @price_per_mp: Black Forest Labs' formula (imagegen_model_price_exact()):
 *   @price_cents for the first output megapixel, @price_mp_cents for each
 *   further output megapixel and each input megapixel
 * @inline_inputs: Black Forest Labs' style: the path names the model (no
 *   model field in the body) and the images go one per field, @input_field,
 *   @input_field_2 …, each a URL or base64
 * @prior_min_ms: @prior_max_ms: the typical completion window of a task,
 *   counted from the create answer (imagegen_poll_schedule_prior()); 0:
 *   the default
 * @whole_source: the model works on the source's own pixels (reframe), as
 *   upscale and remove-background rows do: see
 *   imagegen_model_upload_max_side()
 * @input_max_side: the largest side of a source image the model takes;
 *   0: no limit of its own
 * @price_mp_cents: with @price_per_mp, see there
 * @path_names_model: the path names the model (no model field in the
 *   body), the images still go in @input_field (fal's queue)
 * @data_uri_inputs: @input_field also takes data: URIs of images, which
 *   is how frames are sent (no upload)
 * @realtime: served over a streaming connection only (fal's realtime
 *   WebSocket), not through create-and-poll
 * @inputs_array: with @inline_inputs, the images go as one array in
 *   @input_field (FLUX 3's images: the frame first, then the references)
 * @reasons: the service expands the prompt before drawing: its tasks
 *   answer Reasoning, then Generating, before Ready (FLUX 3)
 * @input_max_pixels: the most pixels one source image may have (fal's
 *   FLUX 3 edit: 4 MP); 0: no limit of its own.  Frames are sent within
 *   it (imagegen_model_upload_max_side()).
 * @price_assumed: the price is not confirmed, but @price_cents (and the
 *   formula) is the figure every reader assumes, not the dearest one in
 *   the table (fal's realtime, billed per frame at video rate: the
 *   dearest call would end any budget in a second)
 * @square_input: the model takes square frames of this side (fal's
 *   realtime klein: 704); 0: any shape.  Read it through
 *   imagegen_model_square_input().
 */
typedef struct
{
  const gchar *provider;
  const gchar *model;
  ImagegenModelKind kind;
  const gchar *path;
  const gchar *input_field;
  guint input_min, input_max;
  const ImagegenModelField *fields;
  const gchar *forbidden;
  const gchar *result_field;
  gdouble price_cents;
  gboolean price_confirmed;
  const gchar *price_key;
  const gchar *price_overrides;
  gboolean price_per_output;
  gboolean price_per_mp;
  gboolean inline_inputs;
  guint prior_min_ms, prior_max_ms;
  gboolean whole_source;
  guint input_max_side;
  gdouble price_mp_cents;
  gboolean path_names_model;
  gboolean data_uri_inputs;
  gboolean realtime;
  gboolean inputs_array;
  gboolean reasons;
  guint input_max_pixels;
  gboolean price_assumed;
  guint square_input;
} ImagegenModelRow;

/* FLUX 3's aspect ratios, wherever it is served (Black Forest Labs, fal) */
#define IMAGEGEN_FLUX3_RATIOS "auto 21:9 2:1 16:9 3:2 7:5 4:3 5:4 1:1 4:5 " \
  "3:4 5:7 2:3 9:16 1:2 9:21"

/* The completion window of rows without their own. */
#define IMAGEGEN_MODEL_DEFAULT_PRIOR_MIN_MS 3000
#define IMAGEGEN_MODEL_DEFAULT_PRIOR_MAX_MS 20000

/* The provider whose rows a NULL @provider means. */
#define IMAGEGEN_MODELS_DEFAULT_PROVIDER "runapi"

typedef enum
{
  IMAGEGEN_PROMPT_UNKNOWN,      /* no such model */
  IMAGEGEN_PROMPT_NONE,         /* takes no prompt (upscale...) */
  IMAGEGEN_PROMPT_OPTIONAL,
  IMAGEGEN_PROMPT_REQUIRED,
} ImagegenPromptUse;

/* The one answer to "what prompt does @provider's (NULL: RunAPI's) @model
 * take at @endpoint": whether it takes one, and its length in characters
 * (@max_chars 0: no limit).  Checks and the client ask here. */
ImagegenPromptUse imagegen_models_prompt_limits (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model, guint * min_chars,
    guint * max_chars);

/* The @index-th row; NULL past the end. */
const ImagegenModelRow *imagegen_models_get (guint index);

/* Whether @endpoint takes rows of @kind: text to image its own kind, remix
 * every other (edit, upscale, remove-background). */
gboolean imagegen_models_endpoint_takes (ImagegenEndpoint endpoint,
    ImagegenModelKind kind);

/* The row @provider's @endpoint takes as @model, or NULL (@provider NULL:
 * "runapi").  A remix element's endpoint takes edit, upscale and
 * remove-background rows. */
const ImagegenModelRow *imagegen_models_find (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model);

/* The row a request at @path for @model is, or NULL: where two rows share
 * a path (Flux Kontext generates or edits through text_to_image), the one
 * whose input field @body carries. */
const ImagegenModelRow *imagegen_models_find_route (const gchar * path,
    const gchar * model, JsonObject * body);

const ImagegenModelField *imagegen_model_row_field (const ImagegenModelRow *
    row, const gchar * name);

/* How many source images one request to @provider's @model of @endpoint's
 * kind may carry in all (a remix's frame, its reference images and any
 * previous result count alike); 0 when the table has no such row.  The one
 * answer every reader asks (@provider NULL: "runapi"). */
guint imagegen_models_sources_taken (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model);

/* The field of @row the resolution property fills: output_resolution
 * (RunAPI) or resolution (FLUX 3's tiers); NULL when it takes none. */
const ImagegenModelField *imagegen_model_resolution_field (const
    ImagegenModelRow * row);

/* Whether @row's source images go as one JSON array (source_image_urls,
 * FLUX 3's images) rather than one field each. */
gboolean imagegen_model_inputs_array (const ImagegenModelRow * row);

/* "text-to-image", "edit", "upscale", "remove-background" */
const gchar *imagegen_model_kind_name (ImagegenModelKind kind);

/* The valid values of @field in words: "1:1, 4:3", "integer 0 to 6",
 * "true or false", "1 to 800 characters"; free with g_free(). */
gchar *imagegen_model_field_describe (const ImagegenModelField * field);

/* Background removal: a remix-kind request of this model with one source
 * image and no prompt; the result has real alpha. */
#define IMAGEGEN_MODEL_REMOVE_BACKGROUND "recraft-remove-background"

/* RunAPI's model ids of @endpoint's kind, "a, b, c"; free with g_free(). */
gchar *imagegen_models_ids (ImagegenEndpoint endpoint);

/* The widest range (@min..@max) of field @name over @provider's rows of
 * @endpoint's kind that have it, and those rows' ids in @ids ("a, b";
 * free with g_free(); may be NULL): what a property that sets the field
 * accepts.  FALSE, 0..0 and "" when no row has it. */
gboolean imagegen_models_field_range (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * name, gdouble * min,
    gdouble * max, gchar ** ids);

/* @provider's model ids of @endpoint's kind, "a, b, c"; free with
 * g_free(). */
gchar *imagegen_models_provider_ids (const gchar * provider,
    ImagegenEndpoint endpoint);

/* FALSE, with an IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT error of the
 * sentence @format makes: how every check of a request refuses. */
gboolean imagegen_models_refuse (GError ** error, const gchar * format,
    ...) G_GNUC_PRINTF (2, 3);

/* Sets @error to the sentence for @model, which @provider (NULL: any
 * provider) does not serve for @endpoint's kind: the closest ids of that
 * kind by edit distance ("did you mean nano-banana?"), the element the id
 * belongs to when it is one of the other kind, and where every id is
 * listed.  Always returns FALSE. */
gboolean imagegen_models_refuse_unknown (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model, GError ** error);

/* The largest side a source image of @row is uploaded at, 0 for no limit:
 * @wanted (the element's upload-max-side, 0: none) for models that draw a
 * new picture from the frame; the frame as it is for models that keep its
 * pixels (upscale, remove-background, @whole_source).  Either way no more
 * than the row's @input_max_side, nor than the side of a square of its
 * @input_max_pixels (so that a frame of any shape stays within them). */
guint imagegen_model_upload_max_side (const ImagegenModelRow * row,
    guint wanted);

/* The side of the square every source image of @row is fitted into before
 * it is sent, 0 when the model takes any shape (the row's @square_input). */
guint imagegen_model_square_input (const ImagegenModelRow * row);

/* The defaults of required fields of @endpoint's kind, "gpt-image-1.5
 * quality=medium, …" (aspect_ratio left out: a property sets it); free
 * with g_free(). */
gchar *imagegen_models_defaults_text (ImagegenEndpoint endpoint);

/* The row of @model at any provider that serves it: the first with that
 * id (an id is one provider's); NULL when none. */
const ImagegenModelRow *imagegen_models_find_any (const gchar * model);

/* The first row whose create goes to @path, of any model; NULL when none
 * does (the emulator's routes). */
const ImagegenModelRow *imagegen_models_find_path (const gchar * path);

/* Checks @model (an id of @endpoint's kind), @aspect_ratio and
 * @resolution against the table.  FALSE with an
 * IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT error that names the property
 * (model, aspect-ratio, resolution) and lists the valid values. */
gboolean imagegen_models_check (ImagegenEndpoint endpoint,
    const gchar * model, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error);

/* imagegen_models_check() for @row of any provider: @aspect_ratio and
 * @resolution against its fields (@endpoint: remix takes auto on every
 * row). */
gboolean imagegen_models_check_row (const ImagegenModelRow * row,
    ImagegenEndpoint endpoint, const gchar * aspect_ratio,
    const gchar * resolution, GError ** error);

/* Everything imagegen_models_check() checks, then the prompt, the extra
 * fields and the number of source images (@n_sources) against the row,
 * with the valid choices in the error. */
gboolean imagegen_models_check_request (const ImagegenRequest * request,
    guint n_sources, GError ** error);

/* The prompt, the extra fields and @n_sources source images of @request
 * against @row (of any provider), with the valid choices in the error. */
gboolean imagegen_models_check_fields (const ImagegenModelRow * row,
    const ImagegenRequest * request, guint n_sources, GError ** error);

/* Fills @errors ({field: [message…]}, the service's 422 shape) with what
 * is wrong with @body for @row; TRUE when nothing is. */
gboolean imagegen_model_validate (const ImagegenModelRow * row,
    JsonObject * body, JsonObject * errors);

/* The create body for @request on @row with @source_urls (NULL or empty
 * for none) in the row's input field. */
JsonNode *imagegen_model_build_body (const ImagegenModelRow * row,
    const ImagegenRequest * request, GPtrArray * source_urls);

/* The price of one call with @body on @row, in cents rounded up; -1 when
 * unknown. */
gint imagegen_model_price_cents (const ImagegenModelRow * row,
    JsonObject * body, gboolean confirmed_only);

/* Megapixels as Black Forest Labs count them: 2048 x 2048 is 4.19. */
#define IMAGEGEN_MODEL_MEGAPIXEL 1000000.0

/* The exact price of one call with @body on @row, in cents (Black Forest
 * Labs' credits, with fractions); < 0 when unknown.  @input_mp: the
 * megapixels of all input images; < 0: each input image of @body counted
 * at the output's size (the elements send frames of that size).  A body
 * of @row's price_per_mp without width and height is priced at 1 MP out. */
gdouble imagegen_model_price_exact (const ImagegenModelRow * row,
    JsonObject * body, gdouble input_mp, gboolean confirmed_only);

/* The output megapixels of @body on a price_per_mp row (1 without a
 * size); @row (nullable) tells a realtime row's squares from the queue's
 * presets of the same names. */
gdouble imagegen_model_output_mp (const ImagegenModelRow * row,
    JsonObject * body);

/* output_count in @body, 1 when absent. */
guint imagegen_model_output_count (JsonObject * body);

/* Asks @request's model for results in @format ("png" or "jpeg", spelt as
 * the model spells it: "jpg" where its list has that) when its row takes
 * output_format with that value and the caller's extra fields set none.
 * TRUE when the field was added. */
gboolean imagegen_models_ask_output_format (ImagegenRequest * request,
    const gchar * format);

G_END_DECLS

#endif /* IMAGEGEN_MODELS_H */
