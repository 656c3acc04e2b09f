from .claims.urls import urlpatterns as claim_urls
from .pages.urls import urlpatterns as page_urls

app_name = "fleet"

urlpatterns = [*page_urls, *claim_urls]
