from django.urls import path

from compliance.kyc import views

app_name = "kyc"

urlpatterns = [
    path("parties/", views.party_list, name="party_list"),
    path("investors/new/", views.investor_register, name="investor_register"),
    path("parties/<int:pk>/", views.party_detail, name="party_detail"),
    path("parties/<int:pk>/open-case/", views.case_open, name="case_open"),
    path("parties/<int:pk>/owners-and-directors/new/", views.party_add_person, name="party_add_person"),
    path("issuers/<int:issuer_pk>/open-kyb-case/", views.issuer_kyb_open, name="issuer_kyb_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="case_action"),
]
