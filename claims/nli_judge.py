"""The default offline judge: the NLI cross-encoder (retrieval.cross_encoder) reading each evidence sentence.

One call, as MiniCheck does: `NLIJudge().judge(statement, passages)` returns a typed Verdict with the
sentence that decided, quoted verbatim. How a verdict is reached (the aggregation rule, `strongest_sentence`):
1. Every evidence sentence is read against the statement; the model's probabilities are temperature-scaled
   (the card's `temperature`, fitted on the dev split) and its decision adds the card's per-class `biases`
   (chosen on the dev split for macro-F1) to the log-probabilities.
2. If one sentence supports and another contradicts, each with probability >= `conflict_threshold`, the
   evidence disagrees: the verdict is not_enough_evidence with a `conflicting_evidence` note and both
   citations, never a coin toss.
3. Otherwise the sentence with the most decisive reading (largest biased support or contradiction
   log-odds over not-enough-info) decides; confidence is its calibrated probability for that label.
4. Tier: a supported or contradicted verdict is a `finding` when its confidence reaches the card's
   `finding_threshold` for that label, the lowest confidence at which such verdicts were >= 0.90 precise on
   the dev split; otherwise a `suggestion` (shown as "needs a human").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from claims.errors import CopydeskError
from claims.compare import EvidenceSentence, evidence_sentences
from claims.models import Citation, Label, Verdict
from retrieval.types import Passage

METHOD = "judge:nli"
CLASSES = (Label.supported, Label.contradicted, Label.not_enough_evidence)
MAX_SENTENCES = 24  # sentences read per claim (the retrieved passages' sentences, in rank order)


@dataclass(frozen=True)
class Reading:
    """The model's reading of one evidence sentence against the statement."""

    sentence: EvidenceSentence
    probabilities: np.ndarray  # calibrated, CLASSES order

    def decisive(self, biases: np.ndarray) -> float:
        logp = np.log(np.clip(self.probabilities, 1e-9, 1.0)) + biases
        return float(max(logp[0], logp[1]) - logp[2])


class NLIJudge:
    method = METHOD

    def __init__(self, model=None) -> None:
        if model is None:
            from retrieval.cross_encoder import get_cross_encoder, unavailable_reason

            model = get_cross_encoder()
            if model is None:
                raise JudgeUnavailable(unavailable_reason() or "the NLI cross-encoder is not available")
        self.model = model
        card = model.card
        self.biases = np.array(card.get("biases", [0.0, 0.0, 0.0]), dtype=float)
        self.conflict_threshold = float(card.get("conflict_threshold", 0.8))
        thresholds = card.get("finding_threshold", {})
        self.finding_threshold = {Label.supported: float(thresholds.get("supported", 2.0)),
                                  Label.contradicted: float(thresholds.get("contradicted", 2.0))}

    def read(self, statement: str, passages: list[Passage]) -> list[Reading]:
        sentences = evidence_sentences(passages)[:MAX_SENTENCES]
        if not sentences:
            return []
        probs = self.model.predict([(statement, s.text) for s in sentences])
        return [Reading(s, p) for s, p in zip(sentences, probs)]

    def label_of(self, reading: Reading) -> Label:
        logp = np.log(np.clip(reading.probabilities, 1e-9, 1.0)) + self.biases
        return CLASSES[int(np.argmax(logp))]

    def judge(self, statement: str, passages: list[Passage], as_of=None) -> Verdict:
        readings = self.read(statement, passages)
        if not readings:
            return Verdict(label=Label.not_enough_evidence, confidence=0.0, method=self.method,
                           rationale="no evidence sentences to read")
        supporting = max(readings, key=lambda r: r.probabilities[0])
        refuting = max(readings, key=lambda r: r.probabilities[1])
        if (supporting.probabilities[0] >= self.conflict_threshold and refuting.probabilities[1] >= self.conflict_threshold
                and supporting.sentence.text != refuting.sentence.text):
            return Verdict(
                label=Label.not_enough_evidence, confidence=float(min(supporting.probabilities[0], refuting.probabilities[1])),
                citations=[supporting.sentence.citation(), refuting.sentence.citation()], method=self.method,
                rationale="the evidence disagrees: one sentence supports the claim and another contradicts it",
                note="conflicting_evidence")
        best = max(readings, key=lambda r: r.decisive(self.biases))
        label = self.label_of(best)
        if label is Label.not_enough_evidence:
            lean = CLASSES[int(np.argmax(best.probabilities[:2]))]
            return Verdict(label=label, confidence=float(max(r.probabilities[2] for r in readings)), method=self.method,
                           rationale=f"no sentence settles the claim (closest reading leans {lean.value}, "
                                     f"p={best.probabilities[CLASSES.index(lean)]:.2f})")
        confidence = float(best.probabilities[CLASSES.index(label)])
        tier = "finding" if confidence >= self.finding_threshold[label] else "suggestion"
        word = "supports" if label is Label.supported else "contradicts"
        return Verdict(label=label, confidence=confidence, citations=[best.sentence.citation()], method=self.method,
                       rationale=f"the cited sentence {word} the claim", tier=tier)

    def agrees_same_fact(self, statement: str, citation: Citation, minimum: float) -> bool:
        """Whether the model reads the cited sentence as speaking to the statement (1 - P(NEI) >= minimum)."""
        probs = self.model.predict([(statement, citation.quote)])[0]
        return float(1.0 - probs[2]) >= minimum


class JudgeUnavailable(CopydeskError, RuntimeError):
    """The NLI judge cannot run here; the caller falls back to the feature judge and says so."""
