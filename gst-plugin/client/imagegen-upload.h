/* gst-imagegen: uploads — the request's source images to the provider's
 * files, or inline (imagegen-upload.c).  When every source URL is known it
 * says so through ImagegenJobHooks.uploaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "imagegen-job.h"

G_BEGIN_DECLS

void imagegen_upload_next (ImagegenJob * job);

G_END_DECLS
