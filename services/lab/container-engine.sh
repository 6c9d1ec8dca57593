#!/usr/bin/env bash
# A Docker-API container engine for the lab's tests and CI, on machines that have
# no Docker engine: Debian's podman served over the Docker API.
#
#   container-engine.sh start STATE_DIR   install podman if needed, serve the Docker
#                                          API on STATE_DIR/podman.sock, schedule
#                                          health checks; prints DOCKER_HOST=...
#   container-engine.sh stop STATE_DIR    stop what `start` started (nothing else)
#   container-engine.sh base-image NAME   the lab's Debian base image under NAME,
#                                          made with debootstrap (no registry needed)
#   container-engine.sh configure         only the containers.conf settings below
#                                          (LAB_CONTAINERS_CONF: another file)
#
# When a real Docker engine already answers (`docker info`), `start` does nothing
# and prints nothing: the lab uses that engine. Facts behind the settings below
# (measured on Debian 12 machines without systemd):
#   - podman's default OCI runtime crun refuses hybrid cgroups: runc is used;
#   - containers may not raise rlimits above the host's hard limit: the default
#     ulimits are set to values every container can have;
#   - without systemd nothing schedules health checks: a loop here runs
#     `podman healthcheck run` for every container that has one.
set -euo pipefail

CONF=${LAB_CONTAINERS_CONF:-/etc/containers/containers.conf}
HEALTH_PERIOD_S=${LAB_HEALTH_PERIOD_S:-2}

log() { echo "container-engine: $*" >&2; }

docker_answers() {
  [ -z "${LAB_IGNORE_DOCKER:-}" ] && command -v docker >/dev/null 2>&1 && \
    timeout 15 docker info >/dev/null 2>&1
}

install_podman() {
  local need=()
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  # Service names resolve between containers (podman 4.3 with CNI networks).
  [ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
  [ ${#need[@]} -eq 0 ] && return 0
  log "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# Append a setting to a [table] of containers.conf unless the key is set already
# (a machine's own choice wins).
conf_set() {
  local table=$1 key=$2 value=$3
  mkdir -p "$(dirname "$CONF")"
  touch "$CONF"
  if grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$CONF"; then return 0; fi
  if grep -Eq "^\[$table\]" "$CONF"; then
    sed -i "/^\[$table\]/a $key = $value" "$CONF"
  else
    printf '\n[%s]\n%s = %s\n' "$table" "$key" "$value" >> "$CONF"
  fi
  log "$CONF: [$table] $key = $value"
}

# The two settings podman needs on this machine kind, each only where unset.
configure() {
  conf_set engine runtime '"runc"'
  conf_set containers default_ulimits '["nofile=1024:1024", "nproc=4096:4096"]'
}

health_loop() {
  # Runs until the API service it belongs to is gone.
  local service_pid=$1
  while kill -0 "$service_pid" 2>/dev/null; do
    for name in $(podman ps --filter health=starting --filter health=healthy --filter health=unhealthy \
                    --format '{{.Names}}' 2>/dev/null); do
      podman healthcheck run "$name" >/dev/null 2>&1 || true
    done
    sleep "$HEALTH_PERIOD_S"
  done
}

start() {
  local dir=$1
  if docker_answers; then
    log "a Docker engine answers: using it, starting nothing"
    return 0
  fi
  if ! command -v podman >/dev/null 2>&1 && ! command -v apt-get >/dev/null 2>&1; then
    log "no Docker engine answers and podman cannot be installed here (no apt-get): start Docker"
    return 0
  fi
  install_podman
  configure
  mkdir -p "$dir" && chmod 0700 "$dir"
  local sock=$dir/podman.sock
  if [ -f "$dir/service.pid" ] && kill -0 "$(cat "$dir/service.pid")" 2>/dev/null; then
    echo "DOCKER_HOST=unix://$sock"
    return 0
  fi
  rm -f "$sock"
  setsid podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$dir/service.pid"
  for _ in $(seq 1 100); do
    if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" timeout 10 docker info >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  [ -S "$sock" ] || { log "podman's API did not come up (see $dir/service.log)"; exit 1; }
  setsid bash "$0" health-loop "$pid" >/dev/null 2>&1 < /dev/null &
  echo $! > "$dir/health.pid"
  log "podman serves the Docker API on unix://$sock (pid $pid)"
  echo "DOCKER_HOST=unix://$sock"
}

stop_pid_file() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  rm -f "$file"
}

stop() {
  local dir=$1
  stop_pid_file "$dir/health.pid"
  stop_pid_file "$dir/service.pid"
  rm -f "$dir/podman.sock"
}

# Unmount whatever is mounted at or below a folder, deepest first.
unmount_below() {
  local root mount
  root=$(realpath "$1")
  awk -v root="$root" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mount; do umount -l "$mount" 2>/dev/null || log "could not unmount $mount"; done
}

# The lab's Debian base: debootstrap's minbase from this machine's Debian mirror,
# imported under NAME. Only where no registry can be reached; with internet the
# Dockerfiles' pinned `debian:` image is pulled instead.
base_image() {
  local name=$1 suite=${LAB_DEBIAN_SUITE:-trixie}
  if podman image exists "$name"; then return 0; fi
  install_podman
  local mirror
  mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list \
             2>/dev/null | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]*/debian/?( |$)' \
             | head -1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  local root
  root=$(mktemp -d)
  log "debootstrap --variant=minbase $suite from $mirror (about 30 s)"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
    || { log "debootstrap failed:"; tail -20 "$root.log" >&2; exit 1; }
  rm -f "$root.log"
  # debootstrap can leave the target's /proc (and /sys) mounted (seen on the December 2026
  # machines): tar would then read the host's /proc, and rm -rf would walk into it.
  unmount_below "$root"
  # This machine's own certificate authorities (a TLS-inspecting proxy's, for
  # one): build steps reach PyPI and npm through the same network as the host.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
  fi
  # The image's apt sources are debootstrap's: the same mirror.
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" --exclude='./proc/*' --exclude='./sys/*' -c . | podman import --change 'CMD ["bash"]' - "$name" >/dev/null
  rm -rf "$root"
  log "base image $name imported"
}

case "${1:-}" in
  start) start "${2:?usage: $0 start STATE_DIR}" ;;
  stop) stop "${2:?usage: $0 stop STATE_DIR}" ;;
  base-image) base_image "${2:?usage: $0 base-image NAME}" ;;
  configure) configure ;;
  health-loop) health_loop "$2" ;;
  *) echo "usage: $0 start|stop STATE_DIR | base-image NAME" >&2; exit 2 ;;
esac
