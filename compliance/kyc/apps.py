from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "compliance.kyc"
    label = "kyc"
    verbose_name = "KYC and KYB"

    def ready(self):
        from compliance.kyc.gates import issuer_kyb_blockers
        from products.gates import register_approval_gate

        register_approval_gate(issuer_kyb_blockers)
