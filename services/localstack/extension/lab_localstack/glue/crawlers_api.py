"""Crawlers: Create/Get/GetCrawlers/ListCrawlers/Update/Delete/Start/Stop and
GetCrawlerMetrics, with Glue's state machine READY -> RUNNING -> STOPPING -> READY
(LastCrawl SUCCEEDED, CANCELLED or FAILED). A crawl runs in a background thread
(crawl.py). Mixed into the provider."""
from __future__ import annotations

import copy
import logging
import threading
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.connect import connect_to

from lab_localstack.aws_api import GLUE, find
from lab_localstack.glue import crawl, crawl_catalog, shapes, validation
from lab_localstack.glue.catalog import CatalogAccess
from lab_localstack.glue.tags_api import check_tags, resource_key

LOG = logging.getLogger(__name__)
STOPPING_SECONDS = 0.3   # how long a finished crawl shows STOPPING before READY, as on AWS (briefly)


def _not_found(name: str):
    return GLUE.not_found(f"Crawler with name {name} has not been found")


# Targets the lab crawls; any other kind is refused, never accepted and left uncrawled.
CRAWLED_TARGETS = ("S3Targets", "CatalogTargets")


def _check_targets(targets: dict) -> None:
    for kind, value in targets.items():
        if value and kind not in CRAWLED_TARGETS:
            raise GLUE.invalid(f"The lab's crawlers crawl S3Targets and CatalogTargets only, not {kind}")
    for target in targets.get("S3Targets") or []:
        validation.require(target.get("Path"), "targets.s3Targets.path")
        if not target["Path"].startswith("s3://"):
            raise GLUE.invalid(f"Invalid S3 path: {target['Path']}")
    for i, target in enumerate(targets.get("CatalogTargets") or []):
        validation.require(target.get("DatabaseName"), f"targets.catalogTargets.{i + 1}.member.databaseName")
        validation.require(target.get("Tables") or None, f"targets.catalogTargets.{i + 1}.member.tables")
        for key in ("ConnectionName", "EventQueueArn", "DlqEventQueueArn"):
            if target.get(key):
                raise GLUE.invalid(f"The lab's crawlers do not support {key} on a catalog target")


