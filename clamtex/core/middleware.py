from asgiref.local import Local
from django.core.signals import request_finished, request_started
from django.utils import translation

# The language active in this thread (or task) when a request started.
_before_request = Local()


def _remember_language(**kwargs):
    _before_request.language = translation.get_language()


def _restore_language(**kwargs):
    """LocaleMiddleware and UserLanguageMiddleware activate the request's language and
    nothing deactivates it: without this, the language of the last request stays active
    in the thread for whatever runs next there (a test, a task run eagerly, a management
    command calling views). request_finished fires once the response, streamed ones
    included, has been sent, so the body is still rendered in the request's language."""
    language = getattr(_before_request, "language", None)
    if language is not None:
        translation.activate(language)
        _before_request.language = None


def connect_language_restore():
    request_started.connect(_remember_language, dispatch_uid="clamtex_remember_language")
    request_finished.connect(_restore_language, dispatch_uid="clamtex_restore_language")


class UserLanguageMiddleware:
    """A logged-in user's preferred language wins over the browser's, so the portal
    remembers it across devices. Runs after AuthenticationMiddleware. The language is put
    back when the request finishes (connect_language_restore)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        return response
