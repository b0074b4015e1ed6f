from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "compliance.disclosures"
    label = "disclosures"
    verbose_name = "Risk disclosures"
