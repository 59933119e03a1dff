"""Documents: PDF, DOCX or ODT by content, size cap, zip bombs refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clamtex.core import uploads
from tests import samples

_zip = samples.zip_bytes
DOCX, ODT, PDF = samples.DOCX, samples.ODT, samples.PDF


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
    jpeg = SimpleUploadedFile("boarding.jpg", samples.JPEG)
    png = SimpleUploadedFile("ticket.png", samples.PNG)
    assert uploads.check_upload(jpeg, images=True).content_type == "image/jpeg"
    assert uploads.check_upload(png, images=True).content_type == "image/png"
    with pytest.raises(ValidationError):
        uploads.check_upload(jpeg)  # application documents: PDF, DOCX or ODT only
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        uploads.check_upload(SimpleUploadedFile("x.gif", b"GIF89a" + b"0" * 10), images=True)


# --- Hostile files found by the security review: each one parses, or it is refused ------


def test_pdf_header_followed_by_html_is_refused():
    poly = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"
    with pytest.raises(ValidationError, match="not a valid PDF"):
        uploads.check_upload(SimpleUploadedFile("poly.html", poly))


def test_valid_pdf_with_html_in_its_first_bytes_is_refused():
    poly = PDF.replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<html><script>alert(1)</script>\n", 1)
    with pytest.raises(ValidationError, match="not a valid PDF"):
        uploads.check_upload(SimpleUploadedFile("poly.pdf", poly))


def test_png_header_followed_by_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError, match="damaged"):
        uploads.check_upload(SimpleUploadedFile("x.svg", b"\x89PNG\r\n\x1a\n" + svg), images=True)


def test_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError, match="damaged"):
        uploads.check_upload(SimpleUploadedFile("a.jpg", samples.JPEG[:40]), images=True)


def test_image_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100)
    big = samples.image_bytes("PNG", size=(20, 20))
    with pytest.raises(ValidationError, match="damaged"):
        uploads.check_upload(SimpleUploadedFile("big.png", big), images=True)


def test_zip_bomb_with_lying_directory_is_refused(monkeypatch):
    """The sizes in a zip's directory are the attacker's to write: the parts are really
    decompressed, within a budget."""
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED", 1024 * 1024)
    bomb = _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<" + b"0" * (3 * 1024 * 1024)}
    )
    forged = bytearray(bomb)
    # Rewrite the declared uncompressed size of every entry (local headers and central
    # directory) to 10 bytes, so the directory claims a tiny, low-ratio document.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := forged.find(signature, start)) != -1:
            forged[start + offset : start + offset + 4] = (10).to_bytes(4, "little")
            start += 4
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("bomb.docx", bytes(forged)))


def test_odt_needs_its_content_part():
    only_mimetype = _zip({"mimetype": b"application/vnd.oasis.opendocument.text"})
    with pytest.raises(ValidationError, match="Only PDF"):
        uploads.check_upload(SimpleUploadedFile("x.odt", only_mimetype))


@pytest.mark.parametrize(
    "given, kind, kept",
    [
        ("CV Laia Serra (2024).docx", "docx", "CV Laia Serra (2024).docx"),
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("poly.html", "pdf", "poly.html.pdf"),
        ('a"<script>.pdf', "pdf", "a__script_.pdf"),
        ("C:\\Users\\me\\Currículum.odt", "odt", "Currículum.odt"),
        ("photo.JPEG", "jpeg", "photo.jpg"),
        ("", "pdf", "document.pdf"),
        ("x" * 400 + ".pdf", "pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_sanitised_with_the_detected_extension(given, kind, kept):
    assert uploads.sanitise_name(given, kind=kind) == kept


def test_checked_upload_carries_the_sanitised_name():
    upload = SimpleUploadedFile("renamed.txt", PDF)
    checked = uploads.check_upload(upload)
    assert checked.name == upload.name == "renamed.txt.pdf"


# --- Request bodies are refused before they are read -----------------------------------


class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_oversize_body_is_refused_before_it_is_read(client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
        CONTENT_TYPE="multipart/form-data; boundary=x",
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


@pytest.mark.django_db
def test_body_under_the_limit_goes_through(client):
    response = client.post("/accounts/login/", {"login": "a@b.example", "password": "x"})
    assert response.status_code in (200, 302)


def test_streamed_upload_stops_past_the_limit(settings, rf):
    from django.core.files.uploadhandler import StopUpload

    settings.REQUEST_MAX_BODY_BYTES = 1000
    handler = uploads.LimitedUploadHandler()
    handler.handle_raw_input(None, {}, 0, b"x")
    handler.receive_data_chunk(b"0" * 900, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"0" * 200, 900)


def test_public_logos_get_names_of_ours():
    from members.models import logo_path

    first, second = logo_path(None, "../../Mi logo <b>.PNG"), logo_path(None, "logo.png")
    assert first.startswith("logos/") and first.endswith(".png")
    assert "Mi" not in first and "<" not in first and ".." not in first
    assert first != second
