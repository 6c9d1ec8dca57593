"""Glue's Grok SerDe (`com.amazonaws.glue.serde.GrokSerDe`): its `input.format` grok
expression as an RE2 regular expression for the engine. `%{PATTERN:field}` becomes
a capturing group (fields map to columns in order), `%{PATTERN}` a non-capturing one.
The built-in patterns are the common grok names written for RE2 (no look-around, no
atomic groups); `input.grokCustomPatterns` ("NAME regex" lines) adds or overrides."""
from __future__ import annotations

import re

from lab_localstack.athena.errors import QueryFailed

_IPV4 = r"(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
BUILTIN = {
    "DATA": r".*?", "GREEDYDATA": r".*", "NOTSPACE": r"\S+", "SPACE": r"\s*", "WORD": r"\w+",
    "INT": r"[+-]?[0-9]+", "POSINT": r"[1-9][0-9]*", "NONNEGINT": r"[0-9]+",
    "NUMBER": r"[+-]?[0-9]+(?:\.[0-9]+)?", "BASE10NUM": r"[+-]?[0-9]+(?:\.[0-9]+)?",
    "USERNAME": r"[a-zA-Z0-9._-]+", "USER": r"[a-zA-Z0-9._-]+", "EMAILLOCALPART": r"[a-zA-Z][a-zA-Z0-9_.+-]*",
    "QUOTEDSTRING": r"\"(?:\\.|[^\\\"])*\"|'(?:\\.|[^\\'])*'|`(?:\\.|[^\\`])*`",
    "QS": r"\"(?:\\.|[^\\\"])*\"|'(?:\\.|[^\\'])*'",
    "IPV4": _IPV4, "IPV6": r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*", "IP": r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|" + _IPV4,
    "HOSTNAME": r"[0-9A-Za-z][0-9A-Za-z.-]*", "IPORHOST": r"[0-9A-Za-z:.-]+",
    "HTTPDATE": r"[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}",
    "TIMESTAMP_ISO8601": r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:?[0-9]{2}(?::?[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
    "URIPATH": r"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+", "URIPARAM": r"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*",
    "LOGLEVEL": r"[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo|INFO|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE",
}
_REF = re.compile(r"%\{\s*(\w+)\s*(?::\s*([^}:]*?)\s*)?(?::\s*\w+\s*)?\}")


def to_regex(expression: str, custom: str | None = None, depth: int = 0) -> str:
    """The grok expression as RE2; named fields become capturing groups, in order."""
    patterns = dict(BUILTIN)
    for line in (custom or "").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, regex = line.strip().partition(" ")
            patterns[name] = to_regex(regex.strip(), None, depth + 1) if "%{" in regex else regex.strip()

    def expand(match: re.Match) -> str:
        name, field = match.group(1), match.group(2)
        if name not in patterns:
            raise QueryFailed(f"HIVE_INVALID_METADATA: Grok pattern %{{{name}}} is not known to the lab")
        body = patterns[name]
        if "%{" in body and depth < 10:
            body = to_regex(body, None, depth + 1)
        return f"({body})" if field else f"(?:{body})"

    return _REF.sub(expand, expression)
