from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("credit/", views.credit_detail, name="credit-detail"),
    path("credit/freezes/<int:pk>/", views.freeze_detail, name="freeze-detail"),
]
