"""The five languages are complete: no untranslated or fuzzy entry in a shipped
catalogue, every msgid of the code in the catalogues, and no visible template text left
unmarked for translation."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))
TEMPLATES = sorted(
    p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt") and p.is_file()
)


def _catalogue(path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_language_but_english_has_a_catalogue():
    shipped = {p.parts[-3] for p in CATALOGUES}
    assert shipped == {code for code, _name in settings.LANGUAGES} - {"en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    problems = []
    for message in _catalogue(path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{len(problems)} in {path}:\n" + "\n".join(problems[:30])


# {% translate "…" %} and {% translate "…" context "…" %} in templates; _("…"),
# gettext("…"), gettext_lazy("…"), pgettext("ctx", "…") with one literal in Python.
TEMPLATE_MSGID = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<id>.+?)(?P=q)(?:\s+context\s+(?P<cq>["'])(?P<ctx>.+?)(?P=cq))?"""
)
PYTHON_MSGID = re.compile(
    r"""\b(?:_|gettext|gettext_lazy)\(\s*(?P<q>["'])(?P<id>(?:(?!(?P=q)).)+)(?P=q)\s*\)"""
)
PYTHON_PMSGID = re.compile(
    r"""\bpgettext(?:_lazy)?\(\s*(?P<cq>["'])(?P<ctx>[^"']+)(?P=cq)\s*,\s*(?P<q>["'])(?P<id>(?:(?!(?P=q)).)+)(?P=q)\s*\)"""
)
APPS = (
    "clamtex",
    "members",
    "projects",
    "workshops",
    "exchange",
    "notifications",
    "privacy",
    "api",
)


def _code_msgids() -> set[tuple[str | None, str]]:
    found = set()
    for path in TEMPLATES:
        for m in TEMPLATE_MSGID.finditer(path.read_text()):
            found.add((m.group("ctx"), m.group("id")))
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for m in PYTHON_MSGID.finditer(text):
                found.add((None, m.group("id").replace("\\'", "'").replace('\\"', '"')))
            for m in PYTHON_PMSGID.finditer(text):
                found.add((m.group("ctx"), m.group("id")))
    return found


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_msgid_of_the_code_is_in_the_catalogue(path):
    catalogue = _catalogue(path)
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id}
    missing = sorted(
        f"{ctx + ': ' if ctx else ''}{msgid}"
        for ctx, msgid in _code_msgids()
        if (ctx, msgid) not in known and "{" not in msgid
    )
    assert not missing, f"{len(missing)} missing from {path}:\n" + "\n".join(missing[:40])


# Words that are the same in every language: names, formats, units.
UNTRANSLATED_OK = {
    "CLAMTEX", "ClusterXchange", "CSV", "XLSX", "PDF", "ICS", "VOP", "HOP", "VO", "HO",
    "KPI", "KPIs", "MFA", "WP", "TOTP", "COSME", "EU", "URL", "iCal", "htmx", "CLAMTEX Portal",
    "JSON", "iCalendar", "km",
}  # fmt: skip


def _unmarked_text(source: str) -> list[str]:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    text = re.sub(
        r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", " ", text, flags=re.S
    )
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]*>", "\n", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    left = []
    for chunk in text.split("\n"):
        if re.fullmatch(r"\s*(#\w+|[\w-]+/)\s*", chunk):  # a URL's fragment or tail
            continue
        words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", chunk)
        if words and not all(w in UNTRANSLATED_OK for w in words):
            left.append(chunk.strip())
    return left


# 500.html is rendered without the template engine's i18n (the error may be in it), so
# it carries its five languages itself.
STATIC_PAGES = {"500.html"}


def test_visible_template_text_is_marked_for_translation():
    problems = []
    for path in TEMPLATES:
        if path.name in STATIC_PAGES:
            continue
        for text in _unmarked_text(path.read_text()):
            problems.append(f"{path.relative_to(ROOT)}: {text[:80]!r}")
    assert not problems, f"{len(problems)} unmarked texts:\n" + "\n".join(problems)
