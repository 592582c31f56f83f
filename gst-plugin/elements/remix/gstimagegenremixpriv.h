/* gst-imagegen: imagegenremix's parts, shared by its files.
 *
 *   gstimagegenremix.c         properties, caps, events, start and stop
 *   gstimagegenremixpick.c     picking frames, their requests and results
 *   gstimagegenremixlive.c     live mode: every frame leaves at once
 *   gstimagegenremixoffline.c  offline mode: the queue and the src task;
 *                              the choice of mode
 *   gstimagegenremixtypes.c    the enumerations' GTypes, the debug category
 *   gstimagegenremixaligned.c  aligned mode: frames at their deadlines; the
 *                              age of shown results (every mode)
 *   gstimagegenremixoutput.c   what a frame shows: results, fallbacks, fades
 *                              (on the screen component, gstimagegenscreen.c)
 *   gstimagegenremixresult.c   a pick's references
 *   gstimagegenremixrefs.c     reference images: checked, uploaded once
 *   gstimagegenremixscene.c    shot changes and similar frames
 *   gstimagegenremixmotion.c   motion=flow: results carried along the
 *                              input's optical flow (gstimagegenflow.h)
 *   gstimagegenremixflicker.c  measure-flicker: how steady the output is
 *
 * Locks, in the order they may be taken: the stream lock of a pad, then
 * remix->lock, then GST_OBJECT_LOCK (short property reads only), then the
 * engine's lock.  No bus message is posted, no pad pushed and no request
 * handed to the engine with remix->lock held.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gstimagegenremix.h"
#include "gstimagegenflow.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_imagegen_remix_debug);

/* One picked frame and, once done, its remix. */
struct _RemixPick
{
  guint index;
  GstClockTime time;            /* stream time of the picked frame */
  gboolean done;                /* under remix->lock */
  GstImagegenImage *image;      /* decoded result, NULL when failed */
  GstImagegenPlacement placed;  /* the image placed at the output caps, by
                                 * the worker that decoded it */
  RemixPick *next;              /* the pick after it, under remix->lock */
  gboolean at_cut;              /* a shot change came since the pick before */
  guint8 *grey;                 /* motion=flow: the picked frame, small and
                                 * grey (gst_imagegen_flow_size) */
  gint grey_width, grey_height;
  /* the output thread's only */
  GstImagegenFlowField *warm;   /* the last flow to it, to start the next */
  GstImagegenPlacement placed_rgba;     /* the image at output size, RGBA */
};

/* A frame with the pick that governs it, or a serialized event, in the
 * offline (and aligned) queue. */
typedef struct
{
  GstBuffer *frame;
  RemixPick *pick;              /* governing pick, NULL before any */
  GstEvent *event;
  GstClockTime time;            /* the frame's stream time */
  GstClockTime deadline;        /* aligned: running time it leaves at */
  gboolean after_cut;           /* a shot change came since its pick */
} RemixItem;

/* gstimagegenremixresult.c */
/* A new pick, one reference held */
RemixPick *gst_imagegen_remix_pick_new (void);
RemixPick *gst_imagegen_remix_pick_ref (RemixPick * pick);
void gst_imagegen_remix_pick_unref (RemixPick * pick);
void gst_imagegen_remix_replace_pick (RemixPick ** slot, RemixPick * pick);
/* Queues @item (its frame set) behind the others, governed by the newest
 * pick (offline and aligned). */
void gst_imagegen_remix_queue_frame_locked (GstImagegenRemix * remix,
    RemixItem * item);

/* gstimagegenremixpick.c: the streaming thread picks @frame when its time
 * @time is due.  Called with remix->lock held; releases it while the
 * request is handed to the engine.  Returns TRUE when a pick was made. */
GType gst_imagegen_remix_mode_get_type (void);
GType gst_imagegen_remix_fallback_get_type (void);

/* gstimagegenremixpick.c: the stream time of @buf, the frame count's at
 * the input's framerate when it has no timestamp (warns once).  No lock
 * held. */
GstClockTime gst_imagegen_remix_stream_time_of (GstImagegenRemix * remix,
    GstBuffer * buf);

/* At start, no lock held: a warning for settings that do not what their
 * user may think (an interval longer than a day picks one frame a file). */
void gst_imagegen_remix_warn_settings (GstImagegenRemix * remix);

/* From set_caps, no lock held: a warning when the model's own input limit
 * shrinks frames of @in_info that it would otherwise get as they are. */
void gst_imagegen_remix_note_upload_size (GstImagegenRemix * remix,
    const GstVideoInfo * in_info);

gboolean gst_imagegen_remix_pick_if_due_locked (GstImagegenRemix * remix,
    GstBuffer * frame, GstClockTime time, gboolean wait_for_slot);

