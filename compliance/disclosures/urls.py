from django.urls import path

from compliance.disclosures import views

app_name = "disclosures"
urlpatterns = [
    path("disclosures/", views.document_list, name="document_list"),
    path("disclosures/verify/", views.verify, name="verify"),
    path("disclosures/<int:pk>/", views.document_detail, name="document_detail"),
    path("disclosures/<int:pk>/preview/", views.document_html, name="document_html"),
    path("disclosures/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("disclosures/<int:pk>/publish/", views.document_publish, name="document_publish"),
    path("disclosures/<int:pk>/acknowledge/", views.document_acknowledge, name="document_acknowledge"),
    path("products/<str:symbol>/disclosures/render/", views.rendering_request, name="rendering_request"),
]
