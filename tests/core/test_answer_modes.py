"""Answer checks per mode (`core.answer`), with the tricky cases of issue 17."""

from __future__ import annotations

import pytest

from retain.core.answer import AnswerSpec, check_answer
from retain.core.answer.normalise import edit_distance, near_miss, normalise

KUBECTL = AnswerSpec("command", aliases=(("-n", "--namespace"), ("-f", "--follow")))
SIGNALS = "Latency, Traffic, Errors, Saturation"


def rating(answer: str, expected: str, accept: tuple[str, ...] = (), spec: AnswerSpec | None = None) -> int:
    return check_answer(answer, expected, accept, spec).suggested_rating


# ---- normalisation everyone gets ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("RAFT", "Raft"),  # case
        ("ＲＡＦＴ", "Raft"),  # NFKC (full-width)
        ("  in-sync   replicas ", "in-sync replicas"),  # whitespace
        ("Raft.", "Raft"),  # trailing punctuation
        ("Raft?!", "Raft"),
        ("the Raft algorithm", "Raft algorithm"),  # leading article
        ("a leader", "leader"),
        ("an index", "index"),
        ("“Raft”", "Raft"),  # quote styles
        ("it's", "it’s"),
        ("multi–stage build", "multi-stage build"),  # dash styles
        ("multi—stage build", "multi-stage build"),
        ("in-sync replicas", "in-sync replicas (ISRs)"),  # a back's aside is optional
    ],
)
def test_normalisation_makes_these_the_same(typed: str, expected: str) -> None:
    result = check_answer(typed, expected)
    assert result.correct and result.suggested_rating == 3


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Raft", "Raft\u200b"),  # a zero-width space pasted in from a web page
        ("\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd\u200f"),  # Hebrew with a right-to-left mark
        ("Kubernetes", "Kuber\u00adnetes"),  # a soft hyphen
        ("Raft\u2060", "Raft"),  # a word joiner typed, on the learner's side
        ("\ufeffleader election", "leader election"),  # a byte-order mark
        ("café", "caf\u200cé"),  # a zero-width non-joiner
    ],
)
def test_invisible_format_characters_do_not_count(typed: str, expected: str) -> None:
    """What `sanitize` shows as `�` (Unicode category Cf) is no part of an answer, on either side."""
    result = check_answer(typed, expected)
    assert result.correct and result.suggested_rating == 3, (typed, expected)


def test_invisible_format_characters_do_not_count_in_sets_or_commands() -> None:
    assert check_answer("traffic, latency", "Latency\u200b, Traffic", spec=AnswerSpec("set")).correct
    assert check_answer("kubectl get pods", "kubectl get\u00ad pods", spec=AnswerSpec("command")).correct
    assert rating("Kubernetis", "Kuber\u00adnetes") == 2  # a typo is still a typo
    assert rating("cafe", "caf\u200bé") == 2  # and accents still differ


def test_an_article_alone_is_kept() -> None:
    assert normalise("the") == "the"
    assert normalise("The The") == "the"


@pytest.mark.parametrize(
    ("typed", "expected"), [("cafe", "café"), ("café", "cafe"), ("Raft", "Ráft"), ("naive", "naïve")]
)
def test_accents_are_a_near_miss_both_ways(typed: str, expected: str) -> None:
    result = check_answer(typed, expected)
    assert not result.correct and result.suggested_rating == 2
    assert result.note == "accents differ"


@pytest.mark.parametrize(
    ("typed", "expected", "want"),
    [
        ("Rafft", "Raft", 1),  # a short answer must be exact
        ("Raf", "Raft", 1),
        ("Go", "Ga", 1),
        ("Kubernets", "Kubernetes", 2),  # a typo in a long answer is a near miss
        ("Kuberentes", "Kubernetes", 2),  # an adjacent swap is one typo
        ("etcd clustr", "etcd cluster", 2),
        ("Kubrnts", "Kubernetes", 1),  # three typos in ten letters is not
        ("HTTP/3", "HTTP/2", 1),  # numbers must be exact
        ("port 8081", "port 8080", 1),
        ("10.0.0.2", "10.0.0.1", 1),
    ],
)
def test_typos_near_miss_only_on_long_answers_and_never_on_numbers(
    typed: str, expected: str, want: int
) -> None:
    assert rating(typed, expected) == want


