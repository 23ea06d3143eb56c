"""Render every Django form with GOV.UK Design System markup.

`FORM_RENDERER = "safeguard.forms.GovukFormRenderer"` makes `{{ form }}` and
`{{ form.field.as_field_group }}` produce GOV.UK form groups. The templates live in
`templates/django/forms/` under Django's own names, so they replace Django's defaults:

- `div.html`: the form (fields only; non-field errors go in the error summary,
  `templates/components/error_summary.html`, which every form page includes);
- `field.html`: one `govuk-form-group` with label or fieldset legend, hint, error message;
- `errors/list/default.html`: the GOV.UK error message, with its "Error:" prefix;
- `widgets/*.html`: radios, checkboxes, select, textarea, file upload and inputs.

The CSS classes are merged onto the widget here, in `GovukBoundField`, so that a width
the form author asked for (`attrs={"class": "govuk-input--width-10"}`) is kept beside the
base class and the error modifier.
"""

from pathlib import Path

import django.forms
from django import forms
from django.conf import settings
from django.forms.renderers import BaseRenderer
from django.forms.widgets import Input
from django.template.backends.django import DjangoTemplates
from django.utils.functional import cached_property

# Django's own form templates, so that the ones we don't override (formsets, hidden
# inputs, ...) still resolve without "django.forms" in INSTALLED_APPS.
DJANGO_FORM_TEMPLATES = Path(django.forms.__file__).parent / "templates"

# The input-level class for each widget type, and its error modifier. Radios and
# checkboxes carry theirs on the container and each item, in the widget templates.
_WIDGET_CLASSES = (
    (forms.CheckboxInput, "govuk-checkboxes__input", None),
    (forms.RadioSelect, "", None),  # CheckboxSelectMultiple is a RadioSelect too.
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.Select, "govuk-select", "govuk-select--error"),  # SelectMultiple too.
    (forms.FileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (Input, "govuk-input", "govuk-input--error"),
    # e.g. SplitDateTimeWidget: its parts have no labels of their own, so prefer the
    # single DateTimeInput below.
    (forms.MultiWidget, "govuk-input", "govuk-input--error"),
)


def _classes_for(widget):
    for widget_class, base, error in _WIDGET_CLASSES:
        if isinstance(widget, widget_class):
            return base, error
    return "", None


def _merge_classes(*class_strings):
    """Join class strings, in order, without duplicates."""
    seen = {}
    for classes in class_strings:
        for name in (classes or "").split():
            seen.setdefault(name, None)
    return " ".join(seen)


class GovukBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            return attrs
        base, error = _classes_for(widget)
        # The widget's own attrs would be overridden by ours, so merge them in.
        attrs["class"] = _merge_classes(
            base,
            widget.attrs.get("class"),
            attrs.get("class"),
            error if self.errors else None,
        )
        if not attrs["class"]:
            del attrs["class"]
        return attrs

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        # GOV.UK labels are questions or nouns, never followed by a colon.
        if label_suffix is None:
            label_suffix = ""
        if tag == "legend":
            css = "govuk-fieldset__legend govuk-fieldset__legend--s"
        else:
            css = "govuk-label govuk-label--s"
        attrs = {**(attrs or {})}
        attrs["class"] = _merge_classes(css, attrs.get("class"))
        return super().label_tag(contents, attrs, label_suffix, tag)

    @property
    def hint_id(self):
        return f"{self.auto_id}_helptext" if self.auto_id else ""

    @property
    def is_single_checkbox(self):
        return isinstance(self.field.widget, forms.CheckboxInput)

    @property
    def error_anchor_id(self):
        """The id that the error summary links to: the first input of the field."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if isinstance(widget, forms.RadioSelect):
            first = next(iter(self.subwidgets), None)
            return first.id_for_label if first else id_
        if isinstance(widget, forms.MultiWidget):
            return f"{id_}_0"
        return widget.id_for_label(id_) or id_


class GovukFormRenderer(BaseRenderer):
    """Django's template renderer, looking in the project's templates/ first.

    A private engine (as Django's own DjangoTemplates renderer has) rather than
    TemplatesSetting, which would need "django.forms" in INSTALLED_APPS to find the
    form templates we don't override.
    """

    bound_field_class = GovukBoundField

    def get_template(self, template_name):
        return self.engine.get_template(template_name)

    @cached_property
    def engine(self):
        loaders = [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ]
        if not settings.DEBUG:
            # In development an edited template shows without restarting the server.
            loaders = [("django.template.loaders.cached.Loader", loaders)]
        return DjangoTemplates(
            {
                "NAME": "govuk-forms",
                "DIRS": [settings.BASE_DIR / "templates", DJANGO_FORM_TEMPLATES],
                "APP_DIRS": False,
                "OPTIONS": {"loaders": loaders},
            }
        )


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO 8601, whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__({"class": "govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker (`datetime-local`), in the server's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(
            {"class": "govuk-input--width-20", **(attrs or {})}, format="%Y-%m-%dT%H:%M"
        )
