#!/usr/bin/env bash
# Offline stand-ins of the Go family's base images, for hosts that cannot reach
# a container registry (run after build-standins.sh, whose Debian minbase and
# distroless bases they reuse):
#   docker.io/library/golang:<line>-trixie           builder: Debian + the Go toolchain at
#                                                    /usr/local/go (GOPATH /go), gcc, git, as
#                                                    the official image
#   gcr.io/distroless/base-debian13:nonroot          glibc, no shell (cgo binaries)
#   gcr.io/distroless/base-debian13:debug-nonroot    + busybox, ENTRYPOINT /busybox/sh
# (the static pair comes from build-standins.sh static).
#
# The toolchain is the host's /usr/local/go when its line matches, else the
# golang.org/toolchain module of that line from the Go module proxy, so the
# builder's Go version is the catalog line's.
#
# Usage (as root): scripts/containers/standins-go.sh [--rebuild] [--list] [LINE]   (default 1.26)
#   --list   print the images it would build, one per line, and exit: nothing
#            is built or checked (no root, no podman)
# An image is reused when this exact version of the script (and of
# lib/fail-loudly.sh) built it.
# A failure prints one line "standins-go.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"
CACHE="$MSB_CONTAINERS_DIR/cache"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL=io.github.msb.standin
# shellcheck source-path=SCRIPTDIR source=lib/fail-loudly.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fail-loudly.sh"
RECIPE="$(recipe_of "${BASH_SOURCE[0]}")" # an image of another version of this script or of the library is rebuilt
SUITE=trixie
BUILDER_BASE="localhost/msb-standin/debian-minbase:$SUITE"
DISTROLESS_BASE="localhost/msb-standin/distroless-base:$SUITE"
GOPROXY_URL="${GOPROXY_URL:-https://proxy.golang.org}"

REBUILD=0
LIST=0
LINE=1.26
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --list) LIST=1 ;;
    1.[0-9]*) LINE="$arg" ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
# The images, named exactly as the generated Dockerfiles use them
BUILDER="docker.io/library/golang:$LINE-trixie"
BASE_RUNTIME=gcr.io/distroless/base-debian13:nonroot
BASE_DEBUG=gcr.io/distroless/base-debian13:debug-nonroot
if [ "$LIST" -eq 1 ]; then
  printf '%s\n' "$BUILDER" "$BASE_RUNTIME" "$BASE_DEBUG"
  exit 0
fi

# --- failures name the image and the step (lib/fail-loudly.sh) -----------------
report_failures

