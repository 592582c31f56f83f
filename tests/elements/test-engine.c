/* gst-imagegen: the request engine alone (gstimagegenengine.h) against the
 * emulator — the in-flight gate, the spending guard's refusal, a flush
 * that forgets what runs, and the latch of the first fatal error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include "gstimagegenengine.h"
#include "imagegen-test-emulator.h"
#include "element-test-util.h"

#define PROMPT "a lighthouse at dusk"

typedef struct
{
  ImagegenTestEmulator *emu;
  GstElement *element;
  GstBus *bus;
  GstImagegenEngine engine;
  GAsyncQueue *done;            /* GstImagegenImage, one per done callback */
} Engine;

static void
engine_start (Engine * e, const gchar * const *emulator_args)
{
  ImagegenClientConfig config;

  e->emu = imagegen_test_emulator_start (emulator_args);
  e->element = gst_bin_new ("engine-owner");
  e->bus = gst_bus_new ();
  gst_element_set_bus (e->element, e->bus);
  e->done = g_async_queue_new_full ((GDestroyNotify) gst_imagegen_image_unref);
  gst_imagegen_engine_init (&e->engine, e->element);

  imagegen_client_config_init (&config);
  g_free (config.base_url);
  config.base_url = g_strdup (imagegen_test_emulator_get_base_url (e->emu));
  config.api_key = g_strdup ("test-key");
  gst_imagegen_engine_start (&e->engine, &config, 4096 * 4096);
  imagegen_client_config_clear (&config);
}

static void
engine_free (Engine * e)
{
  gst_imagegen_engine_stop (&e->engine);
  gst_imagegen_engine_clear (&e->engine);
  g_async_queue_unref (e->done);
  gst_element_set_bus (e->element, NULL);
  gst_object_unref (e->bus);
  gst_object_unref (e->element);
  imagegen_test_emulator_stop (e->emu);
}

static void
done_cb (GstImagegenEngine * engine, gpointer tag, GstImagegenImage * image)
{
  Engine *e = tag;

  g_async_queue_push (e->done, gst_imagegen_image_ref (image));
}

static GstImagegenSubmitResult
submit (Engine * e, guint max_in_flight)
{
  return gst_imagegen_engine_submit (&e->engine, max_in_flight,
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "flux-2-pro-text-to-image", PROMPT), NULL, done_cb, e, NULL);
}

/* The next done callback's image; fails after a minute (a safety net). */
static GstImagegenImage *
next_done (Engine * e)
{
  GstImagegenImage *image = g_async_queue_timeout_pop (e->done,
      60 * G_USEC_PER_SEC);

  fail_unless (image != NULL, "no done callback");
  return image;
}

GST_START_TEST (test_in_flight_gate)
{
  Engine e;
  GstImagegenImage *image;
  guint8 expected[3];
  const guint8 *p;
  GstMapInfo map;
  guint i;

  engine_start (&e, NULL);
  fail_unless (gst_imagegen_engine_is_running (&e.engine));
  fail_unless_equals_int (submit (&e, 2), GST_IMAGEGEN_SUBMIT_SENT);
  fail_unless_equals_int (submit (&e, 2), GST_IMAGEGEN_SUBMIT_SENT);
  /* the third waits for a slot, unless it finds one already free */
  if (gst_imagegen_engine_in_flight (&e.engine) == 2)
    fail_unless_equals_int (submit (&e, 2), GST_IMAGEGEN_SUBMIT_BUSY);

  for (i = 0; i < 2; i++) {
    image = next_done (&e);
    fail_unless (image->error == NULL, "%s", image->error->message);
    /* the decoded picture is the prompt's */
    fail_unless (image->raw != NULL);
    element_test_prompt_colour (PROMPT, 0.5, expected);
    fail_unless (gst_buffer_map (image->raw, &map, GST_MAP_READ));
    p = map.data + GST_VIDEO_INFO_PLANE_OFFSET (&image->raw_info, 0) +
        GST_VIDEO_INFO_PLANE_STRIDE (&image->raw_info, 0) *
        (GST_VIDEO_INFO_HEIGHT (&image->raw_info) / 2);
    fail_unless (GST_VIDEO_INFO_IS_RGB (&image->raw_info));
    element_test_assert_near (p, expected, 12);
    gst_buffer_unmap (image->raw, &map);
    gst_imagegen_image_unref (image);
  }
  fail_unless_equals_int (gst_imagegen_engine_in_flight (&e.engine), 0);
  fail_unless_equals_int (imagegen_test_emulator_count (e.emu,
          "create_text_to_image"), 2);
  engine_free (&e);
}

