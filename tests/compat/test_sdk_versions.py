"""The lab through three SDKs in one run: LocalStack's own botocore (1.42.54: the models the
lab's LocalStack parses with), the oldest the lab supports (boto3 1.40.19, pyproject's
`boto3>=1.40.19`) and the newest on PyPI when this was written (1.44.18, which speaks Athena's
`rest-json`). Each runs client/run.py from its own scratch venv against one native LocalStack:
every Athena operation tests/athena uses, with AWS's answers, and a smoke of each other service.
Every call must answer as AWS documents; the first failing call of a scenario is named."""
from __future__ import annotations

import pytest

from tests.compat import sdk_venvs
from tests.conftest import LOCALSTACK_VENV

pytestmark = [pytest.mark.localstack, pytest.mark.slow]

# The Athena operations tests/athena uses (and the lab implements), each of which the client run
# must have called successfully: a run that silently skipped some would not pass.
ATHENA_OPERATIONS = {
    "StartQueryExecution", "GetQueryExecution", "GetQueryResults", "GetQueryResults (paginator)",
    "GetQueryResults (DATA_MANIFEST)", "StopQueryExecution",
    "BatchGetQueryExecution", "ListQueryExecutions (paged)", "CreateWorkGroup", "GetWorkGroup",
    "UpdateWorkGroup", "ListWorkGroups", "DeleteWorkGroup", "CreateNamedQuery", "GetNamedQuery",
    "ListNamedQueries", "BatchGetNamedQuery", "DeleteNamedQuery", "ListDataCatalogs",
    "GetDataCatalog", "ListDatabases", "GetDatabase", "ListTableMetadata", "GetTableMetadata",
    "TagResource", "UntagResource", "ListTagsForResource", "CreatePreparedStatement",
    "BatchGetPreparedStatement",
}
SMOKED_SERVICES = {"s3", "glue", "firehose", "kinesis", "kinesisanalytics", "lambda", "logs", "iam",
                   "sts", "cloudformation"}


def sdk_versions() -> dict[str, str]:
    return {"localstack": sdk_venvs.localstack_botocore(LOCALSTACK_VENV),
            "oldest-supported": sdk_venvs.OLDEST_SUPPORTED,
            "newest-pinned": sdk_venvs.NEWEST_PINNED}


@pytest.mark.parametrize("which", ["localstack", "oldest-supported", "newest-pinned"])
def test_the_lab_answers_this_sdk(localstack, which):
    version = sdk_versions()[which]
    python = sdk_venvs.ensure_venv(f"boto3-{version}", sdk_venvs.pinned(version))
    document = sdk_venvs.run_calls(python, localstack.url)
    print(f"{which}: boto3 {document['boto3']}, botocore {document['botocore']}, "
          f"Athena over {document['protocols']['athena']}, {len(document['calls'])} calls")
    assert document["botocore"] == version
    failing = sdk_venvs.failures(document)
    assert not failing, f"botocore {version}: failing calls:\n" + "\n".join(failing)
    called = {c["operation"] for c in document["calls"] if c["service"] == "athena"}
    assert ATHENA_OPERATIONS <= called, f"Athena operations not reached: {ATHENA_OPERATIONS - called}"
    assert SMOKED_SERVICES <= {c["service"] for c in document["calls"]}
