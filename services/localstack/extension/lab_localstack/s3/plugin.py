"""Entry point: LocalStack's S3 with objects and metadata on disk, as provider `s3:lab`
(PROVIDER_OVERRIDE_S3=lab)."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="s3", name="lab")
def s3_lab() -> Service:
    from lab_localstack.s3.provider import LabS3Provider, dispatch_table

    return Service.for_provider(LabS3Provider(), dispatch_table_factory=dispatch_table)
