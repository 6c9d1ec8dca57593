"""The JSON document the ETL writes for one access-log line (the `apache` index's shape).

Field names keep the workshop's (`host`, `@timestamp`, `response`, `user-agent`, ...);
etl/README.md describes every field. A "-" (Apache's "no value") becomes null, as does
an empty referer, user agent, username or session id; `response` and `bytes` are numbers.

Speed: the document is written as JSON text directly, not built as a dict and passed to
json.dumps (which costs more than all the parsing). Most of it depends on a single raw
field whose values repeat from line to line (the client, the second, the request line,
the user agent), so the JSON fragment for each of those is computed once per distinct
value and memoized; only the few fields unique to a line are escaped each time.
Fragments are escaped with the standard json module's own string encoder.

GeoIP (etl.geoip, switched on by `use_geoip` at cold start) adds a `geo` object after
`client_ip`; it belongs to the client's fragment, so the host memo is also the
per-address GeoIP cache: each distinct client is looked up once.
"""

from json.encoder import encode_basestring as _json_string  # C implementation: '"..."'

from etl.client_identity import client_ip, is_bot
from etl.geoip import GeoIP
from etl.memo import BoundedMemo
from etl.request_line import analyse_request
from etl.timestamps import convert_timestamp


def _string_or_null(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


_GEOIP: GeoIP | None = None


def use_geoip(geoip: GeoIP | None) -> None:
    """Add `geo` from these databases from now on (None: no GeoIP)."""
    global _GEOIP
    _GEOIP = geoip
    HOST_JSON.clear()


def _host_json(host: str) -> str:
    ip = client_ip(host)
    geo = _GEOIP.geo_json(ip) if _GEOIP is not None and ip is not None else ""
    return f'"host":{_json_string(host)},"client_ip":{_string_or_null(ip)}{geo}'


def _time_json(timestamp: str) -> str:
    local_time, utc_time, timezone = convert_timestamp(timestamp)  # ValueError if invalid
    return f'"@timestamp":"{local_time}","@timestamp_utc":"{utc_time}","timezone":"{timezone}"'


def _request_json(request: str) -> tuple[str, str | None]:
    """(fragment, path): the path is needed again by the drop rules."""
    info = analyse_request(request)
    fragment = (
        f'"request":{_json_string(request)},"verb":{_string_or_null(info.verb)},'
        f'"path":{_string_or_null(info.path)},"http_version":{_string_or_null(info.http_version)},'
        f'"page":"{info.page}","category":{_string_or_null(info.category)},'
        f'"product":{_string_or_null(info.product)}'
    )
    return fragment, info.path


def _agent_json(agent: str | None) -> str:
    if agent is None or agent in _NO_VALUE:
        return '"user-agent":null,"is_bot":false'
    return f'"user-agent":{_json_string(agent)},"is_bot":{"true" if is_bot(agent) else "false"}'


_NO_VALUE = ("-", "")

HOST_JSON: BoundedMemo[str, str] = BoundedMemo(_host_json, 16384)
TIME_JSON: BoundedMemo[str, str] = BoundedMemo(_time_json, 16384)
REQUEST_JSON: BoundedMemo[str, tuple[str, str | None]] = BoundedMemo(_request_json, 16384)
AGENT_JSON: BoundedMemo[str | None, str] = BoundedMemo(_agent_json, 4096)
MEMOS = (HOST_JSON, TIME_JSON, REQUEST_JSON, AGENT_JSON)


def render_document(fields: tuple) -> tuple[str, str | None]:
    """(JSON text ending with "\\n", request path) for one line parsed by etl.access_log.

    Raises ValueError if the line's timestamp is not a valid date.
    """
    host, ident, authuser, timestamp, request, status, size, referer, agent, user, session = fields
    request_fragment, path = REQUEST_JSON[request]
    # Written out inline (no helper calls, one f-string): this runs once per record.
    # `status` and `size` are digits without leading zeros (etl.access_log checked), so
    # they are valid JSON numbers as they are.
    text = (
        f'{{{HOST_JSON[host]},"ident":{"null" if ident == "-" else _json_string(ident)},'
        f'"authuser":{"null" if authuser == "-" else _json_string(authuser)},'
        f"{TIME_JSON[timestamp]},{request_fragment},"
        f'"response":{"null" if status == "-" else status},"bytes":{"null" if size == "-" else size},'
        f'"referer":{"null" if referer is None or referer in _NO_VALUE else _json_string(referer)},'
        f"{AGENT_JSON[agent]},"
        f'"username":{"null" if user is None or user in _NO_VALUE else _json_string(user)},'
        f'"session_id":{"null" if session is None or session in _NO_VALUE else _json_string(session)}}}\n'
    )
    return text, path
