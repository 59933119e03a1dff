from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """New accounts keep the language the person was browsing in."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        if language[:2] in {"en", "fr", "es", "ca", "pt"}:
            user.language = language[:2]
        if commit:
            user.save()
        return user