[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in podman buildah tar flock; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
for img in "$BUILDER_BASE" "$DISTROLESS_BASE"; do
  podman image exists "$img" || die "$img missing: run scripts/containers/build-standins.sh first"
done
mkdir -p "$CACHE/go" "$MSB_CONTAINERS_DIR/work"
exec 9>"$MSB_CONTAINERS_DIR/build-go.lock"
flock 9
WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/go.XXXXXX")"
cleanup() {
  drop_unfinished
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

need_build() { # NAME
  if podman image exists "$1"; then
    local recipe
    recipe="$(podman image inspect --format "{{index .Labels \"$LABEL.recipe\"}}" "$1")"
    if [ "$REBUILD" -eq 0 ] && [ "$recipe" = "$RECIPE" ]; then log "$1 exists, skipping"; return 1; fi
  fi
  return 0
}

no_entrypoint() { # the real base and static images have no ENTRYPOINT and no CMD
  local cfg
  step "check ENTRYPOINT/CMD"
  cfg="$(podman image inspect --format '{{.Config.Entrypoint}}{{.Config.Cmd}}' "$UNVERIFIED")"
  [ -z "${cfg//[\[\]]/}" ] || die "has an ENTRYPOINT or CMD: $cfg"
}

busybox_tar() { # OUT: /busybox with its applets
  local stage="$WORK/busybox" applet
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"; done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$1" .
}

# --- the toolchain of the line: the host's, or the golang.org/toolchain module ---
# Sets TOOLCHAIN. (Called directly, not in $(...): set -e does not apply inside
# a command substitution, so a failed download there would go unnoticed.)
TOOLCHAIN=""
toolchain_root() {
  local host=/usr/local/go have="" re=" go${LINE//./\\.}(\\.[0-9]+)? "
  step "toolchain go$LINE"
  if [ -x "$host/bin/go" ]; then have="$("$host/bin/go" version 2>/dev/null || true)"; fi
  if [[ "$have" =~ $re ]]; then
    TOOLCHAIN="$host"
    return 0
  fi
  local list latest zip dir="$CACHE/go/toolchain-$LINE"
  if [ ! -x "$dir/bin/go" ]; then
    command -v curl >/dev/null || die "curl not found (needed to fetch go$LINE from $GOPROXY_URL)"
    command -v python3 >/dev/null || die "python3 not found (needed to unpack the go$LINE toolchain module)"
    list="$(curl -fsS "$GOPROXY_URL/golang.org/toolchain/@v/list")" || die "cannot list golang.org/toolchain versions on $GOPROXY_URL"
    # (grep finds nothing when the line is unknown: that is the message below, not a pipefail exit)
    latest="$(grep -E "^v0\.0\.1-go$LINE\.[0-9]+\.linux-amd64$" <<<"$list" | sort -V | tail -n 1 || true)"
    [ -n "$latest" ] || die "no golang.org/toolchain version for go$LINE on $GOPROXY_URL"
    zip="$CACHE/go/$latest.zip"
    curl -fsS -o "$zip" "$GOPROXY_URL/golang.org/toolchain/@v/$latest.zip" || die "download of golang.org/toolchain@$latest failed"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    python3 -m zipfile -e "$zip" "$dir.tmp" || die "cannot unpack $zip"
    mv "$dir.tmp/golang.org/toolchain@$latest" "$dir"
    chmod -R u+w,a+rX "$dir" && chmod a+x "$dir"/bin/* "$dir"/pkg/tool/*/*
    rm -rf "$dir.tmp"
  fi
  TOOLCHAIN="$dir"
}

build_builder() {
  local name="$BUILDER" version ctr
  need_build "$name" || return 0
  IMAGE="$name"
  toolchain_root
  version="$("$TOOLCHAIN/bin/go" version)" # go version goX.Y.Z linux/amd64
  read -r _ _ version _ <<<"$version"
  log "$name from $TOOLCHAIN ($version)"
  step "stage the toolchain"
  mkdir -p "$WORK/go/usr/local" "$WORK/go/go/bin" "$WORK/go/go/src"
  cp -a "$TOOLCHAIN" "$WORK/go/usr/local/go"
  rm -rf "$WORK/go/usr/local/go/pkg/obj" "$WORK/go/usr/local/go/.git"
  chmod 1777 "$WORK/go/go"
  tar -C "$WORK/go" --numeric-owner --owner=0 --group=0 -cf "$WORK/go.tar" .
  step "buildah from $BUILDER_BASE"
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  # as the official image: gcc and libc6-dev for cgo, git for modules fetched directly (GOPRIVATE)
  step "apt-get install gcc libc6-dev git make pkg-config"
  buildah run "$ctr" -- sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev git make pkg-config && rm -rf /var/lib/apt/lists/*' \
    >"$WORK/apt.log" 2>&1 || die "apt-get install failed" "$WORK/apt.log"
  step "commit"
  buildah add --quiet "$ctr" "$WORK/go.tar" / >/dev/null
  buildah config --env "PATH=/go/bin:/usr/local/go/bin:$STD_PATH" --env GOPATH=/go --env GOTOOLCHAIN=local \
    --env "GOLANG_VERSION=${version#go}" --workingdir /go --cmd '["bash"]' \
    --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE" --label "org.opencontainers.image.version=${version#go}" "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  smoke_match "* go$LINE*" "$UNVERIFIED" go version
  promote "$name"
  log "built $name ($RUN_OUT)"
}

build_base_pair() {
  local name="$BASE_RUNTIME" debug="$BASE_DEBUG" ctr
  if need_build "$name"; then
    IMAGE="$name"
    step "buildah from $DISTROLESS_BASE"
    ctr="$(buildah from --pull=never "$DISTROLESS_BASE")"
    CTRS+=("$ctr")
    # the real image has no ENTRYPOINT and no CMD
    step "commit"
    buildah config --user 65532 --workingdir /home/nonroot --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" "$ctr"
    unverified "$name"
    buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
    no_entrypoint
    promote "$name"
    log "built $name"
  fi
  if need_build "$debug"; then
    IMAGE="$debug"
    step "busybox layer"
    busybox_tar "$WORK/busybox.tar"
    step "buildah from $name"
    ctr="$(buildah from --pull=never "$name")"
    CTRS+=("$ctr")
    step "commit"
    buildah add --quiet "$ctr" "$WORK/busybox.tar" / >/dev/null
    buildah config --env "PATH=$STD_PATH:/busybox" --entrypoint '["/busybox/sh"]' --user 65532 --workingdir /home/nonroot \
      --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" "$ctr"
    unverified "$debug"
    buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
    # shellcheck disable=SC2016 # expanded in the container
    smoke_match '65532 /busybox/sh' "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
    promote "$debug"
    log "built $debug"
  fi
}

build_builder
build_base_pair
