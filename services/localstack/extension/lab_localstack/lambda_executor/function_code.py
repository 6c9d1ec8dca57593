"""What a function version needs on the host: its runtime checked, its code and
layers unzipped, and the directories its handler imports from (its code, its layers,
then the AWS SDK that AWS's Python runtimes provide)."""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import sys
import tempfile
from pathlib import Path

from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException

LOG = logging.getLogger(__name__)

PYTHON_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")


def check_runtime(function_version: FunctionVersion) -> None:
    """Refuse what a host Python cannot run; warn when only the minor version differs."""
    config = function_version.config
    if config.package_type == PackageType.Image:
        raise LambdaRuntimeException(
            "Container-image functions need LAMBDA_RUNTIME_EXECUTOR=docker; "
            "the host executor runs zip packages only"
        )
    match = PYTHON_RUNTIME.match(config.runtime or "")
    if not match:
        raise LambdaRuntimeException(
            f"Runtime {config.runtime} is not supported by the host executor (Python runtimes only); "
            "use LAMBDA_RUNTIME_EXECUTOR=docker"
        )
    wanted = (int(match[1]), int(match[2]))
    if wanted[0] != sys.version_info.major:
        raise LambdaRuntimeException(
            f"Runtime {config.runtime} cannot run on Python {sys.version.split()[0]}"
        )
    if wanted != sys.version_info[:2]:
        LOG.warning(
            "Function %s declares %s but runs on the host's Python %d.%d",
            function_version.id.function_name,
            config.runtime,
            *sys.version_info[:2],
        )


def prepare_code(function_version: FunctionVersion) -> None:
    """Unzip the function's code and its layers (each is done once and cached by LocalStack)."""
    if function_version.config.code:
        function_version.config.code.prepare_for_execution()
    for layer in function_version.config.layers or []:
        if layer.code:
            layer.code.prepare_for_execution()


def code_directory(function_version: FunctionVersion) -> Path:
    return Path(function_version.config.code.get_unzipped_code_location())


def layer_import_paths(function_version: FunctionVersion) -> list[Path]:
    """The directories AWS adds for Python layers (/opt/python and its site-packages), in layer order."""
    paths: list[Path] = []
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for layer in function_version.config.layers or []:
        if not layer.code:
            continue
        root = Path(layer.code.get_unzipped_code_location())
        paths += [root / "python", root / "python" / "lib" / version / "site-packages"]
    return paths


# What AWS's Python runtimes put on the import path after the function's code and layers:
# boto3 and its dependencies (AWS documents "the SDK for Python (Boto3)" as included).
RUNTIME_SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


@functools.cache
def runtime_sdk_directory() -> Path:
    """A directory holding only boto3 and its dependencies, as symbolic links to the copies
    LocalStack itself runs with (same pinned versions, nothing else of LocalStack's venv
    visible). Made once per LocalStack process."""
    directory = Path(tempfile.mkdtemp(prefix="lab-lambda-runtime-sdk-"))
    for name in RUNTIME_SDK_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            LOG.warning("%s is not installed beside LocalStack: functions cannot import it", name)
            continue
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (directory / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return directory
