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
  return emu_request_check_key (req, "Authorization", "Bearer ",
      "Missing API key", "Invalid API key");
}
