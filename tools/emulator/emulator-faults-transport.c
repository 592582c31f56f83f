/* imagegen-emulator: what a fired fault does to the HTTP exchange —
 * statuses, resets, hangs, truncated and slow bodies, redirects and
 * answers of the wrong shape.  emulator-faults.c parses and matches the
 * specs; this file carries them out, for every provider alike.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "emulator.h"

#include <string.h>

#define SLOW_CHUNK 1024
#define SLOW_INTERVAL_MS 100
/* "trickle": one byte a second, so no idle timeout ever fires */
#define TRICKLE_CHUNK 1
#define TRICKLE_INTERVAL_MS 1000

/* A result body being sent slowly (the "slow" download fault). */
typedef struct
{
  GBytes *data;
  gsize offset;
  gsize chunk;
} SlowStream;

/* A half-written raw answer on a stolen connection ("truncate"). */
typedef struct
{
  Emulator *emu;
  GIOStream *stream;
  GBytes *data;
} RawWrite;

typedef struct
{
  EmuRequest *req;
  GBytes *body;
  const gchar *content_type;
} TruncateJob;

static gboolean
reset_connection (gpointer user_data)
{
  EmuRequest *req = user_data;
  GIOStream *stream;

  stream = soup_server_message_steal_connection (req->msg);
  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
  emu_request_free (req);
  return G_SOURCE_REMOVE;
}

static void
raw_write_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  RawWrite *w = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL,
      NULL);
  g_io_stream_close (w->stream, NULL, NULL);
  g_object_unref (w->stream);
  g_bytes_unref (w->data);
  w->emu->async_pending--;
  g_free (w);
}

/* Claims the full Content-Length, sends half, closes the connection. */
static gboolean
truncate_connection (gpointer user_data)
{
  TruncateJob *job = user_data;
  EmuRequest *req = job->req;
  GIOStream *stream;
  GString *s;
  gsize len = g_bytes_get_size (job->body);

  stream = soup_server_message_steal_connection (req->msg);
  if (stream) {
    RawWrite *w = g_new0 (RawWrite, 1);

    s = g_string_new (NULL);
    g_string_append_printf (s, "HTTP/1.1 200 OK\r\n"
        "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
        "X-Request-ID: %s\r\nConnection: close\r\n\r\n",
        job->content_type, len, req->request_id);
    g_string_append_len (s, g_bytes_get_data (job->body, NULL), len / 2);
    w->emu = req->emu;
    w->stream = stream;
    w->data = g_string_free_to_bytes (s);
    req->emu->async_pending++;
    g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
        g_bytes_get_data (w->data, NULL), g_bytes_get_size (w->data),
        G_PRIORITY_DEFAULT, req->emu->cancellable, raw_write_done, w);
  }
  g_bytes_unref (job->body);
  emu_request_free (req);
  g_free (job);
  return G_SOURCE_REMOVE;
}

/* Answers @body (taken) truncated, once the handler has returned. */
static void
send_truncated (EmuRequest * req, const gchar * content_type, GBytes * body)
{
  TruncateJob *job = g_new0 (TruncateJob, 1);

  emu_request_log (req, 200);
  job->req = req;
  job->body = body;
  job->content_type = content_type;
  emu_request_pause (req);
  g_idle_add (truncate_connection, job);
}

static void
slow_stream_free (gpointer data)
{
  SlowStream *s = data;

  g_bytes_unref (s->data);
  g_free (s);
}

static gboolean
slow_tick (SoupMessageBody * body, gpointer data)
{
  SlowStream *s = data;
  gsize len = g_bytes_get_size (s->data);
  gsize n = MIN (s->chunk, len - s->offset);

  soup_message_body_append (body, SOUP_MEMORY_COPY,
      (const guint8 *) g_bytes_get_data (s->data, NULL) + s->offset, n);
  s->offset += n;
  return s->offset >= len;
}

static void
send_slowly (EmuRequest * req, const gchar * content_type, GBytes * data,
    gsize chunk, guint interval_ms)
{
  SlowStream *s = g_new0 (SlowStream, 1);
  SoupMessageHeaders *out =
      soup_server_message_get_response_headers (req->msg);

  emu_request_set_status (req, 200);
  soup_message_headers_set_content_type (out, content_type, NULL);
  soup_message_headers_set_content_length (out, g_bytes_get_size (data));
  s->data = g_bytes_ref (data);
  s->chunk = chunk;
  emu_request_stream (req, interval_ms, FALSE, slow_tick, s,
      slow_stream_free);
}

/* The same path on the other origin (API <-> assets). */
static void
redirect_elsewhere (EmuRequest * req)
{
  Emulator *emu = req->emu;
  const gchar *origin = req->on_assets ? emu->base_url : emu->assets_url;
  gchar *location = g_strconcat (origin, req->path, NULL);
  GBytes *b = g_bytes_new_static ("moved\n", 6);

  soup_message_headers_replace (soup_server_message_get_response_headers
      (req->msg), "Location", location);
  g_free (location);
  emu_request_reply_bytes (req, 307, "text/plain", b);
  g_bytes_unref (b);
}

/* A task answer of the wrong shape (EMU_FAULT_CANNED). */
static void
reply_canned (EmuRequest * req, const EmuFault * fault, EmuStage stage)
{
  gchar *id = stage == EMU_STAGE_POLL ? g_path_get_basename (req->path) :
      g_uuid_string_random ();
  gchar *text = g_strdup_printf (fault->canned, id);
  GBytes *b = g_bytes_new_take (text, strlen (text));

  emu_request_reply_bytes (req, 200, "application/json", b);
  g_bytes_unref (b);
  g_free (id);
}

