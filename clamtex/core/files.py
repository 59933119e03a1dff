from django.http import FileResponse, Http404


def private_download(file_field, *, filename: str, content_type: str) -> FileResponse:
    """Serves a private upload as an attachment under its original name. The caller has
    checked the permission; a file missing from storage is a 404, never a 500."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    from clamtex.core.uploads import sanitise_name

    response = FileResponse(
        handle, as_attachment=True, filename=sanitise_name(filename), content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    # Even opened directly, a stored file never runs as a page of the portal.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
