"""`python -m generator`: unicorn-shop traffic (see generator/cli_options.py for the options)."""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

from generator import file_mode, url_mode
from generator.cli_options import Settings, parse_settings

log = logging.getLogger("generator")


def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    log.info("seed %d", settings.seed)
    progress = tqdm(total=settings.count, unit="req" if settings.url else "line",
                    unit_scale=True, disable=not (settings.progress and sys.stderr.isatty()))
    try:
        stats = _run(settings, progress)
    except ConnectionError as error:
        log.error("%s", error)
        return 2
    finally:
        progress.close()
    print(stats.summary("requests" if settings.url else "lines"))
    return 0


def _run(settings: Settings, progress: tqdm):
    if settings.url:
        return url_mode.run(url_mode.UrlModeOptions(
            url=settings.url, count=settings.count, duration=settings.duration,
            rate=settings.rate, seed=settings.seed, site_url=settings.site_url,
            workers=settings.workers), progress)
    return file_mode.run(file_mode.FileModeOptions(
        path=settings.file, count=settings.count, duration=settings.duration,
        rate=settings.rate, seed=settings.seed, site_url=settings.site_url,
        tz_offset=settings.tz_offset, backfill_hours=settings.backfill_hours,
        end_time=settings.end_time, bad_fraction=settings.bad_fraction,
        site_dir=settings.site_dir), progress)


if __name__ == "__main__":
    sys.exit(main())
