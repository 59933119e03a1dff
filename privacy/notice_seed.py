"""The first version of the privacy notice, written per language in notice_texts/."""

from datetime import UTC, datetime
from pathlib import Path

TEXTS = Path(__file__).resolve().parent / "notice_texts"
V1_IN_FORCE = datetime(2026, 1, 1, tzinfo=UTC)


def seed_notice_v1(PrivacyNotice) -> None:
    """Idempotent; takes the model so that a migration can pass its historical one."""
    texts = {
        f"text_{code}": (TEXTS / f"v1.{code}.txt").read_text(encoding="utf-8").strip()
        for code in ("en", "fr", "es", "ca", "pt")
    }
    PrivacyNotice.objects.update_or_create(
        version=1,
        defaults={"published_at": V1_IN_FORCE, "summary_of_changes": "First version.", **texts},
    )
