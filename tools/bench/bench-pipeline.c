/* imagegen-bench-pipeline: run one gst-launch style pipeline and report, as
 * one JSON object on stdout, when each buffer left a chosen pad (in
 * g_get_real_time() microseconds, the emulator's clock), how late it was
 * against the pipeline clock, the process's CPU time and its peak RSS.
 *
 *   imagegen-bench-pipeline [--probe NAME[:PAD]] [--timeout S] PIPELINE...
 *
 * NAME is an element name given in the pipeline (name=...); PAD defaults to
 * "src".  The pipeline runs until EOS, an error or the timeout.  Element
 * messages posted on the bus (e.g. per-task messages of the imagegen
 * elements) are reported too, as serialized structures, so the bench can
 * use them once the elements post them.
 *
 * Part of tools/bench (see docs/performance.md); never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct
{
  gint64 real_us;
  GstClockTime pts;
  guint64 offset;
  gsize size;
  gint64 late_ns;               /* clock time - (base + running time); 0 if unknown */
  gboolean late_valid;
} Sample;

static GArray *samples;         /* of Sample */
static GMutex samples_lock;

static GstPadProbeReturn
probe_cb (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstElement *pipeline = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  Sample s = { 0, };
  GstClock *clock;

  s.real_us = g_get_real_time ();
  s.pts = GST_BUFFER_PTS (buf);
  s.offset = GST_BUFFER_OFFSET (buf);
  s.size = gst_buffer_get_size (buf);

  clock = gst_element_get_clock (pipeline);
  if (clock != NULL && GST_CLOCK_TIME_IS_VALID (s.pts)) {
    GstEvent *ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
    if (ev != NULL) {
      const GstSegment *seg;
      guint64 rt;
      gst_event_parse_segment (ev, &seg);
      rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, s.pts);
      if (GST_CLOCK_TIME_IS_VALID (rt)) {
        GstClockTime now = gst_clock_get_time (clock);
        GstClockTime base = gst_element_get_base_time (pipeline);
        s.late_ns = (gint64) now - (gint64) (base + rt);
        s.late_valid = TRUE;
      }
      gst_event_unref (ev);
    }
  }
  if (clock != NULL)
    gst_object_unref (clock);

  g_mutex_lock (&samples_lock);
  g_array_append_val (samples, s);
  g_mutex_unlock (&samples_lock);
  return GST_PAD_PROBE_OK;
}

static void
json_string (GString * out, const gchar * s)
{
  g_string_append_c (out, '"');
  for (; s && *s; s++) {
    guchar c = *s;
    if (c == '"' || c == '\\')
      g_string_append_printf (out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, c);
  }
  g_string_append_c (out, '"');
}

