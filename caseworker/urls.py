from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from cases.views.home import home
from caseworker import views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.profile, name="profile"),
    path("account/tokens/", account_views.token_create, name="token-create"),
    path(
        "account/tokens/<uuid:public_id>/revoke/",
        account_views.token_revoke,
        name="token-revoke",
    ),
    path("account/two-factor/", account_views.two_factor_step, name="two-factor"),
    path(
        "account/recovery-codes/",
        account_views.recovery_codes_replace,
        name="recovery-codes-replace",
    ),
    path("account/logout-everywhere/", account_views.logout_everywhere, name="logout-everywhere"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/"),
        name="password_change",
    ),
    path(
        "account/password/reset/",
        account_views.PasswordReset.as_view(),
        name="password_reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("audit/", include("audit.urls")),
    path("notifications/", account_views.notifications, name="notifications"),
    path("notifications/read/", account_views.notifications_read, name="notifications-read"),
    path("cases/", include("cases.urls")),
    path("agencies/", include("agencies.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("caseworker.api_urls")),
    path("admin/", admin.site.urls),
]