GST_END_TEST;

GST_START_TEST (test_guard_refuses)
{
  Engine e;
  GstImagegenImage *image;

  engine_start (&e, NULL);
  e.engine.tracker.max_requests = 1;
  fail_unless_equals_int (submit (&e, 0), GST_IMAGEGEN_SUBMIT_SENT);
  fail_unless_equals_int (submit (&e, 0), GST_IMAGEGEN_SUBMIT_REFUSED);
  image = next_done (&e);
  fail_unless (image->error == NULL);
  gst_imagegen_image_unref (image);
  /* one task reached the service */
  fail_unless_equals_int (imagegen_test_emulator_count (e.emu,
          "create_text_to_image"), 1);
  engine_free (&e);
}

GST_END_TEST;

GST_START_TEST (test_flush_forgets)
{
  const gchar *held[] = { "--latency", "0", "--fail", "task:held:*", NULL };
  Engine e;

  engine_start (&e, held);
  fail_unless_equals_int (submit (&e, 1), GST_IMAGEGEN_SUBMIT_SENT);
  fail_unless_equals_int (gst_imagegen_engine_in_flight (&e.engine), 1);
  /* flushed once its task exists and is held */
  imagegen_test_emulator_wait_count (e.emu, "create_text_to_image", 1);
  gst_imagegen_engine_flush (&e.engine);
  /* a new epoch: the slot is free again, the held task's callback never
   * comes even once it completes */
  fail_unless_equals_int (gst_imagegen_engine_in_flight (&e.engine), 0);
  fail_unless_equals_int (submit (&e, 1), GST_IMAGEGEN_SUBMIT_SENT);
  /* both tasks exist before they are let go */
  imagegen_test_emulator_wait_count (e.emu, "create_text_to_image", 2);
  imagegen_test_emulator_release (e.emu, 2);
  gst_imagegen_image_unref (next_done (&e));
  gst_imagegen_engine_stop (&e.engine);
  fail_unless_equals_int (g_async_queue_length (e.done), 0);
  engine_free (&e);
}

GST_END_TEST;

GST_START_TEST (test_fatal_latch)
{
  Engine e;
  GstImagegenImage *image;
  GstMessage *msg;
  guint errors = 0;

  engine_start (&e, NULL);
  fail_unless (imagegen_test_emulator_fail (e.emu, "create:401:2"));
  fail_unless_equals_int (submit (&e, 0), GST_IMAGEGEN_SUBMIT_SENT);
  fail_unless_equals_int (submit (&e, 0), GST_IMAGEGEN_SUBMIT_SENT);
  image = next_done (&e);
  fail_unless (image->error != NULL);
  fail_unless (image->fatal);
  gst_imagegen_image_unref (image);
  gst_imagegen_image_unref (next_done (&e));
  fail_unless (gst_imagegen_engine_has_fatal (&e.engine));

  /* posted once, however often asked */
  gst_imagegen_engine_post_fatal (&e.engine, "Image generation");
  gst_imagegen_engine_post_fatal (&e.engine, "Image generation");
  while ((msg = gst_bus_pop_filtered (e.bus, GST_MESSAGE_ERROR))) {
    errors++;
    gst_message_unref (msg);
  }
  fail_unless_equals_int (errors, 1);

  /* a flush starts the latch again */
  gst_imagegen_engine_flush (&e.engine);
  fail_if (gst_imagegen_engine_has_fatal (&e.engine));
  engine_free (&e);
}

GST_END_TEST;

static Suite *
engine_suite (void)
{
  return element_test_suite ("engine", 120, ELEMENT_TEST (test_in_flight_gate),
      ELEMENT_TEST (test_guard_refuses), ELEMENT_TEST (test_flush_forgets),
      ELEMENT_TEST (test_fatal_latch), NULL);
}

GST_CHECK_MAIN (engine);
