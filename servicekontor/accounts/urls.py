from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from servicekontor.accounts import views
from servicekontor.core.rate_limits import rate_limited


def _rate_login() -> str:
    """ACCOUNTS_RATE_LOGIN: login posts per client IP, over all user names ("30/m").

    django-axes locks one user name from one address after a few wrong passwords; this limit
    stops one address from trying many user names."""
    return str(getattr(settings, "ACCOUNTS_RATE_LOGIN", "30/m"))


app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        rate_limited(_rate_login, method="POST")(auth_views.LoginView.as_view()),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<id:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
]
