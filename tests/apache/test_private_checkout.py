"""The shop serves its pages from a checkout in a private (0700) directory, as Debian 12
creates home directories and `mktemp -d` does: started as root (Apache's workers then run
as `nobody`, who cannot enter the checkout) and started by an unprivileged user who owns
the checkout. Without the fix every page is a 403 while every request is still logged."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest
import requests
from labctl import apache_host

from tests.apache.server import free_port

pytestmark = pytest.mark.apache

REPO = Path(__file__).resolve().parents[2]
TEST_USER = "clickstream-labtest"
PAGES = ["/", "/products/Porcubbuks", "/categories/smallUnicorns", "/signin"]


def private_checkout(parent: Path) -> Path:
    """A copy of what the shop needs from a checkout, inside a 0700 directory."""
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    parent.chmod(0o700)
    checkout = parent / "checkout"
    shutil.copytree(REPO / "services" / "apache", checkout / "services" / "apache")
    (checkout / "services" / "lab" / "labctl").mkdir(parents=True)
    for name in ("__init__.py", "apache_host.py"):
        shutil.copy2(REPO / "services" / "lab" / "labctl" / name, checkout / "services" / "lab" / "labctl" / name)
    return checkout


def assert_pages_served(url: str) -> None:
    for page in PAGES:
        response = requests.get(url + page, timeout=10)
        assert response.status_code == 200, f"{page}: {response.status_code}"


@pytest.mark.skipif(os.geteuid() != 0, reason="the root case needs root (CI and `make up` as root)")
def test_root_apache_serves_a_checkout_in_a_private_directory(tmp_path):
    checkout = private_checkout(tmp_path / "home")
    cfg = apache_host.ApacheHostConfig(port=free_port(), state_dir=checkout / ".lab" / "apache",
                                       site_dir=checkout / "services" / "apache" / "site")
    apache_host.start(cfg)
    try:
        assert_pages_served(cfg.url)
    finally:
        apache_host.stop(cfg)
    assert not (Path(cfg.state_dir) / "published-shop").exists(), "stop removes the published copy"


def _ensure_test_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        TEST_USER], check=True)
        return pwd.getpwnam(TEST_USER)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating an unprivileged user needs root")
def test_unprivileged_user_serves_its_private_checkout():
    user = _ensure_test_user()
    home = Path(tempfile.mkdtemp(prefix="labtest-home-"))  # 0700, like `mktemp -d`
    try:
        _serve_as_test_user(user, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _serve_as_test_user(user: pwd.struct_passwd, home: Path) -> None:
    checkout = private_checkout(home)
    assert os.stat(home).st_mode & 0o777 == 0o700
    for path in [home, *home.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(checkout / "services" / "lab")!r})
        from labctl import apache_host
        cfg = apache_host.ApacheHostConfig(port={port}, state_dir=Path({str(checkout / ".lab")!r}))
        getattr(apache_host, sys.argv[1])(cfg)
    """)
    # The system's Python (stdlib only) as the test user: the project's venv may sit in a
    # private directory of root's that the user cannot read, as a user's own checkout would.
    as_user = ["runuser", "-u", TEST_USER, "--", "/usr/bin/python3", "-c", script]
    subprocess.run([*as_user, "start"], check=True, timeout=60, cwd="/")
    try:
        assert_pages_served(f"http://127.0.0.1:{port}")
        pid = int((checkout / ".lab" / "run" / "httpd.pid").read_text())
        assert pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name == TEST_USER
    finally:
        subprocess.run([*as_user, "stop"], check=False, timeout=60, cwd="/")
