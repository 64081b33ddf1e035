# Source this file (do not execute it) to point podman/buildah at the
# containers.conf written by setup-engine.sh:
#   source scripts/containers/env.sh
export MSB_CONTAINERS_DIR="${MSB_CONTAINERS_DIR:-/var/tmp/msb-containers}"
export CONTAINERS_CONF="$MSB_CONTAINERS_DIR/containers.conf"
if [ ! -f "$CONTAINERS_CONF" ]; then
  echo "env.sh: $CONTAINERS_CONF not found; run scripts/containers/setup-engine.sh first" >&2
fi
