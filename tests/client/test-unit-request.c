/* gst-imagegen client, unit tests without any network: requests: prices and copies.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-client.h"
#include "imagegen-test-fixture.h"

#include <string.h>

static void
test_price (void)
{
  g_assert_cmpint (imagegen_price_cents ("flux-2-pro-text-to-image", NULL),
      ==, 5);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-text-to-image", "2k"),
      ==, 24);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-text-to-image", "1k"),
      ==, 14);
  g_assert_cmpint (imagegen_price_cents ("flux-2-flex-remix-image", NULL),
      ==, 14);
  g_assert_cmpint (imagegen_price_cents ("flux-2-max-text-to-image", NULL),
      ==, -1);
  /* billing_config variants and per-output prices come from the table */
  g_assert_cmpint (imagegen_price_cents ("gpt-image-2", "4k"), ==, 16);
  g_assert_cmpint (imagegen_price_cents ("ideogram-v3-text-to-image", NULL),
      ==, 7);
  g_assert_cmpint (imagegen_price_cents ("qwen-3-text-to-image", NULL),
      ==, -1);
}

static gint
request_price (ImagegenEndpoint endpoint, const gchar * model,
    const gchar * extra_json)
{
  g_autoptr (ImagegenRequest) req = imagegen_request_new (endpoint, model,
      NULL);

  req->extra_json = g_strdup (extra_json);
  return imagegen_request_price_cents (req);
}

static void
test_price_variants (void)
{
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image",
          "{\"upscale_factor\":4}"), ==, 20);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "topaz-upscale-image",
          "{\"upscale_factor\":2}"), ==, 10);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_REMIX, "seedream-v4-edit",
          "{\"output_count\":3}"), ==, 30);
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "gpt-image-1.5", "{\"quality\":\"high\"}"), ==, 22);
  /* 3.5 cents rounds up: the guard never reserves too little */
  g_assert_cmpint (request_price (IMAGEGEN_ENDPOINT_TEXT_TO_IMAGE,
          "ideogram-v3-text-to-image", "{\"rendering_speed\":\"turbo\"}"),
      ==, 4);
}

static void
test_request_copy (void)
{
  g_autoptr (ImagegenRequest) req =
      imagegen_request_new (IMAGEGEN_ENDPOINT_REMIX, "m", "p");
  g_autoptr (ImagegenRequest) copy = NULL;
  g_autoptr (GBytes) img = g_bytes_new_static ("abc", 3);

  imagegen_request_add_source_image (req, img);
  imagegen_request_add_source_url (req, "https://x/y.jpg");
  copy = imagegen_request_copy (req);
  g_assert_cmpuint (copy->source_images->len, ==, 1);
  g_assert_true (g_ptr_array_index (copy->source_images, 0) == img);
  g_assert_cmpstr (g_ptr_array_index (copy->source_urls, 0), ==,
      "https://x/y.jpg");
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/price", test_price,
      "/price-variants", test_price_variants, "/request/copy",
      test_request_copy, NULL);
}
