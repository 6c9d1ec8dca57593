#!/bin/sh
# One-shot set-up of the compose lab (the `setup` service), the same two programs
# the native runtime runs:
#   1. labctl provision: S3 bucket, IAM roles, the `apache_ETL` Lambda, the
#      Firehose `webserver_stream` (buffering from LAB_BUFFER_INTERVAL /
#      LAB_BUFFER_SIZE_MB), idempotent;
#   2. kibana_dashboards load: the `apache*` index template, the index pattern,
#      visualizations and dashboard in OpenSearch Dashboards.
# URLs are the compose service names (set in docker-compose.yml).
set -eu

: "${LAB_LOCALSTACK_URL:=http://localstack:4566}"
: "${LAB_OPENSEARCH_URL:=http://opensearch:9200}"
: "${LAB_DASHBOARDS_URL:=http://dashboards:5601}"
: "${LAB_LAMBDA_ZIP:=/app/build/apache_ETL.zip}"

echo "setup: provisioning LocalStack at $LAB_LOCALSTACK_URL (Firehose -> $LAB_OPENSEARCH_URL)"
python -m labctl provision \
    --localstack-url "$LAB_LOCALSTACK_URL" \
    --opensearch-url "$LAB_OPENSEARCH_URL" \
    --lambda-zip "$LAB_LAMBDA_ZIP"

if [ "$LAB_DASHBOARDS_URL" = none ]; then
  # Only where OpenSearch Dashboards cannot run (tests/compose/standins.override.yml).
  echo "setup: no OpenSearch Dashboards (LAB_DASHBOARDS_URL=none): saved objects not loaded"
  echo "setup: done"
  exit 0
fi
echo "setup: loading the dashboards into $LAB_DASHBOARDS_URL"
python -m kibana_dashboards load \
    --url "$LAB_DASHBOARDS_URL" \
    --opensearch-url "$LAB_OPENSEARCH_URL"

echo "setup: done"
