from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("files/<uuid:uuid>/", views.file_detail, name="file"),
    path("files/<uuid:uuid>/keep/", views.keep, name="keep"),
    path("files/<uuid:uuid>/hold/", views.hold, name="hold"),
    path("files/<uuid:uuid>/dispose/", views.dispose, name="dispose"),
    path("disposals/", views.certificates, name="certificates"),
    path("disposals/<uuid:uuid>/", views.disposal_detail, name="disposal"),
    path("disposals/<uuid:uuid>/confirm/", views.disposal_confirm, name="disposal_confirm"),
    path("disposals/<uuid:uuid>/withdraw/", views.disposal_withdraw, name="disposal_withdraw"),
    path("holds/<uuid:uuid>/lift/", views.lift, name="lift"),
    path("school-holds/", views.school_holds, name="school_holds"),
]
