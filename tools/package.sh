#!/usr/bin/env bash
# Builds the Debian packages gstreamer1.0-imagegen (the plugin) and
# imagegen-tools (the commands) with `dpkg-buildpackage -us -uc -b`, which
# runs the test suite in dh_auto_test; runs lintian on them; installs them
# with apt-get (which brings their dependencies); runs gst-inspect-1.0
# imagegen and the README's offline pipeline from the installed files only;
# and purges them again.
#
# It installs what it needs first (dpkg-dev, lintian and the packages'
# build dependencies, through apt).  The build happens in a copy of this
# tree (tracked and new files; no build directories) in a temporary
# directory, so nothing is written into the tree except the results: the
# .deb, .changes and .buildinfo files, build.log and lintian.txt, in
# build-deb/ (PACKAGE_OUT=DIR for another place).  PACKAGE_KEEP=1 leaves
# the packages installed; DEB_BUILD_OPTIONS=nocheck skips the suite.  Not
# needed by tools/demo.sh or tools/run-tests.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
out=$(realpath -m "${PACKAGE_OUT:-$src/build-deb}")
packages=(gstreamer1.0-imagegen imagegen-tools)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
SECONDS=0
step() { echo "== $*"; }

step "build tools and build dependencies"
if ! command -v dpkg-checkbuilddeps >/dev/null || ! command -v lintian >/dev/null ||
  ! dpkg-checkbuilddeps debian/control 2>/dev/null; then
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends dpkg-dev lintian
  # the Build-Depends of debian/control
  $sudo apt-get build-dep -y -q --no-install-recommends "$src"
fi

project_version=$(sed -n "s/^ *version : '\([^']*\)',*$/\1/p" meson.build | head -n1)
version=$(python3 tools/version.py "$src" "$project_version")
deb_version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
echo "version $version (meson $project_version, debian/changelog $deb_version)"
[ "${deb_version%-*}" = "$project_version" ] ||
  { echo "debian/changelog says $deb_version, meson.build $project_version" >&2; exit 1; }

