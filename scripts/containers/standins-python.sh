#!/usr/bin/env bash
# Build local stand-ins for the Python family's base images, for hosts that
# cannot reach any container registry. Needs a Debian mirror and the shared
# stand-in bases of build-standins.sh (run it first, e.g. with `26`).
#
# Usage (as root, after setup-engine.sh and build-standins.sh):
#   scripts/containers/standins-python.sh [--rebuild] [--list]
#     --list   print the images it would build, one per line, and exit:
#              nothing is built or checked (no root, no podman)
#
# Images (names exactly as the generated Dockerfiles use them):
#   docker.io/library/python:3.13-slim-trixie            builder: Python 3.13 under /usr/local
#                                                        (python3, pip), no /usr/bin/python3
#   gcr.io/distroless/python3-debian13:nonroot           runtime: Debian's python3.13 at
#                                                        /usr/bin/python3.13, no shell, uid 65532
#   gcr.io/distroless/python3-debian13:debug-nonroot     the same plus busybox in /busybox
#
# The builder copies the official image's file layout where it matters: the
# interpreter is /usr/local/bin/python3.13 (prefix /usr/local, stdlib in
# /usr/local/lib/python3.13, pip in its site-packages, no EXTERNALLY-MANAGED
# marker), and Debian's /usr/bin/python3* is absent, as in python:*-slim. A
# venv made with /usr/local/bin/python3 therefore points at a path the
# distroless runtime does not have, exactly as with the real images.
# The builder's Python is Debian trixie's 3.13 build moved to /usr/local
# (the real image has a python.org build; same minor, same Debian release).
# A python.org build started through a link elsewhere (/usr/bin/python3.13 ->
# /usr/local/bin/python3.13, as the distroless example does) falls back to its
# compiled prefix /usr/local; Debian's build was compiled for /usr, so the
# stand-in links /usr/lib/python3.13 to the moved stdlib to behave the same.
#
# An existing image is reused when it was built by this exact version of the
# script and of lib/fail-loudly.sh (label io.github.msb.standin.recipe).
# A failure prints one line "standins-python.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
MIRROR="${MSB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"
LABEL=io.github.msb.standin
# shellcheck source-path=SCRIPTDIR source=lib/fail-loudly.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fail-loudly.sh"
RECIPE="$(recipe_of "${BASH_SOURCE[0]}")" # an image of another version of this script or of the library is rebuilt
SUITE=trixie
BUILDER_BASE="localhost/msb-standin/debian-minbase:$SUITE"
DISTROLESS_BASE="localhost/msb-standin/distroless-base:$SUITE"
BUILDER=docker.io/library/python:3.13-slim-trixie
RUNTIME=gcr.io/distroless/python3-debian13:nonroot
DEBUG=gcr.io/distroless/python3-debian13:debug-nonroot

REBUILD=0
LIST=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --list) LIST=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [ "$LIST" -eq 1 ]; then
  printf '%s\n' "$BUILDER" "$RUNTIME" "$DEBUG"
  exit 0
fi

# --- failures name the image and the step (lib/fail-loudly.sh) -----------------
report_failures

[ "$(id -u)" -eq 0 ] || die "must run as root"
command -v podman >/dev/null || die "podman not found (run scripts/containers/setup-engine.sh)"
command -v flock >/dev/null || die "flock not found"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
for base in "$BUILDER_BASE" "$DISTROLESS_BASE"; do
  podman image exists "$base" || die "$base missing: run scripts/containers/build-standins.sh 26 first"
done

