"""HTML → PDF with WeasyPrint, allowed to read nothing but the app's own static files.

Report templates auto-escape every value, so user text (notes, agency names) is never
markup. As a second wall, the URL fetcher refuses everything except files under the
project's static directories: no network, no file:// elsewhere, no data: or redirects,
so even markup that slipped through could not read /etc/passwd or call a server.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered against this base; `.invalid` can never resolve (RFC 2606).
BASE_URL = "https://report.invalid/"


def static_url(path: str) -> str:
    """The URL a report template uses for one of the app's static files."""
    return f"{BASE_URL}{settings.STATIC_URL.strip('/')}/{path}"


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves the app's static files and refuses the rest."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def _roots(self) -> list[Path]:
        return [Path(d).resolve() for d in settings.STATICFILES_DIRS]

    def _static_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        prefix = urlsplit(static_url("")).path
        if (
            f"{parts.scheme}://{parts.netloc}/" != BASE_URL
            or parts.query
            or not parts.path.startswith(prefix)
        ):
            return None
        relative = unquote(parts.path[len(prefix) :])
        if not relative or "\\" in relative or "\x00" in relative:
            return None
        for root in self._roots():
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None

    def fetch(self, url, headers=None):
        path = self._static_file(url)
        if path is None:
            self.refused.append(url[:200])
            logger.warning("Report rendering refused to fetch %.200s", url)
            raise ValueError("Only the application's static files may be loaded.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@dataclass
class RenderedPdf:
    data: bytes
    page_count: int
    checksum: str
    refused: list[str]


def render_pdf(*, template: str, context: dict) -> RenderedPdf:
    html = render_to_string(
        template,
        {**context, "ORG_NAME": settings.ORG_NAME, "css_url": static_url("reports/print.css")},
    )
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    data = document.write_pdf()
    return RenderedPdf(
        data=data,
        page_count=len(document.pages),
        checksum=hashlib.sha256(data).hexdigest(),
        refused=fetcher.refused,
    )
