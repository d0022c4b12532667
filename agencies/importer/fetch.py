"""Download ICE's 287(g) lists: allow-listed hosts only, a size cap, timeouts.

A configured URL is either a list file (XLSX/CSV) or ICE's 287(g) web page, whose links to
the current files are followed: ICE renames the files at every update
(participatingAgencies06062025am.xlsx, …), so the page is the only stable address.

Errors are split so the Celery task can retry the right ones: FetchTransientError (timeouts,
refused connections, HTTP 5xx/429) is worth retrying; FetchError (a 404, a redirect to
another host, a file over the cap) is not.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

CHUNK = 64 * 1024
MAX_REDIRECTS = 3
MAX_LINKS = 10
LIST_SUFFIXES = (".xlsx", ".csv")
USER_AGENT = "Caseworker-287g-import/1.0 (legal aid case tracker)"


class FetchError(Exception):
    """The download cannot succeed as configured; retrying will not help."""


class FetchTransientError(FetchError):
    """A network hiccup or a server error: worth retrying later."""


@dataclass(frozen=True)
class Fetched:
    url: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Policy:
    allowed_hosts: frozenset[str]
    max_bytes: int
    timeout: float
    # https only: a tampered list would rewrite the agreement directory.
    schemes: frozenset[str] = frozenset({"https"})

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in self.schemes:
            allowed = " or ".join(sorted(self.schemes))
            raise FetchError(f"Refusing {url!r}: only {allowed} addresses are fetched.")
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            raise FetchError(f"Refusing {url!r}: {host or 'no host'} is not an allowed host.")


class _AllowListedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, policy: Policy):
        self.policy = policy

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.policy.check(urljoin(req.full_url, newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(policy: Policy) -> urllib.request.OpenerDirector:
    # Only the handlers needed: no file://, ftp:// or data: handlers at all.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _AllowListedRedirects(policy),
    ):
        opener.add_handler(handler)
    return opener


def download(url: str, policy: Policy, *, opener=None) -> tuple[bytes, str, str]:
    """(body, content type, final URL), refusing anything over policy.max_bytes."""
    policy.check(url)
    opener = opener or _opener(policy)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    deadline = time.monotonic() + policy.timeout * 2
    try:
        with opener.open(request, timeout=policy.timeout) as response:
            final_url = response.geturl()
            policy.check(final_url)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise FetchError(_too_big(url, policy.max_bytes))
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > policy.max_bytes:
                    raise FetchError(_too_big(url, policy.max_bytes))
                if time.monotonic() > deadline:
                    raise FetchTransientError(f"{url} is downloading too slowly; gave up.")
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise FetchTransientError(f"{url} answered HTTP {exc.code}.") from exc
        raise FetchError(f"{url} answered HTTP {exc.code}.") from exc
    except urllib.error.URLError as exc:
        raise FetchTransientError(f"{url} could not be reached ({exc.reason}).") from exc
    except (TimeoutError, ConnectionError) as exc:
        raise FetchTransientError(f"{url} timed out or dropped the connection.") from exc
    return bytes(body), content_type, final_url


def lists_download(url: str, policy: Policy, *, opener=None) -> list[Fetched]:
    """The list file at `url`, or every list file the page at `url` links to."""
    data, content_type, final_url = download(url, policy, opener=opener)
    if content_type != "text/html":
        return [Fetched(final_url, _filename(final_url), data)]
    links = _list_links(data.decode("utf-8", errors="replace"), final_url, policy)
    if not links:
        raise FetchError(f"The page {url} links to no .xlsx or .csv list.")
    return [
        Fetched(final, _filename(final), body)
        for link in links
        for body, _type, final in [download(link, policy, opener=opener)]
    ]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def _list_links(html: str, base: str, policy: Policy) -> list[str]:
    """Allowed-host links to .xlsx/.csv files, participating list first, deduplicated."""
    parser = _Links()
    parser.feed(html)
    seen: dict[str, None] = {}
    for href in parser.hrefs:
        absolute = urljoin(base, href)
        if absolute.startswith("http://") and "http" not in policy.schemes:
            absolute = "https://" + absolute.removeprefix("http://")  # ICE mixes both
        path = urlsplit(absolute).path.lower()
        host = (urlsplit(absolute).hostname or "").lower()
        if path.endswith(LIST_SUFFIXES) and host in policy.allowed_hosts:
            seen.setdefault(absolute.split("#", 1)[0], None)
    links = sorted(seen, key=lambda link: "pending" in link.lower())
    return links[:MAX_LINKS]


def _filename(url: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name or "download"


def _too_big(url: str, limit: int) -> str:
    return f"{url} is larger than the {limit / (1024 * 1024):.0f} MB limit; refused."
