"""The query language: every feature and every error by example, then properties over any input.

Hypothesis budget (tests.fuzzing): 300 examples per property keep this file to a few seconds; for a longer
hunt run `HYPOTHESIS_PROFILE=long pytest tests/test_query_parser.py` (20,000).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sherloc.search.query import (
    FIELD_ALIASES,
    MAX_DEPTH,
    RANGE_FIELDS,
    TEXT_FIELDS,
    And,
    Filter,
    Node,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Range,
    Term,
    parse_query,
    to_text,
)
from tests.fuzzing import budget

PROFILE = budget(300, 20_000)


def T(text: str, field: str | None = None, prefix: bool = False) -> Term:
    return Term(text, field, prefix)


# ---------------------------------------------------------------------------------------------------
# Examples: query text -> tree

EXAMPLES: list[tuple[str, Node | None]] = [
    # blank means "match everything"
    ("", None),
    ("   \t\n ", None),
    ("\u200b\u200f", None),
    # words and the default AND
    ("blanchiment", T("blanchiment")),
    ("money laundering", And((T("money"), T("laundering")))),
    ("money AND laundering", And((T("money"), T("laundering")))),
    ("a b c d", And((T("a"), T("b"), T("c"), T("d")))),
    # OR, NOT, precedence NOT > AND > OR, grouping
    ("drugs OR narcotics", Or((T("drugs"), T("narcotics")))),
    ("a OR b c", Or((T("a"), And((T("b"), T("c")))))),
    ("a b OR c", Or((And((T("a"), T("b"))), T("c")))),
    ("(a OR b) c", And((Or((T("a"), T("b"))), T("c")))),
    ("a OR b OR c", Or((T("a"), T("b"), T("c")))),
    ("(a OR b) OR (c OR d)", Or((T("a"), T("b"), T("c"), T("d")))),  # flattened
    ("(a b) (c d)", And((T("a"), T("b"), T("c"), T("d")))),
    ("((a))", T("a")),  # single-item groups collapse
    ("NOT cash", Not(T("cash"))),
    ("laundering NOT cash", And((T("laundering"), Not(T("cash"))))),
    ("NOT a OR b", Or((Not(T("a")), T("b")))),
    ("NOT (a OR b)", Not(Or((T("a"), T("b"))))),
    ("NOT NOT a", T("a")),
    ("NOT(a)", Not(T("a"))),
    ("a AND(b OR c)", And((T("a"), Or((T("b"), T("c")))))),
    # operators are upper case only: French "or", English "not" are words
    ("or and not", And((T("or"), T("and"), T("not")))),
    ("blanchiment Or", And((T("blanchiment"), T("Or")))),
    # - and +
    ("-cash", Not(T("cash"))),
    ("laundering -cash", And((T("laundering"), Not(T("cash"))))),
    ('-"money laundering"', Not(Phrase("money laundering"))),
    ("-country:FR", Not(Filter("country", "FR"))),
    ("-(a OR b)", Not(Or((T("a"), T("b"))))),
    ("+word", T("word")),
    ('+"a b"', Phrase("a b")),
    ("--a", T("a")),
    ("money - laundering", And((T("money"), T("laundering")))),  # a lone dash is punctuation
    ("Code pénal – article", And((T("Code"), T("pénal"), T("article")))),
    ("money + laundering", And((T("money"), T("laundering")))),
    ("—(a)", T("a")),
    ('–"x"', Phrase("x")),
    ('-–"x"', Not(Phrase("x"))),
    ("-", None),
    ("- -- +", None),
    # phrases and typographic quotes
    ('"money laundering"', Phrase("money laundering")),
    ('"  money \n  laundering  "', Phrase("money laundering")),
    ("“Code pénal”", Phrase("Code pénal")),
    ("”Code pénal”", Phrase("Code pénal")),
    ("„Geldwäsche“", Phrase("Geldwäsche")),
    ("« blanchiment d'argent »", Phrase("blanchiment d'argent")),
    ("»Geldwäsche«", Phrase("Geldwäsche")),
    ("「洗钱罪」", Phrase("洗钱罪")),
    ("『洗钱罪』", Phrase("洗钱罪")),
    ('"mixed quotes”', Phrase("mixed quotes")),
    ('"the \\"Palermo\\" convention"', Phrase('the "Palermo" convention')),
    ('"C:\\path"', Phrase("C:\\path")),  # a backslash before an ordinary character stays
    ('"a\\\\"', Phrase("a\\")),
    ('"launder*"', Phrase("launder*")),  # no wildcards inside quotes
    ('"a OR (b"', Phrase("a OR (b")),
    ('money"laundering"', And((T("money"), Phrase("laundering")))),
    # prefix search
    ("launder*", T("launder", prefix=True)),
    ("洗钱*", T("洗钱", prefix=True)),
    ("title:blanch*", T("blanch", "title", prefix=True)),
    # fields: filters, canonical names, any case, values as typed
    ("country:FR", Filter("country", "FR")),
    ("country:fr", Filter("country", "fr")),
    ("Country:FR", Filter("country", "FR")),
    ("LANG:fr", Filter("language", "fr")),
    ("crime:money_laundering", Filter("crime_type", "money_laundering")),
    ('article:"UNTOC 6"', Filter("instrument_article", "UNTOC 6")),
    ("article:“UNTOC 6”", Filter("instrument_article", "UNTOC 6")),
    ("law:cn-law-刑法", Filter("parent_id", "cn-law-刑法")),
    ("id:fr-law-legitext000006070719-art-324-1", Filter("id", "fr-law-legitext000006070719-art-324-1")),
    ("issue:corruption kind:law", And((Filter("cross_cutting", "corruption"), Filter("kind", "law")))),
    ("country:AND", Filter("country", "AND")),  # after the colon everything is the value
    ('country:"FR*"', Filter("country", "FR*")),
    ("country:FR:x", Filter("country", "FR:x")),
    ("country:(FR OR BE)", Or((Filter("country", "FR"), Filter("country", "BE")))),
    ("country:(FR -BE)", And((Filter("country", "FR"), Not(Filter("country", "BE"))))),
    ("-country:(FR)", Not(Filter("country", "FR"))),
    ("country:(FR lang:fr)", And((Filter("country", "FR"), Filter("language", "fr")))),
    # text fields -> Term/Phrase with a field
    ("title:blanchiment", T("blanchiment", "title")),
    ('title:"Code pénal"', Phrase("Code pénal", "title")),
    ("TITLE:x", T("x", "title")),
    ('title:(a OR "b c")', Or((T("a", "title"), Phrase("b c", "title")))),
    ("number:324-1", T("324-1", "number")),
    # range fields: single values, ranges, strict bounds, canonical forms
    ("year:2020", Filter("year", "2020")),
    ("year:0800", Filter("year", "800")),
    ("year:７", Filter("year", "7")),
    ("date:2019", Filter("date", "2019")),
    ("date:2019-05", Filter("date", "2019-05")),
    ("date:2020-02-29", Filter("date", "2020-02-29")),
    ("year:2010..2020", Range("year", "2010", "2020")),
    ("year:2020..2020", Range("year", "2020", "2020")),
    ("year:2010..", Range("year", "2010", None)),
    ("year:..2020", Range("year", None, "2020")),
    ("year:>=2010", Range("year", "2010", None)),
    ("year:<=2020", Range("year", None, "2020")),
    ("year:>2010", Range("year", "2011", None)),
    ("year:<2020", Range("year", None, "2019")),
    ("date:2019-01-01..2019-12-31", Range("date", "2019-01-01", "2019-12-31")),
    ("date:2019..2019-05", Range("date", "2019", "2019-05")),
    ("date:2020-05..2020", Range("date", "2020-05", "2020")),  # May 2020 to the end of 2020
    ("date:>=2019-01-01", Range("date", "2019-01-01", None)),
    ("date:<2020-06-30", Range("date", None, "2020-06-29")),
    ("date:<2020-03-01", Range("date", None, "2020-02-29")),
    ("date:>2019-12-31", Range("date", "2020-01-01", None)),
    ("date:>2019-12", Range("date", "2020-01", None)),
    ("date:<2020-01", Range("date", None, "2019-12")),
    ("date:>2019", Range("date", "2020", None)),
    ('year:"2010..2020"', Range("year", "2010", "2020")),
    ("year:(2010 OR 2012..2014)", Or((Filter("year", "2010"), Range("year", "2012", "2014")))),
    # colons that are not fields keep the word whole
    ("12:30", T("12:30")),
    ("http://example.org/x", T("http://example.org/x")),
    ("art.:", T("art.:")),
    ("刑法：第191条", T("刑法:第191条")),
    ("刑法:第191条", T("刑法:第191条")),
    ("ECLI:EU:C:2014:238", T("ECLI:EU:C:2014:238")),
    ("urn:lex:eu:council:directive:2015-05-20;849", T("urn:lex:eu:council:directive:2015-05-20;849")),
    ("Summary: laundering", And((T("Summary:"), T("laundering")))),
    ("title:12:30", T("12:30", "title")),
    # legal tokens stay whole
    ("324-1", T("324-1")),
    ("L.324-1", T("L.324-1")),
    ("§", T("§")),
    ("§261", T("§261")),
    ("§ 261 StGB", And((T("§"), T("261"), T("StGB")))),
    ("art.", T("art.")),
    ("第191条", T("第191条")),
    ("洗钱", T("洗钱")),
    ("غسل الأموال", And((T("غسل"), T("الأموال")))),
    ("отмывание", T("отмывание")),
    ("l'article d’argent", And((T("l'article"), T("d’argent")))),
    ("a-", T("a-")),
    # parentheses glued to a reference belong to it
    ("6(1)(b)", T("6(1)(b)")),
    ("art. 6(1)(b) UNTOC", And((T("art."), T("6(1)(b)"), T("UNTOC")))),
    ("第191条（洗钱罪）", T("第191条(洗钱罪)")),
    ("(6(1) OR 7)", Or((T("6(1)"), T("7")))),
    ("foo(bar baz)", And((T("foo"), T("bar"), T("baz")))),
    # normalisation: full width, invisible characters, NFC, control characters
    ("a ＡＮＤ b", And((T("a"), T("b")))),
    ("（a ＯＲ b） ｃ", And((Or((T("a"), T("b"))), T("c")))),
    ("title：洗钱", T("洗钱", "title")),
    ("＂洗钱罪＂", Phrase("洗钱罪")),
    ("launder\u200bing", T("laundering")),
    ("blanchi\u00adment", T("blanchiment")),
    ("\u202ecash\u202c", T("cash")),
    ("\u2066a\u2069 \u2067OR\u2069 b", Or((T("a"), T("b")))),
    ("cafe\u0301", T("caf\u00e9")),
    ("a\x00b", And((T("a"), T("b")))),
    ("a\u3000b", And((T("a"), T("b")))),
]


@pytest.mark.parametrize(("query", "tree"), EXAMPLES, ids=[repr(q) for q, _ in EXAMPLES])
def test_parses(query: str, tree: Node | None) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize(("query", "tree"), EXAMPLES, ids=[repr(q) for q, _ in EXAMPLES])
def test_examples_round_trip_through_to_text(query: str, tree: Node | None) -> None:
    assert parse_query(to_text(tree)) == tree


# ---------------------------------------------------------------------------------------------------
# Errors: query -> position and words the message must contain

ERRORS: list[tuple[str, int, tuple[str, ...]]] = [
    # quotes
    ('"money laundering', 0, ("quote", "position 0", "never closed")),
    ('money "laundering', 6, ("quote", "position 6", "never closed")),
    ("“Code pénal", 0, ("never closed",)),
    ('"a" "b', 4, ("position 4", "never closed")),
    ('""', 0, ("empty", "position 0")),
    ('"   "', 0, ("empty",)),
    ('title:""', 6, ("empty",)),
    # parentheses, both directions
    ("(money", 0, ("parenthesis", "position 0", "never closed")),
    ("a (b (c)", 2, ("position 2", "never closed")),
    ("money)", 5, ("closing parenthesis", "position 5", "no matching")),
    ("a) b", 1, ("position 1", "no matching")),
    (")", 0, ("no matching",)),
    ("()", 0, ("empty", "position 0")),
    ("country:(FR", 8, ("never closed",)),
    ("country:()", 8, ("empty",)),
    ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, ("nested", str(MAX_DEPTH))),
    # operators with nothing on one side
    ("AND money", 0, ("AND", "nothing on its left")),
    ("OR", 0, ("OR", "nothing on its left")),
    ("money OR", 6, ("OR", "position 6", "nothing on its right")),
    ("money AND", 6, ("AND", "nothing on its right")),
    ("(money OR) x", 7, ("OR", "nothing on its right")),
    ("a AND OR b", 2, ("AND", "nothing on its right", "lower case")),
    ("NOT", 0, ("NOT", "what to exclude")),
    ("money NOT", 6, ("NOT", "what to exclude")),
    ("-AND", 0, ("'-'", "what to exclude", "lower case")),
    ("NOT OR a", 0, ("NOT", "lower case")),
    ("A\u200bND", 0, ("AND", "nothing on its left")),  # invisible characters cannot hide an operator
    ("ＡＮＤ money", 0, ("AND",)),
    # fields
    ("country:", 0, ("country:", "needs a value", "country:FR")),
    ("country: FR", 0, ("needs a value", "without a space")),
    ("year:", 0, ("year:",)),
    ("foo:bar", 0, ("unknown field 'foo'", "country", "title", "year")),
    ("money Foo:bar", 6, ("unknown field 'Foo'", "position 6")),
    ('foo:"bar"', 0, ("unknown field 'foo'",)),
    ("foo:(a b)", 0, ("unknown field 'foo'",)),
    ("crime:money*", 0, ("'*'", "crime", "exact values")),
    # prefix
    ("*", 0, ("'*'", "put a word before")),
    ("**", 0, ("'**'",)),
    ("a*", 0, ("at least 2 characters", "too many words")),
    ("洗*", 0, ("at least 2 characters",)),
    ("title:a*", 0, ("at least 2 characters",)),
    ("launder**", 0, ("single '*'",)),
    ("wo*rd", 0, ("can only end a word",)),
    ("money *", 6, ("position 6",)),
    # years, dates, ranges
    ("year:20201", 0, ("'20201'", "not a valid year", "1 to 4 digits")),
    ("year:abc", 0, ("not a valid year",)),
    ("year:2010-2020", 0, ("not a valid year", "year:2010..2020")),
    ("year:2020*", 0, ("not a valid year",)),
    ("date:2019-02-30", 0, ("'2019-02-30'", "not a valid date", "YYYY-MM-DD")),
    ("date:2019-13", 0, ("not a valid date",)),
    ("date:2019-1-5", 0, ("not a valid date",)),
    ("date:19-01-01", 0, ("not a valid date",)),
    ("date:0000", 0, ("not a valid date",)),
    ("year:2020..2010", 0, ("year range 2020..2010", "the start is after the end")),
    ("date:2020..2010", 0, ("date range 2020..2010", "the start is after the end")),
    ("date:2020-06..2020-05", 0, ("the start is after the end",)),
    ("date:2020-01-02..2020-01-01", 0, ("the start is after the end",)),
    ("year:..", 0, ("at least one bound",)),
    ("year:2010...2020", 0, ("not a valid year",)),
    ("year:>=2010..2020", 0, ("not a valid year",)),
    ("year:<0", 0, ("matches nothing", "before 0")),
    ("year:>9999", 0, ("matches nothing", "after 9999")),
    ("date:>9999-12-31", 0, ("matches nothing",)),
    ("date:<0001-01-01", 0, ("matches nothing",)),
    ("a year:2020..2010", 2, ("position 2",)),
    # limits
    ("x" * 1001, 1000, ("too long", "1001", "1000")),
    (" ".join(["w"] * 65), 128, ("too many", "64")),
    ("country:(" + " ".join(["FR"] * 65) + ")", 9 + 64 * 3, ("too many",)),
]


@pytest.mark.parametrize(("query", "position", "fragments"), ERRORS, ids=[repr(q[:40]) for q, _, _ in ERRORS])
def test_errors_are_helpful(query: str, position: int, fragments: tuple[str, ...]) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    error = caught.value
    assert error.position == position, error.message
    for fragment in fragments:
        assert fragment in error.message, error.message
    assert str(error) == error.message


def test_error_is_a_value_error() -> None:
    assert issubclass(QuerySyntaxError, ValueError)


def test_positions_point_into_the_text_as_typed() -> None:
    # Invisible characters and decomposed accents are removed or composed before parsing, but the
    # position must still be where the user sees the problem.
    cases = {
        "cafe\u0301 (": 6,
        "\u200b\u200b(money": 2,
        "\u202ea\u202c b)": 5,
        "e\u0301\u0301 x\u200b\u200b)": 7,
        "\u1100\u1161\u11a8 )": 4,  # Hangul jamo composing into one syllable
    }
    for query, position in cases.items():
        with pytest.raises(QuerySyntaxError) as caught:
            parse_query(query)
        assert caught.value.position == position, (query, caught.value.message)


def test_limits_are_parameters() -> None:
    assert parse_query("x" * 1001, max_length=2000) == T("x" * 1001)
    assert parse_query("a b c", max_clauses=3) == And((T("a"), T("b"), T("c")))
    with pytest.raises(QuerySyntaxError, match="at most 2"):
        parse_query("a b c", max_clauses=2)


def test_deep_not_chains_do_not_recurse() -> None:
    assert parse_query("-" * 5000 + "a", max_length=10_000) == T("a")  # an even number of dashes
    assert parse_query("NOT " * 2001 + "a", max_length=10_000) == Not(T("a"))


def test_lone_surrogates_are_ordinary_characters() -> None:
    assert parse_query("a\ud800") == T("a\ud800")


# ---------------------------------------------------------------------------------------------------
# to_text


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("", ""),
        ("money laundering", "money AND laundering"),
        ("a OR b c", "a OR (b AND c)"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("-cash", "NOT cash"),
        ("-(a b)", "NOT (a AND b)"),
        ("crime:money_laundering", "crime:money_laundering"),
        ("crime_type:x", "crime:x"),
        ("instrument:x", "article:x"),
        ("lang:fr", "language:fr"),
        ('article:"UNTOC 6"', 'article:"UNTOC 6"'),
        ('country:"(FR"', 'country:"(FR"'),
        ('title:"Code pénal"', 'title:"Code pénal"'),
        ("title:blanch*", "title:blanch*"),
        ("year:<2020", "year:..2019"),
        ("date:>=2019-01-01", "date:2019-01-01.."),
        ('« le "vrai" »', '"le \\"vrai\\""'),
        ("«a\\b»", '"a\\\\b"'),
        ("「“引用”」", '"\\“引用\\”"'),
        ("country:(FR OR BE)", "country:FR OR country:BE"),
    ],
)
def test_to_text_shows_how_the_query_was_understood(query: str, text: str) -> None:
    assert to_text(parse_query(query)) == text
    assert parse_query(text) == parse_query(query)


def test_to_text_does_its_best_with_trees_the_parser_never_builds() -> None:
    # A backend or a test may build these by hand: rendering must not fail.
    assert to_text(T("two words")) == '"two words"'
    assert to_text(T("AND")) == '"AND"'
    assert to_text(Filter("country", "F R")) == 'country:"F R"'
    assert to_text(And((T("a"),))) == "a"
    assert to_text(Not(Not(T("a")))) == "NOT (NOT a)"
    assert to_text(Filter("not_a_field", "x")) == 'not_a_field:"x"'


# ---------------------------------------------------------------------------------------------------
# Properties

# Pieces of the language, glued at random: far likelier than st.text() to reach deep corners.
FRAGMENTS = st.sampled_from(
    [
        "AND", "OR", "NOT", "and", "(", ")", '"', "\\", "“", "”", "„", "«", "»", "「", "」", "-", "+", "–",
        "*", ":", "..", ">=", "<", ">", " ", "\n", "\x00", "country:", "Year:", "date:", "title:", "foo:",
        "http://", "12:30", "2020", "2010", "2019-02", "-29", "FR", "money", "a", "ab", "6(1)", "§", "洗钱",
        "\u200b", "\u202e", "ＡＮＤ", "（", "）", "：", "e\u0301", "\u1100\u1161",
    ]
)  # fmt: skip
QUERY_LIKE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=30).map("".join)
ANY_TEXT = st.one_of(st.text(), QUERY_LIKE)


def parse_or_error(text: str) -> Node | None | QuerySyntaxError:
    try:
        return parse_query(text)
    except QuerySyntaxError as error:
        return error


@PROFILE
@given(ANY_TEXT)
def test_any_text_gives_a_tree_none_or_a_syntax_error(text: str) -> None:
    result = parse_or_error(text)  # any other exception fails the test
    if isinstance(result, QuerySyntaxError):
        assert result.message
        assert result.position is None or 0 <= result.position <= len(text)


@PROFILE
@given(ANY_TEXT)
def test_parsing_is_deterministic_and_idempotent_through_to_text(text: str) -> None:
    first, second = parse_or_error(text), parse_or_error(text)
    if isinstance(first, QuerySyntaxError):
        assert isinstance(second, QuerySyntaxError)
        assert (first.message, first.position) == (second.message, second.position)
        return
    assert first == second
    rendered = to_text(first)
    assert parse_query(rendered, max_length=100_000, max_clauses=10_000) == first
    assert to_text(parse_query(rendered, max_length=100_000, max_clauses=10_000)) == rendered


@PROFILE
@given(QUERY_LIKE, st.data())
def test_invisible_characters_never_change_meaning(text: str, data: st.DataObject) -> None:
    invisible = st.sampled_from("\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff")
    insertions = data.draw(st.lists(st.tuples(st.integers(0, len(text)), invisible), max_size=4))
    noisy = text
    for spot, char in sorted(insertions, reverse=True):
        noisy = noisy[:spot] + char + noisy[spot:]
    plain, with_noise = parse_or_error(text), parse_or_error(noisy)
    if isinstance(plain, QuerySyntaxError):
        assert isinstance(with_noise, QuerySyntaxError)
        assert with_noise.message.split(" at position")[0] == plain.message.split(" at position")[0]
    elif len(noisy) <= 1000:
        assert with_noise == plain


# --- Valid trees, built directly (the parser's canonical shapes: flat And/Or, no Not(Not ...)) ---

WORD_START = "abcxyzABéçßñłž§洗钱刑法第条غسلот0123456789"
WORD_REST = WORD_START + "-._/'’"
LEGAL_WORDS = [
    "324-1", "L.324-1", "§", "§261", "art.", "第191条", "洗钱", "غسل", "отмывание", "12:30",
    "http://x.org/a", "ECLI:EU:C:2014:238", "6(1)(b)", "第191条(洗钱罪)", "Summary:", "l'article",
    "d’argent", "and", "or", "not",
]  # fmt: skip
PHRASE_CHARS = WORD_REST + '"“”„«»「」『』()*:\\+'

words = st.one_of(
    st.sampled_from(LEGAL_WORDS),
    st.builds(str.__add__, st.sampled_from(WORD_START), st.text(WORD_REST, max_size=8)),
).filter(lambda word: word not in ("AND", "OR", "NOT"))
phrase_texts = st.lists(st.text(PHRASE_CHARS, min_size=1, max_size=6), min_size=1, max_size=4).map(" ".join)
text_fields = st.one_of(st.none(), st.sampled_from(sorted(set(TEXT_FIELDS.values()))))
filter_fields = st.sampled_from(sorted(set(FIELD_ALIASES.values()) - RANGE_FIELDS))

terms = st.builds(Term, words, text_fields, st.booleans()).filter(
    # a prefix needs 2 characters, and `Summary:*` would read as an unknown field with the value `*`
    lambda term: not term.prefix or (len(term.text) >= 2 and not term.text.endswith(":"))
)
phrases = st.builds(Phrase, phrase_texts, text_fields)
filters = st.builds(Filter, filter_fields, st.one_of(words, phrase_texts))


@st.composite
def years(draw: st.DrawFn) -> Filter | Range:
    low, high = sorted(draw(st.lists(st.integers(0, 9999), min_size=2, max_size=2)))
    shape = draw(st.sampled_from(["single", "closed", "from", "until"]))
    if shape == "single":
        return Filter("year", str(low))
    return Range("year", None if shape == "until" else str(low), None if shape == "from" else str(high))


@st.composite
def dates(draw: st.DrawFn) -> Filter | Range:
    low, high = sorted(
        draw(st.lists(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), min_size=2, max_size=2))
    )
    lower, upper = (day.isoformat()[: draw(st.sampled_from([4, 7, 10]))] for day in (low, high))
    shape = draw(st.sampled_from(["single", "closed", "from", "until"]))
    if shape == "single":
        return Filter("date", lower)
    return Range("date", None if shape == "until" else lower, None if shape == "from" else upper)


def all_of(items: list[Node]) -> Node:
    return And(tuple(part for item in items for part in (item.items if isinstance(item, And) else (item,))))


def any_of(items: list[Node]) -> Node:
    return Or(tuple(part for item in items for part in (item.items if isinstance(item, Or) else (item,))))


def negate(node: Node) -> Node:
    return node.item if isinstance(node, Not) else Not(node)


def compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=4)
    return st.one_of(several.map(all_of), several.map(any_of), children.map(negate))


trees = st.recursive(st.one_of(terms, phrases, filters, years(), dates()), compound, max_leaves=12)


@PROFILE
@given(trees)
def test_to_text_round_trips_on_valid_trees(tree: Node) -> None:
    rendered = to_text(tree)
    assert parse_query(rendered, max_length=100_000) == tree, rendered
