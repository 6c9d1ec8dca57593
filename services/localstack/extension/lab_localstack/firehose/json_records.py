"""Consecutive JSON documents in one Firehose record.

AWS accepts several JSON objects in one record, back to back or newline-separated
(`{"a":1}{"a":2}`, `{"a":1}\\n{"a":2}`), for RecordDeAggregation and for format
conversion; an array of objects is not such input.
"""
from __future__ import annotations

import json

_DECODER = json.JSONDecoder()


def consecutive_documents(data: bytes) -> list[tuple[object, bytes]]:
    """(document, its bytes) for each JSON value in the record; ValueError if it is not JSON."""
    text = data.decode("utf-8")
    position, documents = 0, []
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            break
        document, end = _DECODER.raw_decode(text, position)
        documents.append((document, text[position:end].encode("utf-8")))
        position = end
    if not documents:
        raise ValueError("the record is empty")
    return documents
