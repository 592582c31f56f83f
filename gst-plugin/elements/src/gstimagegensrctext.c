/* gst-imagegen: imagegentextsrc, a live imagegensrc whose prompts come
 * from a text stream on its "text" pad (subparse reading an SRT rundown,
 * a speech-to-text element…).
 *
 * Each text becomes a prompt through prompt-template and waits, by its
 * running time, for the live stream to reach it: a file source delivers
 * every cue at once, and each must still start at its own time (up to
 * lead-time before it, its image then waiting for the cue).  The newest
 * due text wins and requests are at least min-prompt-interval of running
 * time apart, so a chatty source cannot run up a bill; the spending guard
 * still counts every request.
 *
 * Locks (see gstimagegensrcpriv.h): src->lock, then GST_OBJECT_LOCK;
 * no bus message is posted under src->lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstimagegensrcpriv.h"

#define GST_CAT_DEFAULT gst_imagegen_src_debug

#define DEFAULT_TEMPLATE "{text}"
#define DEFAULT_MIN_INTERVAL (2 * GST_SECOND)
#define DEFAULT_LEAD_TIME 0
#define TEXT_FIELD "{text}"

typedef struct
{
  /* properties, under the object lock */
  gchar *template;
  GstClockTime min_interval;
  GstClockTime lead_time;
  GstPad *pad;

  /* under src->lock */
  GQueue cues;                  /* TextCue, earliest first */
  GstClockTime last_request;    /* running time, NONE: none yet */

  /* the text pad's streaming thread */
  GstSegment segment;
  gboolean markup;
} GstImagegenSrcText;

#define GST_TYPE_IMAGEGEN_TEXT_SRC (gst_imagegen_text_src_get_type ())
G_DECLARE_FINAL_TYPE (GstImagegenTextSrc, gst_imagegen_text_src, GST,
    IMAGEGEN_TEXT_SRC, GstImagegenSrc)

struct _GstImagegenTextSrc
{
  GstImagegenSrc parent;
  GstImagegenSrcText text;
};

typedef struct
{
  GstClockTime time;            /* running time, NONE: at once */
  gchar *prompt;
} TextCue;

static GstStaticPadTemplate text_template = GST_STATIC_PAD_TEMPLATE ("text",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("text/x-raw, format = (string) { utf8, pango-markup }"));

static void
text_cue_free (TextCue * cue)
{
  g_free (cue->prompt);
  g_free (cue);
}

static void
collect_text (GMarkupParseContext * context, const gchar * text,
    gsize len, gpointer user_data, GError ** error)
{
  g_string_append_len (user_data, text, len);
}

/* Pango markup to plain text: tags dropped, entities unescaped. */
static gchar *
strip_markup (const gchar * markup, gsize len, GError ** error)
{
  static const GMarkupParser parser = { NULL, NULL, collect_text, NULL, NULL };
  GString *plain = g_string_new (NULL);
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0,
      plain, NULL);
  gboolean ok;

  /* one root element, as GMarkup wants */
  ok = g_markup_parse_context_parse (context, "<markup>", -1, error)
      && g_markup_parse_context_parse (context, markup, len, error)
      && g_markup_parse_context_parse (context, "</markup>", -1, error)
      && g_markup_parse_context_end_parse (context, error);
  g_markup_parse_context_free (context);
  if (!ok) {
    g_string_free (plain, TRUE);
    return NULL;
  }
  return g_string_free (plain, FALSE);
}

