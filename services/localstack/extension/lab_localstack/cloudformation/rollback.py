"""The lab's CloudFormation provider (`cloudformation:lab`, PROVIDER_OVERRIDE_CLOUDFORMATION=lab):
LocalStack 4.14's own, plus the rollback AWS does when a stack's create fails.

LocalStack's CreateStack stops at the first resource that fails, marks the stack
CREATE_FAILED and leaves what it had created. AWS rolls the stack back (unless the
request says DisableRollback or OnFailure DO_NOTHING/DELETE): it deletes the resources
created, in reverse order, and the stack ends ROLLBACK_COMPLETE (ROLLBACK_FAILED if a
deletion fails). This provider does that after LocalStack's create has finished, with
LocalStack's own deletion machinery (a change set from the created resources to nothing),
so each deletion goes through the resource's provider and shows up in the stack events.
A create refused before anything was attempted (a change set that could not be made,
e.g. an unsupported resource type) has nothing to roll back and stays CREATE_FAILED.
"""
from __future__ import annotations

import copy
import logging
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.cloudformation import (
    CreateStackInput,
    CreateStackOutput,
    ResourceStatus,
    StackStatus,
)
from localstack.services.cloudformation.engine.v2.change_set_model_executor import (
    ChangeSetModelExecutor,
)
from localstack.services.cloudformation.stores import get_cloudformation_store
from localstack.services.cloudformation.v2.entities import ChangeSet, Stack
from localstack.services.cloudformation.v2.provider import CloudformationProviderV2, find_stack_v2
from localstack.utils.threads import start_worker_thread

LOG = logging.getLogger(__name__)
WAIT_SECONDS = 3600


def rollback_requested(request: CreateStackInput) -> bool:
    if request.get("DisableRollback"):
        return False
    return (request.get("OnFailure") or "ROLLBACK") == "ROLLBACK"


class LabCloudFormationProvider(CloudformationProviderV2):
    @handler("CreateStack", expand=False)
    def create_stack(self, context: RequestContext, request: CreateStackInput) -> CreateStackOutput:
        result = super().create_stack(context, request)
        stack = find_stack_v2(get_cloudformation_store(context.account_id, context.region), result["StackId"])
        if stack is not None and rollback_requested(request):
            start_worker_thread(lambda *_: self._roll_back_if_failed(stack))
        return result

    def _roll_back_if_failed(self, stack: Stack) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while stack.status == StackStatus.CREATE_IN_PROGRESS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.2)   # LocalStack's create thread records the template right after the status
        if stack.status != StackStatus.CREATE_FAILED or not stack.resolved_resources:
            return
        try:
            self._roll_back(stack)
        except Exception as error:   # noqa: BLE001 - any failure of a deletion is the rollback's failure
            LOG.warning("rollback of stack %s failed: %s", stack.stack_name, error)
            stack.set_stack_status(StackStatus.ROLLBACK_FAILED, str(error))

    def _roll_back(self, stack: Stack) -> None:
        reason = stack.status_reason or "The following resource(s) failed to create."
        created = {logical_id: resource for logical_id, resource in stack.resolved_resources.items()
                   if resource.get("ResourceStatus") == ResourceStatus.CREATE_COMPLETE}
        LOG.info("stack %s: create failed, rolling back %d resource(s)", stack.stack_name, len(created))
        stack.set_stack_status(StackStatus.ROLLBACK_IN_PROGRESS, reason)
        before = copy.deepcopy(stack.processed_template or {})
        before["Resources"] = {k: v for k, v in (before.get("Resources") or {}).items() if k in created}
        before.pop("Outputs", None)
        stack.resolved_resources = created
        change_set = ChangeSet(stack, {"ChangeSetName": f"rollback-{stack.stack_name}"}, template_body="")
        self._setup_change_set_model(change_set=change_set, before_template=before, after_template=None,
                                     before_parameters=stack.resolved_parameters, after_parameters=None)
        result = ChangeSetModelExecutor(change_set).execute()
        stack.resolved_resources = result.resources
        stack.resolved_outputs = []
        stack.set_stack_status(StackStatus.ROLLBACK_FAILED if result.failure_message else StackStatus.ROLLBACK_COMPLETE,
                               result.failure_message)
