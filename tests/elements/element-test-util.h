/* gst-imagegen: helpers the element tests share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <gst/video/video.h>
#include "imagegen-test-emulator.h"

G_BEGIN_DECLS

/* The emulator's text-to-image picture of @prompt is a vertical gradient
 * from bytes 0..2 (top) to 3..5 (bottom) of the prompt's SHA-256, with
 * its shapes kept off a 16-pixel border: the left edge at @fraction of the
 * height has this colour. */
void element_test_prompt_colour (const gchar * prompt, gdouble fraction,
    guint8 rgb[3]);

/* Blocks until @n "completed" imagegen-task messages came on @bus; fails
 * the test on an error message or after a minute without one. */
void element_test_wait_completed (GstBus * bus, guint n);

/* Blocks until an "imagegen-task" message with @event comes on @bus;
 * fails the test on an error or after a minute without one.  Warnings on
 * the way add to *@warnings; the first one's text goes to *@first when
 * @first is not NULL and holds none yet. */
void element_test_wait_task_event (GstBus * bus, const gchar * event,
    guint * warnings, gchar ** first);

/* The element's stats field @name as a number (guint, guint64 or
 * gint64); fails the test when it has no such field. */
guint64 element_test_stat (GstElement * element, const gchar * name);

/* Pops the warnings on @bus into *@warnings and *@first as above, fails
 * the test on an error; returns *@warnings. */
guint element_test_count_warnings (GstBus * bus, guint * warnings,
    gchar ** first);

/* Pulls events from @h until EOS (offline frames leave from the element's
 * own task: EOS comes after the last of them); fails the test when the
 * harness has no EOS to give. */
void element_test_wait_eos (GstHarness * h);

/* Points the imagegen element @element at @emu, with a test key. */
void element_test_point_at (GstElement * element, ImagegenTestEmulator * emu);

/* A @width x @height RGBA frame of one colour @rgb, at time 0 and lasting
 * a 30th of a second. */
GstBuffer *element_test_flat_frame (gint width, gint height,
    const guint8 rgb[3]);

/* Colours pixel (@x, @y) of a painted frame. */
typedef void (*ElementTestPaint) (gint x, gint y, guint8 rgb[3],
    gpointer data);

/* A @width x @height RGBA frame (alpha 255) whose every pixel @paint
 * colours, at time 0 and lasting a 30th of a second. */
GstBuffer *element_test_painted_frame (gint width, gint height,
    ElementTestPaint paint, gpointer data);

/* @in (of @in_info) converted by GstVideoConverter to a new buffer of
 * @out_info (RGB <-> YUV honours range and matrix). */
GstBuffer *element_test_convert (GstBuffer * in, const GstVideoInfo * in_info,
    const GstVideoInfo * out_info);

/* Fails the test unless the three channels of @px are each within
 * @tolerance of @rgb. */
void element_test_assert_near (const guint8 * px, const guint8 rgb[3],
    gint tolerance);

/* An element in a harness, talking to its own emulator. */
typedef struct
{
  ImagegenTestEmulator *emu;
  GstHarness *h;
  GstBus *bus;                  /* the element's own */
  GstTestClock *clock;          /* the harness' */
} ElementTestHarness;

/* Starts the emulator with @emu_args and puts @element (taken), pointed at
 * it and posting on a bus of its own, into a harness between @sink_pad
 * and @src_pad, on a test clock. */
void element_test_harness_start (ElementTestHarness * e,
    const gchar * const *emu_args, GstElement * element,
    const gchar * sink_pad, const gchar * src_pad);
void element_test_harness_stop (ElementTestHarness * e);

/* The error text of the start @element (an element or a pipeline)
 * refuses: its change to PAUSED must fail.  It is back in NULL after. */
gchar *element_test_start_error (GstElement * element);

/* The text of the oldest error on @bus; fails the test when there is none. */
gchar *element_test_pop_error (GstBus * bus);

/* The text of the oldest warning on @bus, or NULL. */
gchar *element_test_pop_warning (GstBus * bus);

/* Sets @property of @element to @value while PLAYING: refused at once
 * with a warning on @bus naming the property and saying @says, and the
 * property stays @kept. */
void element_test_expect_refused (GstElement * element, GstBus * bus,
    const gchar * property, const gchar * value, const gchar * says,
    const gchar * kept);

/* Pops every message on @bus: fails the test on an error (a runtime
 * change must not stop the stream); the first warning's text goes to
 * *@warning unless it holds one already. */
void element_test_drain_bus (GstBus * bus, gchar ** warning);

/* A suite @name of one case: the tests that follow, each an
 * ELEMENT_TEST (function), NULL after the last; each may take @timeout_s
 * (0: check's default; a hang guard for valgrind runs, not a timing
 * test).  GST_CHECKS picks
 * among them by function name as usual. */
Suite *element_test_suite (const gchar * name, guint timeout_s, ...)
    G_GNUC_NULL_TERMINATED;
#define ELEMENT_TEST(f) #f, (f)

G_END_DECLS