/* Lines of a cue become one line; outer white space goes. */
static gchar *
one_line (gchar * text)
{
  gchar *p;

  for (p = text; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return g_strstrip (text);
}

static gchar *
apply_template (const gchar * template, const gchar * text)
{
  gchar **parts = g_strsplit (template, TEXT_FIELD, -1);
  gchar *prompt = g_strjoinv (text, parts);

  g_strfreev (parts);
  return prompt;
}

static void
insert_cue_locked (GstImagegenSrcText * t, TextCue * cue)
{
  GList *l;

  /* texts usually come in order: look from the end */
  for (l = t->cues.tail; l != NULL; l = l->prev) {
    TextCue *other = l->data;
    if (!GST_CLOCK_TIME_IS_VALID (cue->time) || (GST_CLOCK_TIME_IS_VALID
            (other->time) && other->time <= cue->time))
      break;
  }
  if (l == NULL)
    g_queue_push_head (&t->cues, cue);
  else
    g_queue_insert_after (&t->cues, l, cue);
}

/* The text of @buf as a prompt; NULL (with the reason in @why, or none
 * for an empty text) when there is none. */
static gchar *
buffer_prompt (GstImagegenSrc * src, GstBuffer * buf, gchar ** why)
{
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;
  GError *error = NULL;
  GstMapInfo map;
  gchar *text, *prompt, *template;
  ImagegenPromptUse use;
  guint min, max;
  glong length;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return NULL;
  if (!g_utf8_validate ((const gchar *) map.data, map.size, NULL)) {
    *why = g_strdup ("it is not UTF-8");
    gst_buffer_unmap (buf, &map);
    return NULL;
  }
  if (t->markup) {
    text = strip_markup ((const gchar *) map.data, map.size, &error);
    if (text == NULL) {
      *why = g_strdup_printf ("it is not valid Pango markup (%s)",
          error->message);
      g_error_free (error);
      gst_buffer_unmap (buf, &map);
      return NULL;
    }
  } else {
    text = g_strndup ((const gchar *) map.data, map.size);
  }
  gst_buffer_unmap (buf, &map);
  one_line (text);
  if (*text == '\0') {
    g_free (text);
    return NULL;
  }

  GST_OBJECT_LOCK (src);
  template = g_strdup (t->template);
  use = gst_imagegen_settings_prompt_limits (&src->settings,
      IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, &min, &max);
  GST_OBJECT_UNLOCK (src);
  prompt = apply_template (template, text);
  g_free (template);
  g_free (text);
  length = g_utf8_strlen (prompt, -1);
  /* an unknown model was refused at start */
  if (use != IMAGEGEN_PROMPT_UNKNOWN && (length < min || (max > 0
              && length > max))) {
    *why = max > 0 ? g_strdup_printf ("its prompt has %ld characters; the "
        "model takes %u to %u", length, min, max) :
        g_strdup_printf ("its prompt has %ld characters; the model takes "
        "at least %u", length, min);
    g_free (prompt);
    return NULL;
  }
  return prompt;
}

static GstFlowReturn
text_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (parent);
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;
  gchar *why = NULL, *prompt = buffer_prompt (src, buf, &why);
  GstClockTime time = GST_CLOCK_TIME_NONE;
  TextCue *cue;

  if (GST_BUFFER_PTS_IS_VALID (buf))
    time = gst_segment_to_running_time (&t->segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buf));
  if (prompt == NULL) {
    if (why != NULL)
      GST_ELEMENT_WARNING (src, STREAM, FORMAT,
          ("The text at %" GST_TIME_FORMAT " was skipped: %s.",
              GST_TIME_ARGS (GST_BUFFER_PTS (buf)), why), (NULL));
    g_free (why);
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  GST_DEBUG_OBJECT (src, "text at %" GST_TIME_FORMAT ": \"%s\"",
      GST_TIME_ARGS (time), prompt);
  cue = g_new0 (TextCue, 1);
  cue->time = time;
  cue->prompt = prompt;
  g_mutex_lock (&src->lock);
  insert_cue_locked (t, cue);
  g_mutex_unlock (&src->lock);
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}

static gboolean
text_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (parent);
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;
  gboolean ret = TRUE;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      const gchar *format;

      gst_event_parse_caps (event, &caps);
      format = gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "format");
      t->markup = g_strcmp0 (format, "pango-markup") == 0;
      break;
    }
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &t->segment);
      if (t->segment.format != GST_FORMAT_TIME) {
        GST_ELEMENT_WARNING (src, STREAM, FORMAT,
            ("The text stream is not timed: its texts are used as they "
                "come."), (NULL));
        gst_segment_init (&t->segment, GST_FORMAT_TIME);
      }
      break;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&src->lock);
      g_queue_clear_full (&t->cues, (GDestroyNotify) text_cue_free);
      g_mutex_unlock (&src->lock);
      gst_segment_init (&t->segment, GST_FORMAT_TIME);
      break;
    default:
      /* the video goes on after the texts end (EOS), and nothing of the
       * text stream goes downstream */
      break;
  }
  gst_event_unref (event);
  return ret;
}

