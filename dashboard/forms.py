"""Forms of the administrators' API keys page: ids and names are checked here, so a malformed
post is a message on the page, not a 500."""

from django import forms

from products.models import Venue

VENUE_CHOICE = "Choose a venue from the list."
KEY_CHOICE = "Choose a key from the list."
REASON_REQUIRED = "A reason is required to rotate or revoke a key."


class _MessageForm(forms.Form):
    def error_text(self) -> str:
        """Every error in one line, for a flash message (each message names what it is about)."""
        return " ".join(message for errors in self.errors.values() for message in errors)


class ApiKeyCreateForm(_MessageForm):
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.all(), error_messages={"required": VENUE_CHOICE, "invalid_choice": VENUE_CHOICE}
    )

    def __init__(self, *args, api_key_model, **kwargs):
        super().__init__(*args, **kwargs)
        # The key model is the eligibility app's, which an installation may leave out.
        self.fields["name"] = forms.CharField(
            required=False,
            max_length=api_key_model._meta.get_field("name").max_length,
            error_messages={"max_length": "Held by: at most %(limit_value)d characters (this has %(show_value)d)."},
        )


class ApiKeyChangeForm(_MessageForm):
    """Rotate or revoke: which key, and why."""

    key = forms.ModelChoiceField(queryset=None, error_messages={"required": KEY_CHOICE, "invalid_choice": KEY_CHOICE})
    rationale = forms.CharField(error_messages={"required": REASON_REQUIRED})

    def __init__(self, *args, api_key_model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].queryset = api_key_model.objects.all()
