"""The Kinesis Agent's `dataProcessingOptions`: SINGLELINE and LOGTOJSON.

`build_chain(options)` returns a function bytes -> bytes | None applied to every
record in order (None means the record is filtered out, as the Kinesis Agent
does with log lines its parser does not match). Output matches the Kinesis
Agent byte for byte: compact JSON, `-` becomes null, every value a string,
one JSON object plus a newline.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable

Converter = Callable[[bytes], "bytes | None"]

# Building blocks of the log formats, with the Kinesis Agent's semantics
# (Java regexes are ASCII-only for \w, \d, \b: hence re.ASCII below).
_INT = r"(?:[+-]?(?:[0-9]+))"
_POSINT = r"(?:[1-9][0-9]*)"
_NONNEGINT = r"(?:[0-9]+)"
_IP = r"(?:[\d.]+)"
_HOSTNAME = r"(?:[\w\-]+)(?:\.(?:[\w\-]+))*(?:\.?|\b)"
_IPORHOST = f"(?:{_HOSTNAME}|{_IP})"
_URIHOST = f"(?:{_IPORHOST}(?::{_POSINT})?)"
_USER = r"(?:[a-zA-Z0-9._-]+)"
_NOQUOTE = r'[^"]+'
_MONTHDAY = r"(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])"
_DAY = r"(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"
_MONTH = (r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?"
          r"|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b")
_YEAR = r"(?:[1-9]\d*)"
_TIME = r"(?:(?:2[0123]|[01]?[0-9]):(?:[0-5][0-9]):(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?))"
_HTTPDATE = f"(?:{_MONTHDAY}/{_MONTH}/{_YEAR}:{_TIME}\\s{_INT})"
_ERRORLOG_TS = f"(?:{_DAY}\\s+{_MONTH}\\s+{_MONTHDAY}\\s+{_TIME}\\s+{_YEAR})"
_SYSLOG_TS = f"(?:{_MONTH}\\s+{_MONTHDAY}\\s+{_TIME})"

_COMMON = (f"^({_IPORHOST}) ({_USER}) ({_USER}) \\[({_HTTPDATE})\\] \"({_NOQUOTE})\" "
           f"({_INT}|\\-) ({_INT}|\\-)")
_COMBINED = f"{_COMMON} \"({_NOQUOTE})\" \"({_NOQUOTE})\""

LOG_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "COMMONAPACHELOG": (_COMMON + ".*",
                        ("host", "ident", "authuser", "datetime", "request", "response", "bytes")),
    "COMBINEDAPACHELOG": (_COMBINED + ".*",
                          ("host", "ident", "authuser", "datetime", "request", "response", "bytes",
                           "referer", "agent")),
    "APACHEERRORLOG": ((f"^\\[({_ERRORLOG_TS})\\] \\[(?:(\\w+):)?(\\w+)\\] "
                        f"\\[pid ({_NONNEGINT})(?::tid ({_NONNEGINT}))?\\] "
                        f"\\[client ({_URIHOST})\\] (.*)"),
                       ("timestamp", "module", "severity", "processid", "threadid", "client",
                        "message")),
    "SYSLOG": ((f"^({_SYSLOG_TS}) (?:<{_NONNEGINT}.{_NONNEGINT}> )?({_USER}) "
                f"([\\w._/%-]+)(?:\\[({_POSINT})\\])?: (.*)"),
               ("timestamp", "hostname", "program", "processid", "message")),
}

# Java's String.trim() removes every character up to and including the space.
_JAVA_TRIM = "".join(chr(c) for c in range(33))


def build_chain(options: list[dict] | tuple[dict, ...]) -> Converter | None:
    """Compile dataProcessingOptions; raise ValueError naming the bad option."""
    converters = [_build_one(opt, i) for i, opt in enumerate(options)]
    if not converters:
        return None
    if len(converters) == 1:
        return converters[0]

    def chain(data: bytes) -> bytes | None:
        for convert in converters:
            data = convert(data)
            if data is None:
                return None
        return data

    return chain


def _build_one(option: dict, index: int) -> Converter:
    name = option.get("optionName")
    if name == "SINGLELINE":
        _only_keys(option, {"optionName"}, index)
        return single_line
    if name == "LOGTOJSON":
        _only_keys(option, {"optionName", "logFormat", "matchPattern", "customFieldNames",
                            "jsonFormat"}, index)
        return _log_to_json(option, index)
    raise ValueError(f"[{index}].optionName: {name!r} is not supported by this agent "
                     f"(supported: SINGLELINE, LOGTOJSON)")


def _only_keys(option: dict, allowed: set[str], index: int) -> None:
    extra = sorted(set(option) - allowed)
    if extra:
        raise ValueError(f"[{index}].{extra[0]}: not a key of {option.get('optionName')}")


def single_line(data: bytes) -> bytes:
    """SINGLELINE: trim every line and join them into one line plus newline."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    while lines and lines[-1] == "":   # Java's split drops trailing empty strings
        lines.pop()
    return ("".join(line.strip(_JAVA_TRIM) for line in lines) + "\n").encode("utf-8")


def _log_to_json(option: dict, index: int) -> Converter:
    log_format = option.get("logFormat")
    if log_format not in LOG_FORMATS:
        raise ValueError(f"[{index}].logFormat: must be one of {', '.join(LOG_FORMATS)}, "
                         f"got {log_format!r}")
    pattern_text, fields = LOG_FORMATS[log_format]
    flags = re.ASCII
    custom = option.get("customFieldNames")
    if custom is not None and (not isinstance(custom, list)
                               or not all(isinstance(f, str) for f in custom)):
        raise ValueError(f"[{index}].customFieldNames: must be a list of strings")
    match_pattern = option.get("matchPattern")
    if match_pattern is not None:
        if custom is None:
            raise ValueError(f"[{index}].matchPattern: needs customFieldNames too")
        pattern_text, flags = match_pattern, 0
    try:
        pattern = re.compile(pattern_text, flags)
    except (re.error, TypeError) as exc:
        raise ValueError(f"[{index}].matchPattern: invalid regex: {exc}") from None
    if custom is not None:
        if len(custom) != pattern.groups:
            raise ValueError(f"[{index}].customFieldNames: {len(custom)} names for "
                             f"{pattern.groups} groups of the pattern")
        fields = tuple(custom)
    json_format = option.get("jsonFormat", "COMPACT")
    if json_format not in ("COMPACT", "PRETTYPRINT"):
        raise ValueError(f"[{index}].jsonFormat: must be COMPACT or PRETTYPRINT")
    dump_args = {"indent": 2} if json_format == "PRETTYPRINT" else {"separators": (",", ":")}

    def convert(data: bytes) -> bytes | None:
        text = data.decode("utf-8", "replace")
        text = text.removesuffix("\n")
        match = pattern.fullmatch(text)
        if match is None:
            return None
        values = [None if v == "-" else v for v in match.groups()]
        out = json.dumps(dict(zip(fields, values)), ensure_ascii=False, **dump_args)
        return (out + "\n").encode("utf-8")

    return convert
