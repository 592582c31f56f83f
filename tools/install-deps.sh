#!/usr/bin/env bash
# Installs the Debian 12 packages gst-imagegen needs to build, run and test,
# skipping the ones already there.  Safe to run again.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev
  # fal's realtime WebSocket speaks msgpack (client and emulator)
  libmsgpack-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  # the documented recipes encode and decode H.264 (x264enc, avdec_h264)
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  valgrind
  # imagegenremix motion=flow: OpenCV's optical flow (meson option motion);
  # not libopencv-dev, which pulls in every module
  g++ libopencv-core-dev libopencv-imgproc-dev libopencv-video-dev
  # tools/imagegen-live-control.py, the live control example
  python3-gi gir1.2-gstreamer-1.0
  # imagegen-stylize: encoding profiles, the discoverer, video events
  # (GstPbutils, GstVideo)
  gir1.2-gst-plugins-base-1.0
  # tests only: fal's official JS client runs against the emulator
  # (tests/pipelines/fal-js-client.sh; npm installs it into the build dir)
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # some nodejs builds carry npm inside (and conflict with Debian's npm)
  [ "$p" = npm ] && command -v npm >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
