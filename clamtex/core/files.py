"""Private files: the one helper every permission-checked download goes through.

On the local disk the file is streamed by the web server. On S3 (settings.FILES_DOWNLOAD
"redirect", the default there) the browser is redirected to a presigned URL of the object
that expires after settings.FILES_URL_EXPIRE seconds (at most a minute) and names the
file and its type, so the web servers carry no bytes and the object stays private: a URL
copied later, or by someone else, no longer works. FILES_DOWNLOAD=stream streams from
the bucket instead (for a bucket that browsers cannot reach)."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

from clamtex.core.uploads import sanitise_name

from .audit import audit_record


def presigned_url(file_field, *, filename: str, content_type: str, inline: bool = False) -> str:
    """A GET URL of the object, valid FILES_URL_EXPIRE seconds, that the bucket serves
    with this name and type."""
    return file_field.storage.url(
        file_field.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(
                as_attachment=not inline, filename=filename
            ),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.FILES_URL_EXPIRE,
    )


def _redirects(file_field) -> bool:
    return settings.FILES_DOWNLOAD == "redirect" and hasattr(file_field.storage, "bucket_name")


def private_download(
    file_field, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse | HttpResponseRedirect:
    """Serves a private upload under its original name (as an attachment unless inline).
    The caller has checked the permission; a file missing from storage is a 404, never a
    500."""
    if not file_field:
        raise Http404
    if _redirects(file_field):
        if not file_field.storage.exists(file_field.name):
            raise Http404
        response = HttpResponseRedirect(
            presigned_url(
                file_field,
                filename=sanitise_name(filename),
                content_type=content_type,
                inline=inline,
            )
        )
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        # django-storages turns the bucket's 404 into FileNotFoundError too.
        raise Http404 from exc
    audit_record(
        action="download", target=getattr(file_field, "instance", None), summary=content_type
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=sanitise_name(filename),
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    # Even opened directly, a stored file never runs as a page of the portal.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
