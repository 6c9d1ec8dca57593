"""Dashboards' error answers: hapi/Boom's ``{"statusCode", "error", "message"}`` bodies, and
the saved objects client's messages (``Saved object [type/id] not found`` and so on)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An answer other than 2xx, in Dashboards' shape."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Dashboards answers with."""
        return {"statusCode": self.status, "error": HTTPStatus(self.status).phrase,
                "message": self.message, **self.extra}


def not_found(type_: str | None = None, id_: str | None = None) -> ApiError:
    if type_ and id_:
        return ApiError(404, f"Saved object [{type_}/{id_}] not found")
    return ApiError(404, "Not Found")


def conflict(type_: str, id_: str) -> ApiError:
    return ApiError(409, f"Saved object [{type_}/{id_}] conflict")


def bad_request(reason: str) -> ApiError:
    """The saved objects client's bad request: Boom appends the status phrase to the reason."""
    return ApiError(400, f"{reason}: Bad Request")


def unsupported_type(type_: str) -> ApiError:
    return bad_request(f"Unsupported saved object type: '{type_}'")


def error_content(error: ApiError) -> dict[str, Any]:
    """An error inside a bulk answer (``_bulk_get``'s missing objects)."""
    return error.body()
