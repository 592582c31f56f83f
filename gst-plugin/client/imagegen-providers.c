/* gst-imagegen: the providers by id, by name and by model, and where
 * their keys come from.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-provider.h"
#include "imagegen-models.h"

const ImagegenProvider *
imagegen_provider_get (ImagegenProviderId id)
{
  switch (id) {
    case IMAGEGEN_PROVIDER_BFL:
      return &imagegen_provider_bfl;
    case IMAGEGEN_PROVIDER_FAL:
      return &imagegen_provider_fal;
    default:
      return &imagegen_provider_runapi;
  }
}

const ImagegenProvider *
imagegen_provider_by_name (const gchar * name)
{
  guint id;

  for (id = 0; id < IMAGEGEN_PROVIDER_N; id++)
    if (g_strcmp0 (imagegen_provider_get (id)->name, name) == 0)
      return imagegen_provider_get (id);
  return NULL;
}

ImagegenProviderId
imagegen_provider_for_model (const gchar * model)
{
  const ImagegenModelRow *row = imagegen_models_find_any (model);
  guint id;

  for (id = 0; row != NULL && id < IMAGEGEN_PROVIDER_N; id++)
    if (g_strcmp0 (imagegen_provider_get (id)->name, row->provider) == 0)
      return id;
  return IMAGEGEN_PROVIDER_RUNAPI;
}

gchar *
imagegen_provider_env_key (const ImagegenProvider * provider)
{
  const gchar *key = provider->key_env ? g_getenv (provider->key_env) : NULL;
  const gchar *id, *secret;

  if (key != NULL && *key != '\0')
    return g_strdup (key);
  if (provider->key_id_env == NULL || provider->key_secret_env == NULL)
    return NULL;
  /* fal's clients join the two halves only when both are set */
  id = g_getenv (provider->key_id_env);
  secret = g_getenv (provider->key_secret_env);
  if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0')
    return NULL;
  return g_strdup_printf ("%s:%s", id, secret);
}
