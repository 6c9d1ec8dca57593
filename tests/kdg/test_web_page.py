"""The KDG web page in headless Chromium (driven over the DevTools protocol: typing,
picking, mouse clicks): a bad template shows its line and column, then a good one is
sent to a Kinesis stream, the counter rises, Stop; the stream then holds exactly the
count the page shows. The page's server listens on 127.0.0.1 only. The picker's default is a
stream to send to, never an analytics application's output (issue 35's tenth problem)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from tests.kdg.streams import kinesis_records, make_firehose, make_kinesis_stream
from tests.support.cdp_pipe import Chromium

pytestmark = [pytest.mark.browser, pytest.mark.localstack]

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).with_name("templates")
APACHE = re.compile(rb'^\S+ - \w+ \[[^\]]+\] "(GET|POST|DELETE|PUT) /\S*" \d{3} \d+\n$')


@pytest.fixture()
def kdg_page(localstack, tmp_path):
    """`python -m generator.kdg --port 0`: its URL, from what it prints."""
    proc = subprocess.Popen([sys.executable, "-m", "generator.kdg", "--port", "0", "--endpoint-url",
                             localstack.url], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            stderr=(tmp_path / "kdg.log").open("w"))
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://[\d.]+:(\d+)/)", line)
        assert match, f"no URL in {line!r}: {(tmp_path / 'kdg.log').read_text()}"
        yield match.group(1), int(match.group(2)), proc
    finally:
        proc.terminate()
        proc.wait(15)


@pytest.fixture()
def browser(tmp_path):
    binary = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    if binary is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium)")
    chromium = Chromium(binary, tmp_path / "profile", tmp_path / "chromium.log")
    yield chromium
    chromium.close()


def test_server_listens_on_loopback_only(kdg_page):
    url, port, proc = kdg_page
    assert url.startswith("http://127.0.0.1:")
    listening = [c.laddr for c in psutil.Process(proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and {(a.ip, a.port) for a in listening} == {("127.0.0.1", port)}, listening
    assert "<textarea" in requests.get(url, timeout=10).text


def test_send_and_stop_from_the_page(localstack, kdg_page, browser):
    stream = make_kinesis_stream(localstack, shards=2)
    firehose, _ = make_firehose(localstack)
    url, _, _ = kdg_page
    browser.open(url)
    browser.wait_for(f"[...document.querySelectorAll('#stream option')].some(o => o.value === '{stream}')")

    # A template that does not parse: the error names the place, nothing is sent.
    browser.type_into("#template", '{"ip": "{{internet.ip}}",\n "n": {{random.numbr(3)}}}')
    error = browser.wait_for("document.getElementById('error').textContent")
    assert error.startswith("line 2, column 9: unknown helper 'random.numbr'"), error
    browser.evaluate("document.getElementById('error').textContent = ''")  # so the send's own answer shows
    browser.click("#send")
    assert browser.wait_for("document.getElementById('error').textContent").startswith("line 2")
    assert browser.evaluate("document.querySelectorAll('#runs tbody tr').length") == 0

    # The Firehose picker lists the delivery streams; back to Kinesis and ours.
    browser.evaluate("(() => { const t = document.getElementById('type'); t.value = 'firehose';"
                     " t.dispatchEvent(new Event('change')); })()")
    options = browser.evaluate("[...document.querySelectorAll('#stream option')].map(o => o.value)")
    assert firehose in options and stream not in options
    browser.evaluate("(() => { const t = document.getElementById('type'); t.value = 'kinesis';"
                     " t.dispatchEvent(new Event('change')); })()")
    browser.evaluate(f"document.getElementById('stream').value = '{stream}'")
    browser.type_into("#template", (TEMPLATES / "apache.log.hbs").read_text())
    browser.wait_for("document.getElementById('error').textContent === ''")
    browser.type_into("#rate", "40")
    browser.click("#send")

    first = int(browser.wait_for("Number(document.getElementById('total').textContent) > 0 &&"
                                 " document.getElementById('total').textContent"))
    later = int(browser.wait_for(f"Number(document.getElementById('total').textContent) > {first} + 20 &&"
                                 " document.getElementById('total').textContent"))
    assert later > first
    browser.click("#stop")
    browser.wait_for("document.querySelector('#runs tbody tr').dataset.state === 'stopped'")
    shown = int(browser.evaluate("document.querySelector('#runs tbody tr .sent').textContent"))
    total = int(browser.wait_for(f"document.getElementById('total').textContent === '{shown}' && '{shown}'"))
    assert total == shown >= later

    records = kinesis_records(localstack, stream)
    assert len(records) == shown
    assert all(APACHE.match(r["Data"]) for r in records), records[:2]


def test_the_picker_defaults_to_a_stream_to_send_to(localstack, kdg_page, browser):
    """A Kinesis Analytics application's output stream is listed last and named as such; the
    picker's default is a stream to send to, even when the output's name sorts first."""
    from tests.kinesisanalytics.conftest import csv_input, stream_output
    kinesis = localstack.client("kinesis")
    source = make_kinesis_stream(localstack, shards=1)
    output = "0000-out-" + source.split("-")[-1]          # sorts before every other name
    kinesis.create_stream(StreamName=output, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=output, WaiterConfig={"Delay": 0.5, "MaxAttempts": 60})
    arn = {name: kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
           for name in (source, output)}
    app = "kdg-picker-" + source.split("-")[-1]
    localstack.client("kinesisanalytics").create_application(
        ApplicationName=app, ApplicationCode='CREATE OR REPLACE STREAM "OUT" (n INTEGER);',
        Inputs=[csv_input(arn[source], [("n", "INTEGER")])], Outputs=[stream_output("OUT", arn[output])])

    url, _, _ = kdg_page
    browser.open(url)
    browser.wait_for(f"[...document.querySelectorAll('#stream option')].some(o => o.value === '{output}')")
    chosen = browser.evaluate("document.getElementById('stream').value")
    assert chosen and chosen != output
    label = browser.evaluate(f"[...document.querySelectorAll('#stream option')].find(o => o.value === '{output}').text")
    assert label == f"{output} (output of {app})"
    # Other applications' outputs (other tests share this LocalStack) are listed last too.
    options = browser.evaluate("[...document.querySelectorAll('#stream option')].map(o => [o.value, o.text])")
    is_output = [" (output of " in text for _, text in options]
    assert is_output == sorted(is_output), options
    assert source in [value for value, _ in options]
