"""Checks of uploaded documents, shared by every feature that accepts files.

A file is accepted only when it parses as what it claims to be: PDFs are opened with
pypdf, DOCX/ODT are opened as zip archives with their required parts (under size, ratio
and entry limits, read for real so a lying header cannot hide a bomb), JPEG/PNG pass
Pillow's `verify()`. The name the user gave is kept only as sanitised metadata (with the
extension of the detected type); files are stored under random names and served as
attachments with the detected Content-Type (see clamtex/core/files.py).

`BodySizeLimitMiddleware` and `LimitedUploadHandler` refuse oversize request bodies before
they are read, so a 100 MB POST never reaches the form's size check.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Limits on what a DOCX/ODT may unpack to.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 2000
# Photos of tickets and invoices: more pixels than this is a decompression bomb.
MAX_PIXELS = 40_000_000
# Browsers sniff HTML in the first bytes of a response; a document must not look like it.
_HTML_MARKERS = re.compile(rb"<\s*(html|script|svg|body|iframe|!doctype)", re.IGNORECASE)

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "odt": ".odt", "jpeg": ".jpg", "png": ".png"}
_ALIASES = {".jpeg": ".jpg", ".jpe": ".jpg"}


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # pdf, docx, odt, jpeg or png
    content_type: str
    size: int
    name: str  # the sanitised original name, with the extension of `kind`


def sanitise_name(name: str, *, kind: str | None = None, default: str = "document") -> str:
    """The user's file name made safe to show and to put in Content-Disposition: no path,
    no control or markup characters, at most 150 characters, and (when the type is known)
    ending with the extension of the detected type, so `poly.html` can never come back as
    `.html`."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = re.sub(r"[^\w .,()\[\]+@&'-]", "_", name).strip(" ._") or default
    stem, ext = os.path.splitext(name)
    ext = _ALIASES.get(ext.lower(), ext.lower())
    if kind is not None:
        wanted = EXTENSIONS[kind]
        if ext != wanted:
            stem, ext = (name if ext else stem), wanted
    return (stem[: 150 - len(ext)] or default) + ext


def _too_big() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    )


def _check_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    if _HTML_MARKERS.search(data[:1024]):
        raise ValidationError(_("The file is not a valid PDF document."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) < 1:
                raise ValueError("no page")
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise ValidationError(_("The file is not a valid PDF document.")) from exc
    return "pdf"


def _read_part(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    """Decompresses one part for real, stopping at the remaining budget: the sizes written
    in a zip's directory can lie."""
    with archive.open(name) as handle:
        data = handle.read(budget[0] + 1)
    budget[0] -= len(data)
    if budget[0] < 0:
        raise ValidationError(_("The document unpacks to an unreasonable size and was refused."))
    return data


def _check_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(_("The file is damaged.")) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ValidationError(_("The document contains too many parts."))
        total = sum(entry.file_size for entry in entries)
        packed = sum(entry.compress_size for entry in entries) or 1
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise ValidationError(
                _("The document unpacks to an unreasonable size and was refused.")
            )
        names = {entry.filename for entry in entries}
        budget = [MAX_UNCOMPRESSED]
        try:
            if {"[Content_Types].xml", "word/document.xml"} <= names:
                types = _read_part(archive, "[Content_Types].xml", budget)
                body = _read_part(archive, "word/document.xml", budget)
                if b"<" in types and b"<" in body:
                    return "docx"
            elif {"mimetype", "content.xml"} <= names:
                mimetype = _read_part(archive, "mimetype", budget).strip()
                body = _read_part(archive, "content.xml", budget)
                if mimetype == ODT_MIMETYPE and b"<" in body:
                    return "odt"
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise ValidationError(_("The file is damaged.")) from exc
    raise ValidationError(_("Only PDF, DOCX or ODT documents are accepted."))


def _check_image(data: bytes, expected: str) -> str:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = (image.format or "").lower()
                width, height = image.size
                image.verify()
    except Exception as exc:  # Pillow raises many types for a damaged or hostile image
        raise ValidationError(_("The image is damaged.")) from exc
    if fmt != expected or width * height > MAX_PIXELS:
        raise ValidationError(_("The image is damaged."))
    return expected


def check_upload(upload, *, images: bool = False) -> CheckedFile:
    """`images=True` also accepts JPEG and PNG (photos of boarding passes as evidence).

    On success the upload's `name` is replaced by its sanitised form, so a caller that
    records `upload.name` keeps safe metadata only."""
    size = upload.size
    if size > MAX_BYTES:
        raise _too_big()
    if size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise _too_big()
    if data.startswith(b"%PDF-"):
        kind = _check_pdf(data)
    elif data.startswith(b"PK\x03\x04"):
        kind = _check_zip(data)
    elif images and data.startswith(b"\xff\xd8\xff"):
        kind = _check_image(data, "jpeg")
    elif images and data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = _check_image(data, "png")
    elif images:
        raise ValidationError(_("Only PDF, DOCX, ODT, JPEG or PNG files are accepted."))
    else:
        raise ValidationError(_("Only PDF, DOCX or ODT documents are accepted."))
    name = sanitise_name(getattr(upload, "name", "") or "", kind=kind)
    upload.name = name
    return CheckedFile(kind=kind, content_type=CONTENT_TYPES[kind], size=size, name=name)


# --- Request bodies --------------------------------------------------------------------


def max_body_bytes() -> int:
    return getattr(settings, "REQUEST_MAX_BODY_BYTES", MAX_BYTES + 2 * 1024 * 1024)


class BodySizeLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_MAX_BODY_BYTES with a
    413 page before anything reads it (Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not
    count files, and the form's size check runs only after the whole body was read)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_body_bytes():
            response = render(
                request,
                "413.html",
                {"limit_mb": max_body_bytes() // (1024 * 1024)},
                status=413,
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a multipart body once the files in it pass the limit (a client may
    stream a body without a Content-Length); the connection is reset, nothing more is
    read, and the form then reports the missing file."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_body_bytes():
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