class CrawlersApi(CatalogAccess):
    """Crawler definitions live in the catalog store; runs in threads."""

    def _crawler(self, context: RequestContext, name: str | None) -> dict:
        validation.require(name, "name")
        return find(self.catalog(context).crawlers, name, lambda: _not_found(name))

    @handler("CreateCrawler", expand=False)
    def create_crawler(self, context: RequestContext, request: dict) -> dict:
        name = request.get("Name")
        validation.name(name, "name")
        validation.require(request.get("Role"), "role")
        targets = request.get("Targets") or {}
        validation.require(targets or None, "targets")
        _check_targets(targets)
        tags = check_tags(request.get("Tags"))
        with self.store.lock:
            cat = self.catalog(context)
            if name in cat.crawlers:
                raise GLUE.error("AlreadyExistsException", f"{name} already exists")
            now = time.time()
            cat.crawlers[name] = {
                "Name": name, "Role": request["Role"], "Targets": copy.deepcopy(targets),
                "DatabaseName": request.get("DatabaseName", ""), "Description": request.get("Description", ""),
                "Classifiers": request.get("Classifiers") or [], "TablePrefix": request.get("TablePrefix", ""),
                "RecrawlPolicy": request.get("RecrawlPolicy") or {"RecrawlBehavior": "CRAWL_EVERYTHING"},
                "SchemaChangePolicy": request.get("SchemaChangePolicy") or {
                    "UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE"},
                "LineageConfiguration": {"CrawlerLineageSettings": "DISABLE"},
                "State": "READY", "CrawlElapsedTime": 0, "CreationTime": now, "LastUpdated": now, "Version": 1,
                "Metrics": {"TablesCreated": 0, "TablesUpdated": 0, "TablesDeleted": 0, "Runtimes": []},
            }
            if request.get("Schedule"):
                cat.crawlers[name]["Schedule"] = {"ScheduleExpression": request["Schedule"], "State": "SCHEDULED"}
            if request.get("Configuration"):
                cat.crawlers[name]["Configuration"] = request["Configuration"]
            if tags:
                cat.tags[resource_key("crawler", name)] = tags
            self.store.save()
        return {}

    @staticmethod
    def _describe(crawler: dict) -> dict:
        out = {k: v for k, v in crawler.items() if k != "Metrics"}
        if out.get("State") == "RUNNING":
            out["CrawlElapsedTime"] = int((time.time() - crawler["LastCrawl"]["StartTime"]) * 1000)
        return shapes.to_response(out)

    @handler("GetCrawler", expand=False)
    def get_crawler(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            return {"Crawler": self._describe(self._crawler(context, request.get("Name")))}

    @handler("GetCrawlers", expand=False)
    def get_crawlers(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawlers = [self._describe(c) for _, c in sorted(self.catalog(context).crawlers.items())]
        return GLUE.paged("GetCrawlers", "Crawlers", crawlers, request, 100)

    @handler("ListCrawlers", expand=False)
    def list_crawlers(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            names = sorted(self.catalog(context).crawlers)
        return GLUE.paged("ListCrawlers", "CrawlerNames", names, request, 100)

    @handler("UpdateCrawler", expand=False)
    def update_crawler(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawler = self._crawler(context, request.get("Name"))
            if crawler["State"] != "READY":
                raise GLUE.error("CrawlerRunningException", f"Crawler with name {crawler['Name']} has already started")
            if request.get("Targets"):
                _check_targets(request["Targets"])
            for key in ("Role", "Targets", "DatabaseName", "Description", "TablePrefix", "SchemaChangePolicy",
                        "RecrawlPolicy", "Classifiers", "Configuration"):
                if key in request:
                    crawler[key] = copy.deepcopy(request[key])
            if "Schedule" in request:   # a cron expression; an empty one removes the schedule
                if request["Schedule"]:
                    state = (crawler.get("Schedule") or {}).get("State", "SCHEDULED")
                    crawler["Schedule"] = {"ScheduleExpression": request["Schedule"], "State": state}
                else:
                    crawler.pop("Schedule", None)
            crawler["LastUpdated"] = time.time()
            crawler["Version"] += 1
            self.store.save()
        return {}

    @handler("DeleteCrawler", expand=False)
    def delete_crawler(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawler = self._crawler(context, request.get("Name"))
            if crawler["State"] != "READY":
                raise GLUE.error("CrawlerRunningException", f"{crawler['Name']} is running")
            del self.catalog(context).crawlers[crawler["Name"]]
            self.catalog(context).tags.pop(resource_key("crawler", crawler["Name"]), None)
            self.store.save()
        return {}

    @handler("StartCrawler", expand=False)
    def start_crawler(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawler = self._crawler(context, request.get("Name"))
            if crawler["State"] != "READY":
                raise GLUE.error("CrawlerRunningException", f"Crawler with name {crawler['Name']} has already started")
            if crawler["Targets"].get("S3Targets") and (not crawler.get("DatabaseName") or
                                                        crawler["DatabaseName"].lower() not in
                                                        self.catalog(context).databases):
                raise GLUE.not_found(f"Database {crawler.get('DatabaseName')} not found.")
            crawler["State"] = "RUNNING"
            crawler["LastCrawl"] = {"Status": "RUNNING", "StartTime": time.time(),
                                    "LogGroup": "/aws-glue/crawlers", "LogStream": crawler["Name"],
                                    "MessagePrefix": crawler["Name"]}
            stop = self.catalog(context).crawl_stops.setdefault(crawler["Name"], threading.Event())
            stop.clear()
            self.store.save()
        threading.Thread(target=self._run_crawl, args=(context.account_id, context.region, crawler, stop),
                         name=f"lab-crawler-{crawler['Name']}", daemon=True).start()
        return {}

    @handler("StopCrawler", expand=False)
    def stop_crawler(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawler = self._crawler(context, request.get("Name"))
            if crawler["State"] == "READY":
                raise GLUE.error("CrawlerNotRunningException", f"Crawler with name {crawler['Name']} isn't running.")
            if crawler["State"] == "STOPPING":
                raise GLUE.error("CrawlerStoppingException", f"Crawler with name {crawler['Name']} is stopping.")
            crawler["State"] = "STOPPING"
            self.catalog(context).crawl_stops[crawler["Name"]].set()
            self.store.save()
        return {}

    @handler("GetCrawlerMetrics", expand=False)
    def get_crawler_metrics(self, context: RequestContext, request: dict) -> dict:
        with self.store.lock:
            crawlers = self.catalog(context).crawlers
            names = request.get("CrawlerNameList") or sorted(crawlers)
            out = []
            for name in names:
                if name not in crawlers:
                    continue
                c = crawlers[name]
                runs = c["Metrics"]["Runtimes"]
                out.append({"CrawlerName": name, "TimeLeftSeconds": 0.0, "StillEstimating": c["State"] == "RUNNING",
                            "LastRuntimeSeconds": runs[-1] if runs else 0.0,
                            "MedianRuntimeSeconds": sorted(runs)[len(runs) // 2] if runs else 0.0,
                            "TablesCreated": c["Metrics"]["TablesCreated"],
                            "TablesUpdated": c["Metrics"]["TablesUpdated"],
                            "TablesDeleted": c["Metrics"]["TablesDeleted"]})
        return {"CrawlerMetricsList": out}

    def _run_crawl(self, account: str, region: str, crawler: dict, stop: threading.Event) -> None:
        started = time.time()
        created = updated = 0
        status, error = "SUCCEEDED", None
        s3 = connect_to(aws_access_key_id=account, region_name=region).s3
        cat = self.store.catalog(account, region)
        try:
            for target in crawler["Targets"].get("S3Targets") or []:
                result = crawl.crawl_target(cat, self.store.lock, account, crawler, s3, target["Path"],
                                            target.get("Exclusions") or [], stop.is_set)
                created += result.created
                updated += result.updated
            for target in crawler["Targets"].get("CatalogTargets") or []:
                for table in target["Tables"]:
                    result = crawl_catalog.crawl_table(cat, self.store.lock, crawler, s3, target["DatabaseName"],
                                                       table, stop.is_set)
                    updated += result.updated
        except crawl.Cancelled:
            status = "CANCELLED"
        except crawl_catalog.TableMissing as exc:
            status, error = "FAILED", f"EntityNotFoundException: {exc}"
        except Exception as exc:
            LOG.exception("crawler %s failed", crawler["Name"])
            status, error = "FAILED", f"Internal Service Exception: {type(exc).__name__}: {exc}"
        with self.store.lock:
            crawler["State"] = "STOPPING"
            crawler["LastCrawl"]["Status"] = status
            if error:
                crawler["LastCrawl"]["ErrorMessage"] = error
            crawler["CrawlElapsedTime"] = 0
            crawler["Metrics"]["TablesCreated"] += created
            crawler["Metrics"]["TablesUpdated"] += updated
            crawler["Metrics"]["Runtimes"].append(round(time.time() - started, 3))
            self.store.save()
        time.sleep(STOPPING_SECONDS)
        with self.store.lock:
            crawler["State"] = "READY"
            self.store.save()
