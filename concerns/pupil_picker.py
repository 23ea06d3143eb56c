"""Choosing a pupil without sending the school's register to the page (issue 17).

A form field (`PupilChoiceField`) shows a search box and a "Find" button; the matches come
back as radio buttons to choose from; the pupil chosen is shown with a "Change" button. It
works without JavaScript: "Find" submits the form, which comes back with everything typed
and the matches (`PupilPicking.searching`: the form is then not checked, nor sent on). With
JavaScript (static/js/pupil-picker.js), typing asks `concerns:pupil_search` for the matches
alone, a small fragment, and the page is not reloaded.

The register is never loaded whole: a posted choice is looked up by its UUID among the
pupils the form may name (one query for all the form's pickers), and a search asks for
at most MATCHES + 1 pupils (one query each).
"""

import re
import uuid as uuid_module
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.http import urlencode

from schools.models import Pupil

MATCHES = 20  # shown at once; more asks for more of the name
FIND = "find"  # the name of every picker's "Find" and "Change" buttons
CHANGE = ":change"  # the "Change" button's value ends so
# What a search fragment may be asked to name its radios and their ids: a form field's
# html name (with any prefix) and id.
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


def pupil_label(pupil: Pupil) -> str:
    """How a pupil is told apart from others of the same name: year, class, date of birth."""
    return (
        f"{pupil.legal_last_name}, {pupil.legal_first_name}"
        + (f" ({pupil.preferred_first_name})" if pupil.preferred_first_name else "")
        + f" – {pupil.year_group}{', ' + pupil.class_name if pupil.class_name else ''}"
        + f", born {pupil.date_of_birth:%d/%m/%Y}"
    )


@dataclass(frozen=True)
class Match:
    uuid: str
    label: str


@dataclass(frozen=True)
class Matches:
    """What a search found: up to MATCHES pupils, and whether there were more."""

    query: str
    found: list[Match]
    more: bool


def search(pupils: QuerySet[Pupil], query: str) -> Matches:
    """The pupils among `pupils` matching every word of `query` (in a first, last or
    preferred name, the year group, or exactly the class or the UPN), by name. One query."""
    words = query.split()[:6]
    if not words:
        return Matches(query, [], False)
    rows = pupils
    for word in words:
        rows = rows.filter(
            Q(legal_last_name__icontains=word)
            | Q(legal_first_name__icontains=word)
            | Q(preferred_first_name__icontains=word)
            | Q(year_group__icontains=word)
            | Q(class_name__iexact=word)
            | Q(upn__iexact=word)
        )
    found = list(
        rows.order_by("legal_last_name", "legal_first_name", "date_of_birth", "pk").only(
            "uuid",
            "legal_first_name",
            "legal_last_name",
            "preferred_first_name",
            "year_group",
            "class_name",
            "date_of_birth",
        )[: MATCHES + 1]
    )
    return Matches(
        query,
        [Match(str(pupil.uuid), pupil_label(pupil)) for pupil in found[:MATCHES]],
        len(found) > MATCHES,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except (TypeError, ValueError):
        return False
    return True


class _ChosenPupil(forms.HiddenInput):
    """The pupil chosen travels as a hidden input, but the field is a question on the page:
    a form renders it in its place, through the field's template, not with the hidden ones."""

    @property
    def is_hidden(self) -> bool:
        return False


class PupilChoiceField(forms.ChoiceField):
    """A pupil, chosen by searching the register (see the module). Its value is the pupil's
    UUID; `PupilPicking.pick_from` sets what it may be, and what the page shows."""

    def __init__(self, *, label="Child", required=True, error_messages=None, **kwargs):
        super().__init__(
            label=label,
            required=required,
            choices=[],
            widget=_ChosenPupil,
            template_name="components/pupil_picker.html",
            error_messages={
                "invalid_choice": "Find the child and choose them from the matches",
                **(error_messages or {}),
            },
            **kwargs,
        )
        self.chosen: Pupil | None = None
        self.chosen_label = ""
        self.query = ""
        self.matches: Matches | None = None
        self.search_url = ""


class PupilPicking:
    """For a form with `PupilChoiceField`s: call `pick_from` in its __init__. Then
    `self.pupils` holds the pupils chosen, by UUID, and `searching` says whether a "Find" or
    "Change" button sent the form (it is then shown again as typed, and never sent on)."""

    def pick_from(self, pupils: QuerySet[Pupil], *, search_url: str) -> None:
        names = [name for name, field in self.fields.items() if isinstance(field, PupilChoiceField)]
        posted = {name: self._posted_choice(name) for name in names}
        wanted = [value for value in posted.values() if _is_uuid(value)]
        self.pupils = (
            {str(pupil.uuid): pupil for pupil in pupils.filter(uuid__in=wanted)} if wanted else {}
        )
        for name in names:
            field = self.fields[name]
            field.choices = [("", "")] + [
                (key, pupil_label(pupil)) for key, pupil in self.pupils.items()
            ]
            field.chosen = self.pupils.get(posted[name])
            field.chosen_label = pupil_label(field.chosen) if field.chosen else ""
            field.search_url = search_url
            field.query = (
                self.data.get(f"{self.add_prefix(name)}_q", "").strip() if self.is_bound else ""
            )[:100]
            if field.chosen is None and field.query:
                field.matches = search(pupils, field.query)

    def _posted_choice(self, name: str) -> str:
        if not self.is_bound:
            return str(self.initial.get(name) or "")
        html_name = self.add_prefix(name)
        if self.data.get(FIND) == html_name + CHANGE:
            return ""
        return str(self.data.get(html_name) or "")

    @property
    def searching(self) -> bool:
        if not self.is_bound:
            return False
        pressed = str(self.data.get(FIND, "")).removesuffix(CHANGE)
        return any(
            pressed == self.add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field, PupilChoiceField)
        )

    def is_valid(self) -> bool:
        return not self.searching and super().is_valid()

    def full_clean(self):
        # A search, or a choice being changed, is not a submission: nothing is checked.
        if self.searching:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


def finds(data, form_prefix: str) -> bool:
    """Whether `data` was sent by a picker's button on the form with this prefix: a page with
    several forms then binds that form to it, to be shown again as typed."""
    return str(data.get(FIND, "")).startswith(f"{form_prefix}-")


ROLL, WHOLE_REGISTER = "roll", "all"


def search_url(school, *, register: str = ROLL, leaving_out=None) -> str:
    """Where a picker on a form for `school` asks for its matches: pupils on roll, or the
    whole register (former pupils too); `leaving_out` a concern, whose children are not
    offered again."""
    query = {"school": str(school.uuid), "register": register}
    if leaving_out is not None:
        query["except"] = str(leaving_out.uuid)
    return f"{reverse('concerns:pupil_search')}?{urlencode(query)}"
