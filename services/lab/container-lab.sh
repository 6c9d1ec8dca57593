#!/usr/bin/env bash
# The lab's commands on a host with a Docker engine but no Python 3.11-3.13 (a
# facilitator's laptop: macOS system Python, Windows with WSL). The Makefile
# calls this instead of `python -m labctl` when it finds no usable Python:
# Compose runs on the host; what needs the lab's Python (waiting on health with
# Compose v1, `status`) runs in the lab's own image, on the lab's network, with
# the engine's socket mounted so that labctl can ask the engine (Docker SDK).
#
#   container-lab.sh up | down | reset | status [--format json] | generate [ARGS] | logs | wait | cloudwatch-lab
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

env_value() {  # a variable from the environment, else from .env
  local name=$1
  if [ -n "${!name:-}" ]; then echo "${!name}"; return; fi
  sed -n "s/^$name=//p" .env | tail -1
}

project=$(env_value COMPOSE_PROJECT_NAME)
tools_image="clickstream-lab/python:$(env_value LAB_IMAGE_TAG)"
state_dir=${LAB_STATE_DIR:-$repo/.lab}
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "no Docker Compose: install Docker Desktop or the compose plugin (make doctor)" >&2
  exit 127
fi

engine_answers() { timeout 30 docker info >/dev/null 2>&1; }

# labctl in the lab's image, on the project's network (services by name).
labctl() {
  if ! timeout 30 docker network inspect "${project}_default" >/dev/null 2>&1; then
    echo "the compose lab is not running (no network ${project}_default): make up" >&2
    return 1
  fi
  docker run --rm --user 0 --network "${project}_default" \
    -v "$socket:/var/run/docker.sock" -v "$state_dir:/var/lib/lab" \
    -e DOCKER_HOST=unix:///var/run/docker.sock -e COMPOSE_PROJECT_NAME="$project" \
    -e LAB_STATE_DIR=/var/lib/lab -e LAB_IN_COMPOSE_NETWORK=1 -e LAB_RUNTIME=compose \
    "$tools_image" python -m labctl "$@"
}

case "${1:-}" in
  up)
    engine_answers || { echo "make up: no Docker engine answers (make doctor)" >&2; exit 1; }
    echo "make up: using the compose runtime (no Python 3.11-3.13 on this host: the lab's tools run in its image)"
    mkdir -p "$state_dir"
    echo compose > "$state_dir/runtime"
    if [ "${compose[*]}" = "docker compose" ]; then
      "${compose[@]}" up -d --wait
    else
      "${compose[@]}" up -d
      labctl wait
    fi
    echo "The lab is up: the shop on http://127.0.0.1:$(env_value LAB_APACHE_PORT)/. Next: make generate, make status."
    ;;
  down)
    if engine_answers; then "${compose[@]}" --profile generator --profile cloudwatch down --remove-orphans; fi
    rm -f "$state_dir/runtime"
    echo "lab stopped"
    ;;
  reset)
    if engine_answers; then "${compose[@]}" --profile generator --profile cloudwatch down --volumes --remove-orphans; fi
    rm -f "$state_dir/runtime"
    echo "lab stopped, its volumes removed"
    ;;
  cloudwatch-lab)  # services/cloudwatch_lab/README.md; its one-shot cloudwatch-setup provisions
    # the profile's services by name (labctl.compose.CLOUDWATCH_SERVICES): a plain `up` would
    # also start the lab's exited one-shot `setup` again
    cloudwatch=(kafka cloudwatch-setup awslogs-agent cloudwatch-source s3-sink)
    if [ "${compose[*]}" = "docker compose" ]; then
      "${compose[@]}" --profile cloudwatch up -d --wait "${cloudwatch[@]}"
    else
      "${compose[@]}" --profile cloudwatch up -d "${cloudwatch[@]}"
      labctl wait
    fi
    echo "The CloudWatch lab is running. Next: make generate, make status, make notebooks."
    ;;
  status) shift; labctl status "$@" ;;
  wait) labctl wait ;;
  generate)
    shift
    [ $# -gt 0 ] || set -- --rate 10 --duration 300
    "${compose[@]}" --profile generator run --rm generator --url http://apache:80 "$@"
    ;;
  logs) "${compose[@]}" logs -f --tail 100 ;;
  *) echo "usage: $0 up|down|reset|status|generate|logs|wait|cloudwatch-lab" >&2; exit 2 ;;
esac
