"""Where imapp wraps text itself (the two-line summaries of app cards and news rows): no line starts
with a closing mark such as "，" or "。" (nor ends with an opening one), and a Latin word is not cut
where a space lets the line end before it."""

import pytest
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from appstore.ui import texts

SUMMARIES = [
    "多家银行联合放贷时，每笔还款都必须按份额精确到分地清算给各家银行，并且每家银行都能自己核对结果。",
    "公平骰子让每一次掷骰都可以被证明是公平的：掷骰之前，应用先公布秘密种子的 SHA-256 作为承诺。",
    "整车厂欠一级供应商 100 万元。使用供应链数字票据，整车厂签发的应付账款可以拆分并逐级流转。",
    "（测试）“引号”里的字《书名》【标注】会在行首或行尾出现吗？不会。",
    "Split a syndicated loan's repayments between banks, on a ledger every bank can check.",
]


@pytest.mark.parametrize("text", SUMMARIES)
def test_no_line_starts_with_a_closing_mark(qapp: QApplication, text: str) -> None:
    font = QFont()
    font.setPixelSize(12)
    fm = QFontMetrics(font)
    for width in range(60, 420, 3):  # every width a narrow or wide card can have
        lines = texts.two_lines(text, fm, width)
        assert 1 <= len(lines) <= 2
        assert lines[0] and fm.horizontalAdvance(lines[0]) <= width
        if len(lines) == 2:
            assert lines[1][0] not in texts.NO_LINE_START, (width, lines)
            assert lines[0][-1] not in texts.NO_LINE_END, (width, lines)
            assert lines[1].rstrip("…") not in ("。", "，", "")  # no lone mark on a line


def test_line_ends() -> None:
    def split(text: str, fits: int) -> tuple[str, str]:
        cut = texts.line_end(text, fits)
        return text[:cut], text[cut:]

    assert split("多家银行联合放贷时，每笔", 9) == ("多家银行联合放贷", "时，每笔")  # "，" stays with 时
    assert split("多家银行联合放贷。", 8) == ("多家银行联合放", "贷。")  # never a lone "。"
    assert split("abc（测试）", 4) == ("abc", "（测试）")  # "（" does not end a line
    assert split("Parts for “quoted” text", 11) == ("Parts for ", "“quoted” text")
    assert split("a syndicated loan", 15) == ("a syndicated ", "loan")  # the word is not cut
    assert split("整车厂欠一级供应商", 4) == ("整车厂欠", "一级供应商")  # Chinese breaks anywhere
    assert split("short", 10) == ("short", "")
