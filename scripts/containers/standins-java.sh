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
# Usage (as root): scripts/containers/standins-java.sh [--rebuild]
# An image is reused when this exact version of the script built it.
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

REBUILD=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*"; }
die() { printf 'standins-java.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in podman buildah tar; do command -v "$tool" >/dev/null || die "$tool not found"; done
for img in "$BUILDER_BASE" "$DISTROLESS_BASE"; do
  podman image exists "$img" || die "$img missing: run scripts/containers/build-standins.sh first"
done
mkdir -p "$MSB_CONTAINERS_DIR/work"
exec 9>"$MSB_CONTAINERS_DIR/build-java.lock"
flock 9
WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/java.XXXXXX")"
CTRS=()
cleanup() {
  local c
  for c in "${CTRS[@]}"; do buildah umount "$c" >/dev/null 2>&1 || true; buildah rm "$c" >/dev/null 2>&1 || true; done
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
  buildah run "$ctr" -- sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null && rm -rf /var/lib/apt/lists/*"
}

build_builder() {
  local name="docker.io/library/maven:3.9-eclipse-temurin-21" ctr out
  need_build "$name" || return 0
  log "$name from Debian $SUITE openjdk-21-jdk-headless + maven"
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  apt_install "$ctr" openjdk-21-jdk-headless maven
  buildah config --env "JAVA_HOME=/usr/lib/jvm/$JDK" --env MAVEN_HOME=/usr/share/maven --env MAVEN_CONFIG=/root/.m2 \
    --env "PATH=$STD_PATH" --workingdir / --cmd '["mvn"]' \
    --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE" "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  out="$(podman run --rm --pull=never --network=none "$name" sh -c 'java -version 2>&1 | head -n 1; mvn -v | head -n 1')"
  case "$out" in *'"21.'*'Apache Maven 3.9'*) ;; *) podman rmi "$name" >/dev/null 2>&1; die "smoke test of $name: $out" ;; esac
  log "built $name: $(echo "$out" | tr '\n' ' ')"
}

build_runtime() {
  local name="gcr.io/distroless/java21-debian13:nonroot" ctr mnt stage="$WORK/jre" lib f out
  need_build "$name" || return 0
  log "$name from Debian $SUITE openjdk-21-jre-headless"
  # install the JRE in a throwaway Debian container (its postinst writes the Java cacerts), then
  # take the JRE, its config and the shared libraries it links that the distroless base lacks
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  apt_install "$ctr" openjdk-21-jre-headless
  mnt="$(buildah mount "$ctr")"
  mkdir -p "$stage/usr/lib/jvm" "$stage/etc/ssl/certs" "$stage/usr/bin" "$stage/usr/lib/x86_64-linux-gnu"
  cp -a "$mnt/usr/lib/jvm/$JDK" "$stage/usr/lib/jvm/"
  cp -a "$mnt/etc/java-21-openjdk" "$stage/etc/"
  cp -a "$mnt/etc/ssl/certs/java" "$stage/etc/ssl/certs/"
  ln -s "/usr/lib/jvm/$JDK/bin/java" "$stage/usr/bin/java"
  for lib in $(buildah run "$ctr" -- sh -c "find /usr/lib/jvm/$JDK -name '*.so' -exec ldd {} + 2>/dev/null | awk '/=> \\//{print \$3}' | sort -u"); do
    case "$lib" in */libc.so*|*/libm.so*|*/ld-linux*|*/libgcc_s*|*/libstdc++*|*/libssl*|*/libcrypto*) continue ;; esac
    f="$(readlink -f "$mnt$lib")"
    cp -a "$mnt$lib" "$stage/usr/lib/x86_64-linux-gnu/" 2>/dev/null || true
    [ -f "$f" ] && cp -a "$f" "$stage/usr/lib/x86_64-linux-gnu/"
  done
  buildah umount "$ctr" >/dev/null
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/jre.tar" .
  ctr="$(buildah from --pull=never "$DISTROLESS_BASE")"
  CTRS+=("$ctr")
  buildah add --quiet "$ctr" "$WORK/jre.tar" / >/dev/null
  buildah config --user 65532 --workingdir /home/nonroot --entrypoint '["/usr/bin/java", "-jar"]' \
    --env "JAVA_VERSION=21" --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  out="$(podman run --rm --pull=never --network=none --entrypoint /usr/bin/java "$name" -version 2>&1 | head -n 1)"
  case "$out" in *'"21.'*) ;; *) podman rmi "$name" >/dev/null 2>&1; die "smoke test of $name: $out" ;; esac
  log "built $name: $out"
}

build_debug() {
  local runtime="gcr.io/distroless/java21-debian13:nonroot" name="gcr.io/distroless/java21-debian13:debug-nonroot" stage="$WORK/busybox" ctr applet
  need_build "$name" || return 0
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"; done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/busybox.tar" .
  ctr="$(buildah from --pull=never "$runtime")"
  CTRS+=("$ctr")
  buildah add --quiet "$ctr" "$WORK/busybox.tar" / >/dev/null
  buildah config --env "PATH=$STD_PATH:/busybox" --user 65532 --workingdir /home/nonroot \
    --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  log "built $name"
}

build_builder
build_runtime
build_debug
