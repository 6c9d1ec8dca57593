"""Entry point: the lab's Kinesis Analytics (v1, SQL) as provider `kinesisanalytics:lab`,
picked by LocalStack when PROVIDER_OVERRIDE_KINESISANALYTICS=lab is set."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="kinesisanalytics", name="lab")
def kinesisanalytics_lab() -> Service:
    from lab_localstack.kinesisanalytics.persistence import (
        PersistentKinesisAnalyticsProvider,
        with_saving,
    )
    from lab_localstack.unsupported import unsupported_operations

    # operations the lab does not implement answer UnsupportedOperationException (400), not 501;
    # applications are saved after each change and come back after a restart (persistence.py)
    factory = unsupported_operations("UnsupportedOperationException")
    return Service.for_provider(PersistentKinesisAnalyticsProvider(),
                                dispatch_table_factory=lambda p: with_saving(factory(p), p))
