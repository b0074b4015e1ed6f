"""Web forms of the KYC app. Validation of the records themselves lives in the services."""

from django import forms

from compliance.kyc.models import InvestorCategory


class InvestorRegistrationForm(forms.Form):
    """A natural person who trades, registered by an officer (entities go through the API)."""

    name = forms.CharField(max_length=300, label="Full name")
    birth_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date of birth")
    nationalities = forms.CharField(
        required=False, max_length=100, help_text="ISO 3166 alpha-2 codes, separated by commas (e.g. FR, DE)."
    )
    residence_country = forms.CharField(max_length=2, label="Country of residence", help_text="ISO 3166 alpha-2.")
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

    def clean_nationalities(self) -> list[str]:
        return [code.strip().upper() for code in self.cleaned_data["nationalities"].split(",") if code.strip()]

    def clean_residence_country(self) -> str:
        return self.cleaned_data["residence_country"].strip().upper()

    def clean_order_limit_currency(self) -> str:
        return self.cleaned_data["order_limit_currency"].strip().upper()
