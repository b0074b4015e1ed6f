from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "compliance.rules"
    label = "rules"
    verbose_name = "Jurisdiction rules"

    def ready(self):
        from compliance.rules.gates import rules_approval_gate
        from products.gates import register_approval_gate

        register_approval_gate(rules_approval_gate)
