from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("concerns/<uuid:uuid>/new/", views.referral_new, name="new"),
    path("concerns/<uuid:uuid>/pdf/", views.concern_pdf, name="concern_pdf"),
    path("exports/<uuid:uuid>/download/", views.export_download, name="export_download"),
    path("<uuid:uuid>/", views.referral_detail, name="detail"),
    path("<uuid:uuid>/confirmed/", views.referral_confirm, name="confirm"),
    path("<uuid:uuid>/feedback/", views.referral_feedback, name="feedback"),
    path("<uuid:uuid>/contacts/", views.referral_contact, name="contact"),
]
