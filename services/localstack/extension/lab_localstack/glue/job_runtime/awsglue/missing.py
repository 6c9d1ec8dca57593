"""The one error for what the lab's awsglue does not provide: it names the thing."""
from __future__ import annotations


class NotProvided(NotImplementedError):
    """A Glue API, option or format the lab's awsglue does not provide."""


def not_provided(what: str, hint: str = "") -> NotProvided:
    return NotProvided(f"{what} is not provided by the lab's awsglue" + (f" ({hint})" if hint else ""))


class Strict:
    """Unknown attributes raise NotProvided naming the class and member (not AttributeError)."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise not_provided(f"{type(self).__name__}.{name}")
