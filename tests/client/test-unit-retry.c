/* gst-imagegen client, unit tests without any network: retries: Retry-After and the backoff.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagegen-retry.h"
#include "imagegen-test-fixture.h"


/* Retry-Afters that parse, and the wait each gives from 2024-01-02
 * 03:04:05 UTC; the past is now, and numbers are capped. */
static void
test_retry_after (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2024, 1, 2, 3, 4, 5);
  static const struct
  {
    const gchar *header;
    guint ms;
  } good[] = {
    {"1", 1000}, {" 0 ", 0}, {"100000", IMAGEGEN_RETRY_AFTER_MAX_MS},
    {"Tue, 02 Jan 2024 03:04:12 GMT", 7000},
    {"Tue, 02 Jan 2024 03:00:00 GMT", 0},
    {"18446744073709551616", IMAGEGEN_RETRY_AFTER_MAX_MS},
    {"99999999999999999999999999999999", IMAGEGEN_RETRY_AFTER_MAX_MS},
    {"4294968", IMAGEGEN_RETRY_AFTER_MAX_MS},
    {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
    {"Fri, 31 Dec 9999 23:59:59 GMT", IMAGEGEN_RETRY_AFTER_MAX_MS},
  };
  guint i, ms;

  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    ms = 12345;
    g_assert_true (imagegen_retry_parse_retry_after (good[i].header, now,
            &ms));
    g_assert_cmpuint (ms, ==, good[i].ms);
  }
}

static void
test_backoff (void)
{
  guint i, d;

  for (i = 0; i < 200; i++) {
    d = imagegen_retry_backoff_ms (500, 8000, 0);
    g_assert_cmpuint (d, >=, 500);
    g_assert_cmpuint (d, <=, 750);
    d = imagegen_retry_backoff_ms (500, 8000, 2);
    g_assert_cmpuint (d, >=, 2000);
    g_assert_cmpuint (d, <=, 3000);
    d = imagegen_retry_backoff_ms (500, 8000, 40);
    g_assert_cmpuint (d, >=, 8000);
    g_assert_cmpuint (d, <=, 12000);
    /* Retry-After is a floor, never a shortcut. */
    d = imagegen_retry_delay_ms (500, 8000, 0, "3");
    g_assert_cmpuint (d, ==, 3000);
    d = imagegen_retry_delay_ms (500, 8000, 0, "0");
    g_assert_cmpuint (d, >=, 500);
    d = imagegen_retry_delay_ms (500, 8000, 2, "junk");
    g_assert_cmpuint (d, >=, 2000);
    g_assert_cmpuint (d, <=, 3000);
  }
  g_assert_true (imagegen_retry_status_is_retryable (429));
  g_assert_true (imagegen_retry_status_is_retryable (503));
  g_assert_false (imagegen_retry_status_is_retryable (422));
  g_assert_false (imagegen_retry_status_is_retryable (200));
}

/* Whatever a server puts in Retry-After: junk is ignored (FALSE, the
 * wait untouched). */
static void
test_retry_after_junk (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2024, 1, 2, 3, 4, 5);
  static const gchar *const junk[] = {
    "soon", "", "5x", "-5", "-0", "+5", "1.5", "1e3", "0x10", "5 s", "5,6",
    "\t", "now", "Tue, 32 Jan 2024 03:04:12 GMT",
    "Tue, 02 Foo 2024 03:04:12 GMT", "\xff\xfe", "18446744073709551616x",
  };
  guint i, ms;

  for (i = 0; i < G_N_ELEMENTS (junk); i++) {
    ms = 12345;
    g_assert_false (imagegen_retry_parse_retry_after (junk[i], now, &ms));
    g_assert_cmpuint (ms, ==, 12345);
  }
  g_assert_false (imagegen_retry_parse_retry_after (NULL, now, &ms));
}

int
main (int argc, char **argv)
{
  return imagegen_test_run (&argc, &argv, "/retry/retry-after",
      test_retry_after, "/retry/backoff", test_backoff,
      "/retry/retry-after-junk", test_retry_after_junk, NULL);
}
