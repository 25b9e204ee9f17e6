#!/usr/bin/env bash
# `make deps`: installs the system packages xraywatch builds against, and only those missing.
# Checks with pkg-config (libjpeg, libpng, openblas), for DCMTK's headers (Debian's dcmtk.pc is unusable: it
# requires sndfile.pc) and for the make and pkg-config commands; installs what is
# missing with apt-get, as root or through sudo, saying first what it installs. Debian and Ubuntu only; elsewhere
# it says which libraries to install. Swift itself must already be on the PATH.
#   scripts/install-deps.sh [--test]    --test: also Debian's chromium, which the tests drive headless
set -euo pipefail

missing=()
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then missing+=(chromium); fi
command -v make >/dev/null || missing+=(make)
command -v pkg-config >/dev/null || missing+=(pkg-config)
have() {   # pkg-config module, or the Debian package when pkg-config itself is still missing
    if command -v pkg-config >/dev/null; then pkg-config --exists "$1"; else dpkg-query -W -f='${Status}' "$2" 2>/dev/null | grep -q "ok installed"; fi
}
have libjpeg libjpeg-dev || missing+=(libjpeg-dev)
have libpng libpng-dev || missing+=(libpng-dev)
have openblas libopenblas-dev || missing+=(libopenblas-dev)
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || missing+=(libdnnl-dev)
[ -f /usr/include/dcmtk/dcmdata/dctk.h ] || missing+=(libdcmtk-dev)

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all there (make, pkg-config, libjpeg, libpng, openblas, onednn, dcmtk${1:+, chromium})"
    exit 0
fi
echo "deps: installing ${missing[*]}"
if ! command -v apt-get >/dev/null; then
    echo "deps: no apt-get here; install the equivalents of: ${missing[*]}" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then run=(); elif command -v sudo >/dev/null; then run=(sudo); else
    echo "deps: not root and no sudo; ask an administrator to run: apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
