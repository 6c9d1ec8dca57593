#!/usr/bin/env bash
# Health check of the compose tests' Kafka image (tests/compose/engines/kafka): a real Kafka request, not a
# TCP connect. Sends ApiVersions v0 (api key 18, correlation id 1, client id "hc") and is
# healthy when the broker answers with that correlation id. Usage: healthcheck.sh [HOST] [PORT]
set -euo pipefail
host="${1:-127.0.0.1}"
port="${2:-9092}"
exec 3<>"/dev/tcp/$host/$port"
printf '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02hc' >&3
answer="$(timeout 3 head -c 8 <&3 | od -An -tx1 | tr -d ' \n')"
[ "${answer:8:8}" = "00000001" ]
