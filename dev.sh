#!/usr/bin/env bash
# c7nfs developer entry point.
#   ./dev.sh demo [MOUNTPOINT]   install what is missing, build, mount the demo
#   ./dev.sh test                install what is missing, build (plain + ASan/UBSan), run every test
#   ./dev.sh deps | build        the single steps
set -euo pipefail
cd "$(dirname "$0")"

# What building and mounting needs; the tests add the programs they drive.
BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc python3
  libfuse3-dev fuse3 libcurl4-openssl-dev libjansson-dev libyaml-dev libmicrohttpd-dev
)
TEST_PACKAGES=(
  python3-pytest python3-yaml curl procps psmisc vim nano emacs-nox tmux perl
)
PYTHON=/usr/bin/python3

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {   # deps PACKAGE…
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "dev.sh: installing ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

setup_dir() {   # setup_dir DIR [meson options…]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir" >/dev/null
}

build() {
  setup_dir build
}

build_asan() {
  setup_dir build-asan -Db_sanitize=address,undefined -Db_lundef=false
}

demo() {
  local mnt=${1:-/tmp/c7nfs-demo}
  deps "${BUILD_PACKAGES[@]}"
  build
  mkdir -p "$mnt"
  if mountpoint -q "$mnt"; then fusermount3 -u "$mnt"; fi
  build/src/c7nfs --demo "$mnt"
}

run_tests() {
  deps "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  build
  build_asan
  echo "== unit tests (plain build)"
  meson test -C build --print-errorlogs --suite unit
  echo "== unit tests (ASan+UBSan build)"
  ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs --suite unit
  echo "== emulator and mount tests (plain build)"
  C7NFS_BUILD=build "$PYTHON" -m pytest -q -p no:cacheprovider tests/emulator tests/integration
  echo "== emulator and mount tests (ASan+UBSan build)"
  C7NFS_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1 "$PYTHON" -m pytest -q -p no:cacheprovider \
    tests/emulator tests/integration
}

case "${1:-}" in
  demo) shift; demo "$@" ;;
  test) run_tests ;;
  deps) deps "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" ;;
  build) deps "${BUILD_PACKAGES[@]}"; build ;;
  *) echo "usage: $0 demo [MOUNTPOINT] | test | deps | build" >&2; exit 2 ;;
esac
