"""Entry point: the lab's Athena as provider `athena:lab` (PROVIDER_OVERRIDE_ATHENA=lab,
`athena` in SERVICES); LocalStack 4.14 community has no Athena provider."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="athena", name="lab")
def athena_lab() -> Service:
    from lab_localstack.athena.provider import LabAthenaProvider
    from lab_localstack.unsupported import unsupported_operations

    # operations the lab does not implement answer InvalidRequestException (400), not 501
    return Service.for_provider(LabAthenaProvider(),
                                dispatch_table_factory=unsupported_operations("InvalidRequestException"))
