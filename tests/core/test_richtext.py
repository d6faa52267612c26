from appstore.core.catalog.richtext import to_html


def test_plain_text_becomes_escaped_paragraphs() -> None:
    out = to_html("First <line> & more\nsame paragraph\n\nSecond")
    assert out == "<p>First &lt;line&gt; &amp; more<br>same paragraph</p><p>Second</p>"


def test_html_is_sanitised() -> None:
    out = to_html('<p onclick="x()">Hi <script>alert(1)</script><b>bold</b> '
                  '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example">ok</a>'
                  '<img src=x onerror=y><style>p{}</style></p>')
    assert "script" not in out and "onclick" not in out and "img" not in out
    assert "javascript" not in out and "style" not in out
    assert "<b>bold</b>" in out
    assert '<a href="https://ok.example" rel="noopener noreferrer">ok</a> (ok.example)' in out


def test_a_description_cannot_look_like_imapp_itself() -> None:
    out = to_html('<h3>Source</h3><p>✓ Signed by the store and verified just now</p>'
                  '<p><a href="https://evil.example/x">https://imapp.org/verified</a> '
                  '<a href="https://a.example/">https://a.example</a></p>')
    assert "<h3" not in out and "Source" in out  # no heading: just text
    assert "https://imapp.org/verified</a> (evil.example)" in out  # the real target is said
    assert "https://a.example</a> (" not in out  # a link showing its own address says no more
