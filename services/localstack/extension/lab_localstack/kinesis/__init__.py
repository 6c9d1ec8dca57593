"""LocalStack's own Kinesis with two changes: `Tags` given at CreateStream are kept, and
kinesis-mock's state file lives under the lab's volume so streams and records survive a
restart (provider `kinesis:lab`, PROVIDER_OVERRIDE_KINESIS=lab; provider.py, persistence.py)."""
