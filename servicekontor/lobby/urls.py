from django.urls import path

from servicekontor.lobby import views

app_name = "lobby"
urlpatterns = [
    path("<slug:office_code>/", views.display, name="display"),
    path("<slug:office_code>/board/", views.board, name="board"),
]