def test_edit_distance_counts_a_swap_once_and_stops_at_the_limit() -> None:
    assert edit_distance("kafka", "kafak", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("a" * 50, "b" * 50, 3) == 4
    assert near_miss("replication factor", "replicaton factor")


# ---- set ----------------------------------------------------------------------------------


def test_set_accepts_any_order_and_spacing() -> None:
    result = check_answer("errors,saturation ,latency;  traffic", SIGNALS, spec=AnswerSpec("set"))
    assert result.correct and result.mode == "set"


def test_set_names_missing_and_extra_items() -> None:
    result = check_answer("errors, latency, cpu", SIGNALS, spec=AnswerSpec("set"))
    assert result.suggested_rating == 1
    assert result.missing == ("Traffic", "Saturation")
    assert result.extra == ("cpu",)
    assert [p.text for p in result.typed_parts if p.kind == "wrong"] == ["cpu"]
    assert [p.text for p in result.expected_parts if p.kind == "missing"] == ["Traffic", "Saturation"]


def test_set_from_a_markdown_list_and_an_and_in_the_answer() -> None:
    back = "- **Latency**\n- Traffic\n- Errors\n- Saturation"
    assert check_answer("latency, traffic, errors and saturation", back, spec=AnswerSpec("set")).correct


def test_set_item_aliases_and_near_items() -> None:
    spec = AnswerSpec("set", aliases=(("rps", "traffic"),))
    assert check_answer("latency, rps, errors, saturation", SIGNALS, spec=spec).correct
    near = check_answer("latency, traffic, érrors, saturaton", SIGNALS, spec=AnswerSpec("set"))
    assert near.suggested_rating == 2 and not near.missing and not near.extra


def test_set_duplicates_do_not_count_twice() -> None:
    result = check_answer("latency, latency, traffic, errors, saturation", SIGNALS, spec=AnswerSpec("set"))
    assert result.correct


def test_empty_set_answer_misses_everything() -> None:
    result = check_answer("  ", SIGNALS, spec=AnswerSpec("set"))
    assert result.suggested_rating == 1 and len(result.missing) == 4


# ---- command ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "kubectl logs -f -n prod web",
        "kubectl logs -n prod -f web",
        "kubectl logs web -n prod -f",
        "kubectl logs -nprod -f web",
        "kubectl logs --namespace=prod --follow web",
        "kubectl logs --namespace prod web --follow",
        "$ kubectl logs -f -n prod web",
        "`kubectl logs -f -n prod web`",
        "kubectl logs —namespace prod —follow web",  # a typographic dash from autocorrect
    ],
)
def test_command_flags_in_any_order_and_declared_aliases(typed: str) -> None:
    result = check_answer(typed, "kubectl logs -f -n prod web", spec=KUBECTL)
    assert result.correct, (result.missing, result.extra, result.note)


def test_command_alias_only_when_declared() -> None:
    result = check_answer(
        "kubectl logs --namespace=prod -f web", "kubectl logs -f -n prod web", spec=AnswerSpec("command")
    )
    assert not result.correct
    assert result.missing == ("-n prod",) and result.extra == ("--namespace=prod",)


def test_command_names_missing_and_extra_flags() -> None:
    result = check_answer("kubectl logs -n prod --previous web", "kubectl logs -f -n prod web", spec=KUBECTL)
    assert result.suggested_rating == 1
    assert result.missing == ("-f",) and result.extra == ("--previous",)
    assert [p.text for p in result.typed_parts if p.kind == "wrong"] == ["--previous"]


def test_command_program_subcommand_and_positionals_keep_their_order() -> None:
    assert not check_answer(
        "logs kubectl -f -n prod web", "kubectl logs -f -n prod web", spec=KUBECTL
    ).correct
    assert not check_answer("cp b a", "cp a b", spec=AnswerSpec("command")).correct
    assert check_answer("cp -r a b", "cp a b -r", spec=AnswerSpec("command")).correct


def test_command_a_value_belongs_to_its_flag() -> None:
    spec = AnswerSpec("command")
    assert check_answer("git commit -a -m 'fix bug'", 'git commit -am "fix bug"', spec=spec).correct
    assert not check_answer("git commit -m a -b x", "git commit -m x -b a", spec=spec).correct


def test_command_switch_bundles_and_flag_case() -> None:
    spec = AnswerSpec("command")
    assert check_answer("rm -fr dir", "rm -rf dir", spec=spec).correct
    assert check_answer("ls /tmp -la", "ls -la /tmp", spec=spec).correct
    assert not check_answer("ls -R /tmp", "ls -r /tmp", spec=spec).correct  # flags keep their case
    assert check_answer("Kubectl logs -f -n Prod web", "kubectl logs -f -n prod web", spec=KUBECTL).correct


def test_command_unclosed_quote_is_could_not_parse_never_a_traceback() -> None:
    result = check_answer("kubectl logs 'web", "kubectl logs -f -n prod web", spec=KUBECTL)
    assert result.suggested_rating == 1 and not result.correct
    assert result.note.startswith("could not parse your answer")