/* streaming thread, live: a text due at @pts becomes the pending wish */
static gboolean
text_prompt_due (GstImagegenSrc * src, GstClockTime pts)
{
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;
  GstClockTime lead, interval;
  TextCue *newest = NULL, *cue;

  GST_OBJECT_LOCK (src);
  lead = t->lead_time;
  interval = t->min_interval;
  GST_OBJECT_UNLOCK (src);

  g_mutex_lock (&src->lock);
  /* every text due by now: the newest wins */
  while ((cue = g_queue_peek_head (&t->cues)) != NULL
      && (!GST_CLOCK_TIME_IS_VALID (cue->time) || cue->time <= pts + lead)) {
    g_queue_pop_head (&t->cues);
    if (newest != NULL)
      GST_DEBUG_OBJECT (src, "text \"%s\" overtaken", newest->prompt);
    g_clear_pointer (&newest, text_cue_free);
    newest = cue;
  }
  if (newest != NULL && GST_CLOCK_TIME_IS_VALID (t->last_request)
      && pts < t->last_request + interval) {
    /* too soon after the last one: waits, unless a newer one comes */
    g_queue_push_head (&t->cues, newest);
    newest = NULL;
  }
  if (newest != NULL) {
    t->last_request = pts;
    g_free (src->pending_prompt);
    src->pending_prompt = g_strdup (newest->prompt);
    src->pending_show_at = GST_CLOCK_TIME_IS_VALID (newest->time)
        && newest->time > pts ? newest->time : GST_CLOCK_TIME_NONE;
    GST_DEBUG_OBJECT (src, "text due at %" GST_TIME_FORMAT ": \"%s\"",
        GST_TIME_ARGS (pts), newest->prompt);
    g_free (src->text_prompt);
    src->text_prompt = g_steal_pointer (&newest->prompt);
  }
  g_mutex_unlock (&src->lock);
  if (newest == NULL)
    return FALSE;
  text_cue_free (newest);
  return TRUE;
}

/* the text pad needs is-live, the template a {text} */
static gboolean
text_start_prompts (GstImagegenSrc * src)
{
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;
  gboolean live, has_field;
  gchar *template;

  GST_OBJECT_LOCK (src);
  live = src->is_live;
  template = g_strdup (t->template);
  GST_OBJECT_UNLOCK (src);
  has_field = strstr (template, TEXT_FIELD) != NULL;

  if (!live) {
    GST_ELEMENT_ERROR (src, LIBRARY, SETTINGS,
        ("imagegentextsrc needs is-live=true: prompts from a text stream "
            "change a live picture."), (NULL));
  } else if (!has_field) {
    GST_ELEMENT_ERROR (src, LIBRARY, SETTINGS,
        ("prompt-template \"%s\" has no {text}: it would send the same "
            "prompt for every text.", template), (NULL));
  }
  g_free (template);
  g_mutex_lock (&src->lock);
  g_queue_clear_full (&t->cues, (GDestroyNotify) text_cue_free);
  t->last_request = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&src->lock);
  return live && has_field;
}

static void
text_stop_prompts (GstImagegenSrc * src)
{
  GstImagegenSrcText *t = &GST_IMAGEGEN_TEXT_SRC (src)->text;

  g_mutex_lock (&src->lock);
  g_queue_clear_full (&t->cues, (GDestroyNotify) text_cue_free);
  g_mutex_unlock (&src->lock);
}

/**
 * SECTION:element-imagegentextsrc
 * @title: imagegentextsrc
 *
 * A live #GstImagegenSrc whose prompts come from a text stream on its
 * `text` pad (`text/x-raw`, utf8 or pango-markup): `subparse` reading an
 * SRT rundown, a speech-to-text element, anything that makes text.  Each
 * text becomes a prompt through #GstImagegenTextSrc:prompt-template
 * (markup stripped, entities unescaped, lines joined) and starts a new
 * image at the text's running time (up to #GstImagegenTextSrc:lead-time
 * earlier, the image then waiting for the text's time).  The newest text
 * due wins, and requests are at least
 * #GstImagegenTextSrc:min-prompt-interval apart.  Output, spending guard,
 * messages and stats are imagegensrc's (placeholder, hold, cross-fade).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=rundown.srt ! subparse ! g.text imagegentextsrc name=g prompt-template="{text}, flat vector illustration" transition-duration=500000000 ! videoconvert ! autovideosink
 * ]| A picture for each cue of a rundown, at the cue's time.
 */

enum
{
  PROP_0,
  PROP_PROMPT_TEMPLATE,
  PROP_MIN_PROMPT_INTERVAL,
  PROP_LEAD_TIME,
};

static const GstImagegenField text_fields[] = {
  GST_IMAGEGEN_FIELD (PROP_PROMPT_TEMPLATE, GstImagegenSrcText, template),
  GST_IMAGEGEN_FIELD (PROP_MIN_PROMPT_INTERVAL, GstImagegenSrcText,
      min_interval),
  GST_IMAGEGEN_FIELD (PROP_LEAD_TIME, GstImagegenSrcText, lead_time),
  GST_IMAGEGEN_FIELDS_END
};

G_DEFINE_TYPE (GstImagegenTextSrc, gst_imagegen_text_src,
    GST_TYPE_IMAGEGEN_SRC);
GST_ELEMENT_REGISTER_DEFINE (imagegentextsrc, "imagegentextsrc",
    GST_RANK_NONE, GST_TYPE_IMAGEGEN_TEXT_SRC);

