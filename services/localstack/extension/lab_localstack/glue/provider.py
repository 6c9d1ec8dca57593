"""The lab's Glue provider: the Data Catalog (catalog_api.py, partitions_api.py),
column statistics (column_statistics_api.py), crawlers (crawlers_api.py) and tags (tags_api.py) over the stores of models.py, persisted by
catalog.py.
LocalStack 4.14 ships no Glue API stubs, so the operations are declared with LocalStack's `@handler` decorator against
botocore's Glue service model, which LocalStack's parser and serializer use."""
from __future__ import annotations

import logging
from pathlib import Path

from localstack.services.plugins import ServiceLifecycleHook

from lab_localstack.glue.catalog import CatalogStore
from lab_localstack.glue.catalog_api import CatalogApi
from lab_localstack.glue.column_statistics_api import ColumnStatisticsApi
from lab_localstack.glue.crawlers_api import CrawlersApi
from lab_localstack.glue.job_store import JobStore
from lab_localstack.glue.jobs_api import JobsApi
from lab_localstack.glue.partition_indexes_api import PartitionIndexesApi
from lab_localstack.glue.partitions_api import PartitionsApi
from lab_localstack.glue.tags_api import TagsApi
from lab_localstack.state_files import state_dir

LOG = logging.getLogger(__name__)


def catalog_path() -> Path:
    return state_dir("glue") / "catalog.json"


class LabGlueProvider(CatalogApi, PartitionsApi, PartitionIndexesApi, ColumnStatisticsApi, CrawlersApi, TagsApi,
                      JobsApi, ServiceLifecycleHook):
    service = "glue"
    version = "2017-03-31"

    def __init__(self) -> None:
        self.store = CatalogStore(catalog_path())
        self.jobs = JobStore(catalog_path().with_name("jobs.json"))
        self._runs = {}
        for cat in self.store.all_catalogs():   # a crawl does not survive a restart
            for crawler in cat.crawlers.values():
                if crawler["State"] != "READY":
                    crawler["State"] = "READY"
                    crawler.setdefault("LastCrawl", {})["Status"] = "CANCELLED"

    def on_before_stop(self) -> None:
        self.end_all_runs()   # no Spark process outlives the lab
