"""What a message pattern's interpreter can see besides the message itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._model import Evidence

if TYPE_CHECKING:  # pragma: no cover
    from ._source import SourceFacts


@dataclass
class Candidate:
    """One possible diagnosis for one matched message."""

    code: str
    score: float
    message: str
    fix: str = ""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Context:
    """Facts about the error around the matched text.

    ``families`` names the loss functions the traceback or message mentions
    (``ce``, ``nll``, ``bce``, ``bce_logits``, ``mse``, ``kl``) and the places
    (``backward``, ``loss_init``); ``seen`` holds the ids of every pattern that
    matched anywhere in the input; ``quoted`` is the failing line of the user's
    own code as the traceback quotes it; ``source`` reads the user's file when
    it exists.
    """

    families: set[str] = field(default_factory=set)
    family_evidence: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    quoted: str | None = None
    quoted_where: tuple[str, int | None] | None = None
    source: "SourceFacts | None" = None
    has_traceback: bool = False
    torch_version: str | None = None

    def loss_family(self, *names: str) -> bool:
        return any(n in self.families for n in names)

    @property
    def any_loss(self) -> bool:
        return bool(self.families & {"ce", "nll", "bce", "bce_logits", "mse", "kl", "loss_init"})

    def family_note(self, *names: str) -> Evidence | None:
        for n in names:
            if n in self.family_evidence:
                return Evidence("traceback", self.family_evidence[n])
        return None
