"""The LLM judge: a verdict with its reasoning first, and quotes that must exist verbatim in the evidence.

The model answers {reasoning, verdict, quotes: [{passage_index, quote}]} (prompts/judge.md). Each
quote is looked up in the passage it cites (exactly, else with whitespace and quote marks
normalised); a found quote becomes a Citation carrying the exact source substring and its offsets
into the source document (passage.start + offset within the passage). A quote whose sentence
carries an instruction to the model ("ignore previous instructions ...", "answer supported") is
rejected too: injected text is not evidence. A supported or contradicted verdict without any valid
quote becomes not_enough_evidence: the model cannot invent evidence.

Confidence: claims.calibration.calibrate("judge:llm", raw), which is the raw score itself until a
calibration for this method is fitted, a fixed mapping:
    supported / contradicted with a verified quote ............ 0.70
    not_enough_evidence chosen by the model ................... 0.55
    downgraded to not_enough_evidence (no valid quote) ........ 0.40
(the packaged 1.5B local model judged about 2 in 3 pairs right with a verified quote; see
bench/llm_prompt_bench.py).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from claims.calibration import calibrate
from claims.errors import CopydeskError
from claims.models import Citation, Label, Verdict
from claims.verification.citations import cite_passage
from retrieval.chunking import split_sentences
from retrieval.types import Passage

METHOD = "judge:llm"
RAW_CONFIDENCE = {"verified": 0.70, "model_nee": 0.55, "downgraded": 0.40}
MAX_PASSAGE_CHARS = 1500  # per passage, to keep the prompt inside a small model's context
MIN_QUOTE_CHARS = 12  # shorter "quotes" ("yes", a lone number) prove nothing


_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|above|previous)\b"
    r"|\b(answer|output|respond|reply)\b.{0,20}\b(supported|contradicted|not_enough_evidence)\b",
    re.IGNORECASE | re.DOTALL)


class QuoteRef(BaseModel):
    passage_index: int
    quote: str


class JudgeOutput(BaseModel):
    """The judge's answer; field order puts the reasoning before the verdict."""

    reasoning: str
    verdict: Literal["supported", "contradicted", "not_enough_evidence"]
    quotes: list[QuoteRef] = Field(default_factory=list)


class JudgeInputError(CopydeskError, ValueError):
    """The statement to judge is empty."""


_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """`text` with whitespace runs collapsed to one space and curly quotes straightened, and for each
    character of the result the offset of the character it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text.translate(_QUOTE_MARKS)):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        offsets.append(offset)
    return "".join(chars), offsets


def locate_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets of `quote` inside `text`: exact first, else whitespace/quote-mark normalised; None if absent."""
    quote = quote.strip()
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    start = text.find(quote)
    if start != -1:
        return start, start + len(quote)
    normal_text, offsets = _normalised_with_map(text)
    normal_quote, _ = _normalised_with_map(quote)
    found = normal_text.find(normal_quote.strip())
    if found == -1:
        return None
    last = found + len(normal_quote.strip()) - 1
    return offsets[found], offsets[last] + 1


def carries_instruction(text: str, start: int, end: int) -> bool:
    """Whether a sentence of `text` overlapping [start, end) addresses the model (a prompt injection)."""
    spans = [(a, b) for a, b in split_sentences(text) if a < end and start < b] or [(start, end)]
    return any(_INSTRUCTION.search(text[a:b]) for a, b in spans)


def format_passages(passages: list[Passage]) -> str:
    """The evidence as delimited data blocks; tag-like text inside a passage is defused."""
    blocks = []
    for index, passage in enumerate(passages):
        text = re.sub(r"</?\s*(passage|claim)\b[^>]*>", "", passage.text[:MAX_PASSAGE_CHARS], flags=re.IGNORECASE)
        dated = f" date=\"{passage.date.isoformat()}\"" if passage.date else ""
        blocks.append(f'<passage index="{index}"{dated}>{text}</passage>')
    return "\n".join(blocks) if blocks else "(no passages were found)"


def confidence(raw: float) -> float:
    return calibrate(METHOD, raw)


class LLMJudge:
    """`LLMJudge(client).judge(statement, passages, as_of) -> Verdict`; raises claims.llm.LLMError on failure."""

    def __init__(self, client, *, prompt_name: str = "judge", max_passages: int = 5) -> None:
        self.client = client
        self.prompt_name = prompt_name
        self.max_passages = max_passages

    def judge(self, statement: str, passages: list[Passage], as_of: date | None = None) -> Verdict:
        if not statement or not statement.strip():
            raise JudgeInputError("the statement to judge is empty")
        passages = list(passages)[: self.max_passages]
        if not passages:
            return Verdict(label=Label.not_enough_evidence, confidence=confidence(RAW_CONFIDENCE["model_nee"]),
                           method=METHOD, rationale="no evidence passages to judge against")
        variables = {"statement": " ".join(statement.split()), "passages": format_passages(passages),
                     "as_of": (as_of or date.today()).isoformat()}
        output = self.client.structured(self.prompt_name, variables, JudgeOutput)
        return self.verdict_from(output, passages)

    @staticmethod
    def verdict_from(output: JudgeOutput, passages: list[Passage]) -> Verdict:
        """Check the model's quotes against the passages and build the Verdict."""
        citations: list[Citation] = []
        for ref in output.quotes:
            if not 0 <= ref.passage_index < len(passages):
                continue
            passage = passages[ref.passage_index]
            span = locate_quote(ref.quote, passage.text)
            if span is None or carries_instruction(passage.text, *span):
                continue
            citation = cite_passage(passage, *span)
            if citation not in citations:
                citations.append(citation)
        label = Label(output.verdict)
        rationale = " ".join(output.reasoning.split())
        if label is Label.not_enough_evidence:
            return Verdict(label=label, confidence=confidence(RAW_CONFIDENCE["model_nee"]), citations=citations,
                           method=METHOD, rationale=rationale)
        if not citations:
            return Verdict(label=Label.not_enough_evidence, confidence=confidence(RAW_CONFIDENCE["downgraded"]),
                           method=METHOD, rationale=rationale,
                           note=f"the model said {label.value} but quoted nothing found in the evidence")
        return Verdict(label=label, confidence=confidence(RAW_CONFIDENCE["verified"]), citations=citations,
                       method=METHOD, rationale=rationale)
