/* gst-imagegen client: FLUX 3 Image, Klein and 3.1 on Black Forest Labs
 * direct against the emulator — the images array, resolution tiers, the
 * Reasoning and Generating statuses, a slow model's default latency.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "client-test-util.h"
#include "imagegen-models.h"

#include <string.h>

#define FOX "{\"prompt\":\"a fox\"}"

static const gchar *const flux3_ids[] = {
  "flux-3-image", "flux-3-image-klein", "flux-3.1-image", NULL
};

static void
fixture_start (TestFixture * f, const gchar * const *extra)
{
  static const gchar *fast[] = { "--latency", "100", NULL };

  test_fixture_start (f, TRUE, fast, extra);
  f->config.provider = IMAGEGEN_PROVIDER_BFL;
  test_fixture_client (f);
}

/* The newest create body the emulator logged. */
static JsonObject *
last_body (TestFixture * f)
{
  g_autoptr (GPtrArray) bodies = imagegen_test_read_create_bodies (f->fx.log);

  g_assert_cmpuint (bodies->len, >, 0);
  return json_object_ref (g_ptr_array_index (bodies, bodies->len - 1));
}

static void
assert_size (ImagegenResult * r, guint width, guint height)
{
  guint w, h;

  g_assert_no_error (r->error);
  g_assert_true (test_image_size (r->image, &w, &h));
  g_assert_cmpuint (w, ==, width);
  g_assert_cmpuint (h, ==, height);
}

/* Each FLUX 3 row, text to image and edit, is served from its row: the
 * tier's size at the ratio, ten images in one array, an eleventh refused
 * before anything is sent. */
static void
test_every_row_served (void)
{
  g_autoptr (GBytes) png = test_make_png (128, 72);
  TestFixture f;
  guint i, k;

  fixture_start (&f, NULL);
  for (i = 0; flux3_ids[i] != NULL; i++) {
    g_autoptr (ImagegenRequest) t2i = NULL, edit = NULL;
    g_autoptr (ImagegenResult) r = NULL, r2 = NULL, r3 = NULL;
    g_autoptr (JsonObject) body = NULL, edit_body = NULL;
    JsonArray *images;

    g_assert_nonnull (imagegen_models_find ("bfl",
            IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, flux3_ids[i]));
    g_assert_cmpuint (imagegen_models_sources_taken ("bfl",
            IMAGEGEN_ENDPOINT_REMIX, flux3_ids[i]), ==, 10);

    /* 1k at 16:9 is 1360 x 768 */
    t2i = imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
        flux3_ids[i], "a lighthouse at dusk");
    t2i->aspect_ratio = g_strdup ("16:9");
    t2i->resolution = g_strdup ("1k");
    r = test_run_job (f.client, t2i, f.w);
    assert_size (r, 1360, 768);
    body = last_body (&f);
    g_assert_cmpstr (json_object_get_string_member (body, "aspect_ratio"),
        ==, "16:9");
    g_assert_cmpstr (json_object_get_string_member (body, "resolution"), ==,
        "1k");
    g_assert_false (json_object_has_member (body, "width"));
    g_assert_false (json_object_has_member (body, "model"));

    /* an edit with auto keeps the first image's shape at the tier */
    edit = imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, flux3_ids[i],
        "invert the colours");
    edit->aspect_ratio = g_strdup ("auto");
    for (k = 0; k < 10; k++)
      imagegen_request_add_source_image (edit, png);
    r2 = test_run_job (f.client, edit, f.w);
    assert_size (r2, 1360, 768);
    edit_body = last_body (&f);
    images = json_object_get_array_member (edit_body, "images");
    g_assert_nonnull (images);
    g_assert_cmpuint (json_array_get_length (images), ==, 10);
    g_assert_false (json_object_has_member (edit_body, "input_image"));

    imagegen_request_add_source_image (edit, png);
    r3 = test_run_job (f.client, edit, f.w);
    g_assert_error (r3->error, IMAGEGEN_CLIENT_ERROR,
        IMAGEGEN_CLIENT_ERROR_INVALID_ARGUMENT);
  }
  /* two per model; the eleventh image never left */
  g_assert_cmpint (imagegen_test_emulator_count (f.fx.emu, "bfl_create"), ==,
      6);
  test_fixture_stop (&f);
}

/* The tiers reach the request as named and make their sizes: 768sq is
 * 768 x 768, 4k about 16 MP (beyond FLUX.2's 4). */
static void
test_tiers (void)
{
  const struct
  {
    const gchar *resolution;
    const gchar *ratio;
    guint width, height;
  } cases[] = {
    {"768sq", "1:1", 768, 768},
    {"1.5k", "16:9", 2048, 1152},
    {"4k", "21:9", 6256, 2688},
  };
  TestFixture f;
  guint i;

  fixture_start (&f, NULL);
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (ImagegenRequest) req =
        imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
        "flux-3-image-klein", "a fox");
    g_autoptr (ImagegenResult) r = NULL;
    g_autoptr (JsonObject) body = NULL;

    req->aspect_ratio = g_strdup (cases[i].ratio);
    req->resolution = g_strdup (cases[i].resolution);
    r = test_run_job (f.client, req, f.w);
    assert_size (r, cases[i].width, cases[i].height);
    body = last_body (&f);
    g_assert_cmpstr (json_object_get_string_member (body, "resolution"), ==,
        cases[i].resolution);
  }
  test_fixture_stop (&f);
}

