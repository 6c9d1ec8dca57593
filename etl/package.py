"""Build the deployable zip of the `apache_ETL` Lambda, reproducibly.

    python -m etl.package --output build/apache_ETL.zip

The zip holds, at its root: the `etl` package's runtime modules (handler string
`etl.handler.lambda_handler`) with its data files (the country table for GeoIP and its
licence), python-dateutil's `dateutil/` and `six.py` (which dateutil imports) and
maxminddb's pure-Python reader (its compiled extension is left out: it is built for the
build machine's Python, not the Lambda runtime's) copied from the installed
site-packages, and their licence and METADATA files. boto3 is not in it: the Lambda
Python runtime provides it. GeoIP databases are not in it either (etl.geoip_source).
Two builds from the same sources give identical bytes: entries sorted, fixed timestamp
(1980-01-01), fixed permissions (0644), fixed compression, no __pycache__.
This module is build tooling: it is not part of the zip.
"""

import argparse
import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)

ETL_DIR = Path(__file__).resolve().parent
BUILD_ONLY_MODULES = {"package.py"}
ETL_DATA_FILES = ("countries.json", "COUNTRIES-LICENSE")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
# Third-party code the handler may import; dateutil needs six. distribution -> top-level name.
BUNDLED_DISTRIBUTIONS = {"python-dateutil": "dateutil", "six": "six", "maxminddb": "maxminddb"}
_SKIPPED_PARTS = {"__pycache__"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".so", ".pyd"}  # compiled extensions: platform-specific


def _wanted(path: Path) -> bool:
    return not (_SKIPPED_PARTS & set(path.parts)) and path.suffix not in _SKIPPED_SUFFIXES


def etl_files() -> dict[str, Path]:
    """Archive name -> source file for the etl package's runtime modules."""
    files = {
        f"etl/{path.name}": path
        for path in sorted(ETL_DIR.glob("*.py"))
        if path.name not in BUILD_ONLY_MODULES
    }
    files.update({f"etl/{name}": ETL_DIR / name for name in ETL_DATA_FILES})
    return files


def installed_files(top_level: str) -> dict[str, Path]:
    """Archive name -> source file for an installed top-level module or package."""
    spec = importlib.util.find_spec(top_level)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{top_level} is not installed in {sys.prefix}: pip install python-dateutil")
    origin = Path(spec.origin)
    if origin.name != "__init__.py":  # a single-file module such as six.py
        return {origin.name: origin}
    package_dir = origin.parent
    return {
        path.relative_to(package_dir.parent).as_posix(): path
        for path in sorted(package_dir.rglob("*"))
        if path.is_file() and _wanted(path.relative_to(package_dir.parent))
    }


def distribution_notices(distribution: str) -> dict[str, Path]:
    """Archive name -> file for a distribution's METADATA and licence files."""
    dist = metadata.distribution(distribution)
    notices = {}
    for file in dist.files or []:
        name = Path(file).name
        if ".dist-info" in str(file) and (name == "METADATA" or name.upper().startswith(("LICENSE", "COPYING"))):
            notices[Path(file).as_posix()] = Path(dist.locate_file(file))
    return notices


def collect_files() -> dict[str, Path]:
    """Every archive name of the Lambda zip -> the file it is copied from."""
    files = etl_files()
    for distribution, top_level in BUNDLED_DISTRIBUTIONS.items():
        files.update(installed_files(top_level))
        files.update(distribution_notices(distribution))
    return files


def build_zip(output: Path, overlay: dict[str, Path] | None = None) -> str:
    """Write the zip to `output` (atomically) and return its SHA-256. `overlay` (archive name ->
    file) adds files or replaces the lab's: a team's own ETL laid over the lab's (clickstream_lab)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two builds at once (two `make up`s) must not rename each other's file
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    with zipfile.ZipFile(partial, "w") as archive:
        for name, source in sorted({**collect_files(), **(overlay or {})}.items()):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            entry.create_system = 3  # Unix, so that external_attr holds the file mode
            entry.external_attr = FILE_MODE << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, source.read_bytes(), compresslevel=9)
    partial.chmod(0o644)   # mkstemp's 0600 would be the zip's mode
    os.replace(partial, output)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the apache_ETL Lambda zip reproducibly.")
    parser.add_argument("--output", type=Path, default=Path("build/apache_ETL.zip"), help="zip to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    digest = build_zip(args.output)
    with zipfile.ZipFile(args.output) as archive:
        count = len(archive.namelist())
    logger.info("wrote %s: %d files, %d bytes, sha256 %s", args.output, count, args.output.stat().st_size, digest)


if __name__ == "__main__":
    main()