static void
reply_status (EmuRequest * req, const EmuFault * fault)
{
  if (fault->status == 429) {
    SoupMessageHeaders *out =
        soup_server_message_get_response_headers (req->msg);

    if (fault->retry_after < 0) {
      /* whole seconds only: round up so the date is >= 1 s ahead */
      gint64 t = g_get_real_time () / G_USEC_PER_SEC + 2;
      GDateTime *dt = g_date_time_new_from_unix_utc (t);
      gchar *date = soup_date_time_to_string (dt, SOUP_DATE_HTTP);

      soup_message_headers_replace (out, "Retry-After", date);
      g_free (date);
      g_date_time_unref (dt);
    } else {
      gchar *secs = g_strdup_printf ("%d", fault->retry_after);

      soup_message_headers_replace (out, "Retry-After", secs);
      g_free (secs);
    }
  }
  emu_request_reply_error (req, fault->status,
      emu_fault_error_message (fault->status));
}

/* Applies a fault that does not depend on the route. Returns FALSE for
 * download-only faults, which emu_transport_send_image() carries out. */
static gboolean
apply_fault (EmuRequest * req, const EmuFault * fault, EmuStage stage)
{
  static const gchar cut_answer[] =
      "{\"id\":\"cut-short\",\"status\":\"processing\",\"note\":"
      "\"the emulator's truncate fault closes the connection half way\"}";

  switch (fault->kind) {
    case EMU_FAULT_REDIRECT:
      redirect_elsewhere (req);
      return TRUE;
    case EMU_FAULT_CANNED:
      reply_canned (req, fault, stage);
      return TRUE;
    case EMU_FAULT_TRUNCATE:
      if (stage == EMU_STAGE_DOWNLOAD)
        return FALSE;
      send_truncated (req, "application/json",
          g_bytes_new_static (cut_answer, sizeof (cut_answer) - 1));
      return TRUE;
    case EMU_FAULT_STATUS:
      reply_status (req, fault);
      return TRUE;
    case EMU_FAULT_RESET:
      emu_request_log (req, 0);
      emu_request_pause (req);
      g_idle_add (reset_connection, req);
      return TRUE;
    case EMU_FAULT_HANG:
      emu_request_log (req, 0);
      emu_request_pause (req);
      g_ptr_array_add (req->emu->hung, req);
      return TRUE;
    case EMU_FAULT_BADJSON:{
      GBytes *b = g_bytes_new_static ("{\"id\":", 6);

      emu_request_reply_bytes (req, 200, "application/json", b);
      g_bytes_unref (b);
      return TRUE;
    }
    default:
      return FALSE;
  }
}

/* A fault fired on @req: counted and named in its log line. */
static void
fired (EmuRequest * req, const EmuFault * fault)
{
  req->emu->stats.faults_fired++;
  g_free (req->fault);
  req->fault = g_strdup (fault->spec);
}

gboolean
emu_transport_check_fault (EmuRequest * req, EmuStage stage,
    EmuFault * fault)
{
  if (!emu_faults_take (req->emu->faults, stage, req->api, fault))
    return FALSE;
  fired (req, fault);
  return apply_fault (req, fault, stage);
}

gboolean
emu_transport_faulted (EmuRequest * req, EmuStage stage)
{
  EmuFault fault = { 0, };
  gboolean answered = emu_transport_check_fault (req, stage, &fault);

  emu_fault_clear (&fault);
  return answered;
}

EmuFaultKind
emu_transport_take_task_fault (EmuRequest * req)
{
  EmuFault fault;
  EmuFaultKind outcome;

  if (!emu_faults_take (req->emu->faults, EMU_STAGE_TASK, FALSE, &fault))
    return EMU_FAULT_NONE;
  fired (req, &fault);
  outcome = fault.kind;
  emu_fault_clear (&fault);
  return outcome;
}

void
emu_transport_send_image (EmuRequest * req, const EmuFault * fault,
    const gchar * content_type, GBytes * image)
{
  static const gchar text[] =
      "This is not an image: the emulator's notimage fault.\n";
  GBytes *b;

  switch (fault->kind) {
    case EMU_FAULT_SLOW:
      send_slowly (req, content_type, image, SLOW_CHUNK, SLOW_INTERVAL_MS);
      break;
    case EMU_FAULT_TRICKLE:
      send_slowly (req, content_type, image, TRICKLE_CHUNK,
          TRICKLE_INTERVAL_MS);
      break;
    case EMU_FAULT_TRUNCATE:
      send_truncated (req, content_type, g_bytes_ref (image));
      break;
    case EMU_FAULT_NOTIMAGE:
      b = g_bytes_new_static (text, sizeof (text) - 1);
      emu_request_reply_bytes (req, 200, content_type, b);
      g_bytes_unref (b);
      break;
    default:
      emu_request_reply_bytes (req, 200, content_type, image);
      break;
  }
}

void
emu_transport_init (Emulator * emu)
{
  emu->hung = g_ptr_array_new_with_free_func ((GDestroyNotify)
      emu_request_free);
}

void
emu_transport_shutdown (Emulator * emu)
{
  g_clear_pointer (&emu->hung, g_ptr_array_unref);
}
