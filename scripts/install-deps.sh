#!/bin/sh
# install-deps.sh: install the Debian packages bulu builds, tests and
# benchmarks with, when any is missing.  Needs root (or sudo) to install;
# otherwise says what to run.  With "fuzz", also what `make fuzz` needs.
set -eu
PKGS="build-essential pkg-config tzdata python3 python3-cryptography libsqlite3-dev sqlite3 libsodium-dev libcsv-dev libcmocka-dev minisign zlib1g-dev libdeflate-dev libcjson-dev libzint-dev libxlsxwriter-dev chromium chromium-driver python3-selenium python3-openpyxl poppler-utils fonts-noto-cjk zbar-tools miller libmicrohttpd-dev libgnutls28-dev curl"
# `install-deps.sh fuzz` adds clang and its libFuzzer runtime (make fuzz).
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "bulu: installing missing packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
	echo "bulu: run as root: apt-get install$missing" >&2; exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null
