"""The offline judge: a small trained verifier over hand-made features of (claim, evidence sentence).

No NLI model is packaged for offline use here, so the judge is a tiny classifier (weights in
claims/data/verifier.json, trained by scripts/train_verifier.py) over features: content-word overlap and
containment, entity overlap, number and date agreement read with the project's grammars, negation and
antonym cues. Evidence text is only ever turned into numbers; nothing in it can steer the judge.
Its decision adds per-class biases (tuned on a dev split for macro-F1) to the log-probabilities; below an
optional calibrated confidence threshold it answers not_enough_evidence.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from claims.calibration import calibrate, verifier_path
from claims.errors import CopydeskError
from claims.compare import (
    EvidenceSentence, antonym_conflict, comparable, compare, content_words, date_relation, dates_in,
    evidence_sentences, quantities_in, quantity_relation, statement_claims, stem,
)
from claims.dates import DateMatch
from claims.lexicon import QUALIFIERS
from claims.models import Claim, Label, Verdict
from claims.quantities import QuantityMatch
from retrieval.types import Passage

VERIFIER_PATH = Path(__file__).resolve().parent / "data" / "verifier.json"  # the shipped weights
CLASSES = (Label.supported, Label.contradicted, Label.not_enough_evidence)
DEFAULT_DECISION_THRESHOLD = 0.5

NEGATIONS = frozenset("not no never none nobody nothing neither nor n't cannot without fail failed refused "
                      "denied lack lacks lacked".split())
FEATURE_NAMES = (
    "containment", "jaccard", "missing_share", "entity_containment", "has_entities", "bigram_containment",
    "claim_has_number", "number_exact_share", "number_supported", "number_contradicted", "number_unmatched",
    "evidence_has_number", "claim_has_date", "date_supported", "date_contradicted", "date_unmatched",
    "negation_claim", "negation_evidence", "negation_mismatch", "antonym_cue", "log_claim_len",
    "log_evidence_len", "containment_x_number_contradicted", "containment_x_number_supported",
    "comparator_supported", "comparator_contradicted", "comparator_undecided",
    "aligned_ratio", "replaced_share", "deleted_share", "longest_block_share", "replaced_with_number",
    "embedding_cosine",
    "number_swapped", "word_swapped", "swapped_number_log_ratio", "overlap_x_number_swapped",
    "claim_comparative", "comparative_holds", "comparative_fails", "claim_number_absent_x_overlap",
)
FALLBACK_EMBEDDER = "minilm-int8"  # where the named MiniLM variant cannot run (no `onnx` to build minilm-q8)
EMBEDDER_NAME = "minilm-q8"  # the verifier is trained on this embedder's similarities (the store's default: one model per check)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.]*\d|\d|n't")
_ENTITY = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-zA-Z\-]+")


class VerifierUnavailable(CopydeskError, RuntimeError):
    """The shipped verifier weights are missing or malformed."""


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def _numbers(text: str) -> set[float]:
    out = set()
    for t in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
        try:
            out.add(float(t.replace(",", "")))
        except ValueError:
            pass
    return out


@dataclass(frozen=True)
class StatementValues:
    """What the judge reads from a statement once, however many evidence sentences it is scored against:
    its quantities and dates (the extractor's grammars) and one comparator claim per value."""

    text: str
    quantities: list[QuantityMatch]
    dates: list[DateMatch]
    claims: list[Claim]

    @classmethod
    def read(cls, statement: str, as_of: date) -> "StatementValues":
        return cls(statement, quantities_in(statement), dates_in(statement, as_of), statement_claims(statement, as_of))


def _quantity_agreement(values: StatementValues, evidence: str) -> tuple[float, float, float]:
    """Shares of the claim's quantities that some comparable evidence quantity supports / contradicts / misses."""
    claim, claim_hits = values.text, values.quantities
    if not claim_hits:
        return 0.0, 0.0, 0.0
    ev_hits = quantities_in(evidence)
    return _shares([
        [quantity_relation(hit.quantity, claim[hit.start:hit.end], e.quantity, evidence[e.start:e.end])
         for e in ev_hits if comparable(e.quantity, hit.quantity)]
        for hit in claim_hits])


def _shares(labels_per_value: list[list[Label | None]]) -> tuple[float, float, float]:
    """Shares of the claim's values that some evidence value supports, that every comparable evidence
    value contradicts, and that stay open."""
    supported = contradicted = unmatched = 0
    for labels in labels_per_value:
        if Label.supported in labels:
            supported += 1
        elif labels and all(lbl is Label.contradicted for lbl in labels):
            contradicted += 1
        else:
            unmatched += 1
    n = len(labels_per_value)
    return supported / n, contradicted / n, unmatched / n


def _date_agreement(values: StatementValues, evidence: str, as_of: date) -> tuple[float, float, float, float]:
    claim_hits = values.dates
    if not claim_hits:
        return 0.0, 0.0, 0.0, 0.0
    ev_hits = dates_in(evidence, as_of)
    return (1.0, *_shares([[date_relation(hit.value, e.value) for e in ev_hits] for hit in claim_hits]))


def judge_embedder(name: str = EMBEDDER_NAME) -> Any:
    """The embedder the weights name: the process's default instance when it is that one (so `check` holds one
    MiniLM model for the store and the judge), else its own. Where a MiniLM variant cannot run, MiniLM int8
    (FALLBACK_EMBEDDER): the same model, whose cosines move the held-out score by 0.001 (evals/TRAINING.md)."""
    from retrieval.embeddings import EmbedderUnavailable, get_embedder

    try:
        default = get_embedder()
    except EmbedderUnavailable:
        default = None
    candidates = [name] + ([FALLBACK_EMBEDDER] if name.startswith("minilm") and name != FALLBACK_EMBEDDER else [])
    reasons = []
    for candidate in candidates:
        if default is not None and default.name == candidate:
            return default
        try:
            return get_embedder(candidate)
        except EmbedderUnavailable as exc:
            reasons.append(str(exc))
    raise VerifierUnavailable(f"the verifier needs the {name} embedder: {'; '.join(reasons)}")


def embed_texts(claim: str, evidences: Sequence[str], embedder: str = EMBEDDER_NAME) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM embeddings (L2-normalised) of the claim and of each evidence sentence, by the named embedder."""
    vectors = np.asarray(judge_embedder(embedder).embed([claim, *evidences]), dtype=float)
    return vectors[0], vectors[1:]


def pair_features(claim: str, evidence: str, as_of: date | None = None, similarity: float = 0.0,
                  values: StatementValues | None = None) -> list[float]:
    """The verifier's features of one (claim, evidence sentence) pair, in FEATURE_NAMES order.

    `similarity` is the pair's embedding cosine (from `embed_texts`, computed in batches); `values` is
    `StatementValues.read(claim, as_of)`, read once by a caller that scores the claim against many sentences."""
    as_of = as_of or date.today()
    values = values if values is not None else StatementValues.read(claim, as_of)
    c_words, e_words = content_words(claim), content_words(evidence)
    shared = c_words & e_words
    containment = len(shared) / len(c_words) if c_words else 0.0
    jaccard = len(shared) / len(c_words | e_words) if c_words | e_words else 0.0
    missing_share = len(c_words - e_words) / (1 + len(c_words))
    c_entities = {stem(e.lower()) for e in _ENTITY.findall(claim)}
    e_lower = {stem(t) for t in _tokens(evidence)}
    entity_containment = len(c_entities & e_lower) / len(c_entities) if c_entities else 1.0
    c_tokens, e_tokens = _tokens(claim), _tokens(evidence)
    c_bigrams = _bigrams(c_tokens)
    bigram_containment = len(c_bigrams & _bigrams(e_tokens)) / len(c_bigrams) if c_bigrams else 0.0
    c_numbers, e_numbers = _numbers(claim), _numbers(evidence)
    number_exact = len(c_numbers & e_numbers) / len(c_numbers) if c_numbers else 0.0
    q_sup, q_con, q_miss = _quantity_agreement(values, evidence)
    has_date, d_sup, d_con, d_miss = _date_agreement(values, evidence, as_of)
    neg_c = float(any(t in NEGATIONS for t in c_tokens))
    neg_e = float(any(t in NEGATIONS for t in e_tokens))
    c_set, e_set = set(c_tokens), set(e_tokens)
    antonym = float(antonym_conflict(c_set, e_set))
    return [
        containment, jaccard, missing_share, entity_containment, float(bool(c_entities)), bigram_containment,
        float(bool(c_numbers)), number_exact, q_sup, q_con, q_miss,
        float(bool(e_numbers)), has_date, d_sup, d_con, d_miss,
        neg_c, neg_e, float(neg_c != neg_e), antonym, math.log1p(len(c_tokens)),
        math.log1p(len(e_tokens)), containment * q_con, containment * q_sup,
        *_comparator_outcomes(values, evidence, as_of),
        *_alignment(c_tokens, e_tokens),
        similarity,
        *_edit_features(c_tokens, e_tokens, c_numbers, e_numbers, containment),
    ]


COMPARATIVES: dict[tuple[str, ...], str] = {  # claims.lexicon's qualifiers, as token tuples
    tuple(q.phrase.split()): q.relation for q in QUALIFIERS if q.relation}


def _as_number(token: str) -> float | None:
    try:
        return float(token.replace(",", "")) if token[0].isdigit() else None
    except ValueError:
        return None


def _comparative_before(tokens: list[str], i: int) -> str | None:
    """The comparison a claim states for the number at tokens[i] ("more than 40" -> ">")."""
    for size in (3, 2, 1):
        if i >= size and tuple(tokens[i - size:i]) in COMPARATIVES:
            return COMPARATIVES[tuple(tokens[i - size:i])]
    return None


def _holds(relation: str, claimed: float, found: float) -> bool:
    return {">": found > claimed, ">=": found >= claimed, "<": found < claimed, "<=": found <= claimed,
            "<~": claimed * 0.9 <= found < claimed}[relation]


def _edit_features(claim_tokens: list[str], evidence_tokens: list[str], claim_numbers: set[float],
                   evidence_numbers: set[float], containment: float) -> tuple[float, ...]:
    """What an edit changed: VitaminC-style claims copy most of a sentence and change one number or word.

    A number swapped for another number in an otherwise aligned sentence suggests a refutation; a claim
    that states a bound ("more than 40") is checked against the evidence number it aligns with.
    """
    matcher = SequenceMatcher(None, claim_tokens, evidence_tokens, autojunk=False)
    number_swapped = word_swapped = 0.0
    log_ratio = 0.0
    aligned: dict[int, float] = {}  # claim token index -> the evidence number it lines up with
    bounded: set[int] = set()  # claim numbers whose evidence counterpart is itself a bound ("more than 23")
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        c_nums = [(i, _as_number(claim_tokens[i])) for i in range(i1, i2)]
        c_nums = [(i, v) for i, v in c_nums if v is not None]
        e_nums = [v for v in (_as_number(t) for t in evidence_tokens[j1:j2]) if v is not None]
        if op == "equal":
            aligned.update(c_nums)
            bounded.update(i for i, _ in c_nums if _comparative_before(evidence_tokens, j1 + i - i1))
        elif op == "replace":
            if c_nums and e_nums:
                if {v for _, v in c_nums} != set(e_nums):
                    number_swapped = 1.0
                e_idx = [j for j in range(j1, j2) if _as_number(evidence_tokens[j]) is not None]
                for (i, v), e, j in zip(c_nums, e_nums, e_idx):
                    aligned[i] = e
                    if _comparative_before(evidence_tokens, j):
                        bounded.add(i)
                    if v > 0 and e > 0:
                        log_ratio = max(log_ratio, min(abs(math.log10(v / e)), 3.0))
            elif not c_nums and not e_nums:
                word_swapped = 1.0
    comparative = holds = fails = 0.0
    for i, token in enumerate(claim_tokens):
        value = _as_number(token)
        relation = _comparative_before(claim_tokens, i) if value is not None else None
        if relation is None:
            continue
        comparative = 1.0
        if i in bounded:
            continue  # a bound against a bound ("over 25" vs "more than 23") settles nothing
        found = aligned.get(i)
        candidates = [found] if found is not None else sorted(evidence_numbers, key=lambda e: abs(e - value))[:1]
        for e in candidates:
            if _holds(relation, value, e):
                holds = 1.0
            else:
                fails = 1.0
    absent = float(bool(claim_numbers) and not (claim_numbers & evidence_numbers))
    return (number_swapped, word_swapped, log_ratio, containment * number_swapped,
            comparative, holds, fails, absent * containment)


def _alignment(claim_tokens: list[str], evidence_tokens: list[str]) -> tuple[float, ...]:
    """How the claim's token sequence aligns with the evidence's: edited claims replace a word or two
    in an otherwise copied span ("a 2004 novel" -> "a 2004 film"), unrelated ones share little."""
    n = len(claim_tokens)
    if n == 0 or not evidence_tokens:
        return 0.0, 0.0, 1.0, 0.0, 0.0
    matcher = SequenceMatcher(None, claim_tokens, evidence_tokens, autojunk=False)
    replaced = deleted = 0
    replaced_number = 0.0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            replaced += i2 - i1
            if any(t[0].isdigit() for t in claim_tokens[i1:i2]):
                replaced_number = 1.0
        elif op == "delete":
            deleted += i2 - i1
    longest = max((b.size for b in matcher.get_matching_blocks()), default=0)
    matched = sum(b.size for b in matcher.get_matching_blocks())
    return matched / n, replaced / n, deleted / n, longest / n, replaced_number


def _comparator_outcomes(values: StatementValues, evidence: str, as_of: date) -> tuple[float, float, float]:
    """Shares of the claim's values the comparators find supported / contradicted / undecided in this sentence."""
    claims = values.claims
    if not claims:
        return 0.0, 0.0, 0.0
    passage = Passage(id="evidence", source="evidence", text=evidence, start=0, end=len(evidence))
    labels = [v.label if v else None for v in (compare(c, [passage], as_of) for c in claims)]
    n = len(labels)
    return (labels.count(Label.supported) / n, labels.count(Label.contradicted) / n, labels.count(None) / n)


@dataclass(frozen=True)
class Interaction:
    """Embedding-interaction features (InferSent style): the claim and sentence embeddings u, v combine as
    u*v and |u-v|, each projected on principal components fitted on the training pairs (numbers only)."""

    product_mean: np.ndarray
    product_components: np.ndarray  # (k, embedding dim)
    difference_mean: np.ndarray
    difference_components: np.ndarray

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Interaction":
        arrays = [np.asarray(data[part][key], dtype=float)
                  for part in ("product", "difference") for key in ("mean", "components")]
        interaction = cls(*arrays)
        if interaction.product_components.shape != interaction.difference_components.shape:
            raise ValueError("interaction projections differ in shape")
        return interaction

    def to_json(self) -> dict[str, Any]:
        return {part: {"mean": mean.round(6).tolist(), "components": components.round(5).tolist()}
                for part, mean, components in (("product", self.product_mean, self.product_components),
                                               ("difference", self.difference_mean, self.difference_components))}

    @property
    def names(self) -> tuple[str, ...]:
        k = len(self.product_components)
        return tuple(f"embedding_product_{i}" for i in range(k)) + tuple(f"embedding_difference_{i}" for i in range(k))

    def features(self, claim_vectors: np.ndarray, evidence_vectors: np.ndarray) -> np.ndarray:
        """One row of 2k features per (claim vector, evidence vector) row pair (a single claim vector broadcasts)."""
        product = claim_vectors * evidence_vectors
        difference = np.abs(claim_vectors - evidence_vectors)
        return np.hstack([(product - self.product_mean) @ self.product_components.T,
                          (difference - self.difference_mean) @ self.difference_components.T])


@dataclass(frozen=True)
class Tree:
    """One regression tree: node i tests x[feature[i]] <= threshold[i] (left) or not (right); a leaf has
    feature -1 and adds value[i] to its class's logit."""

    target: int  # the class whose logit this tree adds to
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Tree":
        tree = cls(int(data["class"]), np.asarray(data["feature"], dtype=int),
                   np.asarray(data["threshold"], dtype=float), np.asarray(data["left"], dtype=int),
                   np.asarray(data["right"], dtype=int), np.asarray(data["value"], dtype=float))
        sizes = {len(tree.feature), len(tree.threshold), len(tree.left), len(tree.right), len(tree.value)}
        if len(sizes) != 1 or not 0 <= tree.target < len(CLASSES):
            raise ValueError("a tree's node arrays differ in length or its class is out of range")
        return tree

    def to_json(self) -> dict[str, Any]:
        return {"class": self.target, "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
                "left": self.left.tolist(), "right": self.right.tolist(), "value": self.value.round(6).tolist()}

    def leaf_values(self, x: np.ndarray) -> np.ndarray:
        """The value of the leaf each row of x reaches."""
        rows = np.arange(len(x))
        node = np.zeros(len(x), dtype=int)
        while True:
            feature = self.feature[node]
            internal = feature >= 0
            if not internal.any():
                return self.value[node]
            go_left = x[rows, np.maximum(feature, 0)] <= self.threshold[node]
            node = np.where(internal, np.where(go_left, self.left[node], self.right[node]), node)


@dataclass(frozen=True)
class BoostedTrees:
    """Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier, exported): class logits are a
    baseline plus the leaf values of that class's trees."""

    baseline: np.ndarray  # one logit per class, CLASSES order
    trees: list[Tree]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BoostedTrees":
        baseline = np.asarray(data["baseline"], dtype=float)
        if baseline.shape != (len(CLASSES),):
            raise ValueError(f"the trees' baseline must hold {len(CLASSES)} numbers")
        return cls(baseline, [Tree.from_json(t) for t in data["trees"]])

    def to_json(self) -> dict[str, Any]:
        return {"baseline": self.baseline.round(6).tolist(), "trees": [t.to_json() for t in self.trees]}

    def logits(self, x: np.ndarray) -> np.ndarray:
        out = np.tile(self.baseline, (len(x), 1))
        for tree in self.trees:
            out[:, tree.target] += tree.leaf_values(x)
        return out


@dataclass(frozen=True)
class Verifier:
    """A classifier over standardised features: boosted trees when `trees` is set, else a small MLP (or
    logistic regression: no hidden layer) given by `layers`."""

    mean: np.ndarray
    scale: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    threshold: float
    biases: np.ndarray = field(default_factory=lambda: np.zeros(len(CLASSES)))  # added to log-probabilities before the argmax (CLASSES order)
    interaction: Interaction | None = None  # embedding-interaction features appended to FEATURE_NAMES
    trees: BoostedTrees | None = None
    ensemble: tuple[list[tuple[np.ndarray, np.ndarray]], ...] = ()  # further MLPs, averaged with `layers`
    embedder: str = EMBEDDER_NAME  # the embedder whose cosines the weights were trained on (`embedder` in the JSON)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Verifier":
        try:
            interaction = Interaction.from_json(data["interaction"]) if data.get("interaction") else None
            expected = FEATURE_NAMES + (interaction.names if interaction else ())
            if tuple(data["features"]) != expected:
                raise VerifierUnavailable("verifier.json was trained on other features: retrain it")
            trees = BoostedTrees.from_json(data["trees"]) if data.get("trees") else None
            layers = _layers(data.get("layers", []))
            ensemble = tuple(_layers(member) for member in data.get("ensemble", []))
            if trees is None and not layers:
                raise ValueError("neither trees nor layers given")
            biases = np.asarray(data.get("biases", [0.0] * len(CLASSES)), dtype=float)
            if biases.shape != (len(CLASSES),):
                raise ValueError(f"biases must hold {len(CLASSES)} numbers")
            embedder = str(data.get("embedder", EMBEDDER_NAME))
            return cls(np.asarray(data["mean"], dtype=float), np.asarray(data["scale"], dtype=float), layers,
                       float(data.get("threshold", DEFAULT_DECISION_THRESHOLD)), biases, interaction, trees, ensemble,
                       embedder)
        except (KeyError, TypeError, ValueError) as exc:
            raise VerifierUnavailable(f"verifier weights are malformed: {exc}") from exc

    def full_features(self, features: Sequence[Sequence[float]], claim_vector: np.ndarray,
                      evidence_vectors: np.ndarray) -> np.ndarray:
        """The pair features with the embedding-interaction features appended when this verifier uses them."""
        features = np.asarray(features, dtype=float)
        if self.interaction is None:
            return features
        return np.hstack([features, self.interaction.features(claim_vector, evidence_vectors)])

    def probabilities(self, features: Sequence[Sequence[float]]) -> np.ndarray:
        """Class probabilities in CLASSES order, one row per feature vector."""
        x = (np.asarray(features, dtype=float) - self.mean) / self.scale
        if self.trees is not None:
            return _softmax(self.trees.logits(x))
        members = (self.layers, *self.ensemble)
        return sum(_mlp_probabilities(layers, x) for layers in members) / len(members)

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Class index per row: argmax of log-probability plus the per-class biases tuned on the dev split."""
        return np.argmax(np.log(np.clip(probabilities, 1e-12, 1.0)) + self.biases, axis=-1)


def _layers(data: list) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(w, dtype=float), np.asarray(b, dtype=float)) for w, b in data]


def _mlp_probabilities(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    for i, (w, b) in enumerate(layers):
        x = x @ w + b
        if i < len(layers) - 1:
            x = np.maximum(x, 0.0)
    return _softmax(x)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_verifier(path: Path | None = None) -> Verifier:
    """The verifier at `path`, by default the shipped weights (or COPYDESK_VERIFIER, for experiments)."""
    path = path or verifier_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VerifierUnavailable(f"verifier weights not found at {path}: run scripts/train_verifier.py") from exc
    except json.JSONDecodeError as exc:
        raise VerifierUnavailable(f"{path} is not valid JSON: {exc}") from exc
    return Verifier.from_json(data)


@dataclass(frozen=True)
class SentenceScore:
    sentence: EvidenceSentence
    probabilities: np.ndarray  # CLASSES order

    def decisiveness(self, biases: np.ndarray) -> float:
        """How strongly the sentence speaks for a verdict (biased log-probability of supported/contradicted)."""
        adjusted = np.log(np.clip(self.probabilities, 1e-12, 1.0)) + biases
        return float(max(adjusted[0], adjusted[1]))


class OfflineJudge:
    """Judge a statement against passages with the shipped verifier (biased argmax, optional confidence floor)."""

    method = "judge:offline"

    def __init__(self, verifier: Verifier | None = None) -> None:
        self.verifier = verifier or load_verifier()

    def score(self, statement: str, passages: list[Passage], as_of: date | None = None) -> list[SentenceScore]:
        sentences = evidence_sentences(passages)
        if not sentences:
            return []
        probs = self.sentence_probabilities(statement, [s.text for s in sentences], as_of)
        return [SentenceScore(s, p) for s, p in zip(sentences, probs)]

    def sentence_probabilities(self, statement: str, sentences: list[str], as_of: date | None = None) -> np.ndarray:
        """Class probabilities (CLASSES order) of the statement against each sentence."""
        claim_vector, sentence_vectors = embed_texts(statement, sentences, self.verifier.embedder)
        sims = sentence_vectors @ claim_vector
        values = StatementValues.read(statement, as_of or date.today())
        features = [pair_features(statement, text, as_of, float(sim), values) for text, sim in zip(sentences, sims)]
        return self.verifier.probabilities(self.verifier.full_features(features, claim_vector, sentence_vectors))

    def judge(self, statement: str, passages: list[Passage], as_of: date | None = None) -> Verdict:
        if not content_words(statement):  # only figures (a table or list of numbers): the trees' features are
            return Verdict(label=Label.not_enough_evidence, confidence=calibrate(self.method, 0.0),  # all off-range
                           method=self.method, rationale="the statement has no words besides figures to check")
        scores = self.score(statement, passages, as_of)
        if not scores:
            return Verdict(label=Label.not_enough_evidence, confidence=calibrate(self.method, 0.0),
                           method=self.method, rationale="no evidence sentences to judge")
        biases = self.verifier.biases
        best = max(scores, key=lambda s: s.decisiveness(biases))
        index = int(self.verifier.decide(best.probabilities))
        label = CLASSES[index]
        margin = label_margin(best.probabilities, index)
        confidence = calibrate(self.method, margin)
        if label is Label.not_enough_evidence or confidence < self.verifier.threshold:
            nei = max(scores, key=lambda s: s.probabilities[2])
            return Verdict(label=Label.not_enough_evidence, confidence=_nei_confidence(nei),
                           method=self.method,
                           rationale="the evidence does not settle the claim"
                           + (f" (leaning {label.value}, confidence {confidence:.2f})"
                              if label is not Label.not_enough_evidence else ""))
        word = "supports" if label is Label.supported else "contradicts"
        return Verdict(label=label, confidence=confidence, citations=[best.sentence.citation()],
                       method=self.method,
                       rationale=f"the cited sentence {word} the claim (p={best.probabilities[index]:.2f})")


def label_margin(probabilities: np.ndarray, index: int) -> float:
    """The chosen class's probability minus the strongest other class's (negative when biases overrode)."""
    others = np.delete(probabilities, index)
    return float(probabilities[index] - others.max())


def _nei_confidence(score: SentenceScore) -> float:
    p = score.probabilities
    margin = float(p[2] - max(p[0], p[1]))
    return calibrate("judge:offline", margin) if margin > 0 else 0.5
