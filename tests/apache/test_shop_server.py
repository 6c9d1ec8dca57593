"""The shop's Apache configuration, on a real Apache: pages, status URLs, log line."""

from __future__ import annotations

import http.client
import re

import pytest
from labctl import apache_host

from generator import shop
from tests.apache.server import free_port, lines_by_user_agent, running_apache

pytestmark = [pytest.mark.apache]

LINE = re.compile(
    r'^(?P<host>\S+) - - \[(?P<time>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) '
    r'"(?P<referer>[^"]*)" "(?P<agent>[^"]*)" '
    r'"user = (?P<user>[^;"]*); PHPSESSID=(?P<session>[^"]*)"\n$')


def request(cfg, method: str, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection(cfg.listen, cfg.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def send_marked(cfg, requests: list[tuple[str, str, dict]], tag: str) -> list[str]:
    """Send the requests, each with a unique User-Agent; their log lines, in order."""
    agents = []
    for n, (method, path, headers) in enumerate(requests):
        agents.append(f"{tag}-{n}")
        request(cfg, method, path, {**headers, "User-Agent": agents[-1]})
    found = lines_by_user_agent(cfg.access_log, agents)
    assert len(found) == len(agents), f"only {len(found)} of {len(agents)} requests logged"
    return [found[agent] for agent in agents]


def test_rendered_config_passes_apaches_own_check(tmp_path):
    cfg = apache_host.ApacheHostConfig(port=free_port(), state_dir=tmp_path)
    apache_host.check_config(cfg)
    text = cfg.config_file.read_text()
    assert f'Define LAB_APACHE_PORT "{cfg.port}"' in text
    assert 'Define LAB_APACHE_LISTEN "127.0.0.1"' in text


@pytest.mark.parametrize("path", shop.SHOP_PAGES)
def test_every_shop_page_answers_200(apache, path):
    status, headers, body = request(apache, "GET", path)
    assert status == 200
    expected = "text/plain" if path.endswith(".txt") else "text/html"
    assert headers["Content-Type"].startswith(expected)
    assert len(body) > 50


@pytest.mark.parametrize("path,status", sorted(shop.STATUS_URLS.items()))
def test_status_urls_are_answered_by_apache(apache, path, status):
    got, headers, _ = request(apache, "GET", path)
    assert got == status
    if status == 301:
        assert headers["Location"].endswith(shop.REDIRECT_TARGET[path])
    if status == 401:
        assert headers["WWW-Authenticate"].startswith("Basic ")


def test_forms_accept_post_and_options_logs_no_bytes(apache):
    for method, path in (("POST", "/cart"), ("POST", "/signin"), ("OPTIONS", "/cart")):
        assert request(apache, method, path)[0] == 200
    lines = send_marked(apache, [("POST", "/cart", {}), ("POST", "/signin", {}),
                                 ("OPTIONS", "/cart", {})], "forms")
    assert [LINE.match(line)["request"] for line in lines] == [
        "POST /cart HTTP/1.1", "POST /signin HTTP/1.1", "OPTIONS /cart HTTP/1.1"]
    assert LINE.match(lines[2])["bytes"] == "-"


def test_access_log_is_the_workshop_format(apache):
    with_cookies, without = send_marked(apache, [
        ("GET", "/products/Armawoo", {
            "Cookie": "user=alice; PHPSESSID=903f966790f4452e8b695267efe93a99",
            "Referer": "http://www.unicornshop.com/categories/smallUnicorns"}),
        ("GET", "/home", {})], "format")
    match = LINE.match(with_cookies)
    assert match, with_cookies
    assert match["host"] == "127.0.0.1"
    assert match["request"] == "GET /products/Armawoo HTTP/1.1"
    assert match["status"] == "200"
    assert int(match["bytes"]) == (shop.DEFAULT_SITE_DIR / "products" / "Armawoo.html").stat().st_size
    assert match["referer"] == "http://www.unicornshop.com/categories/smallUnicorns"
    assert (match["user"], match["session"]) == ("alice", "903f966790f4452e8b695267efe93a99")
    assert without.endswith('"-" "format-1" "user = -; PHPSESSID=-"\n')


def test_response_sizes_known_to_file_mode_are_what_apache_sends(apache):
    """generator.shop.ResponseSizes predicts %b for every URL and method it uses."""
    sizes = shop.ResponseSizes.from_site(None, apache.url)
    cases = [("GET", p) for p in (*shop.SHOP_PAGES, *shop.STATUS_URLS)]
    cases += [("POST", p) for p in (shop.CART, shop.CHECKOUT, shop.SIGNIN, shop.SIGNUP)]
    cases += [("OPTIONS", shop.CART)]
    lines = send_marked(apache, [(m, p, {}) for m, p in cases], "sizes")
    logged_bytes = [LINE.match(line)["bytes"] for line in lines]
    expected = [str(sizes.bytes_for(m, p) or "-") for m, p in cases]
    assert logged_bytes == expected


def test_start_refuses_a_second_server_and_stop_ends_it(tmp_path):
    with running_apache(tmp_path) as cfg:
        pid = apache_host.read_pid(cfg)
        assert pid and apache_host.is_ready(cfg)
        with pytest.raises(apache_host.ApacheError, match="already running"):
            apache_host.start(cfg)
    assert apache_host.read_pid(cfg) is None
    assert not apache_host.is_ready(cfg)


def test_bad_port_is_refused_with_the_option_named(tmp_path):
    with pytest.raises(ValueError, match="apache port"):
        apache_host.ApacheHostConfig(port=70000, state_dir=tmp_path)


def test_config_also_takes_its_variables_from_the_environment(tmp_path):
    """The container sets LAB_APACHE_* with ENV instead of Defines: Apache must accept that."""
    import os
    import subprocess

    (tmp_path / "logs").mkdir()
    binary = apache_host.find_binary()
    env = dict(os.environ,
               LAB_APACHE_LISTEN="127.0.0.1", LAB_APACHE_PORT=str(free_port()),
               LAB_APACHE_MODULES=apache_host.find_modules_dir(binary),
               LAB_APACHE_SITE=str(shop.DEFAULT_SITE_DIR),
               LAB_APACHE_CONF_DIR=str(apache_host.SHOP_CONFIG.parent),
               LAB_APACHE_LOG_DIR=str(tmp_path / "logs"), LAB_APACHE_RUN_DIR=str(tmp_path),
               LAB_APACHE_USER="nobody", LAB_APACHE_GROUP="nogroup")
    result = subprocess.run([binary, "-t", "-f", str(apache_host.SHOP_CONFIG)], env=env,
                            check=False, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Syntax OK" in result.stderr
    assert "not defined" not in result.stderr


@pytest.mark.unit
def test_the_shop_is_published_outside_a_private_temp_directory(tmp_path, monkeypatch):
    """Apache's workers (nobody) cannot enter a private TMPDIR (a CI runner's, macOS's): the
    published copy then goes to /tmp; a temp directory everybody can enter is used as it is."""
    import shutil
    import tempfile
    from pathlib import Path

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    assert apache_host._publish_base() == Path("/tmp")
    public = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        public.chmod(0o755)
        monkeypatch.setattr(tempfile, "tempdir", str(public))
        assert apache_host._publish_base() == public
    finally:
        shutil.rmtree(public)
