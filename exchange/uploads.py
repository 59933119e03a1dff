"""Checks of uploaded documents: PDF, DOCX or ODT only, judged by their content (not the
name), with a size cap and a zip-bomb guard for the two zip-based formats."""

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Limits on what a DOCX/ODT may unpack to.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 2000

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # pdf, docx or odt
    content_type: str
    size: int


def _check_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
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
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
            return "odt"
    raise ValidationError(_("Only PDF, DOCX or ODT documents are accepted."))


def check_upload(upload, *, images: bool = False) -> CheckedFile:
    """`images=True` also accepts JPEG and PNG (photos of boarding passes as evidence)."""
    size = upload.size
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"%PDF-"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        kind = _check_zip(data)
    elif images and data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif images and data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif images:
        raise ValidationError(_("Only PDF, DOCX, ODT, JPEG or PNG files are accepted."))
    else:
        raise ValidationError(_("Only PDF, DOCX or ODT documents are accepted."))
    return CheckedFile(kind=kind, content_type=CONTENT_TYPES[kind], size=size)
