from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/<slug:action>/", views.incident_action, name="incident_action"),
    path("products/<str:symbol>/upload/", views.upload_csv, name="upload_csv"),
    path("products/<str:symbol>/policy/", views.policy_edit, name="policy_edit"),
    path("products/<str:symbol>/attestations/new/", views.attestation_new, name="attestation_new"),
    path("notifications/", views.notifications, name="notifications"),
]
