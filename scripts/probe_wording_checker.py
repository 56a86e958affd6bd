"""Probe the wording checker for false contradictions on labelled claim / evidence pairs it was not written for.

Usage: python scripts/probe_wording_checker.py ../shared/evaldata/vitaminc/vitaminc_real_dev.jsonl \
    ../shared/evaldata/fever-symmetric/fever_symmetric_dev.jsonl
Each claim is read as a draft statement and checked alone against its evidence; prints how often the
checker fires per gold label (it only contradicts, so a fire on SUPPORTS is a false contradiction) and the
first fires that are not REFUTES."""
import json, sys, collections
from datetime import date
from claims.models import Claim
from claims.verification.checker import Context
from claims.verification.wording_checker import WordingChecker
from retrieval.types import Passage
chk = WordingChecker()
counts = collections.Counter(); shown = 0
for path in sys.argv[1:]:
    for line in open(path):
        d = json.loads(line)
        claim, ev, label = d["claim"], d["evidence"], d["label"]
        c = Claim(id="c1", text=claim, start=0, end=len(claim), kind="statement", statement=claim, sentence_start=0, sentence_end=len(claim))
        p = Passage(id="p", source="ev", text=ev, start=0, end=len(ev))
        v = chk.check(c, [p], Context(as_of=date(2026, 1, 1)))
        if v is not None:
            counts[label] += 1
            if label != "REFUTES" and shown < 12:
                shown += 1; print(label, "|", claim[:100], "|", v.rationale[:160])
        counts["n"] += 1
print(counts)
