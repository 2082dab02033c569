import importlib.util
import struct
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _script():
    spec = importlib.util.spec_from_file_location("make_favicon", ROOT / "scripts/make_favicon.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_favicon__served_at_the_root(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", response.content[:6])
    assert (reserved, kind, count) == (0, 1, 1)  # an ICO with one image
    assert response.content[22:30] == b"\x89PNG\r\n\x1a\n"  # 32×32 PNG inside


def test_favicon__committed_files_are_what_the_script_draws():
    script = _script()
    static = ROOT / "servicekontor/core/static/core"

    assert (static / "favicon.ico").read_bytes() == script.ico(script.png())
    assert (static / "favicon.svg").read_text(encoding="utf-8") == script.svg()


@pytest.mark.django_db  # the finder on "/" lists the agencies offered (walk F3)
def test_favicon__linked_from_every_page(client):
    html = client.get("/").content.decode()

    assert 'rel="icon" href="/favicon.ico"' in html
    assert "favicon.svg" in html
