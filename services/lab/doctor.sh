#!/usr/bin/env bash
# `make doctor`: can this host run the compose lab? Checks the Docker engine,
# Compose, the lab's ports, the engine's memory and, on Linux, vm.max_map_count
# for OpenSearch, and says what to fix; then, as advice, Java and the fetched Maven
# artefacts of the native runtime's OpenSearch and Kafka. Shell only: it must work on a host with
# no Python and no engine. Exit 1 when something must be fixed (FAIL lines),
# 0 otherwise (WARN lines are advice).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
failed=0

ok() { printf '  ok    %s\n' "$*"; }
warn() { printf '  WARN  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failed=1; }

setting() {  # a lab setting from the environment, else .env, else the default
  local name=$1 default=$2 value
  value=${!name:-}
  [ -n "$value" ] || value=$(sed -n "s/^$name=//p" "$repo/.env" 2>/dev/null | tail -1)
  echo "${value:-$default}"
}

echo "make doctor: checking this host for the compose lab"

# 1. the engine
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

# 2. Compose
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  ok "Compose v2: $(docker compose version --short 2>/dev/null)"
elif command -v docker-compose >/dev/null 2>&1; then
  ok "Compose v1: $(docker-compose version --short 2>/dev/null) (the lab waits for health itself; v2 is preferred)"
else
  fail "no Docker Compose: it comes with Docker Desktop; on Linux install the plugin (\`sudo apt-get install docker-compose-plugin\`)"
fi

# 3. ports: something accepting connections there means the lab cannot publish on it.
bind=$(setting LAB_BIND_ADDRESS 127.0.0.1)
probe=$bind
[ "$probe" = 0.0.0.0 ] && probe=127.0.0.1
for spec in LAB_APACHE_PORT:8080:shop LAB_LOCALSTACK_PORT:4566:LocalStack \
            LAB_OPENSEARCH_PORT:9200:OpenSearch LAB_DASHBOARDS_PORT:5601:Dashboards; do
  IFS=: read -r var default what <<<"$spec"
  port=$(setting "$var" "$default")
  if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then
    fail "port $port ($what, $var) on $bind is in use: stop the program holding it" \
         "(if it is the lab itself: make down), or choose another port, e.g. \`$var=$((port + 10000)) make up\` or in .env"
  else
    ok "port $port ($what, $var) on $bind is free"
  fi
done

# 4. memory: OpenSearch (512 MB heap), Dashboards, LocalStack and the lab's services.
need_mb=4096
if [ "$engine" = 1 ]; then
  total=$(docker info --format '{{.MemTotal}}' 2>/dev/null || echo 0)
  where="the Docker engine has"
else
  total=0
  if [ -r /proc/meminfo ]; then
    total=$(( $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) * 1024 ))
  elif command -v sysctl >/dev/null 2>&1; then
    total=$(sysctl -n hw.memsize 2>/dev/null || echo 0)
  fi
  where="this host has"
fi
total_mb=$(( ${total:-0} / 1024 / 1024 ))
if [ "$total_mb" -eq 0 ]; then
  warn "memory unknown; the lab needs about ${need_mb} MB"
elif [ "$total_mb" -lt "$need_mb" ]; then
  fail "$where ${total_mb} MB of memory, the lab needs about ${need_mb} MB:" \
       "raise Docker Desktop's memory limit (Settings > Resources) or close other programs"
else
  ok "$where ${total_mb} MB of memory (the lab needs about ${need_mb} MB)"
fi

# 5. Linux: OpenSearch's recommended mmap count (Docker Desktop's VM sets its own).
if [ "$(uname -s)" = Linux ] && [ -r /proc/sys/vm/max_map_count ]; then
  maps=$(cat /proc/sys/vm/max_map_count)
  if [ "$maps" -lt 262144 ]; then
    warn "vm.max_map_count is $maps; OpenSearch recommends 262144:" \
         "\`sudo sysctl -w vm.max_map_count=262144\` (and add it to /etc/sysctl.conf to keep it)"
  else
    ok "vm.max_map_count is $maps"
  fi
fi

# 6. The native runtime's engines (advice only: the compose lab does not need them): Java
# 17-21 (OpenSearch 2.19 runs on 11-21, Kafka 4.1 needs 17+) and the fetched Maven artefacts.
if command -v java >/dev/null 2>&1; then
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [ -n "$java_major" ] && [ "$java_major" -ge 17 ] && [ "$java_major" -le 21 ]; then
    ok "Java $java_major for the native OpenSearch and Kafka"
  else
    warn "Java ${java_major:-?} found; the native OpenSearch and Kafka need Java 17-21" \
         "(\`sudo apt-get install openjdk-17-jre-headless\`)"
  fi
else
  warn "no Java: the native runtime's OpenSearch and Kafka need Java 17-21 (\`sudo apt-get install openjdk-17-jre-headless\`)"
fi
if command -v python3 >/dev/null 2>&1; then
  for component in opensearch kafka; do
    if python3 "$repo/services/jvm/fetch.py" --print-dir "$component" >/dev/null 2>&1; then
      ok "$component fetched from Maven Central and verified against services/jvm/$component/sha256.lock"
    else
      warn "$component not fetched yet for the native runtime: \`make $component\` (needs Maven and Maven Central once)"
    fi
  done
fi

if [ "$failed" = 1 ]; then
  echo "make doctor: fix the FAIL lines above, then run make doctor again"
  exit 1
fi
echo "make doctor: this host can run the compose lab (make up)"
