from django.urls import path

from compliance.sanctions import views

app_name = "sanctions"

urlpatterns = [
    path("hits/", views.hit_list, name="hit_list"),
    path("hits/<int:pk>/", views.hit_detail, name="hit_detail"),
    path("hits/<int:pk>/<str:action>/", views.hit_action, name="hit_action"),
]
