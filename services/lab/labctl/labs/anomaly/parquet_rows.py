"""The number of rows of a Parquet file, from its footer alone: FileMetaData.num_rows.

The anomaly lab waits until the streaming job's Parquet holds every record sent. The lab's
venv has no Parquet library at run time (pyarrow is a test dependency), and a row count needs
only the footer: `<FileMetaData, Thrift compact protocol> <4-byte length> PAR1`
(Parquet's format specification, parquet.thrift: FileMetaData field 3, `required i64 num_rows`).
tests/labctl/test_parquet_rows.py checks it against pyarrow's writer.
"""
from __future__ import annotations

import struct

MAGIC = b"PAR1"
NUM_ROWS_FIELD = 3
# Thrift compact protocol type ids
STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)


class ParquetFooterError(ValueError):
    """Not a Parquet file, or a footer this reader cannot follow."""


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ParquetFooterError("the footer ends early")
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def skip(self, kind: int) -> None:
        if kind in (TRUE, FALSE):
            return
        if kind == BYTE:
            self.pos += 1
        elif kind in (I16, I32, I64):
            self.varint()
        elif kind == DOUBLE:
            self.pos += 8
        elif kind == BINARY:
            length = self.varint()
            self.pos += length
        elif kind in (LIST, SET):
            header = self.byte()
            size = header >> 4 if header >> 4 != 15 else self.varint()
            for _ in range(size):
                self.skip_element(header & 0x0F)
        elif kind == MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip_element(types >> 4)
                    self.skip_element(types & 0x0F)
        elif kind == STRUCT:
            for field, field_kind in self.fields():
                self.skip(field_kind)
        else:
            raise ParquetFooterError(f"unknown Thrift compact type {kind}")

    def skip_element(self, kind: int) -> None:
        if kind in (TRUE, FALSE):   # a bool in a collection is a whole byte
            self.pos += 1
        else:
            self.skip(kind)

    def fields(self):
        """(field id, type) of each field of the struct at the current position, to its STOP."""
        last = 0
        while True:
            header = self.byte()
            if header == STOP:
                return
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.zigzag()
            yield last, kind


def num_rows(data: bytes) -> int:
    """The rows of the whole Parquet file `data` (every row group)."""
    if len(data) < 12 or data[:4] != MAGIC or data[-4:] != MAGIC:
        raise ParquetFooterError("not a Parquet file (no PAR1 at both ends)")
    (length,) = struct.unpack("<I", data[-8:-4])
    if length > len(data) - 12:
        raise ParquetFooterError(f"footer length {length} exceeds the file")
    reader = _Reader(data[-8 - length:-8])
    for field, kind in reader.fields():
        if field == NUM_ROWS_FIELD and kind == I64:
            return reader.zigzag()
        reader.skip(kind)
    raise ParquetFooterError("FileMetaData has no num_rows")
