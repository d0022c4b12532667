"""What an attachment may be, decided from its bytes rather than the browser's claim.

The browser's Content-Type and the file name are both chosen by the uploader, so the
type is sniffed from magic numbers (and, for Office files, from the zip's members) and
must agree with the extension. Only the sniffed type is ever stored or served.

Accepted kinds that can carry active content are refused by content too: Office files
with macros, PDFs that also parse as a web page or carry JavaScript/launch actions, and
"text" that is really HTML, SVG or XML markup (a browser would run it if it rendered it).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FileKind:
    """One accepted kind of file: its served MIME type and allowed extensions."""

    mime: str
    extensions: tuple[str, ...]
    label: str


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG image")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG image")
HEIC = FileKind("image/heic", (".heic", ".heif"), "HEIC photo")
WEBP = FileKind("image/webp", (".webp",), "WebP image")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "Word document",
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    "Excel workbook",
)
TEXT = FileKind("text/plain", (".txt",), "plain text")
ACCEPTED = (PDF, PNG, JPEG, HEIC, WEBP, DOCX, XLSX, TEXT)
ACCEPT_ATTRIBUTE = ",".join(ext for kind in ACCEPTED for ext in kind.extensions)
ACCEPTED_LABEL = "PDF, Word (.docx), Excel (.xlsx), photos (JPEG, PNG, HEIC, WebP) or text"

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(name: str) -> str:
    """The uploaded name without paths, control characters or header-breaking quotes."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or "attachment"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


MACROS_REFUSED = (
    "This {label} contains macros or embedded controls, which can run code when it is "
    "opened. Save it as a {ext} without macros (or as a PDF) and attach that."
)
PDF_ACTIVE_REFUSED = (
    "This PDF also contains web-page code or scripts (HTML, JavaScript or a launch action), "
    "which is how disguised files attack browsers and readers. Print it to a new PDF and "
    "attach that."
)
MARKUP_REFUSED = (
    "Web pages, SVG images and other markup cannot be attached: they can run code in a "
    "browser. Save the content as a PDF and attach that."
)
# Members and content types of macro-enabled or ActiveX-bearing Office files.
_OFFICE_ACTIVE_MEMBERS = ("vbaproject.bin", "vbadata.xml", "activex")
_OFFICE_ACTIVE_TYPES = (b"macroenabled", b"vbaproject", b"activex")
# Markers that make a browser treat bytes as a page, or a PDF reader run code.
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<svg", b"<iframe", b"<body", b"<?xml")
_PDF_ACTIVE_MARKERS = (b"/javascript", b"/js ", b"/js(", b"/js<", b"/launch")


def _office_kind(upload) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = {name.lower() for name in archive.namelist()}
            types = (
                archive.read("[Content_Types].xml").lower()
                if "[content_types].xml" in names
                else b""
            )
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        kind = DOCX
    elif "xl/workbook.xml" in names:
        kind = XLSX
    else:
        return None
    if any(marker in name for name in names for marker in _OFFICE_ACTIVE_MEMBERS) or any(
        marker in types for marker in _OFFICE_ACTIVE_TYPES
    ):
        raise ValidationError(
            {"file": MACROS_REFUSED.format(label=kind.label, ext=kind.extensions[0])}
        )
    return kind


def _contains_any(upload, markers: tuple[bytes, ...]) -> bool:
    """Whether any marker occurs anywhere in the file, case-insensitively."""
    overlap = max(len(m) for m in markers) - 1
    tail = b""
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            window = (tail + chunk).lower()
            if any(marker in window for marker in markers):
                return True
            tail = window[-overlap:]
    finally:
        upload.seek(0)
    return False


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def sniff(upload) -> FileKind | None:
    """The kind of file `upload` really is, or None when it is not an accepted kind;
    ValidationError when it is an accepted kind carrying active content."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        if _contains_any(upload, _HTML_MARKERS + _PDF_ACTIVE_MARKERS):
            raise ValidationError({"file": PDF_ACTIVE_REFUSED})
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return HEIC
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    if head and _is_text(head):
        if head.lstrip().startswith(b"<") or _contains_any(upload, _HTML_MARKERS):
            raise ValidationError({"file": MARKUP_REFUSED})
        return TEXT
    return None


def check_upload(upload, *, max_bytes: int) -> tuple[FileKind, str]:
    """(kind, safe name) of an acceptable upload; ValidationError on the `file` field."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to attach."})
    if upload.size == 0:
        raise ValidationError({"file": "This file is empty."})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                "file": f"This file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{max_bytes / 1_048_576:.0f} MB."
            }
        )
    name = safe_filename(upload.name)
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {"file": f"This type of file cannot be attached. Accepted: {ACCEPTED_LABEL}."}
        )
    if _extension(name) not in kind.extensions:
        raise ValidationError(
            {
                "file": f"The file's name ends in “{_extension(name) or 'nothing'}” but it "
                f"is a {kind.label}. Rename it to end in {kind.extensions[0]} and try again."
            }
        )
    return kind, name
