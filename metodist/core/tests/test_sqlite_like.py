from metodist.core.sqlite import _like


def test_like_folds_cyrillic_case_and_keeps_wildcards():
    assert _like("%аничк%", "Аничкова")
    assert _like("%АНИЧК%", "аничкова")
    assert not _like("%бор%", "Аничкова")
    assert _like("а_ич%", "Аничкова")
    assert _like("%100\\%%", "скидка 100%", "\\")
    assert not _like("%100\\%%", "скидка 1000", "\\")
    assert _like(None, "x") is None
