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
# An image is reused when this exact version of the script (and of
# lib/fail-loudly.sh) built it.
# A failure prints one line "standins-java.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL=io.github.msb.standin
# shellcheck source-path=SCRIPTDIR source=lib/fail-loudly.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fail-loudly.sh"
RECIPE="$(recipe_of "${BASH_SOURCE[0]}")" # an image of another version of this script or of the library is rebuilt
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

# --- failures name the image and the step (lib/fail-loudly.sh) -----------------
report_failures

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
cleanup() {
  local c
  # (build_runtime mounts its JRE container; drop_unfinished removes the containers)
  for c in "${CTRS[@]}"; do buildah umount "$c" >/dev/null 2>&1 || true; done
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
  smoke_match '*"21.*Apache Maven 3.9*' "$UNVERIFIED" sh -c 'java -version 2>&1; mvn -v'
  promote "$name"
  log "built $name: $(sed -n '/version "/p; /Apache Maven/p' <<<"$RUN_OUT" | tr '\n' ' ')"
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
  smoke_match '*"21.*' --entrypoint /usr/bin/java "$UNVERIFIED" -version
  promote "$name"
  log "built $name: ${RUN_OUT%%$'\n'*}"
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
  smoke_match '65532 /busybox/sh' --entrypoint sh "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
  promote "$name"
  log "built $name"
}

build_builder
build_runtime
build_debug
