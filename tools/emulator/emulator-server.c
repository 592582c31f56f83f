/* imagegen-emulator: listens, and routes each request by its path to the
 * handler of the space it is in, with that space's error shape
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the main context: SoupServer is not thread-safe.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "emulator.h"

#include <string.h>

/* @rest: the path under the route's prefix */
typedef void (*Handler) (EmuRequest * req, const gchar * rest,
    GHashTable * query);

typedef struct
{
  const gchar *prefix;
  /* NULL: every path under @prefix; else the ones it answers TRUE to */
  gboolean (*claims) (const gchar * rest);
  /* a provider's API: "any" faults apply */
  gboolean api;
  /* served on the assets origin (--assets-port) too, like a CDN */
  gboolean assets;
  EmuErrorBody error_body;
  Handler handle;
} Route;

static void
not_found (EmuRequest * req, const gchar * rest, GHashTable * query)
{
  emu_request_reply_error (req, 404, "Not found");
}

/* The first route that takes a path answers it. */
static const Route routes[] = {
  {EMU_RUNAPI_PREFIX, NULL, TRUE, FALSE, emu_runapi_error_body,
      emu_runapi_handle},
  /* /v1/ is Black Forest Labs' but for RunAPI's own words */
  {EMU_BFL_PREFIX, emu_sdk_files_claims, TRUE, FALSE, emu_runapi_error_body,
      emu_sdk_files_handle},
  {EMU_BFL_PREFIX, emu_runapi_claims, FALSE, FALSE, emu_runapi_error_body,
      not_found},
  {EMU_BFL_PREFIX, NULL, TRUE, FALSE, emu_bfl_error_body, emu_bfl_handle},
  {EMU_FAL_UPLOADS, NULL, FALSE, TRUE, emu_fal_error_body,
      emu_fal_handle_upload},
  {"/emulator/results/", NULL, FALSE, TRUE, emu_runapi_error_body,
      emu_assets_handle_result},
  {"/emulator/files/", NULL, FALSE, TRUE, emu_runapi_error_body,
      emu_assets_handle_file},
  {"/emulator/uploads/", NULL, FALSE, TRUE, emu_runapi_error_body,
      emu_assets_handle_upload},
  {"/emulator/", NULL, FALSE, FALSE, emu_runapi_error_body,
      emu_control_handle},
  /* fal's paths: its model ids, their requests, storage and tokens */
  {EMU_FAL_PREFIX, emu_fal_claims, TRUE, FALSE, emu_fal_error_body,
      emu_fal_handle},
  {"/", NULL, FALSE, TRUE, emu_runapi_error_body, not_found},
};

static void
route (EmuRequest * req, GHashTable * query)
{
  const gchar *rest;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (routes); i++) {
    if (!g_str_has_prefix (req->path, routes[i].prefix)
        || (req->on_assets && !routes[i].assets))
      continue;
    rest = req->path + strlen (routes[i].prefix);
    if (routes[i].claims && !routes[i].claims (rest))
      continue;
    req->api = routes[i].api;
    req->error_body = routes[i].error_body;
    routes[i].handle (req, rest, query);
    return;
  }
  /* "/" takes every path: not reached */
  g_assert_not_reached ();
}

static void
server_callback (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  EmuRequest *req = emu_request_new (user_data, msg, path);

  route (req, query);
}

static void
assets_callback (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  EmuRequest *req = emu_request_new (user_data, msg, path);

  req->on_assets = TRUE;
  emu_assets_count (req);
  route (req, query);
}

/* A server on 127.0.0.1:@port (0: any free port), https with --tls-cert;
 * NULL on failure.  @url receives its origin. */
static SoupServer *
listen_on (Emulator * emu, guint * port, SoupServerCallback callback,
    gchar ** url, GError ** error)
{
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  SoupServer *server;
  GSList *uris;

  server = soup_server_new ("server-header",
      "imagegen-emulator/" PACKAGE_VERSION " ", "tls-certificate",
      emu->tls_certificate, NULL);
  soup_server_add_handler (server, NULL, callback, emu, NULL);
  if (emu->tls_certificate)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  if (!soup_server_listen_local (server, *port, options, error)) {
    g_object_unref (server);
    return NULL;
  }

  uris = soup_server_get_uris (server);
  if (uris)
    *port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  *url = g_strdup_printf ("%s://127.0.0.1:%u",
      emu->tls_certificate ? "https" : "http", *port);
  return server;
}

gboolean
emu_server_start (Emulator * emu, GError ** error)
{
  guint assets_port;

  emu_http_init (emu);
  emu_transport_init (emu);
  emu->server = listen_on (emu, &emu->port, server_callback, &emu->base_url,
      error);
  if (emu->server == NULL)
    return FALSE;
  emu_fal_rt_add_handlers (emu, emu->server, server_callback);

  if (emu->assets_port < 0) {
    emu->assets_url = g_strdup (emu->base_url);
    return TRUE;
  }
  assets_port = (guint) emu->assets_port;
  emu->assets_server = listen_on (emu, &assets_port, assets_callback,
      &emu->assets_url, error);
  emu->assets_port = (gint) assets_port;
  return emu->assets_server != NULL;
}

void
emu_server_stop (Emulator * emu)
{
  emu_transport_shutdown (emu);
  emu_streams_close (emu);
  emu_fal_rt_shutdown (emu);
  if (emu->server)
    soup_server_disconnect (emu->server);
  if (emu->assets_server)
    soup_server_disconnect (emu->assets_server);
  g_clear_object (&emu->server);
  g_clear_object (&emu->assets_server);
  emu_http_shutdown (emu);
}
