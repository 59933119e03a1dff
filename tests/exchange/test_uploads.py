"""Documents: PDF, DOCX or ODT by content, size cap, zip bombs refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange import uploads


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("cv.pdf", PDF, "pdf"),
        ("cv.docx", DOCX, "docx"),
        ("cv.odt", ODT, "odt"),
        ("renamed.txt", PDF, "pdf"),
    ],
)
def test_accepted_by_content(name, content, kind):
    assert uploads.check_upload(SimpleUploadedFile(name, content)).kind == kind


@pytest.mark.parametrize(
    "name, content",
    [
        ("fake.pdf", b"MZ\x90\x00 this is an exe"),
        ("notes.txt", b"plain text"),
        ("archive.docx", _zip({"evil.exe": b"MZ"})),
        ("sheet.pdf", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"})),
        ("broken.docx", b"PK\x03\x04garbage"),
    ],
)
def test_wrong_type_refused(name, content):
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile(name, content))


def test_oversize_refused():
    with pytest.raises(ValidationError, match="larger than"):
        uploads.check_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * uploads.MAX_BYTES))


def test_empty_refused():
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("empty.pdf", b""))


def test_zip_bomb_refused():
    bomb = _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (60 * 1024 * 1024)}
    )
    assert len(bomb) < 1024 * 1024  # small on disk …
    with pytest.raises(ValidationError, match="unreasonable size"):
        uploads.check_upload(SimpleUploadedFile("bomb.docx", bomb))  # … huge unpacked


def test_photos_accepted_only_as_evidence():
    jpeg = SimpleUploadedFile("boarding.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)
    png = SimpleUploadedFile("ticket.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert uploads.check_upload(jpeg, images=True).content_type == "image/jpeg"
    assert uploads.check_upload(png, images=True).content_type == "image/png"
    with pytest.raises(ValidationError):
        uploads.check_upload(jpeg)  # application documents: PDF, DOCX or ODT only
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        uploads.check_upload(SimpleUploadedFile("x.gif", b"GIF89a" + b"0" * 10), images=True)
