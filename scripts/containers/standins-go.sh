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
# An image is reused when this exact version of the script built it.
# A failure prints one line "standins-go.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
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

log() { printf '==> %s\n' "$*"; }

# --- failures name the image and the step ---------------------------------------
# A bare `set -e` exit says nothing (a first run once died silently in a smoke
# test), so every failure prints the image being built and the step it was at.
IMAGE=""
STEP=preflight
step() { STEP="$1"; }
where() { if [ -n "$IMAGE" ]; then printf '%s, step "%s"' "$IMAGE" "$STEP"; else printf 'step "%s"' "$STEP"; fi; }
die() { # MESSAGE [LOG]: the failure, then the end of LOG (output kept out of the way until it matters)
  printf 'standins-go.sh: FAILED (%s): %s\n' "$(where)" "$1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then
    printf -- '--- last lines of %s:\n' "${2##*/}" >&2
    tail -n 40 "$2" >&2
  fi
  exit 1
}
# Any other command that fails under set -e. errtrace (-E) passes the trap to
# functions; subshells (command substitutions, pipeline members) inherit it as
# well but leave the report to the script, which gets their status.
on_error() { # STATUS LINE COMMAND PIPESTATUS
  [ "$BASHPID" = "$$" ] || return 0
  local cmd="${3//$'\n'/ }" statuses=""
  # a pipeline's COMMAND is its last member; its statuses show which one failed
  if [ "$4" != "${4// /}" ]; then statuses=" (pipeline statuses $4)"; fi
  printf 'standins-go.sh: FAILED (%s): exit status %s%s at line %s: %s\n' "$(where)" "$1" "$statuses" "$2" "${cmd:0:300}" >&2
}
set -E
trap 'on_error "$?" "$LINENO" "$BASH_COMMAND" "${PIPESTATUS[*]}"' ERR
trap 'printf "standins-go.sh: FAILED (%s): stopped by SIGTERM\n" "$(where)" >&2; exit 143' TERM
trap 'printf "standins-go.sh: FAILED (%s): stopped by SIGINT\n" "$(where)" >&2; exit 130' INT

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
CTRS=()
UNVERIFIED="" # the image being built, under its temporary name (see unverified)
cleanup() {
  local c
  for c in "${CTRS[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  if [ -n "$UNVERIFIED" ]; then podman rmi "$UNVERIFIED" >/dev/null 2>&1 || true; fi
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

# An image is committed under a temporary name and gets its real name only
# after every check passed: a build that fails or is killed half-way never
# leaves an image of this recipe under the real name (which the next run would
# skip). The EXIT trap drops the temporary image.
unverified() { # NAME: sets UNVERIFIED, the temporary name of NAME's new image
  UNVERIFIED="localhost/msb-unverified/$1"
  podman rmi "$UNVERIFIED" >/dev/null 2>&1 || true # left by a killed run
}
promote() { # NAME: the checked image takes NAME
  step "tag $1"
  podman tag "$UNVERIFIED" "$1"
  podman untag "$UNVERIFIED" "$UNVERIFIED"
  UNVERIFIED=""
}

# smoke PATTERN RUN-ARGS... : run the new image once; its output (stdout and
# stderr) must match the glob PATTERN. The output is captured whole and then
# inspected: a `podman run | head` pipeline can fail on SIGPIPE (status 141)
# and end the script under set -e and pipefail without a message.
SMOKE_OUT=""
smoke() {
  local want="$1"
  shift
  step "smoke test"
  SMOKE_OUT="$(podman run --rm --pull=never --network=none "$@" 2>&1)" || true
  # shellcheck disable=SC2053 # $want is a glob
  [[ "$SMOKE_OUT" == $want ]] || die "smoke test: expected output matching '$want', got: $SMOKE_OUT"
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
  smoke "* go$LINE*" "$UNVERIFIED" go version
  promote "$name"
  log "built $name ($SMOKE_OUT)"
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
    smoke '65532 /busybox/sh' "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
    promote "$debug"
    log "built $debug"
  fi
}

build_builder
build_base_pair
