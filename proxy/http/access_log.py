"""The access log: one short line per request, built with a single %-format.

aiohttp's default access logger parses an Apache-style format and calls one function per
field for every request; here the fields are fixed (client, method, path, status, body bytes,
milliseconds, request id), so a line costs one ``Logger.info`` and nothing when the
``proxy.access`` logger is not enabled for INFO.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from proxy.http.upstream import REQUEST_ID

LOGGER = logging.getLogger("proxy.access")


class AccessLog(AbstractAccessLogger):
    __slots__ = ()

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %d %.1fms %s",
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time * 1000,
            response.headers.get(REQUEST_ID, "-"),
        )
