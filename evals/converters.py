"""Converters from the public eval data in ../shared/evaldata to the project's JSONL claim items.

    python -m evals.converters vitaminc-numeric-300 ~/.cache/copydesk/evalsets/vitaminc-numeric-300.jsonl
    python -m evals.converters --list

Converted sets are derived from third-party data: write them outside the repository (default
~/.cache/copydesk/evalsets/), never commit them. Every converter returns plain dicts in the contract's
claim-item shape; `gold_evidence` (indices into `evidence`) is set where the data says which
evidence sentences are relevant, so citation precision can be scored.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from claims.errors import CopydeskError
from claims.models import Label
from evals.formats import default_shared_dir

DEFAULT_OUT_DIR = Path.home() / ".cache" / "copydesk" / "evalsets"


def evalsets_dir() -> Path:
    """Where converted sets live: the settings' `evalsets` ($COPYDESK_EVALSETS, else ~/.cache/copydesk/evalsets)."""
    from claims.settings import Settings

    return Settings.load().evalsets or DEFAULT_OUT_DIR

_FEVER_TOKENS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
                 "-COLON-": ":", "``": '"', "''": '"'}


class ConverterError(CopydeskError, ValueError):
    """An unknown converter name or a missing/unreadable raw file."""


def clean_fever_text(text: str) -> str:
    """Undo FEVER/PTB tokenisation as a reader would see the text ("May 11 , 2014 ." -> "May 11, 2014.").

    Bracket tokens, spaces before punctuation and clitics, after opening brackets and "$", U+FFFD.
    The verifier's training and measuring scripts use this same function.
    """
    for token, char in _FEVER_TOKENS.items():
        text = text.replace(token, char)
    text = text.replace("\ufffd", " ")
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$])\s+", r"\1", text)
    text = re.sub(r"\s+('s|'re|'ve|'ll|'d|'m|n't|')(?=\W|$)", r"\1", text)
    text = re.sub(r'"\s+(.*?)\s+"', r'"\1"', text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise ConverterError(f"raw file {path} not found (is ../shared/evaldata present? set COPYDESK_SHARED)")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _item(id_: str, claim: str, evidence: list[str], label: Label, gold: list[int] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": id_, "claim": claim, "evidence": evidence, "label": label.value}
    if gold is not None:
        item["gold_evidence"] = gold
    return item


def balanced_sample(items: list[dict[str, Any]], per_label: int, seed: int = 0) -> list[dict[str, Any]]:
    """`per_label` items of each label (all of a smaller class), seeded, in the original order."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_label[item["label"]].append(index)
    rng = random.Random(seed)
    chosen: list[int] = []
    for label in sorted(by_label):
        indices = by_label[label]
        chosen += rng.sample(indices, min(per_label, len(indices)))
    return [items[i] for i in sorted(chosen)]


def vitaminc(evaldata: Path, *, numeric: bool = False) -> list[dict[str, Any]]:
    """VitaminC real dev: each pair against its own evidence sentence; `numeric` keeps claims with a digit."""
    items = []
    for row in _jsonl(evaldata / "vitaminc" / "vitaminc_real_dev.jsonl"):
        if numeric and not re.search(r"\d", row["claim"]):
            continue
        items.append(_item(row["unique_id"], clean_fever_text(row["claim"]), [clean_fever_text(row["evidence"])],
                           Label.parse(row["label"])))
    return items


def training_split(group: str) -> str:
    """The split of a group of pairs (a page, an item) in the NLI model's training (scripts/train_nli.py):
    70% train, 15% dev (calibration, tiers), 15% test (held out), by a hash of the group key."""
    bucket = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else ("dev" if bucket < 85 else "test")


def vitaminc_heldout(evaldata: Path, *, numeric: bool = False) -> list[dict[str, Any]]:
    """VitaminC real dev pairs of the pages held out of the NLI model's training (its test split, by page)."""
    items = []
    for row in _jsonl(evaldata / "vitaminc" / "vitaminc_real_dev.jsonl"):
        if training_split("vcr:" + row["page"]) != "test" or (numeric and not re.search(r"\d", row["claim"])):
            continue
        items.append(_item(row["unique_id"], clean_fever_text(row["claim"]), [clean_fever_text(row["evidence"])],
                           Label.parse(row["label"])))
    return items


LIAR_LABELS = {"true": Label.supported, "mostly-true": Label.supported, "false": Label.contradicted,
               "pants-fire": Label.contradicted}


def liar_plus_heldout(evaldata: Path) -> list[dict[str, Any]]:
    """LIAR-PLUS val2 items held out of the NLI model's training (its test split, by item): the claim against
    the ruling's justification; true/mostly-true -> supported, false/pants-fire -> contradicted, the rest left out."""
    return [_item(f"liar-{row['id']}", row["claim"], [row["justification"]], LIAR_LABELS[row["label"]])
            for row in _jsonl(evaldata / "liar-plus" / "val2.jsonl")
            if row["label"] in LIAR_LABELS and (row.get("justification") or "").strip()
            and training_split(f"liar:{row['id']}") == "test"]


def vitaminc_numeric_300(evaldata: Path) -> list[dict[str, Any]]:
    """The fixed VitaminC numeric sample: 100 pairs per label, seed 0."""
    return balanced_sample(vitaminc(evaldata, numeric=True), 100, seed=0)


def climate_fever(evaldata: Path, *, disputed: bool = False) -> list[dict[str, Any]]:
    """Climate-FEVER: the claim and its 5 evidence sentences. DISPUTED claims are dropped (or, with
    `disputed`, only they are kept, labelled by the majority of their evidence votes, for separate scoring)."""
    items = []
    for row in _jsonl(evaldata / "climate-fever" / "climate-fever.jsonl"):
        is_disputed = row["claim_label"] == "DISPUTED"
        if is_disputed != disputed:
            continue
        evidence = [e["evidence"] for e in row["evidences"]]
        gold = [i for i, e in enumerate(row["evidences"]) if e["evidence_label"] != "NOT_ENOUGH_INFO"]
        if disputed:
            votes = [e["evidence_label"] for e in row["evidences"] if e["evidence_label"] != "NOT_ENOUGH_INFO"]
            label = Label.parse(max(sorted(set(votes)), key=votes.count)) if votes else Label.not_enough_evidence
        else:
            label = Label.parse(row["claim_label"])
        items.append(_item(f"climate-fever-{row['claim_id']}", row["claim"], evidence, label, gold))
    return items


def summedits(evaldata: Path, domain: str) -> list[dict[str, Any]]:
    """SummEdits (ectsum, news, sales_email): the summary is the claim, the document its evidence."""
    path = evaldata / "summedits" / f"summedits_{domain}.json"
    if not path.is_file():
        raise ConverterError(f"raw file {path} not found")
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [_item(row["id"], row["summary"], [row["doc"]], Label.parse(str(row["label"]))) for row in rows]


def fool_me_twice(evaldata: Path) -> list[dict[str, Any]]:
    """Fool Me Twice dev: retrieved sentences plus the gold ones (marked in gold_evidence)."""
    items = []
    for row in _jsonl(evaldata / "fm2" / "dev.jsonl"):
        evidence = [e["text"] for e in row.get("retrieved_evidence", [])]
        for e in row.get("gold_evidence", []):
            if e["text"] not in evidence:
                evidence.append(e["text"])
        gold_texts = {e["text"] for e in row.get("gold_evidence", [])}
        items.append(_item(f"fm2-{row['id']}", row["text"], evidence, Label.parse(row["label"]),
                           [i for i, text in enumerate(evidence) if text in gold_texts]))
    return items


def fever_symmetric(evaldata: Path) -> list[dict[str, Any]]:
    """FEVER-Symmetric v0.2 dev: one evidence sentence per claim, balanced SUPPORTS/REFUTES."""
    return [_item(f"fever-symmetric-{row['id']}", clean_fever_text(row["claim"]),
                  [clean_fever_text(row["evidence"])], Label.parse(row["label"]))
            for row in _jsonl(evaldata / "fever-symmetric" / "fever_symmetric_dev.jsonl")]


_STANCE_RELEVANT = ("completely-support", "partially-support", "refute")


def _factcheck_benchmark(evaldata: Path) -> list[tuple[str, Any, list[str], list[int]]]:
    """(claim, factuality label, 5 auto-retrieved passages, indices of passages with a stance)."""
    out = []
    for row in _jsonl(evaldata / "factcheck-bench" / "factcheck-GPT-benchmark.jsonl"):
        for sentence in row["sentences"].values():
            for i, claim in enumerate(sentence["claims"]):
                labels, evidence = sentence["claims_factuality_label"], sentence["auto_evidence"]
                stances = sentence["stance_claim_autoEvid"]
                if i >= len(labels) or i >= len(evidence):
                    continue
                stance = stances[i] if i < len(stances) else []
                gold = [j for j, s in enumerate(stance) if s in _STANCE_RELEVANT]
                out.append((claim.strip(), labels[i], list(evidence[i]), gold))
    return out


def _factcheck_label(value: Any) -> Label:
    return Label.not_enough_evidence if str(value).lower() == "unknown" else Label.parse(str(value))


def factcheck_bench(evaldata: Path) -> list[dict[str, Any]]:
    """Factcheck-Bench subtask 4 (claim factuality) with each claim's 5 web passages from the benchmark file."""
    evidence = {claim: (passages, gold) for claim, _, passages, gold in _factcheck_benchmark(evaldata)}
    items = []
    for n, row in enumerate(_jsonl(evaldata / "factcheck-bench" / "subtask4_claim_factuality.jsonl")):
        passages, gold = evidence.get(row["claim"].strip(), ([], None))
        item = _item(f"factcheck-{n}", row["claim"], passages, _factcheck_label(row["label"]), gold)
        if not passages:
            del item["evidence"]
        items.append(item)
    return items


def factcheck_gpt(evaldata: Path) -> list[dict[str, Any]]:
    """Every claim of the Factcheck-GPT benchmark file ('unknown' -> not enough evidence)."""
    return [_item(f"factcheck-gpt-{n}", claim, passages, _factcheck_label(label), gold)
            for n, (claim, label, passages, gold) in enumerate(_factcheck_benchmark(evaldata))]


CONVERTERS: dict[str, Callable[[Path], list[dict[str, Any]]]] = {
    "vitaminc": vitaminc,
    "vitaminc-numeric": lambda d: vitaminc(d, numeric=True),
    "vitaminc-numeric-300": vitaminc_numeric_300,
    "vitaminc-heldout": vitaminc_heldout,
    "vitaminc-heldout-numeric": lambda d: vitaminc_heldout(d, numeric=True),
    "liar-plus-heldout": liar_plus_heldout,
    "climate-fever": climate_fever,
    "climate-fever-disputed": lambda d: climate_fever(d, disputed=True),
    "summedits-ectsum": lambda d: summedits(d, "ectsum"),
    "summedits-news": lambda d: summedits(d, "news"),
    "summedits-sales_email": lambda d: summedits(d, "sales_email"),
    "fm2": fool_me_twice,
    "fever-symmetric": fever_symmetric,
    "factcheck-bench": factcheck_bench,
    "factcheck-gpt": factcheck_gpt,
}


def convert(name: str, *, evaldata: Path | None = None) -> list[dict[str, Any]]:
    """The named public set as claim items (see CONVERTERS for the names)."""
    if name not in CONVERTERS:
        raise ConverterError(f"unknown set {name!r}; known: {', '.join(CONVERTERS)}")
    return CONVERTERS[name](evaldata or default_shared_dir() / "evaldata")


def write_jsonl(items: list[dict[str, Any]], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return out


def convert_to_file(name: str, out: Path | None = None, *, evaldata: Path | None = None) -> Path:
    """Convert and write; the default file is NAME.jsonl in evalsets_dir()."""
    return write_jsonl(convert(name, evaldata=evaldata), out or evalsets_dir() / f"{name}.jsonl")


def cached_set(name: str, *, evaldata: Path | None = None) -> Path:
    """The converted set's file, converting it on first use."""
    path = evalsets_dir() / f"{name}.jsonl"
    return path if path.is_file() else convert_to_file(name, path, evaldata=evaldata)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.converters", description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="set to convert: " + ", ".join(CONVERTERS))
    parser.add_argument("out", nargs="?", type=Path, help="output JSONL (default ~/.cache/copydesk/evalsets/NAME.jsonl)")
    parser.add_argument("--out", dest="out_option", type=Path, help="output JSONL (same as OUT)")
    parser.add_argument("--numeric", action="store_true", help="vitaminc: keep only claims containing a digit")
    parser.add_argument("--evaldata", type=Path, help="raw data folder (default ../shared/evaldata)")
    parser.add_argument("--list", action="store_true", help="list the converters")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        print("\n".join(CONVERTERS))
        return 0
    name = f"{args.name}-numeric" if args.numeric and args.name == "vitaminc" else args.name
    try:
        path = convert_to_file(name, args.out or args.out_option, evaldata=args.evaldata)
    except ConverterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as handle:
        print(f"wrote {sum(1 for _ in handle)} items to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
