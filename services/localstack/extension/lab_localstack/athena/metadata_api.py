"""Athena's catalog browsing calls over the Glue Data Catalog (the only data catalog,
`AwsDataCatalog`): ListDataCatalogs, GetDataCatalog, ListDatabases, GetDatabase,
ListTableMetadata, GetTableMetadata, as SQL clients and drivers call them. Mixed into
the provider."""
from __future__ import annotations

from botocore.exceptions import ClientError
from localstack.aws.api import RequestContext, handler

from lab_localstack.athena import validation
from lab_localstack.athena.models import StoreAccess
from lab_localstack.aws_api import ATHENA

CATALOG = "AwsDataCatalog"


def _catalog_name(request: dict) -> None:
    name = request.get("CatalogName") or request.get("Name")
    validation.require(name, "CatalogName")
    if name.lower() != CATALOG.lower():
        raise ATHENA.invalid(f"Catalog {name} was not found")


def _table_metadata(table: dict) -> dict:
    sd = table.get("StorageDescriptor") or {}
    out = {"Name": table["Name"], "TableType": table.get("TableType", "EXTERNAL_TABLE"),
           "Columns": [{k: c[k] for k in ("Name", "Type", "Comment") if k in c} for c in sd.get("Columns", [])],
           "PartitionKeys": [{k: c[k] for k in ("Name", "Type", "Comment") if k in c}
                             for c in table.get("PartitionKeys") or []],
           "Parameters": dict(table.get("Parameters") or {})}
    for key, source in (("CreateTime", "CreateTime"), ("LastAccessTime", "LastAccessTime")):
        if table.get(source):
            out[key] = table[source]
    if sd.get("Location"):
        out["Parameters"].setdefault("location", sd["Location"])
    if sd.get("InputFormat"):
        out["Parameters"].setdefault("inputformat", sd["InputFormat"])
    serde = (sd.get("SerdeInfo") or {}).get("SerializationLibrary")
    if serde:
        out["Parameters"].setdefault("serde.serialization.lib", serde)
    return out


class MetadataApi(StoreAccess):
    """Catalog browsing (over the provider's glue_for(context))."""

    @handler("ListDataCatalogs", expand=False)
    def list_data_catalogs(self, context: RequestContext, request: dict) -> dict:
        return {"DataCatalogsSummary": [{"CatalogName": CATALOG, "Type": "GLUE"}]}

    @handler("GetDataCatalog", expand=False)
    def get_data_catalog(self, context: RequestContext, request: dict) -> dict:
        _catalog_name(request)
        return {"DataCatalog": {"Name": CATALOG, "Description": "AWS Glue Data Catalog", "Type": "GLUE",
                                "Parameters": {"catalog-id": context.account_id}}}

    @handler("ListDatabases", expand=False)
    def list_databases(self, context: RequestContext, request: dict) -> dict:
        _catalog_name(request)
        dbs = [d for page in self.glue_for(context).get_paginator("get_databases").paginate()
               for d in page["DatabaseList"]]
        items = [{"Name": d["Name"], "Description": d.get("Description", ""), "Parameters": d.get("Parameters", {})}
                 for d in dbs]
        return ATHENA.paged("ListDatabases", "DatabaseList", items, request, 50)

    @handler("GetDatabase", expand=False)
    def get_database(self, context: RequestContext, request: dict) -> dict:
        _catalog_name(request)
        try:
            db = self.glue_for(context).get_database(Name=request.get("DatabaseName"))["Database"]
        except ClientError as exc:
            raise ATHENA.error("MetadataException", f"EntityNotFoundException: {exc.response['Error']['Message']}") from exc
        return {"Database": {"Name": db["Name"], "Description": db.get("Description", ""),
                             "Parameters": db.get("Parameters", {})}}

    @handler("ListTableMetadata", expand=False)
    def list_table_metadata(self, context: RequestContext, request: dict) -> dict:
        _catalog_name(request)
        glue = self.glue_for(context)
        kwargs = {"DatabaseName": request.get("DatabaseName")}
        if request.get("Expression"):
            kwargs["Expression"] = request["Expression"]
        try:
            tables = [t for page in glue.get_paginator("get_tables").paginate(**kwargs) for t in page["TableList"]]
        except ClientError as exc:
            raise ATHENA.error("MetadataException", f"EntityNotFoundException: {exc.response['Error']['Message']}") from exc
        return ATHENA.paged("ListTableMetadata", "TableMetadataList", tables, request, 50,
                            lambda page: [_table_metadata(t) for t in page])

    @handler("GetTableMetadata", expand=False)
    def get_table_metadata(self, context: RequestContext, request: dict) -> dict:
        _catalog_name(request)
        try:
            table = self.glue_for(context).get_table(DatabaseName=request.get("DatabaseName"),
                                                     Name=request.get("TableName"))["Table"]
        except ClientError as exc:
            raise ATHENA.error("MetadataException", f"EntityNotFoundException: {exc.response['Error']['Message']}") from exc
        return {"TableMetadata": _table_metadata(table)}
