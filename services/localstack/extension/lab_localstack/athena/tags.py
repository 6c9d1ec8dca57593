"""Athena's tags: TagResource, UntagResource, ListTagsForResource on work groups and data
catalogs, and `Tags` at CreateWorkGroup. Mixed into the provider.

ARNs are AWS's: `arn:aws:athena:<region>:<account>:workgroup/<name>` and
`...:datacatalog/<name>` (the lab's one catalog is `AwsDataCatalog`). Tags are kept with
the work group in the provider's per-region state (in memory, like the work groups
themselves) and go when it is deleted. Rules as the Athena user guide's "Tag
restrictions": at most 50 tags per resource, keys of 1-128 characters, values of at most
256, no `aws:` prefix; a malformed ARN is InvalidRequestException, an ARN naming no
resource ResourceNotFoundException; ListTagsForResource pages with MaxResults >= 75.
"""
from __future__ import annotations

import re

from localstack.aws.api import RequestContext, handler

from lab_localstack.athena import validation
from lab_localstack.athena.metadata_api import CATALOG
from lab_localstack.athena.models import StoreAccess
from lab_localstack.aws_api import ATHENA

MAX_TAGS = 50
MAX_KEY, MAX_VALUE = 128, 256
ARN = re.compile(r"^arn:aws(?:-[a-z-]+)?:athena:(?P<region>[^:]*):(?P<account>[^:]*):"
                 r"(?P<kind>[A-Za-z-]+)/(?P<name>.+)$")


def tag_map(tags: list[dict] | None, existing: dict[str, str] | None = None) -> dict[str, str]:
    """Tags ([{Key, Value}]) merged onto the existing ones, or InvalidRequestException."""
    merged = dict(existing or {})
    for tag in tags or []:
        key, value = tag.get("Key"), tag.get("Value") or ""
        if not key or len(key) > MAX_KEY:
            raise ATHENA.invalid(f"Tag key '{key}' must be 1 to {MAX_KEY} characters long")
        if len(value) > MAX_VALUE:
            raise ATHENA.invalid(f"Tag value for key '{key}' must be at most {MAX_VALUE} characters long")
        if key.lower().startswith("aws:"):
            raise ATHENA.invalid(f"Tag key '{key}' uses the reserved prefix 'aws:'")
        merged[key] = value
    if len(merged) > MAX_TAGS:
        raise ATHENA.invalid(f"A resource can have at most {MAX_TAGS} tags")
    return merged


def work_group_key(name: str) -> str:
    return f"workgroup/{name}"


class TagsApi(StoreAccess):
    """Tags of work groups and the data catalog."""

    def _tag_key(self, context: RequestContext, arn: str | None) -> str:
        validation.require(arn, "ResourceARN")
        match = ARN.match(arn)
        if not match or match["kind"] not in ("workgroup", "datacatalog", "capacity-reservation"):
            raise ATHENA.invalid(f"Invalid ARN: {arn}")
        # no account (Terraform's ARNs with skip_requesting_account_id): the caller's
        if (match["region"], match["account"] or context.account_id) != (context.region, context.account_id):
            raise ATHENA.error("ResourceNotFoundException", f"Resource {arn} not found")
        kind, name = match["kind"], match["name"]
        if kind == "workgroup" and name in self.region(context).work_groups:
            return work_group_key(name)
        if kind == "datacatalog" and name.lower() == CATALOG.lower():
            return f"datacatalog/{CATALOG}"
        raise ATHENA.error("ResourceNotFoundException", f"Resource {arn} not found")

    @handler("TagResource", expand=False)
    def tag_resource(self, context: RequestContext, request: dict) -> dict:
        key = self._tag_key(context, request.get("ResourceARN"))
        tags = self.region(context).tags
        tags[key] = tag_map(request.get("Tags"), tags.get(key))
        return {}

    @handler("UntagResource", expand=False)
    def untag_resource(self, context: RequestContext, request: dict) -> dict:
        key = self._tag_key(context, request.get("ResourceARN"))
        tags = self.region(context).tags
        for tag_key in request.get("TagKeys") or []:
            tags.get(key, {}).pop(tag_key, None)
        return {}

    @handler("ListTagsForResource", expand=False)
    def list_tags_for_resource(self, context: RequestContext, request: dict) -> dict:
        key = self._tag_key(context, request.get("ResourceARN"))
        items = [{"Key": k, "Value": v} for k, v in sorted(self.region(context).tags.get(key, {}).items())]
        return ATHENA.paged("ListTagsForResource", "Tags", items, request, 100)