static gint64
cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main (int argc, char **argv)
{
  gchar *probe_spec = NULL;
  gint timeout_s = 300;
  GOptionEntry entries[] = {
    {"probe", 0, 0, G_OPTION_ARG_STRING, &probe_spec,
        "Element (and pad) whose buffers are timed", "NAME[:PAD]"},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
        "Give up after this many seconds", "S"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *error = NULL;
  GstElement *pipeline;
  GstBus *bus;
  GString *out, *messages, *desc;
  gchar *error_text = NULL;
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);
  gint64 start_us, playing_us = 0, end_us, cpu0, cpu1, deadline;
  gboolean done = FALSE, timed_out = FALSE;
  struct rusage ru;
  guint i;
  int a;

  ctx = g_option_context_new ("PIPELINE...");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  g_option_context_free (ctx);
  gst_init (NULL, NULL);

  desc = g_string_new (NULL);
  for (a = 1; a < argc; a++) {
    if (a > 1)
      g_string_append_c (desc, ' ');
    g_string_append (desc, argv[a]);
  }
  samples = g_array_new (FALSE, TRUE, sizeof (Sample));

  cpu0 = cpu_us ();
  start_us = g_get_real_time ();
  pipeline = gst_parse_launch (desc->str, &error);
  if (pipeline == NULL) {
    g_printerr ("pipeline: %s\n", error->message);
    return 2;
  }
  if (probe_spec != NULL) {
    gchar **parts = g_strsplit (probe_spec, ":", 2);
    GstElement *el = gst_bin_get_by_name (GST_BIN (pipeline), parts[0]);
    GstPad *pad = el ? gst_element_get_static_pad (el,
        parts[1] ? parts[1] : "src") : NULL;
    if (pad == NULL) {
      g_printerr ("no pad %s\n", probe_spec);
      return 2;
    }
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, probe_cb, pipeline,
        NULL);
    gst_object_unref (pad);
    gst_object_unref (el);
    g_strfreev (parts);
  }

  messages = g_string_new (NULL);
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (m != NULL) {
      GError *e;
      gst_message_parse_error (m, &e, NULL);
      error_text = g_strdup (e->message);
      g_error_free (e);
      gst_message_unref (m);
    } else {
      error_text = g_strdup ("state change to PLAYING failed");
    }
    done = TRUE;
  }
  deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (!done) {
    GstMessage *m = gst_bus_timed_pop (bus, 100 * GST_MSECOND);
    if (g_get_monotonic_time () > deadline) {
      timed_out = TRUE;
      error_text = g_strdup ("timeout");
      break;
    }
    if (m == NULL)
      continue;
    switch (GST_MESSAGE_TYPE (m)) {
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      case GST_MESSAGE_ERROR:{
        GError *e;
        gchar *dbg = NULL;
        gst_message_parse_error (m, &e, &dbg);
        error_text = g_strdup_printf ("%s (%s)", e->message, dbg ? dbg : "");
        g_error_free (e);
        g_free (dbg);
        done = TRUE;
        break;
      }
      case GST_MESSAGE_WARNING:{
        GError *e;
        gst_message_parse_warning (m, &e, NULL);
        g_ptr_array_add (warnings, g_strdup (e->message));
        g_error_free (e);
        break;
      }
      case GST_MESSAGE_STATE_CHANGED:
        if (GST_MESSAGE_SRC (m) == GST_OBJECT (pipeline) && playing_us == 0) {
          GstState news;
          gst_message_parse_state_changed (m, NULL, &news, NULL);
          if (news == GST_STATE_PLAYING)
            playing_us = g_get_real_time ();
        }
        break;
      case GST_MESSAGE_ELEMENT:{
        const GstStructure *s = gst_message_get_structure (m);
        if (s != NULL) {
          gchar *str = gst_structure_to_string (s);
          if (messages->len > 0)
            g_string_append_c (messages, ',');
          g_string_append_printf (messages, "{\"t_us\":%" G_GINT64_FORMAT
              ",\"structure\":", g_get_real_time ());
          json_string (messages, str);
          g_string_append_c (messages, '}');
          g_free (str);
        }
        break;
      }
      default:
        break;
    }
    gst_message_unref (m);
  }
  end_us = g_get_real_time ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  cpu1 = cpu_us ();
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  getrusage (RUSAGE_SELF, &ru);

  out = g_string_new ("{");
  g_string_append (out, "\"pipeline\":");
  json_string (out, desc->str);
  g_string_append_printf (out, ",\"start_us\":%" G_GINT64_FORMAT
      ",\"playing_us\":%" G_GINT64_FORMAT ",\"end_us\":%" G_GINT64_FORMAT
      ",\"cpu_us\":%" G_GINT64_FORMAT ",\"maxrss_kb\":%ld,\"timed_out\":%s",
      start_us, playing_us, end_us, cpu1 - cpu0, ru.ru_maxrss,
      timed_out ? "true" : "false");
  g_string_append (out, ",\"error\":");
  if (error_text)
    json_string (out, error_text);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"warnings\":[");
  for (i = 0; i < warnings->len; i++) {
    if (i)
      g_string_append_c (out, ',');
    json_string (out, g_ptr_array_index (warnings, i));
  }
  g_string_append (out, "],\"messages\":[");
  g_string_append (out, messages->str);
  g_string_append (out, "],\"buffers\":[");
  for (i = 0; i < samples->len; i++) {
    Sample *s = &g_array_index (samples, Sample, i);
    if (i)
      g_string_append_c (out, ',');
    g_string_append_printf (out, "{\"t_us\":%" G_GINT64_FORMAT
        ",\"pts\":%" G_GINT64_FORMAT ",\"size\":%" G_GSIZE_FORMAT, s->real_us,
        GST_CLOCK_TIME_IS_VALID (s->pts) ? (gint64) s->pts : -1, s->size);
    if (s->late_valid)
      g_string_append_printf (out, ",\"late_ns\":%" G_GINT64_FORMAT,
          s->late_ns);
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
  fflush (stdout);
  return error_text ? 1 : 0;
}
