from django import forms

from lodestar.core.forms import LongSelect


class _Form(forms.Form):
    zone = forms.ChoiceField(
        choices=[("UTC", "UTC"), ("A/<b>", "A & <b>"), ("Europe/Paris", "Europe/Paris")],
        widget=LongSelect,
    )


def test_long_select_renders_like_a_select_with_escaping():
    html = str(_Form(initial={"zone": "Europe/Paris"})["zone"])
    assert html.startswith('<select id="id_zone" name="zone">')
    assert '<option value="Europe/Paris" selected>Europe/Paris</option>' in html
    assert '<option value="A/&lt;b&gt;">A &amp; &lt;b&gt;</option>' in html
    assert html.count(" selected") == 1


def test_long_select_keeps_the_posted_value_and_error_attributes():
    form = _Form({"zone": "Mars"})
    assert not form.is_valid()
    html = str(form["zone"])
    assert "selected" not in html and 'name="zone"' in html
