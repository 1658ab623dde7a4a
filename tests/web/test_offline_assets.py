"""The installable app's parts: the service worker at the root scope, the manifest with its
Chinese name and PNG icons, and the two lines of the base page that load them."""

import json
from pathlib import Path

from django.conf import settings
from PIL import Image

STATIC = Path(settings.BASE_DIR) / "static"


def test_the_service_worker_is_served_at_the_root(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b"OFFLINE_PAGES" in response.content
    assert client.post("/sw.js").status_code == 405


def test_the_manifest_names_the_app_in_chinese_with_png_icons():
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "矛盾纠纷调解" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        with Image.open(STATIC / icon["src"]) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_every_page_links_the_manifest_and_the_offline_script(client, cast):
    client.force_login(cast.grid_worker_a)
    html = client.get("/queue/").content.decode()
    assert 'rel="manifest"' in html and "js/offline.js" in html
    assert "data-outbox" in html


def test_every_page_links_its_icon_so_no_browser_asks_for_a_missing_favicon(client, db):
    # Without a <link rel="icon">, every browser asks for /favicon.ico: a 404 on each page.
    html = client.get("/login/").content.decode()
    for rel, name in (("icon", "icon-192.png"), ("apple-touch-icon", "apple-touch-icon.png")):
        assert f'<link rel="{rel}" href="{settings.STATIC_URL}icons/{name}"' in html
        assert (STATIC / "icons" / name).is_file()