/* gstimagegenremixscene.c: shot changes and similar frames */
typedef enum
{
  GST_IMAGEGEN_REMIX_PICK_NOT_DUE,
  GST_IMAGEGEN_REMIX_PICK_DUE,
  GST_IMAGEGEN_REMIX_PICK_AT_CUT,
} GstImagegenRemixPickReason;

/* Property ids of the picking, from the element's first id for them. */
enum
{
  GST_IMAGEGEN_REMIX_PROP_PICK,
  GST_IMAGEGEN_REMIX_PROP_SCENE_THRESHOLD,
  GST_IMAGEGEN_REMIX_PROP_SKIP_SIMILAR,
  GST_IMAGEGEN_REMIX_PROP_COHERENCE,
  GST_IMAGEGEN_REMIX_N_PICK_PROPS
};

GType gst_imagegen_remix_pick_mode_get_type (void);
void gst_imagegen_remix_scene_init (GstImagegenRemix * remix);
void gst_imagegen_remix_scene_reset_locked (GstImagegenRemix * remix);
/* Every frame passes here, in order: whether it is due (@interval_due:
 * by the interval), at a shot change, or like the last pick (then counted
 * as skipped, and the interval starts again from @time). */
GstImagegenRemixPickReason gst_imagegen_remix_scene_judge_locked
    (GstImagegenRemix * remix, GstBuffer * frame, GstClockTime time,
    gboolean interval_due);
/* The frame last judged was picked. */
void gst_imagegen_remix_scene_picked_locked (GstImagegenRemix * remix,
    GstImagegenRemixPickReason reason);
/* picks, picks-skipped, picks-at-cuts; takes remix->lock */
void gst_imagegen_remix_scene_add_stats (GstImagegenRemix * remix,
    GstStructure * stats);
void gst_imagegen_remix_scene_install_properties (GObjectClass * klass,
    guint first_prop_id);
/* The members these properties are, under the object lock */
extern const GstImagegenField gst_imagegen_remix_scene_fields[];

/* gstimagegenremixlive.c */
GstFlowReturn gst_imagegen_remix_live_submit_locked (GstImagegenRemix * remix,
    GstBuffer * buf, GstClockTime time);
GstFlowReturn gst_imagegen_remix_live_generate (GstImagegenRemix * remix,
    GstBuffer ** outbuf);

/* gstimagegenremixoffline.c */
GstFlowReturn gst_imagegen_remix_offline_submit_locked (GstImagegenRemix *
    remix, GstBuffer * buf, GstClockTime time);
/* Queues a serialized event behind the frames before it (taken). */
void gst_imagegen_remix_offline_queue_event (GstImagegenRemix * remix,
    GstEvent * event);
/* Waits until every queued item has left (for caps changes and
 * serialized queries); FALSE when flushing or the task stopped. */
gboolean gst_imagegen_remix_offline_wait_drained (GstImagegenRemix * remix);
void gst_imagegen_remix_offline_start_task (GstImagegenRemix * remix);
/* At the first frame: live, offline or aligned, from the mode property
 * and, with auto, whether upstream is live; offline starts the task.
 * FALSE, the error posted, when auto came out offline and the model is
 * one that only streams. */
gboolean gst_imagegen_remix_decide_mode (GstImagegenRemix * remix);
/* Wakes every wait and stops the task (flush-start, PAUSED to READY). */
void gst_imagegen_remix_offline_set_flushing (GstImagegenRemix * remix);
void gst_imagegen_remix_offline_stop_task (GstImagegenRemix * remix);
void gst_imagegen_remix_offline_clear_locked (GstImagegenRemix * remix);

/* gstimagegenremixaligned.c: queues @buf without ever blocking upstream */
GstFlowReturn gst_imagegen_remix_aligned_submit_locked (GstImagegenRemix *
    remix, GstBuffer * buf, GstClockTime time);
/* src task: waits for @item's deadline; FALSE when flushing */
gboolean gst_imagegen_remix_aligned_wait (GstImagegenRemix * remix,
    RemixItem * item);
/* src task: the pick whose result @item shows (a ref, or NULL) */
RemixPick *gst_imagegen_remix_aligned_choose (GstImagegenRemix * remix,
    RemixItem * item);
/* wakes the src task's clock wait (flush, stop) */
void gst_imagegen_remix_aligned_unschedule_locked (GstImagegenRemix * remix);
void gst_imagegen_remix_aligned_clear_locked (GstImagegenRemix * remix);
/* counts a frame shown at @time with @shown's result, @own its own pick */
void gst_imagegen_remix_note_shown_locked (GstImagegenRemix * remix,
    GstClockTime time, RemixPick * own, RemixPick * shown);
/* posts what note_shown left to post; not under remix->lock */
void gst_imagegen_remix_post_shown (GstImagegenRemix * remix);
void gst_imagegen_remix_add_frame_stats (GstImagegenRemix * remix,
    GstStructure * stats);
