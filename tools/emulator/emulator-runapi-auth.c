/* imagegen-emulator: RunAPI's Bearer auth, asked by every RunAPI handler
 * (its task routes and the SDK's files and uploads resources).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emulator.h"

#include <string.h>

gboolean
emu_runapi_check_auth (EmuRequest * req)
{
  Emulator *emu = req->emu;
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  const gchar *value = soup_message_headers_get_one (in, "Authorization");
  gchar *token;
  gboolean ok;

  if (value == NULL) {
    req->auth = "missing";
    emu->stats.auth_failures++;
    emu_request_reply_error (req, 401, "Missing API key");
    return FALSE;
  }
  if (g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    token = g_strstrip (g_strdup (value + 7));
  else
    token = g_strdup ("");
  ok = emu->require_key ? strcmp (token, emu->require_key) == 0 :
      token[0] != '\0';
  g_free (token);
  if (!ok) {
    req->auth = "invalid";
    emu->stats.auth_failures++;
    emu_request_reply_error (req, 401, "Invalid API key");
    return FALSE;
  }
  req->auth = "ok";
  return TRUE;
}
