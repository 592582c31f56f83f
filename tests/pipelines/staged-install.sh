#!/usr/bin/env bash
# `meson install` into a staging directory (DESTDIR), then the README's
# offline pipeline from the staged files only: the staged plugin (not the
# build tree's) against the staged imagegen-emulator.  Also: every staged
# command has a man page naming each option of its --help, the docs are in
# place, and every part, debian/changelog included, tells the same version.
set -euo pipefail
: "${MESON:?}" "${BUILD_ROOT:?}" "${SOURCE_ROOT:?}" "${PROJECT_VERSION:?}"
: "${BINDIR:?}" "${PLUGINS_DIR:?}" "${MANDIR:?}" "${DOC_DIR:?}"
: "${GST_SYSTEM_PLUGINS:?}"

# lib.sh's emulator is the staged one, set once it is installed
IMAGEGEN_EMULATOR=staged
. "$(dirname "$0")/lib.sh"
stage=$work/stage
"$MESON" install -C "$BUILD_ROOT" --no-rebuild --quiet --destdir "$stage" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "FAILED: meson install"; exit 1; }

# nothing from the build tree from here on
unset LD_LIBRARY_PATH GST_PLUGIN_PATH
export GST_PLUGIN_SYSTEM_PATH_1_0=
export GST_PLUGIN_PATH_1_0="$stage$PLUGINS_DIR:$GST_SYSTEM_PLUGINS"
export GST_REGISTRY="$work/registry.bin"
bin=$stage$BINDIR
IMAGEGEN_EMULATOR=$bin/imagegen-emulator

check "plugin in GStreamer's plugin directory" test -f "$stage$PLUGINS_DIR/libgstimagegen.so"
check "imagegen-emulator in bindir" test -x "$bin/imagegen-emulator"
check "imagegen-live-control in bindir" test -x "$bin/imagegen-live-control"
check "imagegen-stylize in bindir" test -x "$bin/imagegen-stylize"
check "README in the doc directory" test -f "$stage$DOC_DIR/README.md"
for doc in "$SOURCE_ROOT"/docs/*; do
  check "$(basename "$doc") in the doc directory" test -e "$stage$DOC_DIR/$(basename "$doc")"
done

# a man page per command, true to its --help
man_has_options() { # command, man page
  local opt missing=0 page
  page=$(sed 's/\\-/-/g' "$2")
  for opt in $("$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -q -- "$opt" <<<"$page" || { echo "$2 lacks $opt"; missing=1; }
  done
  return $missing
}
for cmd in "$bin"/*; do
  name=$(basename "$cmd")
  page=$stage$MANDIR/man1/$name.1
  check "man page for $name" test -f "$page"
  [ -f "$page" ] && check "man page of $name names every option" man_has_options "$cmd" "$page"
done

# one version everywhere
version=$("$bin/imagegen-emulator" --version | awk '{print $2}')
echo "version: $version"
check "version is the project's ($PROJECT_VERSION)" \
  test "${version%%-*}" = "$PROJECT_VERSION"
check "imagegen-live-control --version" \
  test "$("$bin/imagegen-live-control" --version)" = "imagegen-live-control $version"
check "imagegen-stylize finds its installed package (--help)" \
  test -f "$stage$(dirname "$BINDIR")/share/gst-imagegen/python/stylize/cli.py" -a \
  -n "$("$bin/imagegen-stylize" --help 2>/dev/null | grep -e --prompt-at)"
check "imagegen-stylize --version" \
  test "$("$bin/imagegen-stylize" --version)" = "imagegen-stylize $version"
gst-inspect-1.0 imagegen >"$work/inspect.out" 2>&1 || true
inspected() { awk -v k="$1" '$1 == k { print $2; exit }' "$work/inspect.out"; }
check "gst-inspect-1.0 imagegen loads the staged plugin" \
  test "$(inspected Filename)" = "$stage$PLUGINS_DIR/libgstimagegen.so"
check "gst-inspect-1.0 imagegen shows $version" test "$(inspected Version)" = "$version"
if [ -f "$SOURCE_ROOT/debian/changelog" ]; then
  deb_version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$SOURCE_ROOT/debian/changelog")
  check "debian/changelog version ($deb_version) is the project's" \
    test "${deb_version%-*}" = "$PROJECT_VERSION"
fi

# the README's offline pipeline against the staged emulator
pipeline=$(grep -m1 -E '^ *gst-launch-1.0 imagegensrc prompt="a red fox"' "$SOURCE_ROOT/README.md" || true)
check "README has the offline pipeline" test -n "$pipeline"
emu_start --latency 200
url=$EMU_URL
check "staged emulator listening" test -n "$url"
cd "$work"
echo "# $pipeline"
if [ -n "$pipeline" ] && [ -n "$url" ]; then
  RUNAPI_BASE_URL=$url RUNAPI_API_KEY=any eval "timeout 60 $pipeline" >"$work/run.log" 2>&1 ||
    cat "$work/run.log"
fi
check "the README pipeline wrote a PNG" \
  test "$(head -c 8 fox.png 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a

finish
