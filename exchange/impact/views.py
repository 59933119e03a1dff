"""The impact survey page: a private link, no login (impact/services.py holds the rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import services as impact
from .forms import ImpactSurveyForm


@never_cache
def impact_survey(request, token):
    try:
        survey = impact.survey_for_token(token)
    except PermissionDenied as exc:
        response = render(
            request, "exchange/external/link_invalid.html", {"reason": str(exc)}, status=403
        )
        response["Referrer-Policy"] = "same-origin"
        return response
    form = ImpactSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            impact.survey_answer(survey=survey, data=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you for your answers!"))
        return redirect("exchange:impact_survey", token)
    response = render(
        request,
        "exchange/impact/survey.html",
        {
            "survey": survey,
            "form": form,
            "about": impact.subject_label(survey),
            "open": impact.survey_open(survey),
        },
    )
    response["Referrer-Policy"] = "same-origin"
    return response
