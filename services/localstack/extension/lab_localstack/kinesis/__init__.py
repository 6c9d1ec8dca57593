"""LocalStack's own Kinesis with one fix: `Tags` given at CreateStream are kept
(provider `kinesis:lab`, PROVIDER_OVERRIDE_KINESIS=lab; see provider.py)."""
