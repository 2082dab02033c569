"""`core.form_renderer.InputsInPython` renders the `<input>` widgets in Python (decision
0067): byte for byte what Django's `DjangoTemplates` renderer makes of its templates, for
every input widget, any attributes (true, false, numbers, text needing escaping, safe
strings) and values, and the forms of the booking pages as a whole."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicekontor.appointments.forms import ContactForm
from servicekontor.core.form_renderer import INPUT_TEMPLATES, InputsInPython
from servicekontor.core.forms import PlaceForm

HOSTILE = "<b>&amp; \"citat\" 'o' åäö</b>"
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.SearchInput,
    forms.TelInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.ColorInput,
    forms.CheckboxInput,
    forms.FileInput,
]
_TEXT = st.one_of(st.just(HOSTILE), st.text(max_size=15))
_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    _TEXT,
    _TEXT.map(mark_safe),
    st.tuples(st.integers(), _TEXT),
)
_ATTRS = st.dictionaries(st.sampled_from(["id", "class", "min", "x<y", "aria-invalid"]), _VALUE)


def test_every_input_template_is_an_input():
    """Each name is a widget template that only includes input.html (so it renders as it)."""
    renderer = DjangoTemplates()
    for name in INPUT_TEMPLATES - {"django/forms/widgets/input.html"}:
        source = renderer.get_template(name).template.source.strip()
        assert source == '{% include "django/forms/widgets/input.html" %}', name


@settings(max_examples=300, deadline=None)
@example(
    widget=forms.NumberInput,
    attrs={"min": 1, "max": 1.0, "step": 0, "required": True, "disabled": False, "x": ""},
    value=mark_safe(HOSTILE),
    name=HOSTILE,
    input_type=None,
)
@given(
    widget=st.sampled_from(WIDGETS),
    attrs=_ATTRS,
    value=_VALUE,
    name=st.one_of(st.just("q"), _TEXT),
    input_type=st.one_of(st.none(), st.sampled_from(["search", 'a"b'])),
)
def test_inputs_render_as_the_templates(widget, attrs, value, name, input_type):
    made = widget(attrs={"type": input_type} if input_type else None)
    old = made.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    new = made.render(name, value, attrs=attrs, renderer=InputsInPython())
    assert new == old


@settings(max_examples=100, deadline=None)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "q": _TEXT,
            "lat": st.sampled_from(["59,33", "91", "x", ""]),
            "lon": st.sampled_from(["18.07", "-181", "", HOSTILE]),
        },
    ),
    bound=st.booleans(),
)
def test_place_form_renders_as_before(data, bound):
    """The search form, bound or not, valid or with errors (aria-invalid, describedby)."""

    def html(renderer):
        form = PlaceForm(data if bound else None, renderer=renderer)
        form.is_valid()
        return [str(form[name]) for name in form.fields]

    assert html(InputsInPython()) == html(DjangoTemplates())


def test_other_widgets_still_render_from_their_templates():
    select = forms.Select(choices=[("1", HOSTILE), ("2", "b")])
    assert select.render("s", "1", renderer=InputsInPython()) == select.render(
        "s", "1", renderer=DjangoTemplates()
    )


def test_contact_form_renders_as_before(db):
    from tests.factories import make_service

    service = make_service(mode="both")
    for data in (None, {"name": HOSTILE, "email": "not an address", "phone": "12"}):

        def html(renderer, data=data):
            form = ContactForm(data, service=service, renderer=renderer)
            if data is not None:
                form.is_valid()
            return [str(form[name]) for name in form.fields]

        assert html(InputsInPython()) == html(DjangoTemplates())
