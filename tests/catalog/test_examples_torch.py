"""Every catalog entry's bad and good programs do under plain torch what the entry says.

The examples are documentation and test fixtures at once: a good program must run
without raising and without warnings, and the bad program of a loud diagnosis must
raise exactly the exception type the entry names, with the message its text quotes.
Entries whose examples are not written yet are skipped by name.
"""

from __future__ import annotations

import builtins
import difflib
import re
import warnings

import pytest
import torch

from lossdoctor.catalog import all_diagnoses, codes, find

ENTRIES = list(all_diagnoses())
_IDS = [d.code for d in ENTRIES]

# torch prints this once when NumPy is absent; it says nothing about the example.
_NUMPY_WARNING = "Failed to initialize NumPy"


def _run(source: str, label: str) -> dict:
    """Execute one example program in a fresh namespace, as a script would run."""
    namespace: dict = {"__name__": "__lossdoctor_example__"}
    exec(compile(source, f"<{label}>", "exec"), namespace)
    return namespace


def _exception_type(name: str) -> type[BaseException]:
    exc = getattr(builtins, name, None)
    assert isinstance(exc, type) and issubclass(exc, BaseException), f"{name!r} is not a builtin exception"
    return exc


def _normalise(text: str) -> str:
    """Compare messages ignoring backticks, line wrapping and the concrete numbers."""
    text = text.replace("`", "")
    text = re.sub(r"\d+", "0", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(autouse=True)
def _torch_global_state():
    """An example must not leak global torch state into the next one."""
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    yield
    assert torch.get_default_dtype() == dtype, "example changed the default dtype"
    assert torch.is_grad_enabled() == grad, "example changed grad mode"
    torch.set_default_dtype(dtype)
    torch.set_grad_enabled(grad)


@pytest.mark.parametrize("d", ENTRIES, ids=_IDS)
def test_good_example_runs_without_error_or_warning(d):
    if not d.good.strip():
        pytest.skip(f"{d.code}: good example not written yet")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=_NUMPY_WARNING, category=UserWarning)
        _run(d.good, f"{d.code} good")


@pytest.mark.parametrize("d", ENTRIES, ids=_IDS)
def test_bad_example_raises_what_the_entry_says(d):
    if not d.bad.strip():
        pytest.skip(f"{d.code}: bad example not written yet")
    expected = _exception_type(d.raises) if d.raises else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _run(d.bad, f"{d.code} bad")
        except Exception as exc:  # noqa: BLE001 - the type is the thing under test
            raised = exc
        else:
            raised = None

    if raised is None:
        # A loud diagnosis must be loud in its own example; mixed kinds may show the silent case.
        assert d.kind != "loud", f"{d.code}: bad example ran without raising {d.raises}"
        return
    assert expected is not None, (
        f"{d.code} ({d.kind}) has raises=None, but its bad example raised "
        f"{type(raised).__name__}: {raised}"
    )
    assert type(raised) is expected, (
        f"{d.code}: expected exactly {d.raises}, got {type(raised).__name__}: {raised}"
    )


@pytest.mark.parametrize("d", [d for d in ENTRIES if d.raises], ids=[d.code for d in ENTRIES if d.raises])
def test_why_quotes_the_message_torch_raises(d):
    """The message a user will search for must appear in the entry's explanation."""
    if not d.bad.strip():
        pytest.skip(f"{d.code}: bad example not written yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _run(d.bad, f"{d.code} bad")
        except Exception as exc:  # noqa: BLE001
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        else:
            pytest.skip(f"{d.code}: this bad example shows the silent case")
    message, why = _normalise(message), _normalise(d.why)
    match = difflib.SequenceMatcher(None, message, why, autojunk=False).find_longest_match(
        0, len(message), 0, len(why)
    )
    needed = min(30, len(message))
    assert match.size >= needed, (
        f"{d.code}: the explanation does not quote torch's message {message!r} "
        f"(longest shared run: {message[match.a:match.a + match.size]!r})"
    )


def test_codes_and_names_are_unique():
    all_codes = [d.code for d in ENTRIES]
    names = [d.name for d in ENTRIES]
    assert len(set(all_codes)) == len(all_codes)
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"LD[1-9]\d\d", c) for c in all_codes), all_codes
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names), names
    assert codes() == sorted(all_codes)
    for d in ENTRIES:
        assert find(d.code) is d and find(d.name) is d


def test_related_codes_exist():
    known = set(codes())
    for d in ENTRIES:
        missing = [c for c in d.related if c not in known]
        assert not missing, f"{d.code}: related codes {missing} are not in the catalog"
        assert d.code not in d.related, f"{d.code} lists itself as related"


def test_raises_names_a_builtin_exception():
    for d in ENTRIES:
        if d.raises is not None:
            _exception_type(d.raises)
            assert d.loud, f"{d.code}: kind {d.kind!r} is not loud but raises={d.raises}"
