/* gst-imagegen: imagegenremix, video frames to remixed frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include "gstimagegensettings.h"
#include "gstimagegenimage.h"
#include "gstimagegenengine.h"
#include "gstimagegenscreen.h"

G_BEGIN_DECLS

/**
 * GstImagegenRemixMode:
 * @GST_IMAGEGEN_REMIX_MODE_AUTO: live when upstream is live, else offline
 * @GST_IMAGEGEN_REMIX_MODE_LIVE: never wait: every frame leaves at once
 *   showing the newest result
 * @GST_IMAGEGEN_REMIX_MODE_OFFLINE: frames wait for the remix of the latest
 *   picked frame at or before them; nothing is dropped
 * @GST_IMAGEGEN_REMIX_MODE_ALIGNED: live with a declared latency: every
 *   frame leaves at its running time plus #GstImagegenRemix:latency,
 *   showing its own pick's remix when it is in by then, else the newest
 *   earlier one
 */
typedef enum
{
  GST_IMAGEGEN_REMIX_MODE_AUTO,
  GST_IMAGEGEN_REMIX_MODE_LIVE,
  GST_IMAGEGEN_REMIX_MODE_OFFLINE,
  GST_IMAGEGEN_REMIX_MODE_ALIGNED,
} GstImagegenRemixMode;

/**
 * GstImagegenRemixFallback:
 * @GST_IMAGEGEN_REMIX_FALLBACK_INPUT: show the input frame itself
 * @GST_IMAGEGEN_REMIX_FALLBACK_BLACK: show a black frame
 * @GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS: show the previous result (the
 *   input while there is none)
 *
 * What a frame shows when it has no result of its own.
 */
typedef enum
{
  GST_IMAGEGEN_REMIX_FALLBACK_INPUT,
  GST_IMAGEGEN_REMIX_FALLBACK_BLACK,
  GST_IMAGEGEN_REMIX_FALLBACK_PREVIOUS,
} GstImagegenRemixFallback;

/**
 * GstImagegenRemixPickMode:
 * @GST_IMAGEGEN_REMIX_PICK_INTERVAL: a frame every interval of stream time
 * @GST_IMAGEGEN_REMIX_PICK_SCENE: a frame at each shot change only
 * @GST_IMAGEGEN_REMIX_PICK_BOTH: at shot changes, and after interval at
 *   the latest
 *
 * Which frames are sent (the first frame always is).
 */
typedef enum
{
  GST_IMAGEGEN_REMIX_PICK_INTERVAL,
  GST_IMAGEGEN_REMIX_PICK_SCENE,
  GST_IMAGEGEN_REMIX_PICK_BOTH,
} GstImagegenRemixPickMode;

/**
 * GstImagegenRemixCoherence:
 * @GST_IMAGEGEN_REMIX_COHERENCE_NONE: every pick stands alone
 * @GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT: the previous result goes
 *   along as one more source image; requests run one after another
 */
typedef enum
{
  GST_IMAGEGEN_REMIX_COHERENCE_NONE,
  GST_IMAGEGEN_REMIX_COHERENCE_PREVIOUS_RESULT,
} GstImagegenRemixCoherence;

/**
 * GstImagegenRemixMotion:
 * @GST_IMAGEGEN_REMIX_MOTION_HOLD: a result stands still until the next
 * @GST_IMAGEGEN_REMIX_MOTION_FLOW: results are carried along the input's
 *   optical flow to every frame between picks
 */
typedef enum
{
  GST_IMAGEGEN_REMIX_MOTION_HOLD,
  GST_IMAGEGEN_REMIX_MOTION_FLOW,
} GstImagegenRemixMotion;

typedef struct _RemixPick RemixPick;
typedef struct _GstImagegenFlow GstImagegenFlow;

#define GST_TYPE_IMAGEGEN_REMIX (gst_imagegen_remix_get_type ())
G_DECLARE_FINAL_TYPE (GstImagegenRemix, gst_imagegen_remix, GST,
    IMAGEGEN_REMIX, GstBaseTransform)

