"""The catalog's database and table operations (Create/Get/GetAll/Update/Delete),
with Glue's validation and error codes. Mixed into the provider."""
from __future__ import annotations

import re

from localstack.aws.api import RequestContext, handler

from lab_localstack.aws_api import GLUE
from lab_localstack.glue import shapes, validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.models import table_key
from lab_localstack.glue.partition_indexes_api import add_index
from lab_localstack.glue.tags_api import check_tags, resource_key


class CatalogApi(CatalogAccess):
    """Databases and tables."""

    # --- databases ---------------------------------------------------------
    @handler("CreateDatabase", expand=False)
    def create_database(self, context: RequestContext, request: dict) -> dict:
        db_input = request.get("DatabaseInput") or {}
        name = validation.name(db_input.get("Name"), "databaseInput.name")
        tags = check_tags(request.get("Tags"))
        with self.store.lock:
            cat = self.catalog(context)
            if name in cat.databases:
                raise GLUE.error("AlreadyExistsException", "Database already exists.")
            cat.databases[name] = shapes.database_record(db_input, context.account_id)
            cat.tables.setdefault(name, {})
            if tags:
                cat.tags[resource_key("database", name)] = tags
            self.store.save()
        return {}

    @handler("GetDatabase", expand=False)
    def get_database(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            return {"Database": shapes.to_response(self.catalog(context).database(request.get("Name")))}

    @handler("GetDatabases", expand=False)
    def get_databases(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            dbs = sorted(self.catalog(context).databases.values(), key=lambda d: d["Name"])
            return GLUE.paged("GetDatabases", "DatabaseList", dbs, request, 100, shapes.to_response)

    @handler("UpdateDatabase", expand=False)
    def update_database(self, context: RequestContext, request: dict) -> dict:
        db_input = request.get("DatabaseInput") or {}
        validation.name(db_input.get("Name"), "databaseInput.name")
        with self.store.lock:
            cat = self.catalog(context)
            old = cat.database(request.get("Name"))
            new = shapes.database_record(db_input, context.account_id)
            new["CreateTime"] = old["CreateTime"]
            if new["Name"] != old["Name"]:
                raise GLUE.invalid("Database name cannot be changed.")
            cat.databases[old["Name"]] = new
            self.store.save()
        return {}

    @handler("DeleteDatabase", expand=False)
    def delete_database(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            db = cat.database(request.get("Name"))
            for table in list(cat.tables.get(db["Name"], {})):
                cat.drop_table(db["Name"], table)
            cat.tables.pop(db["Name"], None)
            cat.tags.pop(resource_key("database", db["Name"]), None)
            del cat.databases[db["Name"]]
            self.store.save()
        return {}

    # --- tables ------------------------------------------------------------
    @handler("CreateTable", expand=False)
    def create_table(self, context: RequestContext, request: dict) -> dict:
        table_input = request.get("TableInput") or {}
        name = validation.name(table_input.get("Name"), "tableInput.name")
        validation.columns((table_input.get("StorageDescriptor") or {}).get("Columns"),
                           "tableInput.storageDescriptor.columns")
        validation.columns(table_input.get("PartitionKeys"), "tableInput.partitionKeys")
        with self.store.lock:
            cat = self.catalog(context)
            db = cat.database(request.get("DatabaseName"))
            tables = cat.tables.setdefault(db["Name"], {})
            if name in tables:
                raise GLUE.error("AlreadyExistsException", "Table already exists.")
            record = shapes.table_record(table_input, db["Name"], context.account_id)
            try:
                for index in request.get("PartitionIndexes") or []:
                    add_index(cat, record, index)
            except Exception:
                cat.partition_indexes.pop(table_key(db['Name'], record['Name']), None)
                raise
            cat.put_table(record)
            self.store.save()
        return {}

    @handler("GetTable", expand=False)
    def get_table(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            table = self.catalog(context).table(request.get("DatabaseName"), request.get("Name"))
            return {"Table": shapes.to_response(table)}

    @handler("GetTables", expand=False)
    def get_tables(self, context: RequestContext, request: dict) -> dict:
        pattern = request.get("Expression")
        try:
            regex = re.compile(pattern.replace("*", ".*") if pattern and ".*" not in pattern else (pattern or ".*"),
                               re.IGNORECASE)
        except re.error as exc:
            raise GLUE.invalid(f"Invalid expression '{pattern}': {exc}") from exc
        with self.store.lock:
            cat = self.catalog(context)
            db = cat.database(request.get("DatabaseName"))
            tables = [t for n, t in sorted(cat.tables.get(db["Name"], {}).items()) if regex.fullmatch(n)]
            return GLUE.paged("GetTables", "TableList", tables, request, 100, shapes.to_response)

    @handler("UpdateTable", expand=False)
    def update_table(self, context: RequestContext, request: dict) -> dict:
        table_input = request.get("TableInput") or {}
        validation.name(table_input.get("Name"), "tableInput.name")
        with self.store.lock:
            cat = self.catalog(context)
            old = cat.table(request.get("DatabaseName"), table_input.get("Name"))
            cat.put_table(shapes.table_record(table_input, old["DatabaseName"], context.account_id, previous=old))
            self.store.save()
        return {}

    @handler("GetTableVersion", expand=False)
    def get_table_version(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("TableName"))
            versions = cat.table_versions.get(table_key(table['DatabaseName'], table['Name'])) or [table]
            wanted = request.get("VersionId")
            found = versions[-1] if not wanted or wanted == "LATEST" else next(
                (v for v in versions if v.get("VersionId") == wanted), None)
            if found is None:
                raise GLUE.not_found(f"Version {wanted} of table {table['Name']} not found.")
            return {"TableVersion": {"Table": shapes.to_response(found), "VersionId": found.get("VersionId", "0")}}

    @handler("GetTableVersions", expand=False)
    def get_table_versions(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("TableName"))
            versions = list(reversed(cat.table_versions.get(table_key(table['DatabaseName'], table['Name'])) or [table]))
        items = [{"Table": v, "VersionId": v.get("VersionId", "0")} for v in versions]
        return GLUE.paged("GetTableVersions", "TableVersions", items, request, 100, shapes.to_response)

    @handler("DeleteTable", expand=False)
    def delete_table(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            cat = self.catalog(context)
            table = cat.table(request.get("DatabaseName"), request.get("Name"))
            cat.drop_table(table["DatabaseName"], table["Name"])
            self.store.save()
        return {}

    @handler("BatchDeleteTable", expand=False)
    def batch_delete_table(self, context: RequestContext, request: dict) -> dict:
        failed = []
        with self.store.lock:
            cat = self.catalog(context)
            db = cat.database(request.get("DatabaseName"))
            for name in request.get("TablesToDelete") or []:
                if name.lower() in cat.tables.get(db["Name"], {}):
                    cat.drop_table(db["Name"], name.lower())
                else:
                    failed.append({"TableName": name, "ErrorDetail": {
                        "ErrorCode": "EntityNotFoundException", "ErrorMessage": f"Table {name} not found."}})
            self.store.save()
        return {"Errors": failed}
