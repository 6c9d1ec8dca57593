"""Entry point: the lab's Kinesis Analytics (v1, SQL) as provider `kinesisanalytics:lab`,
picked by LocalStack when PROVIDER_OVERRIDE_KINESISANALYTICS=lab is set."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="kinesisanalytics", name="lab")
def kinesisanalytics_lab() -> Service:
    from lab_localstack.kinesisanalytics.provider import LabKinesisAnalyticsProvider

    return Service.for_provider(LabKinesisAnalyticsProvider())
