from django import forms

from accounts.models import OFFICER_ROLES, User
from delivery.models import AttestingRole
from delivery.services import MAX_SITE_ACCELERATORS

MAX_CSV_BYTES = 20 * 1024 * 1024


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with a header: granularity, period_start, scheduled_gpu_hours, "
        "delivered_gpu_hours, availability_pct, benchmark_pct (product optional)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(f"At most {MAX_CSV_BYTES // (1024 * 1024)} MB per upload.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be UTF-8 text.")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=sorted(OFFICER_ROLES), is_active=True).order_by("username"),
        required=False,
        empty_label="(unassigned)",
    )


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class RationaleForm(forms.Form):
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class PolicyForm(forms.Form):
    auto_suspend_on_critical = forms.BooleanField(required=False, label="Suspend automatically on a critical incident")
    declared_obligation_gpu_hours = forms.DecimalField(
        required=False, min_value=0, max_digits=16, decimal_places=2, label="Declared obligation (GPU-hours)"
    )
    reference_price = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=4, label="Reference price per GPU-hour"
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (the pattern of Django's "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AttestationForm(forms.Form):
    """A capacity attestation received outside the API, typed in by an officer."""

    attested_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Attested on")
    attesting_party = forms.CharField(max_length=200, label="Attesting party")
    attesting_role = forms.ChoiceField(choices=AttestingRole.choices, label="Attesting role")
    sites = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Sites",
        help_text="One site per line: country, site id, accelerator model, accelerator count "
        "(e.g. DE, fra-1, H100 SXM5 80GB, 512).",
    )
    evidence = MultipleFileField(
        label="Evidence documents", help_text="The attestation letter and what it cites; 10 MB in all."
    )

    def clean_sites(self) -> list[dict]:
        sites, errors = [], []
        for number, line in enumerate(self.cleaned_data["sites"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",")]
            if len(parts) != 4:
                errors.append(f"Line {number}: give country, site id, accelerator model and count.")
                continue
            country, site_id, model, count = parts
            # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses, and
            # int() reads other scripts' digits ("٣"), which nobody types into an audit record.
            digits = count.lstrip("0")
            if not (count.isascii() and count.isdecimal()) or not digits:
                errors.append(f"Line {number}: the accelerator count must be a whole number above 0.")
                continue
            # The length first: int() refuses more than 4,300 digits with a ValueError.
            if len(digits) > len(str(MAX_SITE_ACCELERATORS)) or int(digits) > MAX_SITE_ACCELERATORS:
                errors.append(f"Line {number}: at most {MAX_SITE_ACCELERATORS} accelerators per site.")
                continue
            sites.append(
                {
                    "country": country.upper(),
                    "site_id": site_id,
                    "accelerator_model": model,
                    "accelerator_count": int(digits),
                }
            )
        if errors:
            raise forms.ValidationError(errors)
        if not sites:
            raise forms.ValidationError("Give at least one site.")
        return sites
