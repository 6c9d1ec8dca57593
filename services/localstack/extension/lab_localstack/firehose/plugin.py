"""Entry points: the lab's Firehose as provider `firehose:lab`, and a start-up hook.

LocalStack picks the provider when PROVIDER_OVERRIDE_FIREHOSE=lab is set. LocalStack
loads services lazily (on their first API call); the `on_infra_ready` hook loads
the lab's Firehose at start-up instead, so that streams restored from the journal
resume delivery, Kinesis sources resume reading and /_lab/firehose/streams
answers without waiting for a Firehose API call.
"""
import logging

from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

LOG = logging.getLogger(__name__)


@aws_provider(api="firehose", name="lab")
def firehose_lab() -> Service:
    from lab_localstack.firehose.provider import LabFirehoseProvider
    from lab_localstack.unsupported import unsupported_operations

    # operations the lab does not implement answer InvalidArgumentException (400), not 501
    return Service.for_provider(LabFirehoseProvider(),
                                dispatch_table_factory=unsupported_operations("InvalidArgumentException"))


@hooks.on_infra_ready()
def load_lab_firehose_at_start() -> None:
    from localstack import config
    from localstack.services.plugins import SERVICE_PLUGINS
    from localstack.utils.bootstrap import is_api_enabled

    if config.SERVICE_PROVIDER_CONFIG.get_provider("firehose") != "lab" or not is_api_enabled("firehose"):
        return
    SERVICE_PLUGINS.require("firehose")
    LOG.info("lab Firehose loaded at start-up")
