from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "compliance.sanctions"
    label = "sanctions"
    verbose_name = "Sanctions lists and screening"
