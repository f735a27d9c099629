"""http(s) sources, fetched behind an SSRF guard.

Every hop (the URL and each redirect) is resolved first; if any address it resolves to is loopback, private,
link-local, multicast, reserved or otherwise not global, the run fails — unless the address lies in
``CAREERPATH_SOURCE_ALLOW_NETWORKS``. The connection then goes to the address that was checked (the host
name travels in ``Host`` and TLS SNI), so a DNS answer that changes between check and connect cannot
smuggle a request inside. Redirects are followed by hand, a bounded number of times.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from services.worker.sources import Fetched, Format, SourceError, format_from_name, spool

__all__ = ["check_address", "fetch_url", "pinned_target", "resolve_checked"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REDIRECTS = (301, 302, 303, 307, 308)
CONTENT_TYPES: dict[str, Format | None] = {
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
    "application/json-lines": "jsonl",
    "application/json": "jsonl",
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": None,
    "application/octet-stream": None,
    "binary/octet-stream": None,
}
HEADERS = {"user-agent": "careerpath-refresh/1", "accept": "application/x-ndjson, text/csv;q=0.9, */*;q=0.1"}
_resolver = ThreadPoolExecutor(max_workers=2, thread_name_prefix="resolve")


def check_address(
    address: str, allow: tuple[Network, ...] = ()
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, if a refresh may connect to it; SourceError naming why not otherwise."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allow):
        return ip
    for label, bad in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    ):
        if bad:
            raise SourceError(f"refused: the source address {ip} is {label} (SSRF guard)")
    return ip


def resolve_checked(host: str, port: int, allow: tuple[Network, ...], timeout: float) -> str:
    """Resolve ``host``; refuse it when ANY of its addresses is refused; return the first address."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        return str(check_address(str(literal), allow))
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeout:
        raise SourceError(f"unreachable: resolving {host!r} took longer than {timeout:g}s") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise SourceError(f"unreachable: cannot resolve host {host!r} ({exc})") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise SourceError(f"unreachable: host {host!r} has no address")
    checked = [str(check_address(a, allow)) for a in addresses]
    return checked[0]


def pinned_target(
    url: str, allow: tuple[Network, ...], timeout: float
) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL with the checked IP as host, extra headers, request extensions) for one hop."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"refused: redirect to a non-http(s) URL {url[:200]!r}")
    if parts.username or parts.password:
        raise SourceError("refused: credentials in source URLs are not accepted")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = resolve_checked(parts.hostname, port, allow, timeout)
    host_for_url = f"[{ip}]" if ":" in ip else ip
    netloc = f"{host_for_url}:{port}"
    default_port = (parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)
    host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
    if ":" in parts.hostname:
        host_header = f"[{parts.hostname}]" + ("" if default_port else f":{port}")
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return pinned, {"host": host_header}, extensions


def _declared(content_type: str, url: str) -> Format | None:
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in CONTENT_TYPES:
        raise SourceError(
            f"wrong format: the source answered with content type {media!r}; "
            "expected JSON Lines (application/x-ndjson) or CSV (text/csv)"
        )
    return CONTENT_TYPES.get(media) or format_from_name(urlsplit(url).path)


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    connect_timeout: float,
    max_redirects: int,
    allow: tuple[Network, ...] = (),
) -> Fetched:
    """Download ``url`` (following at most ``max_redirects`` checked redirects) into a private spool."""
    deadline = time.monotonic() + timeout
    limits = httpx.Timeout(timeout, connect=connect_timeout)
    current = url
    with httpx.Client(timeout=limits, follow_redirects=False, trust_env=False, headers=HEADERS) as client:
        for _hop in range(max_redirects + 1):
            pinned, headers, extensions = pinned_target(current, allow, connect_timeout)
            try:
                with client.stream("GET", pinned, headers=headers, extensions=extensions) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise SourceError(f"the source answered HTTP {response.status_code}")
                    length = response.headers.get("content-length", "")
                    if length.isdigit() and int(length) > max_bytes:
                        raise SourceError(
                            f"the source is larger than the configured cap of {max_bytes:,} bytes "
                            f"(Content-Length {int(length):,})"
                        )
                    declared = _declared(response.headers.get("content-type", ""), current)
                    name = urlsplit(current).path.rsplit("/", 1)[-1] or urlsplit(current).hostname or "feed"
                    return spool(
                        response.iter_bytes(),
                        max_bytes=max_bytes,
                        name=name,
                        declared=declared,
                        deadline=deadline,
                    )
            except httpx.TimeoutException:
                raise SourceError(f"the source is too slow: no complete answer within {timeout:g}s") from None
            except httpx.HTTPError as exc:
                raise SourceError(f"unreachable: {type(exc).__name__}: {exc}"[:300]) from None
        raise SourceError(f"refused: more than {max_redirects} redirects")
