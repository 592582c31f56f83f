#!/usr/bin/env bash
# The API key never shows: not in GST_DEBUG=*:9 logs of full jobs, not in
# bus messages or gst-launch -v property dumps, not in error texts, not in
# gst-inspect.  The key comes from RUNAPI_API_KEY or from api-key-file, as
# the docs advise: a key written into a gst-launch-1.0 command line is
# logged by GStreamer's own pipeline parser at debug level, before any
# element sees it.  GST_DEBUG=imagegen:5 alone explains a whole job.
set -euo pipefail
: "${IMAGEGEN_EMULATOR:?}"

key="sk-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
. "$(dirname "$0")/lib.sh"
export RUNAPI_API_KEY="$key"
emu_start --latency 200 --require-key "$key" --log "$work/emulator.log"
export GST_DEBUG='*:9' GST_DEBUG_NO_COLOR=1

no_key_in() { ! grep -a -q -- "$key" "$@"; }
# A job succeeded when the client logged it done (the imagegen category,
# before the element sees the result): the log is what this test reads.
job_done() { grep -a -q "job done: task " "$1"; }

GST_DEBUG_FILE="$work/src.log" gst-launch-1.0 -m -v imagegensrc \
  prompt="a key that must stay secret" ! videoconvert ! fakesink >"$work/src.out" 2>&1
check "text-to-image job succeeded" job_done "$work/src.log"
check "no key in text-to-image debug log and messages" no_key_in "$work/src.log" "$work/src.out"

GST_DEBUG_FILE="$work/remix.log" gst-launch-1.0 -m -v videotestsrc num-buffers=10 ! \
  imagegenremix mode=offline prompt="a key that must stay secret" ! fakesink >"$work/remix.out" 2>&1
check "remix job succeeded" job_done "$work/remix.log"
check "no key in remix debug log and messages" no_key_in "$work/remix.log" "$work/remix.out"

# a refused key: the error names the problem, not the key
RUNAPI_API_KEY="${key}-wrong" GST_DEBUG_FILE="$work/bad.log" gst-launch-1.0 -m \
  imagegensrc prompt="a key that must stay secret" ! fakesink >"$work/bad.out" 2>&1 || true
check "wrong key gives the 401 sentence" grep -q 'invalid API key (HTTP 401)' "$work/bad.out"
check "no key in the error" no_key_in "$work/bad.log" "$work/bad.out"

# GST_DEBUG=imagegen:5 explains a job: a line per request (method, URL,
# status, time, retry, task id) and the job's milestones; never the key
GST_DEBUG=imagegen:5 GST_DEBUG_FILE="$work/cat.log" gst-launch-1.0 -m \
  imagegensrc prompt="a key that must stay secret" num-images=1 ! fakesink \
  >"$work/cat.out" 2>&1
has_line() { grep -q -E -- "$1" "$work/cat.log"; }
task=$(sed -n 's/.*task \([0-9a-f-]\{36\}\) created.*/\1/p' "$work/cat.log" | head -1)
check "imagegen:5 names the task" test -n "$task"
check "imagegen:5 shows the create request" \
  has_line "POST $EMU_URL/api/v1/flux_2/text_to_image: HTTP 200, [0-9]+ ms, [0-9]+ bytes, retry 0, task $task"
check "imagegen:5 shows the polls" \
  has_line "GET $EMU_URL/api/v1/flux_2/text_to_image/$task: HTTP 200, [0-9]+ ms, .*task $task"
check "imagegen:5 shows the download" \
  has_line "GET $EMU_ASSETS_URL/emulator/results/$task\.png: HTTP 200, .*task $task"
check "imagegen:5 shows the job's milestones" \
  eval 'has_line "job started" && has_line "task $task completed after" && has_line "job done: task $task"'
check "no key in the imagegen:5 log" no_key_in "$work/cat.log" "$work/cat.out"

# the key from a file (a container or systemd secret), newline and all
keyfile="$work/runapi-key"
printf '%s\n' "$key" >"$keyfile"
chmod 0600 "$keyfile"
env -u RUNAPI_API_KEY GST_DEBUG_FILE="$work/file.log" gst-launch-1.0 -m -v \
  imagegensrc api-key-file="$keyfile" prompt="a key that must stay secret" \
  num-images=1 ! fakesink >"$work/file.out" 2>&1
check "api-key-file job succeeded" job_done "$work/file.log"
check "a private key file gives no warning" \
  eval '! grep -q "readable by other users" "$work/file.out"'
check "no key in the api-key-file debug log and messages" \
  no_key_in "$work/file.log" "$work/file.out"

chmod 0644 "$keyfile"
env -u RUNAPI_API_KEY GST_DEBUG_FILE="$work/file644.log" gst-launch-1.0 -m \
  videotestsrc num-buffers=5 ! imagegenremix mode=offline \
  api-key-file="$keyfile" prompt="a key that must stay secret" ! fakesink \
  >"$work/file644.out" 2>&1
check "a key file others can read still works" job_done "$work/file644.log"
check "a key file others can read warns" \
  grep -q 'readable by other users' "$work/file644.out"
check "no key in the warning" no_key_in "$work/file644.log" "$work/file644.out"

GST_DEBUG= gst-inspect-1.0 imagegensrc >"$work/inspect.out" 2>&1
GST_DEBUG= gst-inspect-1.0 imagegenremix >>"$work/inspect.out" 2>&1
check "no key in gst-inspect" no_key_in "$work/inspect.out"
check "the emulator's log masks the key" no_key_in "$work/emulator.log"

finish
