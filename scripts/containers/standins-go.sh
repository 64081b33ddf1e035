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
# Usage (as root): scripts/containers/standins-go.sh [--rebuild] [LINE]   (default 1.26)
# An image is reused when this exact version of the script built it.
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"
CACHE="$MSB_CONTAINERS_DIR/cache"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL=io.github.msb.standin
RECIPE="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
SUITE=trixie
BUILDER_BASE="localhost/msb-standin/debian-minbase:$SUITE"
DISTROLESS_BASE="localhost/msb-standin/distroless-base:$SUITE"
GOPROXY_URL="${GOPROXY_URL:-https://proxy.golang.org}"

REBUILD=0
LINE=1.26
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    1.[0-9]*) LINE="$arg" ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*"; }
die() { printf 'standins-go.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in podman buildah tar; do command -v "$tool" >/dev/null || die "$tool not found"; done
for img in "$BUILDER_BASE" "$DISTROLESS_BASE"; do
  podman image exists "$img" || die "$img missing: run scripts/containers/build-standins.sh first"
done
mkdir -p "$CACHE/go" "$MSB_CONTAINERS_DIR/work"
exec 9>"$MSB_CONTAINERS_DIR/build-go.lock"
flock 9
WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/go.XXXXXX")"
CTRS=()
cleanup() {
  local c
  for c in "${CTRS[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
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

busybox_tar() { # OUT: /busybox with its applets
  local stage="$WORK/busybox" applet
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"; done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$1" .
}

# --- the toolchain of the line: the host's, or the golang.org/toolchain module ---
toolchain_root() {
  local host=/usr/local/go
  if [ -x "$host/bin/go" ] && "$host/bin/go" version | grep -q " go$LINE\(\.[0-9]*\)\? "; then
    echo "$host"
    return 0
  fi
  local latest zip dir="$CACHE/go/toolchain-$LINE"
  if [ ! -x "$dir/bin/go" ]; then
    latest="$(curl -fsS "$GOPROXY_URL/golang.org/toolchain/@v/list" | grep -E "^v0\.0\.1-go$LINE\.[0-9]+\.linux-amd64$" | sort -V | tail -n 1)"
    [ -n "$latest" ] || die "no golang.org/toolchain version for go$LINE on $GOPROXY_URL"
    zip="$CACHE/go/$latest.zip"
    curl -fsS -o "$zip" "$GOPROXY_URL/golang.org/toolchain/@v/$latest.zip"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    python3 -m zipfile -e "$zip" "$dir.tmp"
    mv "$dir.tmp/golang.org/toolchain@$latest" "$dir"
    chmod -R u+w,a+rX "$dir" && chmod a+x "$dir"/bin/* "$dir"/pkg/tool/*/*
    rm -rf "$dir.tmp"
  fi
  echo "$dir"
}

build_builder() {
  local name="docker.io/library/golang:$LINE-trixie" root version ctr
  need_build "$name" || return 0
  root="$(toolchain_root)"
  version="$("$root/bin/go" version | awk '{print $3}')"
  log "$name from $root ($version)"
  mkdir -p "$WORK/go/usr/local" "$WORK/go/go/bin" "$WORK/go/go/src"
  cp -a "$root" "$WORK/go/usr/local/go"
  rm -rf "$WORK/go/usr/local/go/pkg/obj" "$WORK/go/usr/local/go/.git"
  chmod 1777 "$WORK/go/go"
  tar -C "$WORK/go" --numeric-owner --owner=0 --group=0 -cf "$WORK/go.tar" .
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  # as the official image: gcc and libc6-dev for cgo, git for modules fetched directly (GOPRIVATE)
  buildah run "$ctr" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev git make pkg-config >/dev/null && rm -rf /var/lib/apt/lists/*'
  buildah add --quiet "$ctr" "$WORK/go.tar" / >/dev/null
  buildah config --env "PATH=/go/bin:/usr/local/go/bin:$STD_PATH" --env GOPATH=/go --env GOTOOLCHAIN=local \
    --env "GOLANG_VERSION=${version#go}" --workingdir /go --cmd '["bash"]' \
    --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE" --label "org.opencontainers.image.version=${version#go}" "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  local out
  out="$(podman run --rm --pull=never --network=none "$name" go version)"
  case "$out" in *" go$LINE"*) ;; *) podman rmi "$name" >/dev/null 2>&1; die "smoke test of $name: $out" ;; esac
  log "built $name ($out)"
}

build_base_pair() {
  local name="gcr.io/distroless/base-debian13:nonroot" debug="gcr.io/distroless/base-debian13:debug-nonroot" ctr
  if need_build "$name"; then
    ctr="$(buildah from --pull=never "$DISTROLESS_BASE")"
    CTRS+=("$ctr")
    # the real image has no ENTRYPOINT and no CMD
    buildah config --user 65532 --workingdir /home/nonroot --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" "$ctr"
    buildah commit --quiet --rm "$ctr" "$name" >/dev/null
    log "built $name"
  fi
  if need_build "$debug"; then
    busybox_tar "$WORK/busybox.tar"
    ctr="$(buildah from --pull=never "$name")"
    CTRS+=("$ctr")
    buildah add --quiet "$ctr" "$WORK/busybox.tar" / >/dev/null
    buildah config --env "PATH=$STD_PATH:/busybox" --entrypoint '["/busybox/sh"]' --user 65532 --workingdir /home/nonroot \
      --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" "$ctr"
    buildah commit --quiet --rm "$ctr" "$debug" >/dev/null
    log "built $debug"
  fi
}

build_builder
build_base_pair
