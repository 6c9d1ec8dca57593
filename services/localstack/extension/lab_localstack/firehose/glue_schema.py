"""The schema of a format conversion: the Glue table's columns, read with glue:GetTable.

Glue is called through LocalStack's internal client (the lab's Glue Data Catalog
provider). A table (or version) that does not exist, or a catalog that refuses the
call, fails the records of the batch with DataFormatConversion.InvalidSchema (they go
to format-conversion-failed, nothing is lost); a Glue that cannot be reached is
retried with the batch. A table is re-read at most every few seconds, so a new
table version is picked up by the next batches, as AWS does with VersionId LATEST.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from botocore.config import Config
from botocore.exceptions import ClientError
from localstack.aws.connect import connect_to

from lab_localstack.firehose.error_records import CatalogTable
from lab_localstack.firehose.format_conversion import ConversionSettings

LOG = logging.getLogger(__name__)

_CACHE_S = 5.0
_SCHEMA_ERRORS = ("EntityNotFoundException", "AccessDeniedException", "InvalidInputException",
                  "InternalFailure", "NotImplementedException")


class SchemaUnavailable(Exception):
    """The table's schema cannot be had: the records fail conversion with this message."""


@dataclass(frozen=True)
class TableSchema:
    columns: list[dict]            # StorageDescriptor.Columns: [{Name, Type}]
    table: CatalogTable


class GlueSchemas:
    """Reads and caches Glue tables for one stream's conversion."""

    def __init__(self, account_id: str, region: str):
        self._account_id = account_id
        self._region = region
        self._clients: dict[str, object] = {}
        self._cache: dict[tuple, tuple[float, TableSchema]] = {}
        self._lock = threading.Lock()

    def _client(self, region: str):
        with self._lock:
            if region not in self._clients:
                self._clients[region] = connect_to(
                    aws_access_key_id=self._account_id, region_name=region,
                    config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
                ).glue
            return self._clients[region]

    def schema(self, conversion: ConversionSettings) -> TableSchema:
        catalog_id = conversion.schema_field("CatalogId", self._account_id)
        database = conversion.schema_field("DatabaseName")
        table_name = conversion.schema_field("TableName")
        region = conversion.schema_field("Region", self._region)
        version = conversion.schema_field("VersionId", "LATEST")
        key = (catalog_id, database, table_name, region, version)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        client = self._client(region)
        try:
            if version == "LATEST":
                table = client.get_table(CatalogId=catalog_id, DatabaseName=database, Name=table_name)["Table"]
                version_id = str(table.get("VersionId") or "0")
            else:
                table = client.get_table_version(CatalogId=catalog_id, DatabaseName=database,
                                                 TableName=table_name, VersionId=version)["TableVersion"]["Table"]
                version_id = version
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _SCHEMA_ERRORS or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 501:
                raise SchemaUnavailable(
                    f"Unable to read the schema of Glue table {database}.{table_name} "
                    f"(catalog {catalog_id}, region {region}, version {version}): {code}: "
                    f"{error.response.get('Error', {}).get('Message', '')}") from None
            raise
        columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
        if not columns:
            raise SchemaUnavailable(f"Glue table {database}.{table_name} has no columns")
        schema = TableSchema(columns, CatalogTable(catalog_id, database, table_name, region, version_id))
        self._cache[key] = (time.monotonic() + _CACHE_S, schema)
        return schema

    def placeholder_table(self, conversion: ConversionSettings) -> CatalogTable:
        """The table as configured, for failed records when it could not be read."""
        return CatalogTable(conversion.schema_field("CatalogId", self._account_id),
                            conversion.schema_field("DatabaseName"), conversion.schema_field("TableName"),
                            conversion.schema_field("Region", self._region),
                            conversion.schema_field("VersionId", "LATEST"))
