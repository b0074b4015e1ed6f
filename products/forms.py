import re
from dataclasses import dataclass

from django import forms

from products.models import ComputeProduct, DocumentType, Issuer, ProductType
from products.selectors import TERM_FIELDS
from products.validators import code_as_stored


class CodeListField(forms.CharField):
    """Comma- or space-separated codes, upper-cased: 'us, gb' -> ['US', 'GB']."""

    def to_python(self, value):
        value = super().to_python(value)
        return [code_as_stored(code.strip()) for code in value.replace(",", " ").split() if code.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


# The country code, then a space or a colon, then the site id (which may itself hold colons or
# spaces: "US aws:us-east-1:use1-az4" is the site "aws:us-east-1:use1-az4" in the US).
_SITE_LINE = re.compile(r"([^\s:]+)\s*[\s:]\s*(\S.*)")


class SiteListField(forms.CharField):
    """One site per line as 'COUNTRY site-id' (or 'COUNTRY:site-id'), e.g. 'US us-east-dc2'.

    The sites are checked by the model (site id length and characters, repeats, count), as
    the API's are."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value)
        sites = []
        for number, line in enumerate(value.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _SITE_LINE.fullmatch(line)
            if match is None:
                raise forms.ValidationError(f"Line {number}: write the country code, a space, then the site id.")
            sites.append({"country": code_as_stored(match[1]), "site_id": match[2].strip()})
        return sites

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{s.get('country', '')} {s.get('site_id', '')}" for s in value if isinstance(s, dict))
        return value


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProductForm(forms.ModelForm):
    delivery_regions = CodeListField(help_text="ISO 3166 alpha-2 codes, e.g. US, DE")
    delivery_sites = SiteListField(help_text="One per line: country code and site id, e.g. 'US iad-2'")
    jurisdictions = CodeListField(help_text="Where it is offered: ISO 3166 alpha-2 codes or EU")
    requested_venues = CodeListField(required=False, help_text="ISO 10383 MICs, e.g. XCME")

    class Meta:
        model = ComputeProduct
        fields = [f for f in TERM_FIELDS if f != "quantity_unit"]
        widgets = {
            "delivery_start": DATETIME_WIDGET,
            "delivery_end": DATETIME_WIDGET,
            "last_attestation_date": forms.DateInput(attrs={"type": "date"}),
            "sla_measurement_method": forms.Textarea(attrs={"rows": 3}),
            "index_methodology": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_settlement_currency(self):
        # Read leniently, as the code lists above: "usd" is taken as "USD".
        return code_as_stored(self.cleaned_data["settlement_currency"].strip())


class RationaleForm(forms.Form):
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class NoteForm(forms.Form):
    rationale = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False)


# --- the step-by-step filing form ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]
    intro: str = ""


STEPS = (
    Step(
        "instrument",
        "Instrument & accelerator",
        ("symbol", "name", "product_type", "accelerator_vendor", "accelerator_model", "accelerator_memory_gb"),
        "What the instrument is and which accelerator one unit of compute runs on.",
    ),
    Step(
        "delivery",
        "Quantity, lot & delivery",
        (
            "contract_size",
            "lot_size",
            "minimum_order",
            "position_limit",
            "delivery_start",
            "delivery_end",
            "delivery_regions",
            "delivery_sites",
            "provider_name",
            "provider_lei",
        ),
        "How much compute one contract is, how it trades, and where and when it is delivered.",
    ),
    Step(
        "sla",
        "SLA & remedies",
        (
            "sla_availability_pct",
            "sla_performance_floor_pct",
            "sla_reference_benchmark",
            "sla_measurement_method",
            "remedy_credit_pct",
            "remedy_make_whole",
            "remedy_substitution",
        ),
        "The service level promised to the holder and what the holder gets when delivery falls short.",
    ),
    Step(
        "settlement",
        "Settlement & collateral",
        (
            "settlement_type",
            "reference_index",
            "index_administrator",
            "index_methodology",
            "settlement_currency",
            "collateral_pct",
            "collateral_custodian",
            "last_attestation_date",
            "attestation_max_age_days",
            "token_network",
            "token_standard",
            "token_contract",
        ),
        "How the contract settles, what secures it, and (for tokenized credits) where the token lives. "
        "Index fields are needed for cash settlement only; token fields for tokenized credits only.",
    ),
    Step(
        "distribution",
        "Distribution & venues",
        ("target_market", "jurisdictions", "requested_venues"),
        "Who may buy it, where it is offered, and on which venues it should list.",
    ),
    Step("review", "Review & submit", (), "Check the terms, attach supporting documents and submit."),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
DATA_STEPS = tuple(step for step in STEPS if step.fields)


def step_of_field(name: str) -> Step | None:
    return next((step for step in DATA_STEPS if name in step.fields), None)


class TermsStepForm(forms.Form):
    """One step's fields, taken from ProductForm so that parsing and help texts stay identical.

    Validation that needs every term (the model's `clean`) runs on the whole product in the
    view, which attaches its messages to this step's fields.
    """

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        full = ProductForm()
        for name in step.fields:
            self.fields[name] = full.fields[name]

    def raw_data(self) -> dict[str, str]:
        """The input as typed, to keep in a draft and bind again later (JSON-safe)."""
        raw = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.BooleanField):
                raw[name] = "on" if self.cleaned_data.get(name) else ""
            else:
                raw[name] = self.data.get(self.add_prefix(name), "")
        return raw


class DocumentUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label="Document type", choices=DocumentType.choices)
    file = forms.FileField(help_text="PDF, PNG or JPEG, up to 10 MB.")


# --- queue filters ---------------------------------------------------------------------------

AGE_CHOICES = [("", "Any age"), ("1", "Over 1 day"), ("3", "Over 3 days"), ("7", "Over 7 days"), ("30", "Over 30 days")]
SORT_CHOICES = [
    ("oldest", "Waiting longest"),
    ("newest", "Most recent change"),
    ("symbol", "Product symbol"),
    ("issuer", "Issuer"),
    ("state", "State"),
    ("number", "Application number"),
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Symbol, name, issuer or #number")
    state = forms.ChoiceField(required=False)
    jurisdiction = forms.CharField(required=False, max_length=2, help_text="e.g. US, EU")
    issuer = forms.ModelChoiceField(queryset=Issuer.objects.none(), required=False, empty_label="All issuers")
    product_type = forms.ChoiceField(
        label="Product type", required=False, choices=[("", "All types"), *ProductType.choices]
    )
    age = forms.ChoiceField(label="Waiting", required=False, choices=AGE_CHOICES)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def __init__(self, *args, issuers, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        self.fields["state"].choices = [("", "All states"), *states]

    def clean_jurisdiction(self):
        return self.cleaned_data["jurisdiction"].strip().upper()
