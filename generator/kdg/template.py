"""KDG record templates: text with `{{helper.name}}` or `{{helper.name(arguments)}}` parts,
as faker.js's `fake()` reads them, the arguments JSON values separated by commas (over
several lines, nested objects and arrays, as in the AWS labs' templates).

`compile_template` checks the whole template before anything is sent: an unclosed `{{`,
an unknown helper or an argument the helper refuses is a `TemplateError` with its line,
column and what was expected. Like KDG (producer.js removes "\\n" from the template
before rendering), line breaks outside `{{...}}` are dropped, so a multi-line JSON
template gives one-line records; `{{current.timestamp}}` is KDG's old name of `{{date.now}}`."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.kdg.helpers import ALIASES, HELPERS, HelperContext, js_string, make_context

_PATH = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_DECODER = json.JSONDecoder(strict=False)
_WS = " \t\r\n"


class TemplateError(ValueError):
    """A template that does not parse; `line` and `column` count from 1."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message, self.line, self.column = message, line, column

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "line": self.line, "column": self.column,
                "text": str(self)}


@dataclass(frozen=True)
class Call:
    name: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    offset: int


@dataclass
class Template:
    source: str
    parts: list[str | Call] = field(default_factory=list)

    def render(self, context: HelperContext) -> str:
        out = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else js_string(part.function(context, *part.args)))
        return "".join(out)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error(text: str, offset: int, message: str) -> TemplateError:
    return TemplateError(message, *position(text, offset))


def _found(text: str, offset: int) -> str:
    return "the end of the template" if offset >= len(text) else repr(text[offset:offset + 12])


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _parse_args(text: str, i: int, name: str) -> tuple[tuple[Any, ...], int]:
    """Arguments after '(' at i; returns them and the offset after ')'."""
    args: list[Any] = []
    i = _skip_ws(text, i)
    if text.startswith(")", i):
        return (), i + 1
    while True:
        i = _skip_ws(text, i)
        try:
            value, i = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as error:
            hint = (" (expected a JSON value: number, \"string\", [array] or {object})"
                    if error.msg == "Expecting value" else "")
            raise _error(text, error.pos, f"bad argument of {name}: {error.msg}{hint}, "
                                          f"found {_found(text, error.pos)}") from None
        args.append(value)
        i = _skip_ws(text, i)
        if text.startswith(")", i):
            return tuple(args), i + 1
        if not text.startswith(",", i):
            raise _error(text, i, f"expected ',' or ')' in the arguments of {name}, "
                                  f"found {_found(text, i)}")
        i += 1


def _helper(text: str, start: int, name: str) -> Callable[..., Any]:
    name = ALIASES.get(name, name)
    if name in HELPERS:
        return HELPERS[name]
    close = difflib.get_close_matches(name, HELPERS, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see `python -m generator.kdg --helpers`)"
    raise _error(text, start, f"unknown helper {name!r}{hint}")


def _literal(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")


def compile_template(source: str) -> Template:
    """Parse and check a template (one dry run of every call); raises TemplateError."""
    template = Template(source)
    i = 0
    while True:
        start = source.find("{{", i)
        if start < 0:
            if i < len(source):
                template.parts.append(_literal(source[i:]))
            break
        if start > i:
            template.parts.append(_literal(source[i:start]))
        j = _skip_ws(source, start + 2)
        match = _PATH.match(source, j)
        if not match:
            raise _error(source, j, f"expected a helper name such as random.number after '{{{{', "
                                    f"found {_found(source, j)}")
        name = match.group(0)
        function = _helper(source, j, name)
        k = match.end()
        args: tuple[Any, ...] = ()
        if source.startswith("(", k):
            args, k = _parse_args(source, k + 1, name)
        k = _skip_ws(source, k)
        if not source.startswith("}}", k):
            what = "'(' or '}}'" if k == match.end() else "'}}'"
            raise _error(source, k, f"expected {what} to close the '{{{{' of line "
                                    f"{position(source, start)[0]}, column "
                                    f"{position(source, start)[1]}, found {_found(source, k)}")
        call = Call(ALIASES.get(name, name), function, args, j)
        _dry_run(source, call)
        template.parts.append(call)
        i = k + 2
    return template


_DRY: list[HelperContext] = []


def _dry_run(source: str, call: Call) -> None:
    """Call the helper once, so a bad argument fails here and not while sending."""
    if not _DRY:
        _DRY.append(make_context(0))
    try:
        js_string(call.function(_DRY[0], *call.args))
    except TypeError:
        raise _error(source, call.offset, f"wrong number or kind of arguments for {call.name}: "
                                          f"got {len(call.args)}") from None
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        raise _error(source, call.offset, f"bad argument of {call.name}: {error}") from None
