#!/bin/sh
# The Kafka image's command: format the log dir for KRaft the first time (CLUSTER_ID, set by
# docker-compose.yml), then run the broker in this process. The JVM's arguments are files
# written by labctl.labs.cloudwatch.kafka_broker (format_args, broker_args): Java's @argfiles.
set -eu
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  java @/var/lib/kafka/format.args -t "${CLUSTER_ID:?set by docker-compose.yml}"
fi
exec java @/var/lib/kafka/broker.args
