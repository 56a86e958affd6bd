"""PNG plots of an eval run (matplotlib, Agg backend): confusion matrix, per-kind F1, reliability diagram."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_confusion(confusion: dict[str, Any], path: Path, title: str = "Confusion matrix") -> Path:
    labels, matrix = confusion["labels"], confusion["matrix"]
    fig, ax = plt.subplots(figsize=(5, 4.2))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), [label.replace("_", "\n") for label in labels], fontsize=8)
    ax.set_yticks(range(len(labels)), [label.replace("_", "\n") for label in labels], fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max((max(row) for row in matrix), default=0) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    ax.set_title(title)
    return _save(fig, path)


def plot_kind_f1(extraction: dict[str, Any], path: Path, title: str = "Extraction F1 by kind") -> Path:
    kinds = [k for k in extraction if extraction[k].get("f1") is not None]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    values = [extraction[k]["f1"] for k in kinds]
    bars = ax.bar(kinds, values, color="#4c72b0")
    for bar, kind in zip(bars, kinds):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.02,
                f"n={extraction[kind]['n_gold']}", ha="center", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("F1 (span overlap)")
    ax.set_title(title)
    return _save(fig, path)


def plot_reliability(calibration: dict[str, Any], path: Path, title: str = "Confidence reliability") -> Path:
    bins = calibration["bins"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    if bins:
        centres = [(b["low"] + b["high"]) / 2 for b in bins]
        ax.bar(centres, [b["accuracy"] for b in bins], width=0.09, alpha=0.7, label="accuracy in bin")
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", color="#c44e52")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"{title} (ECE {calibration['ece']}, n={calibration['n']})" if calibration["n"] else title,
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return _save(fig, path)


def write_plots(metrics: dict[str, Any], out_dir: Path) -> list[Path]:
    """Every plot the metrics support, as PNGs in out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    claims = metrics.get("claims")
    if claims:
        written.append(plot_confusion(claims["confusion"], out_dir / "confusion.png"))
        written.append(plot_reliability(claims["calibration"], out_dir / "reliability.png"))
    docs = metrics.get("documents")
    if docs:
        written.append(plot_kind_f1(docs["extraction"], out_dir / "extraction_f1.png"))
        if docs["verdict"].get("confusion"):
            written.append(plot_confusion(docs["verdict"]["confusion"], out_dir / "document_verdicts.png",
                                          "Verdicts on matched claims"))
        if docs["calibration"]["n"]:
            written.append(plot_reliability(docs["calibration"], out_dir / "document_reliability.png"))
    return written


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
