"""A view's template context never takes a name the context processors give every page
(settings.TEMPLATES): base.html reads `messages` as Django's messages, `user` and `perms` as
the signed-in person, `request` as the request. A view that passed its own `messages` had
each received handover dumped raw into the message box, identity numbers included."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
GIVEN_TO_EVERY_PAGE = {
    "request",  # django.template.context_processors.request
    "user",  # django.contrib.auth.context_processors.auth
    "perms",
    "messages",  # django.contrib.messages.context_processors.messages
    "DEFAULT_MESSAGE_LEVELS",
    "LANGUAGES",  # django.template.context_processors.i18n
    "LANGUAGE_CODE",
    "LANGUAGE_BIDI",
    "csrf_token",  # the CSRF middleware's context processor
}
RENDERERS = {"render", "render_to_string", "TemplateResponse", "render_to_response"}
CONTEXT_NAMES = {"context", "ctx", "extra_context"}


def _keys(node: ast.expr) -> list[tuple[str, int]]:
    """The literal string keys of a dict display or of dict(…) keywords."""
    if isinstance(node, ast.Dict):
        return [
            (k.value, node.lineno)
            for k in node.keys
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [(kw.arg, node.lineno) for kw in node.keywords if kw.arg]
    return []


def context_keys(tree: ast.AST) -> list[tuple[str, int]]:
    """Keys of what reaches a template: the context argument of a render call, a dict
    assigned to a variable named like a context, `context[...] = …` and `context.update(…)`."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in RENDERERS:
                for arg in [*node.args[1:], *(kw.value for kw in node.keywords)]:
                    found += _keys(arg)
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "update"
                and isinstance(func.value, ast.Name)
                and func.value.id in CONTEXT_NAMES
            ):
                for arg in node.args:
                    found += _keys(arg)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in CONTEXT_NAMES:
                    found += _keys(node.value)
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in CONTEXT_NAMES
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    found.append((target.slice.value, node.lineno))
    return found


def test_context_keys__finds_each_way_a_context_is_built():
    code = (
        "context = {'messages': []}\n"
        "render(request, 't.html', {'user': u})\n"
        "context['perms'] = 1\n"
        "context.update(dict(request=r))\n"
        "data = {'messages': []}\n"  # not a template's context
    )
    keys = sorted(k for k, _ in context_keys(ast.parse(code)))
    assert keys == ["messages", "perms", "request", "user"]


def test_no_view_hides_what_every_page_is_given():
    hidden = []
    files = [p for p in SOURCE.rglob("*.py") if "tests" not in p.parts]
    assert len(files) > 100
    for path in files:
        for key, line in context_keys(ast.parse(path.read_text(encoding="utf-8"))):
            if key in GIVEN_TO_EVERY_PAGE:
                hidden.append(f"{path.relative_to(SOURCE)}:{line} {key}")
    assert hidden == []