struct _GstImagegenRemix
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  GstImagegenSettings settings;
  GstClockTime interval;
  GstImagegenRemixMode mode;
  GstImagegenRemixFallback placeholder;
  GstImagegenRemixFallback on_failure;
  guint jpeg_quality;
  guint upload_max_side;
  guint max_queue_frames;
  guint64 max_queue_bytes;
  GPtrArray *reference_images;  /* file names or http(s) URLs */
  GstClockTime transition_duration;
  GstClockTime latency;         /* aligned mode */
  GstClockTime max_result_age;  /* warn above it, 0 = never */
  GstImagegenRemixPickMode pick_mode;
  gdouble scene_threshold;
  gdouble skip_similar;
  GstImagegenRemixCoherence coherence;
  GstImagegenRemixMotion motion;
  gboolean measure_flicker;

  GstImagegenEngine engine;

  /* shared by the streaming thread, the src task and the workers, under
   * lock */
  GMutex lock;
  GCond cond;
  gboolean flushing;
  gboolean live;
  guint generation;             /* bumped by every reset: older picks are
                                 * stale */
  guint n_picks;
  GstClockTime last_pick_time;  /* stream time of the last picked frame */
  guint64 frames_seen;          /* since the start or a flush */
  gboolean warned_untimed;      /* frames without timestamps were reported */
  guint8 *previous_thumb;       /* the frame before, as a small grey picture */
  guint8 *picked_thumb;         /* the last picked frame, the same way */
  gdouble previous_change;      /* the frame before's difference from its
                                 * own predecessor */
  guint picks_skipped;          /* due, but like the last pick */
  gboolean force_pick;          /* a force-key-unit event came: the next
                                 * frame is a pick, whatever else says */
  guint picks_at_cuts;
  gboolean cut_since_pick;      /* a shot change since the newest pick */
  guint draining;               /* offline: waits for an empty queue */
  guint64 flow_frames;          /* carried along the flow */
  guint64 flow_one_neighbour;   /* ... from one neighbour, not two */
  guint64 flow_fallbacks;       /* live: shown unwarped, flow too slow */
  gint64 flow_us;               /* time spent on those frames */
  gdouble flicker_in_sum;       /* measure-flicker: each frame's difference */
  gdouble flicker_out_sum;      /* from the one before, carried along the */
  guint64 flicker_frames;       /* input's motion, summed; frames measured */
  RemixPick *governing;         /* offline: newest pick, governs new frames */
  RemixPick *newest_done;       /* live: newest successful pick */
  GQueue queue;                 /* offline: RemixItem, oldest first */
  guint queued_frames;
  guint64 queue_bytes;
  gboolean task_busy;           /* offline: an item is being pushed */
  GstFlowReturn srcresult;      /* offline: the src task's last flow */
  GPtrArray *reference_urls;    /* ready to use; NULL until uploaded */
  GPtrArray *reference_bytes;   /* the uploaded ones' bytes, for cache keys */
  GError *reference_error;
  GstVideoInfo in_info;
  GstVideoInfo out_info;
  gboolean aligned;             /* aligned mode: the offline queue and task,
                                 * frames leaving at their deadlines */
  GstClockID deadline_id;       /* aligned: the src task's clock wait */
  GQueue recent_picks;          /* aligned: picks that may still show */
  guint64 frames_own;           /* frames shown with their own pick's result */
  guint64 frames_older;         /* ... with an older one */
  GstClockTime shown_age;       /* the last frame's result's age */
  GstClockTime max_shown_age;
  RemixPick *last_noted;        /* the result the last frame showed */
  gboolean age_warned;          /* re-armed when the age is back under */
  GstStructure *pending_post;   /* a message or warning to post, unlocked */

  /* the streaming thread (live) or the src task (offline) only */
  gboolean mode_decided;
  GstBuffer *live_input;        /* live: the frame submitted, to output */
  GstClockTime live_time;       /* ... its stream time */
  RemixPick *live_pick;
  RemixPick *shown_pick;        /* the result shown last, NULL: none */
  GstImagegenScreen screen;     /* what shows: placement, fades, black */
  GstImagegenFlow *flow;        /* motion=flow: the optical flow engine */
  gint64 flow_cost_us;          /* live: recent cost of a carried frame */
  gboolean flow_fast;           /* live: MEDIUM did not fit, FAST runs */
  guint flow_skipped;           /* live: frames since the last flow */
  guint8 *flicker_in;           /* measure-flicker: the frame before, input */
  guint8 *flicker_out;          /* and output, small and grey at flow size */
  gint flicker_width, flicker_height;
  struct _GstImagegenFlowField *flicker_flow;   /* the flow between them */
};

GST_ELEMENT_REGISTER_DECLARE (imagegenremix);

G_END_DECLS
