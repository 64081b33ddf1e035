#!/usr/bin/env bash
# Offline stand-ins of the Java family's base images, for hosts that cannot reach
# a container registry (run after build-standins.sh, whose Debian minbase and
# distroless bases they reuse). Debian trixie packages OpenJDK 21 only, so the
# stand-ins are of the 21 line:
#   docker.io/library/maven:3.9-eclipse-temurin-21   builder: Debian trixie's openjdk-21-jdk-headless
#                                                    + maven (3.9), mvn on PATH, JAVA_HOME set
#   gcr.io/distroless/java21-debian13:nonroot        the JRE (openjdk-21-jre-headless) on the
#                                                    distroless base: no shell, uid 65532,
#                                                    ENTRYPOINT ["/usr/bin/java", "-jar"] as the real one
#   gcr.io/distroless/java21-debian13:debug-nonroot  + busybox on PATH (same ENTRYPOINT)
#
# Usage (as root): scripts/containers/standins-java.sh [--rebuild] [--list]
#   --list   print the images it would build, one per line, and exit: nothing
#            is built or checked (no root, no podman)
# An image is reused when this exact version of the script built it.
# A failure prints one line "standins-java.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL=io.github.msb.standin
RECIPE="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
SUITE=trixie
BUILDER_BASE="localhost/msb-standin/debian-minbase:$SUITE"
DISTROLESS_BASE="localhost/msb-standin/distroless-base:$SUITE"
JDK=java-21-openjdk-amd64
# The images, named exactly as the generated Dockerfiles use them
BUILDER=docker.io/library/maven:3.9-eclipse-temurin-21
RUNTIME=gcr.io/distroless/java21-debian13:nonroot
DEBUG=gcr.io/distroless/java21-debian13:debug-nonroot

REBUILD=0
LIST=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --list) LIST=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [ "$LIST" -eq 1 ]; then
  printf '%s\n' "$BUILDER" "$RUNTIME" "$DEBUG"
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
  printf 'standins-java.sh: FAILED (%s): %s\n' "$(where)" "$1" >&2
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
  printf 'standins-java.sh: FAILED (%s): exit status %s%s at line %s: %s\n' "$(where)" "$1" "$statuses" "$2" "${cmd:0:300}" >&2
}
set -E
trap 'on_error "$?" "$LINENO" "$BASH_COMMAND" "${PIPESTATUS[*]}"' ERR
trap 'printf "standins-java.sh: FAILED (%s): stopped by SIGTERM\n" "$(where)" >&2; exit 143' TERM
trap 'printf "standins-java.sh: FAILED (%s): stopped by SIGINT\n" "$(where)" >&2; exit 130' INT

