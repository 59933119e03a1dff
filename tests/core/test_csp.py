"""Content-Security-Policy without a browser: no template of ours carries an inline event
handler, a `javascript:` URL or a script without the request's nonce, and the pages send
the CSP (with that nonce) and Permissions-Policy headers. tests/browser/test_csp.py checks
in Chromium that the main pages raise no violation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _templates():
    found = [
        path
        for path in ROOT.rglob("*.html")
        if ".venv" not in path.parts
        and "node_modules" not in path.parts
        and "templates" in path.parts
        and "vendor" not in path.parts
    ]
    assert len(found) > 100, len(found)
    return sorted(found)


def test_no_inline_handler_or_javascript_url_in_templates():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for match in INLINE_HANDLER.finditer(text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
        if "javascript:" in text.lower():
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert not offenders, "\n".join(offenders)


def test_every_script_tag_in_templates_has_the_nonce():
    offenders = [
        f"{path.relative_to(ROOT)}: {tag}"
        for path in _templates()
        for tag in SCRIPT_TAG.findall(path.read_text())
        if 'nonce="{{ request.csp_nonce }}"' not in tag
    ]
    assert not offenders, "\n".join(offenders)


def test_the_checks_catch_what_they_look_for():
    assert INLINE_HANDLER.search('<select name="x" onchange="this.form.submit()">')
    assert INLINE_HANDLER.search('<button\n  class="btn" onClick = "go()">')
    assert not INLINE_HANDLER.search('<a href="/mine/" data-online="1">')


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/workshops/", "/exchange/apply/"])
def test_pages_send_csp_with_the_nonce_of_their_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert "unsafe" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    tags = SCRIPT_TAG.findall(response.content.decode())
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags), tags
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    # A new nonce for every response.
    assert nonce not in client.get(path)["Content-Security-Policy"]


@pytest.mark.django_db
def test_language_switch_is_a_form_with_a_button(client):
    content = client.get(reverse("account_login")).content.decode()
    switch = content.split('id="language-switcher"', 1)[1].split("</form>", 1)[0]
    assert "<button" in switch and "onchange" not in switch
