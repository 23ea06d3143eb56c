"""Forms and the base layout render GOV.UK Design System markup (no database needed)."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template.loader import render_to_string
from django.urls import path, reverse

from accounts.forms import LoginForm
from safeguard.forms import DateTimeInput


def _ok(request):
    return HttpResponse()


# The layout links to these; the real URLconf may not have them yet.
urlpatterns = [
    path("", _ok, name="home"),
    path("login/", _ok, name="account_login"),
    path("logout/", _ok, name="account_logout"),
    path("security/", _ok, name="mfa_index"),
    path("password/reset/", _ok, name="account_reset_password"),
]


class DisclosureForm(forms.Form):
    child_name = forms.CharField(
        label="Child's name",
        help_text="As the school knows them",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    immediate_danger = forms.ChoiceField(
        label="Is the child in immediate danger?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
    )
    harm = forms.MultipleChoiceField(
        label="Type of harm",
        help_text="Select all that apply",
        choices=[("sexual", "Sexual abuse"), ("online", "Online abuse")],
        widget=forms.CheckboxSelectMultiple,
    )
    disclosed_at = forms.DateTimeField(label="When was it disclosed?", widget=DateTimeInput)
    account = forms.CharField(label="What was said, in their words", widget=forms.Textarea)


class Element:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = dict(attrs)

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    @property
    def describedby(self):
        return (self.attrs.get("aria-describedby") or "").split()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, attrs))


def parse(html):
    collector = _Collector()
    collector.feed(str(html))
    return collector.elements


def by_id(html, id_):
    matches = [e for e in parse(html) if e.attrs.get("id") == id_]
    assert len(matches) == 1, f"expected one element with id {id_!r}, found {len(matches)}"
    return matches[0]


def with_class(html, css_class):
    return [e for e in parse(html) if css_class in e.classes]


def invalid_form():
    form = DisclosureForm(data={})
    assert not form.is_valid()
    return form


def test_text_input_has_govuk_label_hint_and_keeps_the_authors_width():
    html = DisclosureForm()["child_name"].as_field_group()

    assert (
        '<label class="govuk-label govuk-label--s" for="id_child_name">Child&#x27;s name</label>'
        in html
    )
    assert by_id(html, "id_child_name_helptext").classes == {"govuk-hint"}
    field = by_id(html, "id_child_name")
    assert field.classes == {"govuk-input", "govuk-input--width-20"}
    assert field.describedby == ["id_child_name_helptext"]
    assert with_class(html, "govuk-form-group")
    assert not with_class(html, "govuk-form-group--error")


def test_radios_are_a_fieldset_with_a_legend_and_govuk_items():
    html = DisclosureForm()["immediate_danger"].as_field_group()

    assert with_class(html, "govuk-fieldset")
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html
    assert by_id(html, "id_immediate_danger").classes == {"govuk-radios"}
    assert len(with_class(html, "govuk-radios__item")) == 2
    first = by_id(html, "id_immediate_danger_0")
    assert (first.attrs["type"], first.classes) == ("radio", {"govuk-radios__input"})
    assert (
        '<label class="govuk-label govuk-radios__label" for="id_immediate_danger_0">Yes</label>'
        in html
    )


def test_checkboxes_are_a_fieldset_described_by_their_hint():
    html = DisclosureForm()["harm"].as_field_group()

    (fieldset,) = with_class(html, "govuk-fieldset")
    assert fieldset.describedby == ["id_harm_helptext"]
    assert by_id(html, "id_harm").classes == {"govuk-checkboxes"}
    assert by_id(html, "id_harm_1").classes == {"govuk-checkboxes__input"}
    assert len(with_class(html, "govuk-checkboxes__label")) == 2


def test_datetime_and_textarea_get_govuk_classes():
    form = DisclosureForm()
    when = by_id(form["disclosed_at"].as_field_group(), "id_disclosed_at")
    account = by_id(form["account"].as_field_group(), "id_account")

    assert when.attrs["type"] == "datetime-local"
    assert when.classes == {"govuk-input", "govuk-input--width-20"}
    assert (account.tag, account.classes) == ("textarea", {"govuk-textarea"})


def test_field_errors_show_a_prefixed_message_that_the_input_points_to():
    form = invalid_form()
    html = str(form)

    message = by_id(html, "id_child_name_error")
    assert message.tag == "p"
    assert message.classes == {"govuk-error-message"}
    assert (
        '<p id="id_child_name_error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    field = by_id(html, "id_child_name")
    assert field.classes == {"govuk-input", "govuk-input--width-20", "govuk-input--error"}
    assert field.describedby == ["id_child_name_helptext", "id_child_name_error"]
    assert by_id(html, "id_account").classes == {"govuk-textarea", "govuk-textarea--error"}
    assert len(with_class(html, "govuk-form-group--error")) == len(form.fields)


def test_errors_on_radios_and_checkboxes_are_described_on_the_fieldset():
    form = invalid_form()

    radios = with_class(form["immediate_danger"].as_field_group(), "govuk-fieldset")[0]
    checkboxes = with_class(form["harm"].as_field_group(), "govuk-fieldset")[0]

    assert radios.describedby == ["id_immediate_danger_error"]
    assert checkboxes.describedby == ["id_harm_helptext", "id_harm_error"]


def test_error_summary_links_each_error_to_the_first_input_of_its_field():
    form = invalid_form()
    form.add_error(None, "Enter either the child's name or their UPN")

    html = render_to_string("components/error_summary.html", {"form": form})

    (summary,) = with_class(html, "govuk-error-summary")
    assert summary.attrs["data-module"] == "govuk-error-summary"
    links = [e.attrs["href"] for e in parse(html) if e.tag == "a"]
    assert links == [
        "#id_child_name",
        "#id_immediate_danger_0",
        "#id_harm_0",
        "#id_disclosed_at",
        "#id_account",
    ]
    assert "<li>Enter either the child&#x27;s name or their UPN</li>" in html


def test_error_summary_is_empty_without_errors():
    html = render_to_string("components/error_summary.html", {"form": DisclosureForm()})
    assert html.strip() == ""


def render_page(rf, user, **context):
    request = rf.get("/")
    request.user = user
    ContentSecurityPolicyMiddleware(_ok).process_request(request)
    return render_to_string("layout/base.html", context, request=request)


@pytest.mark.urls(__name__)
def test_base_layout_has_no_inline_style_and_only_nonced_or_external_scripts(rf):
    html = render_page(rf, AnonymousUser())

    assert "style=" not in html
    assert "<style" not in html
    scripts = [e for e in parse(html) if e.tag == "script"]
    assert scripts
    for script in scripts:
        assert script.attrs.get("nonce") or script.attrs.get("src"), script.attrs
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert by_id(html, "main-content").classes == {"govuk-main-wrapper"}
    assert "Sign out" not in html


def test_signed_in_users_see_their_name_and_a_sign_out_form_that_posts(rf, staff):
    html = render_page(rf, staff)

    (form,) = [e for e in parse(html) if e.tag == "form"]
    assert (form.attrs["method"], form.attrs["action"]) == ("post", reverse("account_logout"))
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Tom Teacher" in html
    assert "Record a concern" in html


@pytest.mark.urls(__name__)
def test_page_title_starts_with_error_when_the_form_has_errors(rf):
    assert "<title>Error:  – Safeguard</title>" in render_page(
        rf, AnonymousUser(), form=invalid_form()
    )
    assert "<title> – Safeguard</title>" in render_page(rf, AnonymousUser(), form=DisclosureForm())
    assert "<title>Error: " in render_page(rf, AnonymousUser(), form_has_errors=True)


@pytest.mark.urls(__name__)
def test_messages_render_as_notification_banners(rf):
    html = render_page(
        rf,
        AnonymousUser(),
        messages=[
            Message(constants.SUCCESS, "Concern recorded"),
            Message(constants.WARNING, "The safety check is overdue"),
        ],
    )

    banners = with_class(html, "govuk-notification-banner")
    assert [b.attrs["role"] for b in banners] == ["alert", "region"]
    assert "govuk-notification-banner--success" in banners[0].classes
    assert "Concern recorded" in html
    assert "The safety check is overdue" in html


def test_server_error_page_renders_without_a_request_or_urls():
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert "<script" not in html


@pytest.mark.urls(__name__)
def test_sign_in_page_renders_the_login_form_in_govuk_markup(rf, db):
    request = rf.get("/accounts/login/")
    request.user = AnonymousUser()
    ContentSecurityPolicyMiddleware(_ok).process_request(request)

    html = render_to_string(
        "account/login.html", {"form": LoginForm(request=request)}, request=request
    )

    assert by_id(html, "id_login").classes == {"govuk-input"}
    assert by_id(html, "id_password").classes == {"govuk-input"}
    (form,) = [e for e in parse(html) if e.tag == "form"]
    assert (form.attrs["method"], form.attrs["action"]) == ("post", reverse("account_login"))
    assert "<title>Sign in – Safeguard</title>" in html


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("template", ["403.html", "404.html"])
def test_error_pages_use_the_layout(rf, template):
    request = rf.get("/")
    request.user = AnonymousUser()

    html = render_to_string(template, request=request)

    assert by_id(html, "main-content").tag == "main"
    assert "style=" not in html