[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in podman buildah tar flock; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
for img in "$BUILDER_BASE" "$DISTROLESS_BASE"; do
  podman image exists "$img" || die "$img missing: run scripts/containers/build-standins.sh first"
done
mkdir -p "$MSB_CONTAINERS_DIR/work"
exec 9>"$MSB_CONTAINERS_DIR/build-java.lock"
flock 9
WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/java.XXXXXX")"
CTRS=()
UNVERIFIED="" # the image being built, under its temporary name (see unverified)
cleanup() {
  local c
  for c in "${CTRS[@]}"; do buildah umount "$c" >/dev/null 2>&1 || true; buildah rm "$c" >/dev/null 2>&1 || true; done
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

apt_install() { # CTR PACKAGE...
  local ctr="$1"
  shift
  step "apt-get install $*"
  buildah run "$ctr" -- sh -c "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $* && rm -rf /var/lib/apt/lists/*" \
    >"$WORK/apt.log" 2>&1 || die "apt-get install $* failed" "$WORK/apt.log"
}

build_builder() {
  local name="$BUILDER" ctr
  need_build "$name" || return 0
  IMAGE="$name"
  log "$name from Debian $SUITE openjdk-21-jdk-headless + maven"
  step "buildah from $BUILDER_BASE"
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  apt_install "$ctr" openjdk-21-jdk-headless maven
  step "commit"
  buildah config --env "JAVA_HOME=/usr/lib/jvm/$JDK" --env MAVEN_HOME=/usr/share/maven --env MAVEN_CONFIG=/root/.m2 \
    --env "PATH=$STD_PATH" --workingdir / --cmd '["mvn"]' \
    --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE" "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  smoke '*"21.*Apache Maven 3.9*' "$UNVERIFIED" sh -c 'java -version 2>&1; mvn -v'
  promote "$name"
  log "built $name: $(sed -n '/version "/p; /Apache Maven/p' <<<"$SMOKE_OUT" | tr '\n' ' ')"
}

build_runtime() {
  local name="$RUNTIME" ctr mnt stage="$WORK/jre" libs lib f
  need_build "$name" || return 0
  IMAGE="$name"
  log "$name from Debian $SUITE openjdk-21-jre-headless"
  # install the JRE in a throwaway Debian container (its postinst writes the Java cacerts), then
  # take the JRE, its config and the shared libraries it links that the distroless base lacks
  step "buildah from $BUILDER_BASE"
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  apt_install "$ctr" openjdk-21-jre-headless
  step "copy the JRE and its libraries"
  mnt="$(buildah mount "$ctr")"
  mkdir -p "$stage/usr/lib/jvm" "$stage/etc/ssl/certs" "$stage/usr/bin" "$stage/usr/lib/x86_64-linux-gnu"
  cp -a "$mnt/usr/lib/jvm/$JDK" "$stage/usr/lib/jvm/"
  cp -a "$mnt/etc/java-21-openjdk" "$stage/etc/"
  cp -a "$mnt/etc/ssl/certs/java" "$stage/etc/ssl/certs/"
  ln -s "/usr/lib/jvm/$JDK/bin/java" "$stage/usr/bin/java"
  # (captured first: a failure in the word list of `for` would go unnoticed)
  libs="$(buildah run "$ctr" -- sh -c "find /usr/lib/jvm/$JDK -name '*.so' -exec ldd {} + 2>/dev/null | awk '/=> \\//{print \$3}' | sort -u")"
  [ -n "$libs" ] || die "ldd found no libraries linked by the JRE"
  for lib in $libs; do
    case "$lib" in */libc.so*|*/libm.so*|*/ld-linux*|*/libgcc_s*|*/libstdc++*|*/libssl*|*/libcrypto*) continue ;; esac
    f="$(readlink -f "$mnt$lib")"
    cp -a "$mnt$lib" "$stage/usr/lib/x86_64-linux-gnu/" 2>/dev/null || true
    if [ -f "$f" ]; then cp -a "$f" "$stage/usr/lib/x86_64-linux-gnu/"; fi
  done
  buildah umount "$ctr" >/dev/null
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/jre.tar" .
  step "buildah from $DISTROLESS_BASE"
  ctr="$(buildah from --pull=never "$DISTROLESS_BASE")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/jre.tar" / >/dev/null
  buildah config --user 65532 --workingdir /home/nonroot --entrypoint '["/usr/bin/java", "-jar"]' \
    --env "JAVA_VERSION=21" --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  smoke '*"21.*' --entrypoint /usr/bin/java "$UNVERIFIED" -version
  promote "$name"
  log "built $name: ${SMOKE_OUT%%$'\n'*}"
}

build_debug() {
  local runtime="$RUNTIME" name="$DEBUG" stage="$WORK/busybox" ctr applet
  need_build "$name" || return 0
  IMAGE="$name"
  step "busybox layer"
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"; done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/busybox.tar" .
  step "buildah from $runtime"
  ctr="$(buildah from --pull=never "$runtime")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/busybox.tar" / >/dev/null
  buildah config --env "PATH=$STD_PATH:/busybox" --user 65532 --workingdir /home/nonroot \
    --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  # shellcheck disable=SC2016 # expanded in the container
  smoke '65532 /busybox/sh' --entrypoint sh "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
  promote "$name"
  log "built $name"
}

build_builder
build_runtime
build_debug
