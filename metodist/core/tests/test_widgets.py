from metodist.core.widgets import FastSelect


def test_fast_select_marks_the_selected_option_and_escapes_labels():
    widget = FastSelect(attrs={"class": "form-select"}, choices=[("", "все"), (1, "Школа <А>"), (2, "Школа Б")])
    html = widget.render("organisation", "1", attrs={"id": "id_organisation"})
    assert html.startswith('<select class="form-select" id="id_organisation" name="organisation">')
    assert '<option value="1" selected>Школа &lt;А&gt;</option>' in html
    assert '<option value="2">Школа Б</option>' in html
    assert '<option value="">все</option>' in html
