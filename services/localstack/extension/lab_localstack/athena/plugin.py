"""Entry point: the lab's Athena as provider `athena:lab` (PROVIDER_OVERRIDE_ATHENA=lab,
`athena` in SERVICES); LocalStack 4.14 community has no Athena provider."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="athena", name="lab")
def athena_lab() -> Service:
    from lab_localstack.athena.provider import LabAthenaProvider

    return Service.for_provider(LabAthenaProvider())