work=$(mktemp -d)
installed_by_us=0
emu=
cleanup() {
  [ -z "$emu" ] || { kill "$emu" 2>/dev/null; wait "$emu" 2>/dev/null; } || true
  if [ "$installed_by_us" = 1 ] && [ "${PACKAGE_KEEP:-0}" != 1 ]; then
    step "purging ${packages[*]}"
    $sudo apt-get purge -y -q "${packages[@]}" >"$work/purge.log" 2>&1 ||
      cat "$work/purge.log"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "copying the tree to $work/gst-imagegen-$project_version"
tree=$work/gst-imagegen-$project_version
mkdir -p "$tree"
if git -C "$src" rev-parse --show-toplevel 2>/dev/null | grep -qxF "$src"; then
  # tracked and new files as they are in the tree, without ignored ones
  git -C "$src" ls-files -z --cached --others --exclude-standard |
    (cd "$src" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
else
  tar -C "$src" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$tree" -xf -
fi
# the copy has no .git: it reports the version of the tree it came from
echo "$version" >"$tree/.tarball-version"

step "dpkg-buildpackage -us -uc -b (with the test suite; log: $out/build.log)"
mkdir -p "$out"
# only our own results of an earlier run: PACKAGE_OUT may be a shared place
rm -f "$out"/gstreamer1.0-imagegen{,-dbgsym}_*.deb "$out"/imagegen-tools{,-dbgsym}_*.deb \
  "$out"/gst-imagegen_*.changes "$out"/gst-imagegen_*.buildinfo "$out"/lintian.txt
if ! (cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
  tail -n 60 "$out/build.log"
  echo "package.sh: dpkg-buildpackage failed; see $out/build.log" >&2
  if grep -q '^dh_auto_test: error' "$out/build.log"; then
    echo "(the test suite failed in dh_auto_test; the timing tests" \
      "test-races and test-imagegensrc-live can fail on a heavily loaded" \
      "machine: DEB_BUILD_OPTIONS=nocheck builds without the suite)" >&2
  fi
  exit 1
fi
summary=$(grep -E '^ *(Ok|Fail|Timeout|Skipped): ' "$out/build.log" | tr -s ' ' | paste -sd ' ' || true)
echo "test suite in dh_auto_test: ${summary:-not run (DEB_BUILD_OPTIONS=nocheck?)}"
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
changes=$out/gst-imagegen_${deb_version}_${arch}.changes
debs=()
for p in "${packages[@]}"; do debs+=("$out/${p}_${deb_version}_${arch}.deb"); done

step "lintian"
lintian_ok=1
# lintian prefers not to run as root, and says so; it checks all the same
lintian --fail-on error "$changes" >"$out/lintian.txt" 2>&1 || lintian_ok=0
grep -v 'root privileges' "$out/lintian.txt" || true
for t in E W I; do printf '%s: %s  ' "$t" "$(grep -c "^$t: " "$out/lintian.txt" || true)"; done
echo "(errors, warnings, info; $out/lintian.txt)"
[ "$lintian_ok" = 1 ] || { echo "package.sh: lintian found errors" >&2; exit 1; }

step "apt-get install ${debs[*]}"
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "note: $p was installed before; it is replaced, and purged at the end"
  fi
done
installed_by_us=1
$sudo apt-get install -y -q "${debs[@]}" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }
grep -E '^(The following NEW|Setting up (gstreamer1.0-imagegen|imagegen-tools))' "$work/install.log" || true

step "the installed files"
# nothing from a build tree or an old registry
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 GST_PLUGIN_SYSTEM_PATH GST_PLUGIN_SYSTEM_PATH_1_0
export GST_REGISTRY=$work/registry.bin
failed=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failed=$((failed + 1)); fi
}
gst-inspect-1.0 imagegen 2>&1 | tee "$work/inspect.out" | sed -n "1,12p" || true
inspected() { awk -v k="$1" '$1 == k { print $2; exit }' "$work/inspect.out"; }
pluginsdir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
# (/lib is /usr/lib on Debian 12; the registry may name either)
check "gst-inspect-1.0 loads $pluginsdir/libgstimagegen.so" \
  test "$(realpath -m "$(inspected Filename)")" = "$(realpath "$pluginsdir/libgstimagegen.so")"
check "gst-inspect-1.0 shows version $version" test "$(inspected Version)" = "$version"
check "imagegen-emulator is /usr/bin's" test "$(command -v imagegen-emulator)" = /usr/bin/imagegen-emulator
check "imagegen-emulator --version: $version" \
  test "$(imagegen-emulator --version)" = "imagegen-emulator $version"
check "imagegen-live-control --version: $version" \
  test "$(imagegen-live-control --version)" = "imagegen-live-control $version"
check "imagegen-stylize --version: $version" \
  test "$(imagegen-stylize --version)" = "imagegen-stylize $version"
for cmd in imagegen-emulator imagegen-live-control imagegen-stylize; do
  check "man page of $cmd" test -f "/usr/share/man/man1/$cmd.1.gz"
done
check "docs in /usr/share/doc/gst-imagegen" \
  test -n "$(ls /usr/share/doc/gst-imagegen/README.md* /usr/share/doc/gst-imagegen/emulator.md* 2>/dev/null)"

# the README's offline pipeline, against the installed emulator
pipeline=$(grep -m1 -E '^ *gst-launch-1.0 imagegensrc prompt="a red fox"' README.md | sed 's/^ *//')
check "README has the offline pipeline" test -n "$pipeline"
imagegen-emulator --port 0 --latency 500 >"$work/emu.out" 2>&1 &
emu=$!
for _ in $(seq 100); do
  grep -q '^imagegen-emulator listening on ' "$work/emu.out" && break
  sleep 0.1
done
url=$(sed -n 's/^imagegen-emulator listening on //p' "$work/emu.out")
check "imagegen-emulator listening at $url" test -n "$url"
png_magic() { test "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a; }
echo "\$ $pipeline"
(cd "$work" && RUNAPI_BASE_URL=$url RUNAPI_API_KEY=any eval "timeout 60 $pipeline") || true
check "the README pipeline wrote fox.png" png_magic "$work/fox.png"
# and the demo's, which decodes and re-encodes
(cd "$work" && RUNAPI_BASE_URL=$url RUNAPI_API_KEY=any timeout 60 gst-launch-1.0 -q \
  imagegensrc prompt="a lighthouse at dusk, oil painting" ! videoconvert ! pngenc ! \
  filesink location=lighthouse.png) || true
check "the demo pipeline wrote lighthouse.png" png_magic "$work/lighthouse.png"

echo
echo "Packages (version $deb_version) in $out:"
(cd "$out" && ls -1 gstreamer1.0-imagegen*_"$deb_version"_*.deb imagegen-tools*_"$deb_version"_*.deb \
  gst-imagegen_"$deb_version"_* build.log lintian.txt)
echo "Install them with: apt-get install $out/gstreamer1.0-imagegen_${deb_version}_${arch}.deb $out/imagegen-tools_${deb_version}_${arch}.deb"
echo "package.sh took ${SECONDS} s"
[ "$failed" -eq 0 ] || { echo "package.sh: $failed check(s) failed" >&2; exit 1; }
