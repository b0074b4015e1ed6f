from django import forms

from accounts.models import OFFICER_ROLES, User

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
