"""assistant.textnorm.normalize: a same-length matching form."""

from assistant.textnorm import normalize


def test_fullwidth_punctuation_and_digits_become_ascii():
    assert normalize("（一）存在不足：１２３，ＡＢ；！？") == "(一)存在不足:123,AB;!?"


def test_spaces_and_quotes():
    assert normalize("\u3000\u3000一是\u00a0“八五”普法") == "  一是 \"八五\"普法"


def test_traditional_structure_words_are_simplified():
    assert normalize("存在的問題和不足") == "存在的问题和不足"
    assert normalize("下一步工作計劃") == "下一步工作计划"
    assert normalize("鎮黨委") == "镇党委"


def test_length_is_preserved_and_ideographic_punctuation_kept():
    text = "2024年，吉昌镇在县委、县政府的坚强领导下。（完）\u3000ＡＢＣ"
    out = normalize(text)
    assert len(out) == len(text)
    assert "、" in out and "。" in out  # no ASCII twin: kept
    assert normalize(out) == out  # idempotent