/* A FLUX 3 task answers Reasoning, then Generating, then Ready: the client
 * polls through both as work in progress (no "unknown status" warning)
 * and gets the image. */
static void
test_reasoning_then_generating (void)
{
  const gchar *held[] = { "--fail", "task:held", NULL };
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE, "flux-3-image",
      "a lighthouse at dusk");
  g_autoptr (ImagegenResult) r = NULL;
  g_autoptr (JsonObject) stats = NULL;
  TestFixture f;

  fixture_start (&f, held);
  imagegen_client_submit (f.client, req, NULL, test_waiter_event_cb,
      test_waiter_done_cb, f.w);
  /* the first poll found it Reasoning, the next ones Generating */
  imagegen_test_emulator_wait_count (f.fx.emu, "bfl_get_result", 3);
  stats = imagegen_test_emulator_stats (f.fx.emu);
  g_assert_cmpstr (json_object_get_string_member
      (json_array_get_object_element (json_object_get_array_member (stats,
                  "tasks"), 0), "bfl_status"), ==, "Generating");
  g_assert_cmpuint (imagegen_test_emulator_release (f.fx.emu, 1), ==, 1);
  r = test_waiter_pop (f.w);
  g_assert_no_error (r->error);
  g_assert_nonnull (r->image);
  g_assert_cmpuint (r->polls, >=, 3);
  g_assert_cmpuint (test_waiter_count_log (f.w, -1, "unknown status"), ==, 0);
  test_fixture_stop (&f);
}

/* What the emulator answers a FLUX 3 poll, word for word. */
static void
test_emulator_statuses (void)
{
  const gchar *args[] = { "--fail", "task:held", NULL };
  const gchar *const headers[] = { "x-key", TEST_KEY, NULL };
  const gchar *expected[] = { "Reasoning", "Generating", "Generating" };
  ImagegenTestFixture *fx = imagegen_test_fixture_new (FALSE, args, NULL);
  g_autoptr (GBytes) body = g_bytes_new_static (FOX, strlen (FOX));
  g_autoptr (GBytes) created = NULL;
  g_autoptr (JsonObject) answer = NULL;
  const gchar *poll;
  guint status, i;

  created = imagegen_test_emulator_request (fx->emu, "POST",
      "/v1/flux-3-image", headers, body, "application/json", &status);
  g_assert_cmpuint (status, ==, 200);
  answer = imagegen_test_json_object (created);
  poll = json_object_get_string_member (answer, "polling_url");
  for (i = 0; i <= G_N_ELEMENTS (expected); i++) {
    g_autoptr (GBytes) got = NULL;
    g_autoptr (JsonObject) obj = NULL;

    if (i == G_N_ELEMENTS (expected))
      g_assert_cmpuint (imagegen_test_emulator_release (fx->emu, 1), ==, 1);
    got = imagegen_test_emulator_request (fx->emu, "GET", poll, headers,
        NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
    obj = imagegen_test_json_object (got);
    /* a released task is done once rendered: Generating until then */
    if (i == G_N_ELEMENTS (expected)) {
      while (g_str_equal (json_object_get_string_member (obj, "status"),
              "Generating")) {
        g_autoptr (GBytes) again = NULL;

        g_usleep (20000);
        again = imagegen_test_emulator_request (fx->emu, "GET", poll,
            headers, NULL, NULL, &status);
        json_object_unref (obj);
        obj = imagegen_test_json_object (again);
      }
      g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==,
          "Ready");
    } else {
      g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==,
          expected[i]);
    }
  }
  imagegen_test_fixture_free (fx);
}

/* Without --latency a FLUX 3 task takes its row's typical time (tens of
 * seconds), a FLUX.2 one the emulator's default; --latency wins. */
static void
test_default_latency (void)
{
  const gchar *const headers[] = { "x-key", TEST_KEY, NULL };
  const gchar *const fast[] = { "--latency", "100", NULL };
  const gchar *const *args[] = { NULL, fast };
  const gchar *paths[] = { "/v1/flux-3-image", "/v1/flux-2-pro" };
  const gint64 want[2][2] = { {20000, 3000}, {100, 100} };
  g_autoptr (GBytes) body = g_bytes_new_static (FOX, strlen (FOX));
  guint a, p, status;

  for (a = 0; a < G_N_ELEMENTS (args); a++) {
    ImagegenTestFixture *fx = imagegen_test_fixture_new (FALSE, args[a],
        NULL);
    g_autoptr (JsonObject) stats = NULL;
    JsonArray *tasks;

    for (p = 0; p < G_N_ELEMENTS (paths); p++) {
      g_autoptr (GBytes) created = imagegen_test_emulator_request (fx->emu,
          "POST", paths[p], headers, body, "application/json", &status);

      g_assert_cmpuint (status, ==, 200);
    }
    stats = imagegen_test_emulator_stats (fx->emu);
    tasks = json_object_get_array_member (stats, "tasks");
    for (p = 0; p < G_N_ELEMENTS (paths); p++)
      g_assert_cmpint (json_object_get_int_member
          (json_array_get_object_element (tasks, p), "latency_ms"), ==,
          want[a][p]);
    imagegen_test_fixture_free (fx);
  }
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/client/flux3/every-row-served",
      test_every_row_served, "/client/flux3/tiers", test_tiers,
      "/client/flux3/reasoning-then-generating", test_reasoning_then_generating,
      "/client/flux3/emulator-statuses", test_emulator_statuses,
      "/client/flux3/default-latency", test_default_latency, NULL);
}
