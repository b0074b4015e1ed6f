from django import forms


class AcknowledgementForm(forms.Form):
    """An officer records that an investor acknowledged a published disclosure."""

    # As Investor.reference; Django's CharField also refuses NUL characters, which PostgreSQL
    # cannot compare (the raw POST value reached the query and answered 500).
    investor = forms.CharField(max_length=64, label="Investor reference")
