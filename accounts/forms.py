from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, in the words and markup of the rest of the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["login"]
        email.label = "Email address"
        email.widget.attrs = {"type": "email", "autocomplete": "email", "spellcheck": "false"}
        email.error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the correct format, like name@school.org.uk",
        )
        password = self.fields["password"]
        # allauth's help text is a link written as HTML; the page has its own link instead.
        password.help_text = ""
        password.widget.attrs = {"autocomplete": "current-password"}
        password.error_messages["required"] = "Enter your password"
