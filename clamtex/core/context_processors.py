from members.roles import scope_of


def portal(request):
    """The role flags the navigation needs; computed once per request."""
    return {"scope": scope_of(getattr(request, "user", None))}
