"""Entry point: registers the lab's Firehose as provider `firehose:lab`.

LocalStack picks it when PROVIDER_OVERRIDE_FIREHOSE=lab is set.
"""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="firehose", name="lab")
def firehose_lab() -> Service:
    from lab_localstack.firehose.provider import LabFirehoseProvider

    return Service.for_provider(LabFirehoseProvider())
