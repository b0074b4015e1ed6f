from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<str:symbol>/", views.product_detail, name="product_detail"),
    path("products/<str:symbol>/edit/", views.product_edit, name="product_edit"),
    path("products/<str:symbol>/file/", views.filing_for_product, name="filing_for_product"),
    path("products/<str:symbol>/apply/", views.application_create, name="application_create"),
    path("filings/new/", views.filing_start, name="filing_start"),
    path("filings/<int:pk>/<slug:step>/", views.filing_step, name="filing_step"),
    path("applications/", views.application_list, name="application_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("listings/", views.listing_list, name="listing_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("applications/<int:pk>/rerun-checks/", views.application_rerun_checks, name="application_rerun_checks"),
    path("applications/<int:pk>/<slug:action>/", views.application_action, name="application_action"),
]
