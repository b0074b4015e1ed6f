from django.urls import path

from compliance.rules import views

app_name = "rules"

urlpatterns = [
    path("packs/", views.pack_list, name="pack_list"),
    path("packs/<int:pk>/", views.pack_detail, name="pack_detail"),
    path("packs/<str:jurisdiction>/diff/", views.pack_diff, name="pack_diff"),
    path("findings/<int:pk>/override/", views.finding_override, name="finding_override"),
]
