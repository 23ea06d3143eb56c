from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("schools.urls")),
    path("", include("accounts.people_urls")),
    path("accounts/", include("accounts.urls")),
    # The front door, concerns/ and audit/ (casework/urls.py).
    path("", include("casework.urls")),
    path("referrals/", include("referrals.urls")),
    path("oversight/", include("oversight.urls")),
    path("transfers/", include("transfers.urls")),
    path("retention/", include("retention.urls")),
    path("subject-access/", include("subject_access.urls")),
]

if settings.BENCH:
    urlpatterns += [path("bench/", include("bench.urls"))]
