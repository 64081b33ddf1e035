#!/usr/bin/env bash
# Install a daemonless container engine (podman + buildah) and write the
# containers.conf this host needs. Safe to run again: installs only what is
# missing and rewrites the config file with the same content.
#
# Usage (as root):  scripts/containers/setup-engine.sh
# Then:             source scripts/containers/env.sh
set -euo pipefail

MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
CONF="$MSB_CONTAINERS_DIR/containers.conf"
PACKAGES=(podman buildah runc debootstrap busybox-static)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-engine.sh: must run as root (apt-get, rootful podman)" >&2
  exit 1
fi

# --- packages -------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Packages already installed: ${PACKAGES[*]}"
fi

# --- containers.conf --------------------------------------------------------
# runc: crun refuses this kind of host's hybrid cgroup layout.
# default_ulimits: without CAP_SYS_RESOURCE podman's default (raise nofile
# to the hard max) makes setrlimit fail, so pin values the host allows.
mkdir -p "$MSB_CONTAINERS_DIR"
tmp="$(mktemp "$CONF.XXXXXX")"
cat >"$tmp" <<'EOF'
# Written by scripts/containers/setup-engine.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
mv -f "$tmp" "$CONF"
chmod 0644 "$CONF"

echo "podman $(podman version --format '{{.Client.Version}}' 2>/dev/null || echo '?'), buildah $(buildah version 2>/dev/null | awk '/^Version:/{print $2}')"
echo "Wrote $CONF"
echo
echo "Point podman/buildah at it in each shell that uses them:"
echo "  export CONTAINERS_CONF=$CONF"
echo "or:"
echo "  source $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
