"""The server-rendered pages without a browser: sign-in, the home page per role, the header,
notifications, the Chinese 404 page and the assets served by the app."""

from django.contrib.staticfiles import finders

from notifications.models import Notification
from notifications.services import notify


def test_anonymous_visitors_are_sent_to_the_chinese_sign_in_page(client, db):
    response = client.get("/queue/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    page = client.get("/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode() and 'lang="zh-CN"' in page.content.decode()


def test_signing_in_lands_each_role_on_its_workbench(client, cast):
    for user in (cast.village_mediator_a, cast.town_officer_a, cast.county_officer):
        user.set_password("pw-123456")
        user.save()
    expected = {
        cast.village_mediator_a: "/queue/",
        cast.town_officer_a: "/inbox/",
        cast.county_officer: "/dashboard/",
    }
    for user, target in expected.items():
        client.logout()
        response = client.post("/login/", {"username": user.username, "password": "pw-123456"})
        assert response.status_code == 302
        assert client.get("/")["Location"] == target


def test_wrong_password_shows_an_error_in_chinese(client, cast):
    response = client.post("/login/", {"username": "town_officer_a", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_header_shows_name_role_and_unread_count(client, cast):
    notify(users=[cast.town_officer_a], kind="reminder", title="提醒一")
    notify(users=[cast.town_officer_a], kind="reminder", title="提醒二")
    client.force_login(cast.town_officer_a)
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="unread-count">2<' in html
    assert "彭镇·工作人员" in html
    assert "提醒一" in html and "提醒二" in html


def test_reading_all_notifications_clears_the_count(client, cast):
    notify(users=[cast.town_officer_a], kind="reminder", title="提醒一")
    client.force_login(cast.town_officer_a)
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=cast.town_officer_a, read_at=None).exists()
    assert 'data-testid="unread-count"' not in client.get("/notifications/").content.decode()


def test_opening_someone_elses_notification_is_404(client, cast):
    (theirs,) = notify(users=[cast.town_officer_b], kind="reminder", title="别人的")
    client.force_login(cast.town_officer_a)
    response = client.post(f"/notifications/{theirs.pk}/open/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_page_is_the_chinese_404(client, cast):
    client.force_login(cast.village_mediator_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在或您无权查看" in html and "返回首页" in html


def test_chart_and_htmx_libraries_are_served_by_the_app():
    assert finders.find("vendor/echarts/echarts.min.js")
    assert finders.find("vendor/htmx/htmx.min.js")
    assert finders.find("css/app.css")
