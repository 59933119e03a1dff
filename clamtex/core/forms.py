"""Form pieces shared by every feature.

Model choice fields check that each posted key is a valid value of the primary key's
column before the database sees it: `sectors=99999999999999999999` is "not a valid
choice", not an OverflowError (SQLite) or a DataError (PostgreSQL) answered with a 500.
`install_range_checks()` (called by the core app at start-up) gives the check to every
ModelChoiceField/ModelMultipleChoiceField of the portal, django-filter's included;
`SafeModelChoiceField`/`SafeModelMultipleChoiceField` are the explicit classes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models

_INTEGER_FIELDS = (models.IntegerField, models.AutoField)


def _key_field(field: forms.ModelChoiceField):
    opts = field.queryset.model._meta
    return opts.get_field(field.to_field_name) if field.to_field_name else opts.pk


def out_of_range(field: forms.ModelChoiceField, value) -> bool:
    """True when `value` is an integer the key column cannot hold."""
    key = _key_field(field)
    while isinstance(key, models.ForeignKey):  # a one-to-one primary key
        key = key.target_field
    if not isinstance(key, _INTEGER_FIELDS):
        return False
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False  # Django reports it as an invalid value
    low, high = connection.ops.integer_field_range(key.get_internal_type())
    return (low is not None and number < low) or (high is not None and number > high)


def _invalid(field, value) -> ValidationError:
    return ValidationError(
        field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
    )


# Django's methods, called explicitly (these functions are also installed on Django's
# classes, where super() would not resolve).
_to_python = forms.ModelChoiceField.to_python
_check_values = forms.ModelMultipleChoiceField._check_values


def _safe_to_python(self, value):
    if value not in self.empty_values and out_of_range(self, value):
        raise _invalid(self, value)
    return _to_python(self, value)


def _safe_check_values(self, value):
    for item in value if isinstance(value, list | tuple) else [value]:
        if out_of_range(self, item):
            raise _invalid(self, item)
    return _check_values(self, value)


class SafeModelChoiceField(forms.ModelChoiceField):
    to_python = _safe_to_python


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    _check_values = _safe_check_values


def install_range_checks() -> None:
    """Every model choice field gets the range check (Django's own classes are the base
    of ModelForm fields, admin filters and django-filter's fields)."""
    if getattr(forms.ModelChoiceField, "_clamtex_range_checked", False):
        return
    forms.ModelChoiceField.to_python = _safe_to_python
    forms.ModelMultipleChoiceField._check_values = _safe_check_values
    forms.ModelChoiceField._clamtex_range_checked = True
