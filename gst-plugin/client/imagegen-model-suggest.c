/* gst-imagegen: the sentence for a model id nobody serves — the closest ids
 * of the element's kind by edit distance, instead of every id.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "imagegen-models.h"

#include <string.h>

/* At most this many ids are offered. */
#define MAX_SUGGESTIONS 3

/* The element whose model property takes @endpoint's kind; its
 * gst-inspect-1.0 page lists every id of that kind. */
static const gchar *
element_of (ImagegenEndpoint endpoint)
{
  return endpoint == IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE ? "imagegensrc" :
      "imagegenremix";
}

/* Levenshtein distance of two ASCII ids. */
static guint
edit_distance (const gchar * a, const gchar * b)
{
  gsize la = strlen (a), lb = strlen (b), i, j;
  guint *row = g_new (guint, lb + 1), result;

  for (j = 0; j <= lb; j++)
    row[j] = j;
  for (i = 1; i <= la; i++) {
    guint diagonal = row[0];

    row[0] = i;
    for (j = 1; j <= lb; j++) {
      guint above = row[j];
      guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ?
          0 : 1;

      row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
      diagonal = above;
    }
  }
  result = row[lb];
  g_free (row);
  return result;
}

typedef struct
{
  const gchar *id;
  guint distance;
  guint order;
} Candidate;

static gint
by_distance (gconstpointer pa, gconstpointer pb)
{
  const Candidate *a = pa, *b = pb;

  if (a->distance != b->distance)
    return a->distance < b->distance ? -1 : 1;
  return a->order < b->order ? -1 : (a->order > b->order);
}

/* The ids of @provider's (NULL: any) rows of @endpoint's kind closest to
 * @model, the closest first, NULL-terminated: only those close enough to
 * be a typo of it (within a third of its length, or one a prefix of the
 * other). */
static gchar **
closest_ids (const gchar * provider, ImagegenEndpoint endpoint,
    const gchar * model)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (Candidate));
  GPtrArray *out = g_ptr_array_new ();
  guint limit = MAX (2, (guint) strlen (model) / 3);
  const ImagegenModelRow *row;
  guint i, j;

  for (i = 0; (row = imagegen_models_get (i)) != NULL; i++) {
    Candidate c = { row->model, 0, i };
    gboolean seen = FALSE;

    if ((provider != NULL && g_strcmp0 (row->provider, provider) != 0)
        || !imagegen_models_endpoint_takes (endpoint, row->kind))
      continue;
    for (j = 0; j < found->len && !seen; j++)
      seen = g_str_equal (g_array_index (found, Candidate, j).id, row->model);
    c.distance = edit_distance (model, row->model);
    /* an id with a suffix too many or too few ("-text-to-image") */
    if (!seen && (c.distance <= limit || g_str_has_prefix (model, row->model)
            || g_str_has_prefix (row->model, model)))
      g_array_append_val (found, c);
  }
  g_array_sort (found, by_distance);
  for (i = 0; i < found->len && i < MAX_SUGGESTIONS; i++)
    g_ptr_array_add (out, g_strdup (g_array_index (found, Candidate, i).id));
  g_ptr_array_add (out, NULL);
  g_array_free (found, TRUE);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

static const gchar *
provider_title (const gchar * provider)
{
  return g_strcmp0 (provider, "bfl") == 0 ? "Black Forest Labs" : "RunAPI";
}

gboolean
imagegen_models_refuse_unknown (const gchar * provider,
    ImagegenEndpoint endpoint, const gchar * model, GError ** error)
{
  const gchar *element = element_of (endpoint);
  ImagegenEndpoint other = endpoint == IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE ?
      IMAGEGEN_ENDPOINT_REMIX : IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE;
  const ImagegenModelRow *elsewhere = imagegen_models_find_any (model);
  g_auto (GStrv) ids = closest_ids (provider, endpoint, model ? model : "");
  GString *s = g_string_new (NULL);

  if (model == NULL || *model == '\0')
    g_string_append_printf (s, "No model set on %s", element);
  else if (elsewhere != NULL && provider != NULL
      && g_strcmp0 (elsewhere->provider, provider) != 0)
    g_string_append_printf (s, "Model \"%s\" is not served by %s", model,
        provider_title (provider));
  else if (imagegen_models_find (elsewhere ? elsewhere->provider : NULL,
          other, model) != NULL && elsewhere != NULL)
    g_string_append_printf (s, "Model \"%s\" is for %s, not %s", model,
        element_of (other), element);
  else
    g_string_append_printf (s, "Unknown model \"%s\" for %s", model,
        element);
  if (provider != NULL && (elsewhere == NULL
          || g_strcmp0 (elsewhere->provider, provider) == 0))
    g_string_append_printf (s, " with provider %s", provider);
  if (ids[0] != NULL) {
    g_string_append_printf (s, "; did you mean %s", ids[0]);
    if (ids[1] != NULL) {
      g_autofree gchar *rest = g_strjoinv (", ", ids + 1);

      g_string_append_printf (s, " (or %s)", rest);
    }
    g_string_append_c (s, '?');
  } else {
    g_string_append_c (s, '.');
  }
  g_string_append_printf (s, " Every id is in docs/models.md and "
      "gst-inspect-1.0 %s.", element);
  g_set_error_literal (error, IMAGEGEN_CLIENT_ERROR,
      IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT, s->str);
  g_string_free (s, TRUE);
  return FALSE;
}