void gst_imagegen_remix_reset_frame_stats_locked (GstImagegenRemix * remix);
/* adds the latency to upstream's answer (aligned mode) */
void gst_imagegen_remix_aligned_adjust_latency (GstImagegenRemix * remix,
    GstQuery * query);

/* gstimagegenremixrefs.c: how many source images one request of the
 * current model may carry in all (frame, references, previous result) */
guint gst_imagegen_remix_sources_taken (GstImagegenRemix * remix);
/* gstimagegenremixrefs.c: reads the local reference images into @upload
 * (URLs as they are) and checks their count and headers; posts the error
 * and returns FALSE when one is refused */
gboolean gst_imagegen_remix_load_references (GstImagegenRemix * remix,
    ImagegenRequest * upload);
/* client thread: the uploaded references' URLs, or the upload's error */
void gst_imagegen_remix_references_uploaded (ImagegenResult * result,
    gpointer user_data);

/* gstimagegenremixmotion.c: motion=flow */
GType gst_imagegen_remix_motion_get_type (void);
/* Property ids of motion, from the element's first id for them. */
enum
{
  GST_IMAGEGEN_REMIX_PROP_MOTION,
  GST_IMAGEGEN_REMIX_PROP_MEASURE_FLICKER,
};
void gst_imagegen_remix_motion_install_properties (GObjectClass * klass,
    guint first);
/* The members these properties are, under the object lock */
extern const GstImagegenField gst_imagegen_remix_motion_fields[];
/* @frame (of @info) scaled to @width x @height grey, in packed rows */
guint8 *gst_imagegen_remix_motion_grey (GstBuffer * frame,
    const GstVideoInfo * info, gint width, gint height);
/* Takes the object lock. */
gboolean gst_imagegen_remix_motion_is_flow (GstImagegenRemix * remix);
/* At start: motion=flow in a build without the feature posts the error
 * and returns FALSE; measure-flicker there, a warning. */
gboolean gst_imagegen_remix_motion_check_start (GstImagegenRemix * remix);
/* The streaming thread made @pick of @frame (remix->lock held). */
void gst_imagegen_remix_motion_note_pick_locked (GstImagegenRemix * remix,
    RemixPick * pick, GstBuffer * frame);
/* Offline: may the queue's head (its pick done) leave, or does it wait
 * for its next pick's result?  @full: the queue is at its bounds. */
gboolean gst_imagegen_remix_motion_settled_locked (GstImagegenRemix * remix,
    RemixItem * head, gboolean full);
/* What @item shows with motion=flow: *@shown (a ref, may be replaced: a
 * frame after a shot change shows the next pick), and the second
 * neighbour to blend in (a ref, or NULL).  *@carry: whether *@shown may
 * be carried along the flow to the frame (not across a shot change). */
RemixPick *gst_imagegen_remix_motion_next_locked (GstImagegenRemix * remix,
    RemixItem * item, RemixPick ** shown, gboolean * carry);
/* The output thread: @shown's result carried to @input (at @time), blended
 * with @next's when not NULL, in @out_info; NULL: show it as it is. */
GstBuffer *gst_imagegen_remix_motion_carry (GstImagegenRemix * remix,
    GstBuffer * input, GstClockTime time, RemixPick * shown,
    RemixPick * next, gboolean live, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info, GstImagegenScaleMode scale_mode);
void gst_imagegen_remix_motion_reset_locked (GstImagegenRemix * remix);
/* Frees the flow engine; the output thread has stopped. */
void gst_imagegen_remix_motion_stop (GstImagegenRemix * remix);

/* gstimagegenremixoutput.c: the frame @input (at @time) shows @pick's
 * result (or a fallback), with @carry carried along the flow and blended
 * with @next's */
GstBuffer *gst_imagegen_remix_make_output (GstImagegenRemix * remix,
    GstBuffer * input, GstClockTime time, RemixPick * pick, RemixPick * next,
    gboolean live, gboolean carry);
void gst_imagegen_remix_forget_shown (GstImagegenRemix * remix);

/* gstimagegenremixflicker.c: measure-flicker.  The output thread measures
 * @out, made for @input; the stats get the figures (takes remix->lock);
 * reset at start, remix->lock held (the figures outlive a stop, for the
 * end's report); stop: the output thread has stopped. */
void gst_imagegen_remix_flicker_measure (GstImagegenRemix * remix,
    GstBuffer * input, GstBuffer * out, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info);
void gst_imagegen_remix_flicker_add_stats (GstImagegenRemix * remix,
    GstStructure * stats);
void gst_imagegen_remix_flicker_reset_locked (GstImagegenRemix * remix);
void gst_imagegen_remix_flicker_stop (GstImagegenRemix * remix);

G_END_DECLS
