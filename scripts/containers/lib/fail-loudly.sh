# shellcheck shell=bash
# Shared by the stand-in scripts (build-standins.sh, standins-*.sh); source it,
# do not execute it:
#   # shellcheck source-path=SCRIPTDIR source=lib/fail-loudly.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/fail-loudly.sh"
# Sourcing only defines functions and variables: nothing runs, nothing needs
# root or podman (so --list works anywhere). It gives:
#   recipe_of SCRIPT   the recipe label of SCRIPT's images
#   report_failures    install the traps: every failure names the script, the
#                      image and the step on stderr
#   step, die, log     what the builds call
#   unverified, promote, drop_unfinished
#                      images under a temporary name until they are checked
#   run_out, smoke, smoke_match
#                      the checks: one run of the new image, its output
# Messages are "<script>: FAILED (IMAGE, step "STEP"): ...", <script> being the
# file that sourced this one (the image tests' setup picks its lines by that name).

SCRIPT_NAME="${BASH_SOURCE[1]:-$0}"
SCRIPT_NAME="${SCRIPT_NAME##*/}"
FAIL_LOUDLY_LIB="${BASH_SOURCE[0]}"

log() { printf '==> %s\n' "$*"; }

# Images record which version of the script and of this file built them; an
# image made by a different version is rebuilt, so edits (here too) reach
# existing hosts.
recipe_of() { # SCRIPT
  cat "$1" "$FAIL_LOUDLY_LIB" | sha256sum | cut -c1-12
}

# --- failures name the image and the step ---------------------------------------
# A bare `set -e` exit says nothing (a first run once died silently in a smoke
# test), so every failure prints the image being built and the step it was at.
IMAGE=""
STEP=preflight
step() { STEP="$1"; }
where() { if [ -n "$IMAGE" ]; then printf '%s, step "%s"' "$IMAGE" "$STEP"; else printf 'step "%s"' "$STEP"; fi; }
die() { # MESSAGE [LOG]: the failure, then the end of LOG (output kept out of the way until it matters)
  printf '%s: FAILED (%s): %s\n' "$SCRIPT_NAME" "$(where)" "$1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then
    printf -- '--- last lines of %s:\n' "${2##*/}" >&2
    tail -n 40 "$2" >&2
  fi
  exit 1
}
# Any other command that fails under set -e. errtrace (-E) passes the trap to
# functions; subshells (command substitutions, pipeline members) inherit it as
# well but leave the report to the script, which gets their status.
on_error() { # STATUS LINE COMMAND PIPESTATUS SOURCE
  [ "$BASHPID" = "$$" ] || return 0
  local cmd="${3//$'\n'/ }" statuses="" file=""
  # a pipeline's COMMAND is its last member; its statuses show which one failed
  if [ "$4" != "${4// /}" ]; then statuses=" (pipeline statuses $4)"; fi
  # LINE counts in the file of the failed command: name it when that is this one
  if [ "$5" = "$FAIL_LOUDLY_LIB" ]; then file=" of ${FAIL_LOUDLY_LIB##*/}"; fi
  printf '%s: FAILED (%s): exit status %s%s at line %s%s: %s\n' "$SCRIPT_NAME" "$(where)" "$1" "$statuses" "$2" "$file" "${cmd:0:300}" >&2
}
report_failures() { # from here on (traps and shell options are global)
  set -E
  trap 'on_error "$?" "$LINENO" "$BASH_COMMAND" "${PIPESTATUS[*]}" "${BASH_SOURCE[0]}"' ERR
  trap 'printf "%s: FAILED (%s): stopped by SIGTERM\n" "$SCRIPT_NAME" "$(where)" >&2; exit 143' TERM
  trap 'printf "%s: FAILED (%s): stopped by SIGINT\n" "$SCRIPT_NAME" "$(where)" >&2; exit 130' INT
}

# --- images under a temporary name until checked --------------------------------
# An image is built (committed) under a temporary name and gets its real name
# only after every check passed: a build that fails or is killed half-way never
# leaves an image of this recipe under the real name (which the next run would
# skip). The script's EXIT trap calls drop_unfinished, which drops the
# temporary image.
CTRS=()            # working containers (buildah from), removed at exit
UNVERIFIED=""      # the image being built, under its temporary name (see unverified)
DROP_REPLACED=0    # 1: promote keeps the id of the image it replaces, dropped at exit
OLD_IDS=()         # images replaced by a new build, newest first

image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

unverified() { # NAME: sets UNVERIFIED, the temporary name of NAME's new image
  UNVERIFIED="localhost/msb-unverified/$1"
  podman rmi "$UNVERIFIED" >/dev/null 2>&1 || true # left by a killed run
}
promote() { # NAME: the checked image takes NAME (the image it replaces is dropped at exit if DROP_REPLACED=1)
  local old=""
  step "tag $1"
  if [ "$DROP_REPLACED" -eq 1 ]; then old="$(image_id "$1")"; fi
  podman tag "$UNVERIFIED" "$1"
  podman untag "$UNVERIFIED" "$UNVERIFIED"
  UNVERIFIED=""
  if [ -n "$old" ]; then OLD_IDS=("$old" "${OLD_IDS[@]}"); fi
}

drop_unfinished() { # for the EXIT trap: the containers, the unchecked image, the replaced images
  local c id
  for c in "${CTRS[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  if [ -n "$UNVERIFIED" ]; then podman rmi "$UNVERIFIED" >/dev/null 2>&1 || true; fi
  # drop the stand-ins replaced by a new build; one still used by another
  # image stays (podman refuses to remove it)
  for id in "${OLD_IDS[@]}"; do podman rmi "$id" >/dev/null 2>&1 || true; done
}

# --- smoke tests: one run of the new image, its output ----------------------------
# run_out RUN-ARGS... : RUN_OUT is the output (stdout and stderr) of one run of
# the new image, captured whole and then inspected: a `podman run | head` or
# `podman run | grep -q` pipeline can fail on SIGPIPE (status 141) and end the
# script under set -e and pipefail without a message, and a failed
# `$(podman run)` ends it under set -e without one.
RUN_OUT=""
run_out() { RUN_OUT="$(podman run --rm --pull=never --network=none "$@" 2>&1)" || true; }

smoke() { # EXPECTED RUN-ARGS... : the output must be EXPECTED
  local want="$1"
  shift
  step "smoke test"
  run_out "$@"
  [ "$RUN_OUT" = "$want" ] || die "smoke test: expected '$want', got: $RUN_OUT"
}
smoke_match() { # PATTERN RUN-ARGS... : the output must match the glob PATTERN
  local want="$1"
  shift
  step "smoke test"
  run_out "$@"
  # shellcheck disable=SC2053 # $want is a glob
  [[ "$RUN_OUT" == $want ]] || die "smoke test: expected output matching '$want', got: $RUN_OUT"
}
