"""The CloudWatch Logs -> Kafka -> S3 sibling lab (`make cloudwatch-lab`,
services/cloudwatch_lab/README.md): names and programs (lab), the Kafka broker and its
status, starting it natively (native_side) or as the compose profile (compose_side), its
section of `make status` and its hook's common part (status); the hook's class per runtime
is in native_side and compose_side."""
