"""`{% fixed_url %}` and `{% fixed_static %}` (decision 0067) remember `{% url %}` and
`{% static %}` per process: the site's frame (base.html) must render byte for byte as it did
with Django's tags (`OLD_BASE`, the reference), in each language, signed in or not, under a
script prefix, and forget what it remembered when the URLs or static settings change."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import engines
from django.test import RequestFactory, override_settings
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation

from servicekontor.core.templatetags import fixed_urls
from tests.factories import make_user

OLD_BASE = """{% load i18n static %}<!doctype html>
{% get_current_language as LANGUAGE_CODE %}
<html lang="{{ LANGUAGE_CODE }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% translate "Service offices" %}{% endblock %} · servicekontor</title>
  <link rel="icon" href="{% url 'favicon' %}" sizes="32x32">
  <link rel="icon" href="{% static 'core/favicon.svg' %}" type="image/svg+xml">
  <link rel="stylesheet" href="{% static 'core/site.css' %}">
  {% block extra_head %}{% endblock %}
</head>
<body class="{% block body_class %}{% endblock %}">
  <a class="skip-link" href="#main">{% translate "Skip to content" %}</a>
  {% block header %}
  <header class="site-header">
    <a class="brand" href="{% url 'public:finder' %}">{% translate "Government service offices" %}</a>
    <nav aria-label="{% translate 'Main' %}">
      <ul>
        <li><a href="{% url 'public:finder' %}">{% translate "Find an office" %}</a></li>
        {% if user.is_authenticated %}
          <li><a href="{% url 'accounts:home' %}">{% translate "Staff" %}</a></li>
          <li>
            <form method="post" action="{% url 'accounts:logout' %}" class="inline">
              {% csrf_token %}
              <button type="submit" class="link">{% translate "Sign out" %} ({% firstof user.get_full_name user.get_username %})</button>
            </form>
          </li>
        {% else %}
          <li><a href="{% url 'accounts:login' %}">{% translate "Staff sign-in" %}</a></li>
        {% endif %}
      </ul>
    </nav>
    <form class="language" method="post" action="{% url 'set_language' %}">
      {% csrf_token %}
      <input type="hidden" name="next" value="{{ request.get_full_path }}">
      {% get_available_languages as LANGUAGES %}
      {% for code, name in LANGUAGES %}
        {% if code != LANGUAGE_CODE %}
          {% get_language_info for code as lang %}
          <button type="submit" name="language" value="{{ code }}" lang="{{ code }}">{{ lang.name_local|capfirst }}</button>
        {% endif %}
      {% endfor %}
    </form>
  </header>
  {% endblock %}
  <main id="main" tabindex="-1">
    {% if messages %}
      {# Not a <ul role="status">: the role would take the list's semantics from its items. #}
      <div class="messages">
        {% for message in messages %}<p class="message {{ message.tags }}" role="{% if message.level >= 40 %}alert{% else %}status{% endif %}">{{ message }}</p>{% endfor %}
      </div>
    {% endif %}
    {% block content %}{% endblock %}
  </main>
  {% block footer %}
  <footer class="site-footer">
    <p>{% translate "Place data from GeoNames (CC BY 4.0)." %} <a href="{% url 'api-docs' %}">{% translate "Open data API" %}</a></p>
  </footer>
  {% endblock %}
  {% block scripts %}{% endblock %}
</body>
</html>
"""

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _render(source: str, user, language: str, path: str) -> str:
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    with translation.override(language):
        html = engines["django"].from_string(source).render({}, request)
    return _TOKEN.sub("token", str(html))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("prefix", ["/", "/kontor/"])
def test_frame_renders_as_with_the_url_and_static_tags(language, signed_in, prefix):
    user = make_user() if signed_in else AnonymousUser()
    page = '{% extends "base.html" %}{% block content %}x{% endblock %}'
    try:
        set_script_prefix(prefix)
        for _ in range(2):  # the second time from what was remembered
            new = _render(page, user, language, "/book/?q=<a>&b=1")
            old = _render(
                OLD_BASE.replace("{% block content %}{% endblock %}", "x"),
                user,
                language,
                "/book/?q=<a>&b=1",
            )
            assert new == old
        assert f'href="{prefix}' in new
    finally:
        clear_script_prefix()


def test_language_and_prefix_are_in_the_key():
    html = engines["django"].from_string("{% load fixed_urls %}{% fixed_url 'public:finder' %}")
    with translation.override("en"):
        english = html.render({})
    with translation.override("sv"):
        swedish = html.render({})
    assert english != swedish
    assert english.startswith("/en/") or swedish.startswith("/sv/")


def test_settings_changes_forget_what_was_remembered(settings):
    html = engines["django"].from_string("{% load fixed_urls %}{% fixed_static 'core/site.css' %}")
    before = html.render({})
    with override_settings(STATIC_URL="/elsewhere/"):
        assert html.render({}).startswith("/elsewhere/")
    assert html.render({}) == before
    assert fixed_urls._static.cache_info().currsize >= 1


@pytest.mark.parametrize("language", ["sv", "en"])
def test_with_arguments_as_the_url_tag(language):
    """An office's code and a service's id, as `{% url %}` reverses them."""
    engine = engines["django"]
    context = {"code": "kiruna", "pk": 7, "agency": "skv"}
    for old, new in (
        ("{% url 'queueing:kiosk' code %}", "{% fixed_url 'queueing:kiosk' code %}"),
        (
            "{% url 'queueing:agency' code agency %}",
            "{% fixed_url 'queueing:agency' code agency %}",
        ),
        ("{% url 'appointments:times' pk code %}", "{% fixed_url 'appointments:times' pk code %}"),
    ):
        with translation.override(language):
            expected = engine.from_string("{% load fixed_urls %}" + old).render(context)
            for _ in range(2):
                assert engine.from_string("{% load fixed_urls %}" + new).render(context) == expected
