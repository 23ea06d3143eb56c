from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("schools.urls")),
    path("accounts/", include("accounts.urls")),
    path("concerns/", include("concerns.urls")),
    path("referrals/", include("referrals.urls")),
    path("oversight/", include("oversight.urls")),
    path("audit/", include("audit.urls")),
]

if settings.BENCH:
    from safeguard.timing import floor

    urlpatterns += [path("bench/floor/", floor, name="bench_floor")]
