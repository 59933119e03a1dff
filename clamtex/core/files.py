from django.http import FileResponse, Http404

from .audit import audit_record


def private_download(file_field, *, filename: str, content_type: str) -> FileResponse:
    """Serves a private upload as an attachment under its original name. The caller has
    checked the permission; a file missing from storage is a 404, never a 500."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    audit_record(
        action="download", target=getattr(file_field, "instance", None), summary=content_type
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
