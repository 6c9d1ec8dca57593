"""The lab's CloudWatch Logs agent (`awslogs`): reads the workshop's awslogs.conf,
tails its files with the Kinesis agent's tailer and checkpoints, and ships the
lines to CloudWatch Logs with PutLogEvents. See agent/README.md."""