def test_command_typo_in_a_long_value_is_a_near_miss() -> None:
    result = check_answer(
        "kubectl logs -f -n production web", "kubectl logs -f -n produtcion web", spec=KUBECTL
    )
    assert result.suggested_rating == 2


def test_command_accepts_other_whole_commands() -> None:
    result = check_answer(
        "k logs -f -n prod web", "kubectl logs -f -n prod web", ("k logs -f -n prod web",), KUBECTL
    )
    assert result.correct and result.expected == "k logs -f -n prod web"


# ---- number -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected", "spec", "want"),
    [
        ("50GB", "50 GB", AnswerSpec("number"), 3),
        ("50 gb", "50 GB", AnswerSpec("number"), 3),
        ("50", "50 GB", AnswerSpec("number"), 3),  # the unit may be left out
        ("50 MB", "50 GB", AnswerSpec("number"), 1),  # but not changed
        ("50 gigabytes", "50 GB", AnswerSpec("number", aliases=(("gigabytes", "GB"),)), 3),
        ("51", "50 GB", AnswerSpec("number"), 1),  # never a near miss
        ("1,000", "1000", AnswerSpec("number"), 3),
        ("1e3", "1000", AnswerSpec("number"), 3),
        ("9092", "9092", AnswerSpec("number"), 3),
        ("30 GB", "20–50 GB", AnswerSpec("number"), 3),  # a back that is a range
        ("20-50 GB", "20–50 GB", AnswerSpec("number"), 3),
        ("55", "20–50 GB", AnswerSpec("number"), 1),
        ("35", "about 30", AnswerSpec("number", accept_range=(20, 50)), 3),
        ("50", "about 30", AnswerSpec("number", accept_range=(20, 50)), 3),
        ("50.1", "about 30", AnswerSpec("number", accept_range=(20, 50)), 1),
        ("0.75", "0.7", AnswerSpec("number", tolerance=0.05), 3),
        ("0.76", "0.7", AnswerSpec("number", tolerance=0.05), 1),
        ("-5", "-5", AnswerSpec("number"), 3),
        ("fifty", "50", AnswerSpec("number"), 1),
    ],
)
def test_number(typed: str, expected: str, spec: AnswerSpec, want: int) -> None:
    assert rating(typed, expected, spec=spec) == want


def test_number_notes_say_what_was_expected() -> None:
    assert check_answer("50 MB", "50 GB", spec=AnswerSpec("number")).note == "unit: expected GB, not MB"
    assert (
        check_answer("60", "x", spec=AnswerSpec("number", accept_range=(20, 50))).note == "expected 20 to 50"
    )
    assert check_answer("ten", "10", spec=AnswerSpec("number")).note == "not a number"


# ---- regex --------------------------------------------------------------------------------

TOPICS = AnswerSpec("regex", pattern=r"kafka-topics(\.sh)? --create --topic \S+")


def test_regex_is_fully_anchored_and_ignores_case() -> None:
    assert check_answer(
        "kafka-topics --create --topic orders", "kafka-topics.sh --create --topic T", spec=TOPICS
    ).correct
    assert check_answer("Kafka-Topics.sh --create --topic X", "x", spec=TOPICS).correct
    # anchored: a match inside the answer is not enough
    assert not check_answer("run kafka-topics --create --topic t now", "x", spec=TOPICS).correct
    assert not check_answer("kafka-topics --create --topic", "x", spec=TOPICS).correct


def test_regex_back_and_accept_are_answers_too_and_accents_are_near() -> None:
    spec = AnswerSpec("regex", pattern="caf[eé] au lait")
    assert check_answer("Café au lait", "café au lait", spec=spec).correct
    assert check_answer("cafe au lait.", "café au lait", spec=spec).correct
    assert check_answer("cafë au lait", "café au lait", spec=spec).suggested_rating == 2
    assert check_answer("tea", "café au lait", spec=spec).suggested_rating == 1


def test_regex_on_a_10kb_answer_and_a_hostile_pattern_is_linear() -> None:
    import time

    spec = AnswerSpec("regex", pattern="(a+)+$")  # catastrophic in a backtracking engine
    start = time.perf_counter()
    result = check_answer("a" * 9_999 + "b", "a", spec=spec)
    assert time.perf_counter() - start < 0.5  # a generous bound: backtracking would take forever
    assert not result.correct
    assert check_answer("a" * 10_000, "b", spec=spec).correct
    assert not check_answer("a" * 10_001, "b", spec=spec).correct  # longer is never cut to fit


def test_a_broken_pattern_at_review_falls_back_to_text_and_says_so() -> None:
    result = check_answer("raft", "Raft", spec=AnswerSpec("regex", pattern="(a"))
    assert result.correct and "pattern is broken" in result.note
