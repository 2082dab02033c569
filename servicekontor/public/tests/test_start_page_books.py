"""Walk F15: the start page had no way to book (sv or en); booking was reachable only from an
office's page. It links the booking's first step, and says a video meeting is booked there."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "words", "video"),
    [("/", "Boka tid", "videomöte"), ("/en/", "Book an appointment", "video meeting")],
)
def test_start_page__links_booking(client: Client, prefix: str, words: str, video: str) -> None:
    html = client.get(prefix).content.decode()
    book = "/book/" if prefix == "/" else "/en/book/"
    assert f'<a href="{book}" class="button">{words}</a>' in html
    assert video in html
