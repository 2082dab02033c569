"""Swedish order (walk F13): Å, Ä, Ö last, case and other accents not deciding."""

from servicekontor.core.collation import swedish_key


def test_swedish_order__å_ä_ö_last_in_that_order():
    names = ["Örebro", "Ånge", "askersund", "Älvsbyn", "Boden", "Åsele", "Zinkgruvan", "Eslöv"]
    assert sorted(names, key=swedish_key) == [
        "askersund",
        "Boden",
        "Eslöv",
        "Zinkgruvan",
        "Ånge",
        "Åsele",
        "Älvsbyn",
        "Örebro",
    ]


def test_swedish_order__other_accents_with_their_letter():
    assert sorted(["Eskilstuna", "Évian", "Ekerö"], key=swedish_key) == [
        "Ekerö",
        "Eskilstuna",
        "Évian",
    ]
