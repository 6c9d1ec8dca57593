"""Fetches the lab's JVM artefacts from Maven Central into the lab's own cache, checksum-verified.

One folder per component under services/jvm/ (opensearch, kafka, spark, ...) holds:
  pom.xml         the pinned coordinates (dependencies, with exclusions), the manifest
  sha256.lock     `<sha256>  <file name>` for every file the POM resolves to (sha256sum format)

`python3 services/jvm/fetch.py COMPONENT` runs Maven's `dependency:copy-dependencies` on that
POM into `<cache>/maven/<component>/`, with a Maven repository the lab owns
(`<cache>/maven/repository`), then checks that the files are exactly those of the lock with
the locked SHA-256 sums. It prints what it fetches and how big; a second call with the same
lock does nothing. `--update-lock` rewrites the lock from what Maven resolved (for maintainers
bumping a version). `--print-dir` prints the folder and exits 0 only when it is verified.
The cache is `$LAB_CACHE_DIR` or `~/.cache/clickstream-lab`: `make reset` keeps it. Nothing
here runs while the lab runs; the lab only reads the verified folders.

Standard library only, so any python3 runs it before the lab's venvs exist.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = ".verified"
log = logging.getLogger("jvm.fetch")


def cache_root() -> Path:
    """Where the lab keeps downloaded assets (kept by `make reset`)."""
    configured = os.environ.get("LAB_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "clickstream-lab"


def component_dir(component: str) -> Path:
    folder = HERE / component
    if not (folder / "pom.xml").is_file():
        known = sorted(p.parent.name for p in HERE.glob("*/pom.xml"))
        raise SystemExit(f"error: no JVM component {component!r} (known: {', '.join(known)})")
    return folder


def read_lock(path: Path) -> dict[str, str]:
    """file name -> sha256, from a sha256sum-format file (comments with #)."""
    entries = {}
    if not path.is_file():
        return entries
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise SystemExit(f"error: {path}:{number}: expected '<sha256>  <file name>'")
        entries[name] = digest
    return entries


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lock_fingerprint(folder: Path) -> str:
    return hashlib.sha256((folder / "pom.xml").read_bytes()
                          + (folder / "sha256.lock").read_bytes()).hexdigest()


def human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def run_maven(pom: Path, output: Path, repository: Path) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        raise SystemExit("error: Maven (mvn) is not installed: `apt-get install maven` "
                         "(the lab fetches its JVM artefacts from Maven Central with it)")
    command = [mvn, "-B", "-q", "-f", str(pom), f"-Dmaven.repo.local={repository}",
               "dependency:copy-dependencies", f"-DoutputDirectory={output}",
               "-DincludeScope=runtime", "-Dmdep.overWriteReleases=false"]
    component = pom.parent.name
    # Offline, say so in one line at once (naming the asset and what to run while online), rather
    # than after Maven's start and its page of errors. A user's Maven mirror is asked as it is.
    mirrored = (Path.home() / ".m2" / "settings.xml").is_file()
    if not mirrored and not maven_central_reachable():
        raise SystemExit(f"error: {component} is not in the lab's cache ({output}) and Maven Central "
                         f"({MAVEN_CENTRAL[0]}) cannot be reached: run `make {component}` once while online")
    log.debug("running %s", " ".join(command))
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if done.returncode:
        tail = "\n".join(done.stdout.strip().splitlines()[-15:])
        raise SystemExit(f"error: Maven could not fetch {component}'s artefacts:\n{tail}")


MAVEN_CENTRAL = ("repo.maven.apache.org", 443)


def maven_central_reachable(timeout: float = 3.0) -> bool:
    """Whether Maven Central's host resolves and accepts a connection."""
    import socket

    try:
        with socket.create_connection(MAVEN_CENTRAL, timeout=timeout):
            return True
    except OSError:
        return False


def verify(output: Path, lock: dict[str, str]) -> list[str]:
    """What is wrong with the folder against the lock (empty when it matches exactly)."""
    problems = []
    present = {p.name for p in output.iterdir() if p.is_file() and p.name != STAMP}
    for name in sorted(set(lock) - present):
        problems.append(f"missing {name}")
    for name in sorted(present - set(lock)):
        problems.append(f"not in the lock: {name}")
    for name in sorted(present & set(lock)):
        actual = sha256_of(output / name)
        if actual != lock[name]:
            problems.append(f"checksum mismatch: {name} is {actual}, the lock says {lock[name]}")
    return problems


def fetch(component: str, update_lock: bool = False) -> Path:
    """Fetch and verify one component; return its verified folder."""
    folder = component_dir(component)
    lock_path = folder / "sha256.lock"
    root = cache_root() / "maven"
    output = root / component
    stamp = output / STAMP
    if not update_lock and lock_path.is_file() and stamp.is_file() \
            and stamp.read_text().strip() == lock_fingerprint(folder):
        log.info("%s: JVM artefacts already fetched and verified (%s)", component, output)
        return output
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    lock = read_lock(lock_path)
    log.info("%s: fetching %d artefacts from Maven Central into %s (%s expected)...", component,
             len(lock), output, "size unknown" if update_lock else "checked against sha256.lock")
    started = time.monotonic()
    run_maven(folder / "pom.xml", output, root / "repository")
    files = sorted(p for p in output.iterdir() if p.is_file())
    total = sum(p.stat().st_size for p in files)
    for path in files:
        log.info("  %-70s %10s", path.name, human(path.stat().st_size))
    log.info("%s: %d files, %s, in %.0f s", component, len(files), human(total),
             time.monotonic() - started)
    if update_lock:
        header = (f"# SHA-256 of every file services/jvm/{component}/pom.xml resolves to "
                  "(python3 services/jvm/fetch.py --update-lock).\n")
        lock_path.write_text(header + "".join(f"{sha256_of(p)}  {p.name}\n" for p in files))
        log.info("%s: wrote %s", component, lock_path)
        lock = read_lock(lock_path)
    problems = verify(output, lock)
    if problems:
        shutil.rmtree(output)
        raise SystemExit(f"error: {component}'s artefacts do not match {lock_path}:\n  "
                         + "\n  ".join(problems))
    stamp.write_text(lock_fingerprint(folder) + "\n")
    log.info("%s: verified against %s", component, lock_path.name)
    return output


def verified_dir(component: str) -> Path | None:
    """The component's folder if it is fetched and verified for the current lock, else None."""
    folder = component_dir(component)
    output = cache_root() / "maven" / component
    stamp = output / STAMP
    if stamp.is_file() and stamp.read_text().strip() == lock_fingerprint(folder):
        return output
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("components", nargs="+", help="folder names under services/jvm/")
    parser.add_argument("--update-lock", action="store_true",
                        help="rewrite sha256.lock from what Maven resolves (maintainers)")
    parser.add_argument("--print-dir", action="store_true",
                        help="print the verified folder; exit 1 when it is not fetched")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="jvm: %(message)s")
    if args.print_dir:
        found = [verified_dir(c) for c in args.components]
        if not all(found):
            missing = [c for c, d in zip(args.components, found) if d is None]
            print(f"error: JVM artefacts not fetched: {', '.join(missing)} "
                  f"(run: python3 services/jvm/fetch.py {' '.join(missing)})", file=sys.stderr)
            return 1
        print("\n".join(str(d) for d in found))
        return 0
    for component in args.components:
        fetch(component, update_lock=args.update_lock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