static void
gst_imagegen_text_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstImagegenTextSrc *self = GST_IMAGEGEN_TEXT_SRC (object);
  GstImagegenSrcText *t = &self->text;

  GST_OBJECT_LOCK (self);
  if (!gst_imagegen_fields_set (t, text_fields, NULL, 0, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else if (t->template == NULL)        /* unset: the default again */
    t->template = g_strdup (DEFAULT_TEMPLATE);
  GST_OBJECT_UNLOCK (self);
}

static void
gst_imagegen_text_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstImagegenTextSrc *self = GST_IMAGEGEN_TEXT_SRC (object);
  GstImagegenSrcText *t = &self->text;

  GST_OBJECT_LOCK (self);
  if (!gst_imagegen_fields_get (t, text_fields, NULL, 0, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
gst_imagegen_text_src_finalize (GObject * object)
{
  GstImagegenTextSrc *self = GST_IMAGEGEN_TEXT_SRC (object);

  g_queue_clear_full (&self->text.cues, (GDestroyNotify) text_cue_free);
  g_free (self->text.template);
  G_OBJECT_CLASS (gst_imagegen_text_src_parent_class)->finalize (object);
}

static void
gst_imagegen_text_src_class_init (GstImagegenTextSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstImagegenSrcClass *src_class = (GstImagegenSrcClass *) klass;
  const GParamFlags rw_playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  gobject_class->set_property = gst_imagegen_text_src_set_property;
  gobject_class->get_property = gst_imagegen_text_src_get_property;
  src_class->start_prompts = GST_DEBUG_FUNCPTR (text_start_prompts);
  src_class->stop_prompts = GST_DEBUG_FUNCPTR (text_stop_prompts);
  src_class->prompt_due = GST_DEBUG_FUNCPTR (text_prompt_due);
  gobject_class->finalize = gst_imagegen_text_src_finalize;

  /**
   * GstImagegenTextSrc:prompt-template:
   *
   * The prompt each text becomes, `{text}` standing for the text, e.g.
   * `"{text}, flat vector illustration"`.
   */
  g_object_class_install_property (gobject_class, PROP_PROMPT_TEMPLATE,
      g_param_spec_string ("prompt-template", "Prompt template",
          "The prompt each text becomes, {text} standing for it",
          DEFAULT_TEMPLATE, rw_playing));
  /**
   * GstImagegenTextSrc:min-prompt-interval:
   *
   * Requests are at least this much running time apart; of the texts due
   * meanwhile, the newest goes next.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_PROMPT_INTERVAL,
      g_param_spec_uint64 ("min-prompt-interval", "Minimum prompt interval",
          "Least running time between two requests (nanoseconds); the "
          "newest text waiting goes next", 0, G_MAXUINT64,
          DEFAULT_MIN_INTERVAL, rw_playing));
  /**
   * GstImagegenTextSrc:lead-time:
   *
   * A text's request may start this long before its running time; its
   * image then shows from the text's time on.
   */
  g_object_class_install_property (gobject_class, PROP_LEAD_TIME,
      g_param_spec_uint64 ("lead-time", "Lead time",
          "Start a text's image up to this long before its time "
          "(nanoseconds); it shows from the text's time", 0, G_MAXUINT64,
          DEFAULT_LEAD_TIME, rw_playing));

  gst_element_class_add_static_pad_template (element_class, &text_template);
  gst_element_class_set_static_metadata (element_class,
      "Image generation from text", "Source/Video",
      "Generates live images from the prompts of a text stream with a "
      "remote image model", "gst-imagegen developers");
}

static void
gst_imagegen_text_src_init (GstImagegenTextSrc * self)
{
  GstImagegenSrc *src = GST_IMAGEGEN_SRC (self);
  GstImagegenSrcText *t = &self->text;

  t->template = g_strdup (DEFAULT_TEMPLATE);
  t->min_interval = DEFAULT_MIN_INTERVAL;
  t->lead_time = DEFAULT_LEAD_TIME;
  t->last_request = GST_CLOCK_TIME_NONE;
  g_queue_init (&t->cues);
  gst_segment_init (&t->segment, GST_FORMAT_TIME);
  /* a text stream changes a live picture */
  src->is_live = TRUE;
  gst_base_src_set_live (GST_BASE_SRC (src), TRUE);

  t->pad = gst_pad_new_from_static_template (&text_template, "text");
  gst_pad_set_chain_function (t->pad, text_chain);
  gst_pad_set_event_function (t->pad, text_event);
  gst_element_add_pad (GST_ELEMENT (self), t->pad);
}
