from django.urls import path

from . import limit, reviews, views

urlpatterns = [
    path("", limit.home, name="home"),
    path("credit/", limit.credit_detail, name="credit-detail"),
    path("credit/freezes/<int:pk>/", limit.freeze_detail, name="freeze-detail"),
    path("credit/freezes/<int:pk>/review/", limit.review_from_freeze, name="review-from-freeze"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("appeals/new/<int:freeze_id>/", views.appeal_create, name="appeal-create"),
    path("appeals/export.json", views.appeal_history_export, name="appeal-export"),
    path("appeals/<str:reference>/", views.appeal_detail, name="appeal-detail"),
    path("appeals/<str:reference>/reply/", views.appeal_resubmit, name="appeal-resubmit"),
    path("appeals/<str:reference>/withdraw/", views.appeal_withdraw, name="appeal-withdraw"),
    path("appeals/<str:reference>/review/", views.review_from_appeal, name="review-from-appeal"),
    path("reviews/<str:code>/", reviews.review_detail, name="review-detail"),
    path("appeals/<str:reference>/evidence/<int:pk>/image/", views.evidence_file, {"variant": "image"},
         name="evidence-image"),
    path("appeals/<str:reference>/evidence/<int:pk>/thumb/", views.evidence_file, {"variant": "thumb"},
         name="evidence-thumb"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("help/", views.help_page, name="help"),
]
