"""The upstream client: one pooled session, header hygiene, timeouts turned into our errors."""

from __future__ import annotations

import io
from collections.abc import Mapping

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from proxy.errors import UpstreamTimeout, UpstreamUnavailable
from proxy.settings.sections import UpstreamSettings

# RFC 9110 §7.6.1 plus the proxy-specific ones; the peer's Connection header may name more.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Recomputed for the other side: the body may be rewritten, and the client session decodes gzip.
_REQUEST_DROP = HOP_BY_HOP | {"host", "content-length", "accept-encoding", "expect"}
_REQUEST_DROP_AUTHORIZATION = _REQUEST_DROP | {"authorization", "x-api-key"}
_RESPONSE_DROP = HOP_BY_HOP | {"content-length", "content-encoding", "server", "date"}

REQUEST_ID = "X-Request-Id"
API_KEY_HEADER = "x-api-key"
"""The Anthropic Messages API's credential header (``anthropic-version`` passes through as it came)."""

_LARGE_BODY = 1 << 20
"""aiohttp's own threshold for warning about a bytes body written in one piece."""


def create_session(settings: UpstreamSettings) -> aiohttp.ClientSession:
    """No total timeout, so a long stream is never cut; silence longer than ``read_timeout`` is."""
    connector = aiohttp.TCPConnector(limit=settings.pool_size, limit_per_host=0, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
    )
    return aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar())


def request_headers(
    incoming: Mapping[str, str], *, api_key: str | None, request_id: str, drop_authorization: bool = False
) -> CIMultiDict[str]:
    """``drop_authorization``: the client's credential is a virtual key, never to be forwarded.

    ``api_key`` replaces the client's credential in the header the client used: ``Authorization``,
    or ``x-api-key`` for an Anthropic client (which never sends both)."""
    drop = _REQUEST_DROP_AUTHORIZATION if drop_authorization else _REQUEST_DROP
    out: CIMultiDict[str] = CIMultiDict(_kept(incoming, drop))
    if api_key is not None:
        if API_KEY_HEADER in incoming and "Authorization" not in incoming:
            out[API_KEY_HEADER] = api_key
        else:
            out["Authorization"] = f"Bearer {api_key}"
    out["Accept-Encoding"] = "identity"
    out[REQUEST_ID] = request_id
    return out


def response_headers(incoming: CIMultiDictProxy[str]) -> CIMultiDict[str]:
    return CIMultiDict(_kept(incoming, _RESPONSE_DROP))


class Upstream:
    """Sends one request to one backend; the caller releases the response.

    Several named upstreams share one session (its pool and timeouts). ``api_key`` replaces
    the client's Authorization; ``virtual_keys`` means the client's Authorization holds a
    virtual key, which is dropped even when there is no ``api_key`` to put in its place.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        api_key: str | None = None,
        virtual_keys: bool = False,
    ) -> None:
        self._session = session
        self._base = str(URL(base_url.rstrip("/")))
        self._api_key = api_key
        self._virtual_keys = virtual_keys

    def url_for(self, path_qs: str) -> URL:
        return URL(self._base + path_qs, encoded=True)

    async def send(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes | None, request_id: str
    ) -> aiohttp.ClientResponse:
        try:
            return await self._session.request(
                method,
                self.url_for(path_qs),
                headers=request_headers(
                    headers,
                    api_key=self._api_key,
                    request_id=request_id,
                    drop_authorization=self._virtual_keys,
                ),
                # aiohttp writes a big bytes body in one go from the event loop (and warns): a
                # file-like body is written in pieces.
                data=io.BytesIO(body) if body is not None and len(body) > _LARGE_BODY else body,
                allow_redirects=False,
            )
        except TimeoutError:
            raise UpstreamTimeout("The upstream did not answer in time.") from None
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(f"The upstream is unreachable: {_describe(exc)}") from None

    @staticmethod
    async def read(response: aiohttp.ClientResponse) -> bytes:
        try:
            return await response.read()
        except TimeoutError:
            raise UpstreamTimeout("The upstream stopped sending its response.") from None
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(f"The upstream response broke off: {_describe(exc)}") from None


def _describe(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port}"
    return type(exc).__name__


def _kept(headers: Mapping[str, str], drop: frozenset[str]) -> list[tuple[str, str]]:
    if "Connection" in headers:
        drop = drop | _connection_tokens(headers)
    return [(k, v) for k, v in headers.items() if k.lower() not in drop]


def _connection_tokens(headers: Mapping[str, str]) -> frozenset[str]:
    value = headers.get("Connection", "")
    return frozenset(token.strip().lower() for token in value.split(",") if token.strip())
