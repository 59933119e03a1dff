"""Errors as RFC 9457 problem details (application/problem+json)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.views import exception_handler

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
}


def problem_details(exc, context):
    """DRF's errors as application/problem+json (RFC 9457): type, title, status, detail,
    and the field errors under `errors`."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body = {
        "type": "about:blank",
        "title": TITLES.get(response.status_code, "Error"),
        "status": response.status_code,
    }
    if isinstance(data, dict) and set(data) == {"detail"}:
        body["detail"] = str(data["detail"])
    else:
        body["detail"] = _("The request has errors.")
        body["errors"] = data
    request = context.get("request")
    if request is not None:
        body["instance"] = request.get_full_path()
    response.data = body
    response.content_type = "application/problem+json"
    return response


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {},
    },
    "required": ["type", "title", "status"],
}
ERROR_CODES = {
    "400": "The request has errors",
    "401": "No valid token",
    "403": "Not allowed (or a read-only token)",
    "404": "Not found, or not visible to you",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "415": "Unsupported media type",
    "429": "Too many requests (see Retry-After)",
}


NO_NUL = "^[^\\x00]*$"


def _no_nul(schema: dict) -> None:
    """Text may not hold NUL characters (Django refuses them, and PostgreSQL cannot store
    them): the schema says so, so that clients and schema-driven tests know."""
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = NO_NUL
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _no_nul(schema[key])
    for sub in schema.get("properties", {}).values():
        _no_nul(sub)


def document_problems(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation may answer the errors above,
    as problem details, and lists may answer 304 to If-None-Match."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _no_nul(schema)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _no_nul(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_CODES.items():
                responses.setdefault(code, {"description": description, "content": problem})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (ETag)"})
    return result


@csrf_exempt  # an API answer, never a form: no CSRF page, whatever the method
def not_found(request):
    return JsonResponse(
        {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": _("No such resource."),
            "instance": request.get_full_path(),
        },
        status=404,
        content_type="application/problem+json",
    )
