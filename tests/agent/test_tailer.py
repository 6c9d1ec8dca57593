"""The tailer's rotation rules, step by step on real files (no agent process, no timing):
each test stops the rotation at a moment a slow machine can also stop it, and reads
what the tailer hands on from there."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.records import RecordSplitter
from agent.tailer import Tailer

pytestmark = pytest.mark.unit


def lines(first: int, count: int) -> bytes:
    return b"".join(b"%06d some access_log line padding padding padding\n" % n for n in range(first, first + count))


def read_all(tailer: Tailer) -> list[bytes]:
    """Discover, then read every readable file to its current end, as the agent's flow does:
    the records (whole lines) each file's splitter completes."""
    tailer.discover()
    out = []
    for tf in tailer.files_to_read():
        while chunk := tailer.read(tf, 1 << 16):
            out += [data for data, _ in tf.splitter.feed(chunk)]
    return out


def numbers(records: list[bytes]) -> list[int]:
    return [int(record[:6]) for record in records]


def make_tailer(directory: Path) -> Tailer:
    return Tailer(str(directory / "access_log*"), start_at_end=False,
                  make_splitter=lambda offset: RecordSplitter(offset), known=[])


def test_copytruncate_while_the_copy_is_still_being_written(tmp_path):
    """The copy is seen half-written after the original was truncated: it continues where
    the original was read to, and is not taken for a truncated file while it is filled."""
    log, copy = tmp_path / "access_log", tmp_path / "access_log.1"
    log.write_bytes(lines(0, 100))
    tailer = make_tailer(tmp_path)
    assert numbers(read_all(tailer)) == list(range(100))

    with log.open("ab") as f:
        f.write(lines(100, 50))                 # written, not read yet
    whole = log.read_bytes()
    copy.write_bytes(whole[:len(whole) // 4])   # the copy so far: shorter than what was read
    os.truncate(log, 0)
    with log.open("ab") as f:
        f.write(lines(150, 10))

    seen = numbers(read_all(tailer))            # the copy adopted half-written
    seen += numbers(read_all(tailer))           # polled again, still half-written
    copy.write_bytes(whole)                     # the copy completed (same inode)
    seen += numbers(read_all(tailer))
    seen += numbers(read_all(tailer))
    assert sorted(seen) == list(range(100, 160))
    tailer.close()


def test_copy_started_before_the_truncation_takes_over_half_written(tmp_path):
    """The copy is adopted before the truncation, and still half-written when the original
    is found truncated: it takes over the original's position and waits for its bytes."""
    log, copy = tmp_path / "access_log", tmp_path / "access_log.1"
    log.write_bytes(lines(0, 100))
    tailer = make_tailer(tmp_path)
    assert numbers(read_all(tailer)) == list(range(100))

    with log.open("ab") as f:
        f.write(lines(100, 50))
    whole = log.read_bytes()
    copy.write_bytes(whole[:len(whole) // 4])
    seen = numbers(read_all(tailer))            # adopted as a copy of a file still read
    os.truncate(log, 0)
    with log.open("ab") as f:
        f.write(lines(150, 10))
    seen += numbers(read_all(tailer))           # original truncated: the copy takes over
    seen += numbers(read_all(tailer))
    copy.write_bytes(whole)
    seen += numbers(read_all(tailer))
    assert sorted(seen) == list(range(100, 160))
    tailer.close()


def test_a_copy_truncated_for_real_is_read_again(tmp_path):
    """A continuing copy whose head changes while it is short was rewritten: read from 0."""
    log, copy = tmp_path / "access_log", tmp_path / "access_log.1"
    log.write_bytes(lines(0, 100))
    tailer = make_tailer(tmp_path)
    read_all(tailer)
    whole = log.read_bytes()
    copy.write_bytes(whole[:len(whole) // 4])
    os.truncate(log, 0)
    read_all(tailer)                            # the copy continues at the original's offset
    copy.write_bytes(lines(500, 5))             # then is rewritten with other content
    assert numbers(read_all(tailer)) == list(range(500, 505))
    tailer.close()


def read_without_polling(tailer: Tailer) -> list[bytes]:
    """Read what the tracked files have, with no discovery in between (polls are 100 ms
    apart; a fast writer and a fast reader can do a lot between two)."""
    out = []
    for tf in tailer.files_to_read():
        while chunk := tailer.read(tf, 1 << 16):
            out += [data for data, _ in tf.splitter.feed(chunk)]
    return out


def test_truncated_twice_the_second_time_before_a_poll_saw_the_new_head(tmp_path):
    """The first truncation is seen while the file is empty; it is then filled and read
    with no poll in between, and truncated again and refilled to the same length. The
    second truncation must still be seen from the content that was read (not from the
    empty head the poll saw), and the second copy is not read again."""
    log = tmp_path / "access_log"
    log.write_bytes(lines(0, 100))
    tailer = make_tailer(tmp_path)
    seen = numbers(read_all(tailer))

    (tmp_path / "access_log.1").write_bytes(log.read_bytes())
    os.truncate(log, 0)
    seen += numbers(read_all(tailer))             # the truncation seen while log is empty
    with log.open("ab") as f:
        f.write(lines(100, 100))
    seen += numbers(read_without_polling(tailer))

    (tmp_path / "access_log.1").rename(tmp_path / "access_log.2")
    (tmp_path / "access_log.1").write_bytes(log.read_bytes())
    os.truncate(log, 0)
    with log.open("ab") as f:
        f.write(lines(200, 100))                  # as long as what was read from it
    seen += numbers(read_all(tailer))
    seen += numbers(read_all(tailer))
    assert sorted(seen) == list(range(300))
    tailer.close()


def test_a_file_truncated_and_refilled_past_the_offset_between_two_polls(tmp_path):
    """copytruncate, then traffic, all before the next poll: the file is longer than what was
    read, but it holds other lines. Reading on from the old offset would hand on the new
    content's later lines (and, where lines differ in length, the end of one as a line of its
    own) and skip its first ones."""
    log = tmp_path / "access_log"
    log.write_bytes(lines(0, 100))
    tailer = make_tailer(tmp_path)
    assert numbers(read_all(tailer)) == list(range(100))
    with log.open("r+b") as fh:             # the same inode, truncated and written again
        fh.truncate(0)
        fh.write(lines(1000, 150))
    tf = tailer.files_to_read()[0]          # no poll in between, as in the agent's read loop
    assert tailer.read(tf, 1 << 16) == b""
    assert numbers(read_all(tailer)) == list(range(1000, 1150))
