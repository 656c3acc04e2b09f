from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.to_sign, name="sign"),
    path("odbierz/", views.to_receive, name="receive_list"),
    path("archiwum/", views.archive, name="archive"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/wersje/<int:version_pk>/", views.version_download, name="version"),
    path("<int:pk>/odbierz/", views.receive, name="receive"),
    path("<int:pk>/komentarz/", views.comment, name="comment"),
    path("<int:pk>/akceptuj/", views.accept, name="accept"),
    path("<int:pk>/odrzuc/", views.reject, name="reject"),
    path("<int:pk>/podpisany/", views.upload_signed, name="upload_signed"),
]
