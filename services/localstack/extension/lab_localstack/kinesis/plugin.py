"""Entry point: LocalStack's Kinesis (kinesis-mock behind LocalStack's provider) as provider
`kinesis:lab`, the same dispatch LocalStack's own `kinesis` plugin builds, with the lab's
CreateStream (PROVIDER_OVERRIDE_KINESIS=lab)."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="kinesis", name="lab")
def kinesis_lab() -> Service:
    from localstack.aws.forwarder import HttpFallbackDispatcher

    from lab_localstack.kinesis.provider import LabKinesisProvider

    provider = LabKinesisProvider()
    return Service.for_provider(
        provider, dispatch_table_factory=lambda p: HttpFallbackDispatcher(p, p.get_forward_url))