mkdir -p "$MSB_CONTAINERS_DIR/work"
exec 9>"$MSB_CONTAINERS_DIR/build-python.lock"
flock 9
WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/python.XXXXXX")"
cleanup() {
  drop_unfinished
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

need_build() { # NAME -> 0 if NAME must be (re)built
  local recipe
  podman image exists "$1" || return 0
  recipe="$(podman image inspect --format "{{index .Labels \"$LABEL.recipe\"}}" "$1")"
  if [ "$REBUILD" -eq 0 ] && [ "$recipe" = "$RECIPE" ]; then
    log "$1 exists, skipping (--rebuild to redo)"
    return 1
  fi
  return 0
}

build() { # DIR PODMAN-BUILD-ARGS...: DIR/Containerfile into UNVERIFIED (its output in DIR.log, shown on failure)
  local dir="$1"
  shift
  step "podman build"
  podman build --pull=never -t "$UNVERIFIED" "$@" "$dir" >"$dir.log" 2>&1 ||
    die "podman build of $dir/Containerfile failed" "$dir.log"
}

# --- builder: Python 3.13 under /usr/local, as the official slim image ---------
if need_build "$BUILDER"; then
  IMAGE="$BUILDER"
  log "$BUILDER from Debian $SUITE's python3.13, moved to /usr/local"
  mkdir -p "$WORK/builder"
  cat >"$WORK/builder/Containerfile" <<EOF
FROM $BUILDER_BASE
RUN sed -i 's#URIs: .*debian-security#URIs: $MIRROR-security#; s#URIs: http://deb.debian.org/debian\$#URIs: $MIRROR#' /etc/apt/sources.list.d/debian.sources && \\
    apt-get update && \\
    apt-get install -y --no-install-recommends python3.13 python3.13-venv python3-pip-whl python3-setuptools-whl ca-certificates netbase tzdata && \\
    rm -rf /var/lib/apt/lists/*
# The official layout: /usr/local/bin/python3.13 finds its prefix /usr/local by
# its landmark (lib/python3.13/os.py); Debian's /usr/bin/python3* is removed.
RUN set -e; \\
    mkdir -p /usr/local/bin /usr/local/lib; \\
    rm -rf /usr/local/lib/python3.13; mv /usr/lib/python3.13 /usr/local/lib/python3.13; \\
    mv /usr/bin/python3.13 /usr/local/bin/python3.13; \\
    rm -f /usr/bin/python3 /usr/bin/python /usr/local/lib/python3.13/EXTERNALLY-MANAGED; \\
    ln -s /usr/local/lib/python3.13 /usr/lib/python3.13; \\
    ln -s python3.13 /usr/local/bin/python3; ln -s python3 /usr/local/bin/python; \\
    mkdir -p /usr/local/lib/python3.13/site-packages /usr/local/lib/python3.13/dist-packages; \\
    echo /usr/local/lib/python3.13/site-packages >/usr/local/lib/python3.13/dist-packages/site-packages.pth; \\
    /usr/local/bin/python3.13 -c 'import glob, zipfile; zipfile.ZipFile(glob.glob("/usr/share/python-wheels/pip-*.whl")[0]).extractall("/usr/local/lib/python3.13/site-packages")'; \\
    printf '#!/bin/sh\nexec /usr/local/bin/python3.13 -m pip "\$@"\n' >/usr/local/bin/pip; chmod 0755 /usr/local/bin/pip; \\
    ln -sf pip /usr/local/bin/pip3; ln -sf pip /usr/local/bin/pip3.13; \\
    rm -rf /root/.cache; \\
    test ! -e /usr/bin/python3; \\
    /usr/local/bin/python3 -c 'import sys, ssl, sqlite3, venv, ctypes; assert sys.prefix == "/usr/local", sys.prefix'
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
CMD ["python3"]
EOF
  unverified "$BUILDER"
  build "$WORK/builder" --network=host --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE"
  step "smoke test"
  run_out "$UNVERIFIED" python3 -c 'import platform; print(platform.python_version())'
  version="$RUN_OUT"
  [[ "$version" == 3.13.* ]] || die "smoke test: expected a Python 3.13.x version, got: $version"
  # shellcheck disable=SC2016 # expanded in the container
  smoke "/usr/local $version /usr/local/bin/pip" "$UNVERIFIED" sh -c 'echo "$(python3 -c "import sys; print(sys.prefix)") $(python -c "import platform; print(platform.python_version())") $(command -v pip)"'
  run_out "$UNVERIFIED" pip --version
  [[ "$RUN_OUT" == *"python 3.13"* ]] || die "smoke test: pip does not run: $RUN_OUT"
  promote "$BUILDER"
  log "built $BUILDER (Python $version)"
fi

# --- runtime: Debian's python3.13 on the distroless base ------------------------
PACKAGES="libbz2-1.0 libdb5.3t64 libexpat1 liblzma5 libsqlite3-0 libuuid1 libncursesw6 libtinfo6 zlib1g libcom-err2 libcrypt1 libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libnsl2 libreadline8t64 libtirpc3t64 libffi8 libmpdec4 libzstd1 media-types libpython3.13-minimal libpython3.13-stdlib python3.13-minimal python3.13-venv"
if need_build "$RUNTIME"; then
  IMAGE="$RUNTIME"
  log "$RUNTIME from Debian $SUITE packages (as distroless python3: $PACKAGES)"
  mkdir -p "$WORK/runtime"
  cat >"$WORK/runtime/Containerfile" <<EOF
FROM $BUILDER_BASE AS debs
RUN sed -i 's#URIs: .*debian-security#URIs: $MIRROR-security#; s#URIs: http://deb.debian.org/debian\$#URIs: $MIRROR#' /etc/apt/sources.list.d/debian.sources && \\
    apt-get update && mkdir -p /debs /rootfs/var/lib/dpkg/status.d && cd /debs && \\
    apt-get download $PACKAGES && \\
    for deb in /debs/*.deb; do dpkg-deb -x "\$deb" /rootfs; pkg="\$(dpkg-deb -f "\$deb" Package)"; dpkg-deb -f "\$deb" >/rootfs/var/lib/dpkg/status.d/"\$pkg"; done && \\
    ln -sf python3.13 /rootfs/usr/bin/python3 && ln -sf python3.13 /rootfs/usr/bin/python && \\
    rm -rf /rootfs/usr/share/doc /rootfs/usr/share/man /rootfs/usr/lib/python3.13/EXTERNALLY-MANAGED /rootfs/usr/bin/pydoc* && \\
    test ! -e /rootfs/bin/sh && test ! -e /rootfs/usr/bin/sh && test ! -e /rootfs/usr/bin/pip3
FROM $DISTROLESS_BASE
COPY --from=debs /rootfs/ /
ENV LANG=C.UTF-8
USER 65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/python3.13"]
EOF
  unverified "$RUNTIME"
  build "$WORK/runtime" --network=host --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE"
  smoke "65532 /usr/bin/python3.13 False" "$UNVERIFIED" -c 'import os, sys, shutil, ssl, sqlite3; print(os.getuid(), sys.executable, os.path.exists("/bin/sh"))'
  promote "$RUNTIME"
  log "built $RUNTIME"
fi

# --- debug: the runtime plus busybox --------------------------------------------
if need_build "$DEBUG"; then
  IMAGE="$DEBUG"
  log "$DEBUG"
  step "busybox layer"
  mkdir -p "$WORK/debug/busybox"
  cp /bin/busybox "$WORK/debug/busybox/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$WORK/debug/busybox/$applet"
  done
  cat >"$WORK/debug/Containerfile" <<EOF
FROM $RUNTIME
COPY busybox/ /busybox/
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox
EOF
  unverified "$DEBUG"
  build "$WORK/debug" --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE"
  # shellcheck disable=SC2016 # expanded in the container
  smoke "65532 /busybox/sh" --entrypoint sh "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
  promote "$DEBUG"
  log "built $DEBUG"
fi

IMAGE=""
step summary
for name in "$BUILDER" "$RUNTIME" "$DEBUG"; do
  podman image inspect --format "$name {{.Size}}" "$name" 2>/dev/null | awk '{ printf "  %-56s %4d MB\n", $1, $2 / 1e6 }'
done
