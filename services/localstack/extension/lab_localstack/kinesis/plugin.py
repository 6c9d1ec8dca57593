"""Entry point: the lab's own Kinesis Data Streams as provider `kinesis:lab`
(PROVIDER_OVERRIDE_KINESIS=lab), served in LocalStack's process. Operations the lab does not
implement answer InvalidArgumentException (400), not 501."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="kinesis", name="lab")
def kinesis_lab() -> Service:
    from lab_localstack.kinesis.provider import LabKinesisProvider
    from lab_localstack.unsupported import unsupported_operations

    return Service.for_provider(LabKinesisProvider(),
                                dispatch_table_factory=unsupported_operations("InvalidArgumentException"))
