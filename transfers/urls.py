from transfers.views import receiving, sending

app_name = "transfers"

urlpatterns = [*sending.urlpatterns, *receiving.urlpatterns]
