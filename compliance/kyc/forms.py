"""Web forms of the KYC app. Validation of the records themselves lives in the services."""

from django import forms

from compliance.kyc.models import InvestorCategory, RelationRole


class PersonForm(forms.Form):
    """The fields of a natural person, shared by the forms that register one."""

    name = forms.CharField(max_length=300, label="Full name")
    birth_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date of birth")
    nationalities = forms.CharField(
        required=False, max_length=100, help_text="ISO 3166 alpha-2 codes, separated by commas (e.g. FR, DE)."
    )
    residence_country = forms.CharField(max_length=2, label="Country of residence", help_text="ISO 3166 alpha-2.")

    def clean_nationalities(self) -> list[str]:
        return [code.strip().upper() for code in self.cleaned_data["nationalities"].split(",") if code.strip()]

    def clean_residence_country(self) -> str:
        return self.cleaned_data["residence_country"].strip().upper()


class RelatedPersonForm(PersonForm):
    """A natural person who owns (25% or more) or directs an entity."""

    role = forms.ChoiceField(choices=RelationRole.choices)
    ownership_pct = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        label="Ownership %",
        help_text="Required for a beneficial owner (25 or more).",
    )
    field_order = ["name", "role", "ownership_pct"]


class InvestorRegistrationForm(PersonForm):
    """A natural person who trades, registered by an officer (entities go through the API)."""

    reference = forms.CharField(max_length=64, help_text="The identifier exchanges put in their orders.")
    category = forms.ChoiceField(choices=InvestorCategory.choices)
    category_evidence = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="What the categorization rests on."
    )
    category_assessed_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Category assessed on"
    )
    order_notional_limit = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=20,
        decimal_places=2,
        help_text="Largest notional per order; empty means no investor-specific limit.",
    )
    order_limit_currency = forms.CharField(max_length=3, initial="USD", label="Limit currency")

    def clean_order_limit_currency(self) -> str:
        return self.cleaned_data["order_limit_currency"].strip().upper()
