from django.urls import path

from compliance.eligibility import api

urlpatterns = [
    path("screenings", api.ScreeningView.as_view(), name="screening"),
    path("screenings/batch", api.ScreeningBatchView.as_view(), name="screening-batch"),
    path("screenings/<str:decision_id>", api.ScreeningDecisionView.as_view(), name="screening-decision"),
]
