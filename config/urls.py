from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from compliance.disclosures import api as disclosures_api
from compliance.kyc import api as kyc_api
from compliance.rules import api as rules_api
from compliance.sanctions import api as sanctions_api
from delivery import api as delivery_api
from products import api as products_api
from products import views as products_views

router = DefaultRouter(trailing_slash=True)
router.register("issuers", products_api.IssuerViewSet, basename="issuer")
router.register("products", products_api.ProductViewSet, basename="product")
router.register("applications", products_api.ApplicationViewSet, basename="application")
router.register("venues", products_api.VenueViewSet, basename="venue")
router.register("listings", products_api.ListingViewSet, basename="listing")
router.register("delivery-incidents", delivery_api.IncidentViewSet, basename="delivery-incident")
router.register("sla-periods", delivery_api.SlaPeriodViewSet, basename="sla-period")
router.register("parties", kyc_api.PartyViewSet, basename="party")
router.register("investors", kyc_api.InvestorViewSet, basename="investor")
router.register("kyc-cases", kyc_api.CaseViewSet, basename="kyc-case")
router.register("sanctions/hits", sanctions_api.HitViewSet, basename="sanctions-hit")
router.register("sanctions/versions", sanctions_api.ListVersionViewSet, basename="sanctions-version")
router.register("rule-runs", rules_api.RuleRunViewSet, basename="rule-run")
router.register("rule-packs", rules_api.RulePackViewSet, basename="rule-pack")
router.register("disclosures", disclosures_api.DisclosureViewSet, basename="disclosure")
router.register("disclosure-renderings", disclosures_api.DisclosureRenderingViewSet, basename="disclosure-rendering")

urlpatterns = [
    path("", products_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("products.urls")),
    path("audit/", include("compliance.audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("rules/", include("compliance.rules.urls")),
    path("", include("compliance.disclosures.urls")),
    path("admin/", admin.site.urls),
    path("kyc/", include("compliance.kyc.urls")),
    path("sanctions/", include("compliance.sanctions.urls")),
    path("api/v1/sanctions/screen", sanctions_api.ScreenView.as_view(), name="sanctions-screen"),
    path("api/v1/", include("compliance.eligibility.urls")),
    path("delivery/", include("delivery.urls")),
    path("api/v1/delivery-reports", delivery_api.DeliveryReportView.as_view(), name="delivery-reports"),
    path(
        "api/v1/capacity-attestations",
        delivery_api.CapacityAttestationView.as_view(),
        name="capacity-attestations",
    ),
    path(
        "api/v1/disclosures/<int:pk>/acknowledgements",
        disclosures_api.DisclosureAcknowledgementsWithoutSlash.as_view(
            {"get": "acknowledgements", "post": "acknowledgements"}
        ),
        name="disclosure-acknowledgements-without-slash",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "config.error_views.bad_request"
handler404 = "config.error_views.not_found"
handler500 = "config.error_views.internal_error"
