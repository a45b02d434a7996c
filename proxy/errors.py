"""Errors a client can see, each rendered once in the OpenAI error shape.

::

    ProxyError                  status, type, code, param, message
    ├── BadRequest              400  invalid_request_error
    ├── InvalidApiKey           401  invalid_request_error  (virtual key missing or wrong)
    ├── Unauthorized            401  authentication_error   (admin endpoints)
    ├── NotFound                404  invalid_request_error
    ├── MethodNotAllowed        405  invalid_request_error
    ├── RequestTimeout          408  invalid_request_error  (the body stalled; the connection closes)
    ├── PayloadTooLarge         413  invalid_request_error
    ├── UpstreamUnavailable     502  upstream_error         (refused, reset, malformed)
    ├── ServiceUnavailable      503  service_unavailable    (a dependency such as Redis is down)
    │   └── Overloaded          503  service_unavailable    (in-flight cap or loop lag; retry-after)
    └── UpstreamTimeout         504  upstream_error         (connect or read timeout)

Library errors (aiohttp client errors, JSON errors) are converted where they enter;
:func:`render_errors` in ``proxy.http.app`` is the one place that renders them.
"""

from __future__ import annotations

from typing import Any


class ProxyError(Exception):
    status: int = 500
    type: str = "server_error"
    default_code: str | None = None
    close_connection: bool = False
    """Answer, then close: the connection is in an unknown state (e.g. half a body was read)."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code

    def to_json(self) -> dict[str, Any]:
        return error_body(self.message, self.type, param=self.param, code=self.code)

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(ProxyError):
    status = 400
    type = "invalid_request_error"


class InvalidApiKey(ProxyError):
    """As OpenAI answers a missing or wrong API key."""

    status = 401
    type = "invalid_request_error"
    default_code = "invalid_api_key"


class Unauthorized(ProxyError):
    status = 401
    type = "authentication_error"
    default_code = "invalid_token"


class NotFound(ProxyError):
    status = 404
    type = "invalid_request_error"
    default_code = "not_found"


class MethodNotAllowed(ProxyError):
    status = 405
    type = "invalid_request_error"
    default_code = "method_not_allowed"


class RequestTimeout(ProxyError):
    status = 408
    type = "invalid_request_error"
    default_code = "request_timeout"
    close_connection = True


class PayloadTooLarge(ProxyError):
    status = 413
    type = "invalid_request_error"
    default_code = "request_too_large"


class UpstreamUnavailable(ProxyError):
    status = 502
    type = "upstream_error"
    default_code = "upstream_unavailable"


class ServiceUnavailable(ProxyError):
    status = 503
    type = "service_unavailable"
    default_code = "service_unavailable"


class Overloaded(ServiceUnavailable):
    default_code = "overloaded"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class UpstreamTimeout(ProxyError):
    status = 504
    type = "upstream_error"
    default_code = "upstream_timeout"


def error_body(
    message: str, type: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}
