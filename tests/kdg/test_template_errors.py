"""A template that does not parse fails before anything is sent, with the line and column
(1-based) of the fault and what was expected."""
from __future__ import annotations

import pytest

from generator.kdg.template import TemplateError, compile_template

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("source, line, column, words", [
    ('{"a": {{random.number(50)}', 1, 26, ["expected '}}'", "line 1, column 7"]),
    ('x\n\n  {{random.number(50)', 3, 22, ["expected '}}'", "the end of the template"]),
    ("{{random.numbr(3)}}", 1, 3, ["unknown helper 'random.numbr'", "random.number"]),
    ("ok\n {{ lorem.wurd }}", 2, 5, ["unknown helper", "lorem.word"]),
    ('{{random.number({\n  "min": 1,\n})}}', 3, 1, ["bad argument of random.number", "property name"]),
    ("{{random.number(abc)}}", 1, 17, ["bad argument", "'abc)}}'"]),
    ("{{random.number(1 2)}}", 1, 19, ["expected ',' or ')'"]),
    ('{{random.weightedArrayElement({"weights": [0.5], "data": ["a", "b"]})}}', 1, 3,
     ["same, non-zero length"]),
    ('{{random.weightedArrayElement(["a"])}}', 1, 3, ['"weights"']),
    ('{{random.number({"min": 5, "max": 1})}}', 1, 3, ["min <= max"]),
    ('{{random.number({"mini": 5})}}', 1, 3, ["unknown option"]),
    ("{{date.now(12)}}", 1, 3, ["moment.js format"]),
    ("{{ }}", 1, 4, ["expected a helper name"]),
    ("{{internet.ip(1, 2, 3)}}", 1, 3, ["wrong number"]),
    ('{{random.arrayElement(["a", "b")}}', 1, 32, ["Expecting ',' delimiter"]),
])
def test_errors_have_positions(source, line, column, words):
    with pytest.raises(TemplateError) as info:
        compile_template(source)
    error = info.value
    assert (error.line, error.column) == (line, column), str(error)
    assert str(error).startswith(f"line {line}, column {column}: ")
    for word in words:
        assert word in str(error)


def test_text_without_helpers_is_a_template():
    assert compile_template("plain } text {").parts == ["plain } text {"]
