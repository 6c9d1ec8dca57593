"""Glue's tags: TagResource, UntagResource, GetTags on resource ARNs, and `Tags` given at
create time (CreateDatabase, CreateCrawler). Mixed into the provider.

ARNs are AWS's (Glue developer guide, "Specifying AWS Glue resource ARNs"):
`arn:aws:glue:<region>:<account>:database/<name>`, `...:crawler/<name>`, and likewise
`job/`, `trigger/`, `connection/`, `workflow/`, ... for the other taggable kinds. Of
those the lab has databases and crawlers; an ARN of another taggable kind names a
resource that cannot exist here (EntityNotFoundException), and a table's ARN a kind Glue
does not tag (InvalidInputException), as the guide lists the taggable kinds without tables.

An ARN with no account (`arn:aws:glue:us-east-1::database/db`, what Terraform's AWS
provider builds with `skip_requesting_account_id`, usual against LocalStack) names the
caller's account.

Tags are kept in the catalog store (catalog.json) with the resource, under
`<kind>/<name>`, and go when the resource is deleted. The rules are the guide's: at most
50 tags per resource, keys of 1-128 characters, values of at most 256, no `aws:` prefix.
"""
from __future__ import annotations

import re

from localstack.aws.api import RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.models import GlueStore

MAX_TAGS = 50
MAX_KEY, MAX_VALUE = 128, 256
ARN = re.compile(r"^arn:aws(?:-[a-z-]+)?:glue:(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$")
# taggable kinds the lab has, and those it has not (AWS Glue developer guide, "AWS tags in AWS Glue")
LAB_KINDS = ("database", "crawler")
OTHER_TAGGABLE = ("connection", "job", "trigger", "workflow", "devEndpoint", "devendpoint", "mlTransform",
                  "blueprint", "session", "dataQualityRuleset", "registry", "schema")


def check_tags(tags: dict[str, str] | None, existing: dict[str, str] | None = None) -> dict[str, str]:
    """The tags merged onto the existing ones, or InvalidInputException."""
    tags = tags or {}
    for key, value in tags.items():
        if not key or len(key) > MAX_KEY:
            raise GLUE.invalid(f"Tag key '{key}' must be 1 to {MAX_KEY} characters long.")
        if value is not None and len(value) > MAX_VALUE:
            raise GLUE.invalid(f"Tag value for key '{key}' must be at most {MAX_VALUE} characters long.")
        if key.lower().startswith("aws:"):
            raise GLUE.invalid(f"Tag key '{key}' uses the reserved prefix 'aws:'.")
    merged = {**(existing or {}), **{k: v or "" for k, v in tags.items()}}
    if len(merged) > MAX_TAGS:
        raise GLUE.invalid(f"A resource can have at most {MAX_TAGS} tags; this would give it {len(merged)}.")
    return merged


def resource_key(kind: str, name: str) -> str:
    return f"{kind}/{name}"


class TagsApi(CatalogAccess):
    """Tags of databases and crawlers."""

    def _tagged(self, context: RequestContext, arn: str | None) -> tuple[GlueStore, str]:
        """The catalog and the `<kind>/<name>` key of an existing taggable resource."""
        match = ARN.match(arn or "")
        if not match:
            raise GLUE.invalid(f"Invalid resource ARN: {arn}")
        kind, _, name = match["resource"].partition("/")
        if kind == "table":
            raise GLUE.invalid(f"Resource type table is not supported for tagging: {arn}")
        if kind not in LAB_KINDS and kind not in OTHER_TAGGABLE:
            raise GLUE.invalid(f"Invalid resource ARN: {arn}")
        cat = self.catalog(context)
        if (match["region"], match["account"] or context.account_id) != (context.region, context.account_id) \
                or not name:
            raise GLUE.not_found(f"Entity not found for ARN {arn}")
        if kind == "database":
            name = name.lower()
            if name not in cat.databases:
                raise validation.database_not_found(name)
        elif kind == "crawler":
            if name not in cat.crawlers:
                raise GLUE.not_found(f"Crawler with name {name} has not been found")
        else:
            raise GLUE.not_found(f"Entity not found for ARN {arn} (the lab has no Glue {kind}s)")
        return cat, resource_key(kind, name)

    @handler("TagResource", expand=False)
    def tag_resource(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat, key = self._tagged(context, request.get("ResourceArn"))
            cat.tags[key] = check_tags(request.get("TagsToAdd"), cat.tags.get(key))
            self.store.save()
        return {}

    @handler("UntagResource", expand=False)
    def untag_resource(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat, key = self._tagged(context, request.get("ResourceArn"))
            tags = cat.tags.get(key, {})
            for tag_key in request.get("TagsToRemove") or []:
                tags.pop(tag_key, None)
            if tags:
                cat.tags[key] = tags
            else:
                cat.tags.pop(key, None)
            self.store.save()
        return {}

    @handler("GetTags", expand=False)
    def get_tags(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat, key = self._tagged(context, request.get("ResourceArn"))
            return {"Tags": dict(cat.tags.get(key, {}))}
