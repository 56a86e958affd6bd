"""The store against a model of what it should hold (Hypothesis, stateful): random interleavings of ingest,
replace, remove, an ingest that fails part-way (the embedder raises, as on Ctrl-C or a dying model), and
reopening the store. After every step the real Chroma store holds exactly the model's documents, each with
passages that quote its text, and nothing else."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from retrieval.store import open_store
from retrieval.types import Document
from word_hash import WordHash

SOURCES = st.sampled_from(["a.md", "b.md", "news/c.md", "d.txt"])
WORDS = st.sampled_from("the council approved budget of million pounds on March troops rose fell 72% 28,500 yen Nara".split())
TEXTS = st.lists(st.lists(WORDS, min_size=3, max_size=12).map(lambda w: " ".join(w).capitalize() + "."),
                 min_size=1, max_size=6).map(" ".join)


class StoreAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="copydesk-prop-"))
        self.embedder = WordHash()
        self.store = open_store(self.folder / "store", embedder=self.embedder)
        self.model: dict[str, str] = {}

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @rule(source=SOURCES, text=TEXTS)
    def ingest(self, source, text):
        self.store.ingest([Document(source=source, text=text)])
        self.model[source] = text

    @rule(docs=st.dictionaries(SOURCES, TEXTS, min_size=2, max_size=4))
    def ingest_several(self, docs):
        self.store.ingest([Document(source=s, text=t) for s, t in docs.items()], batch_size=2)
        self.model.update(docs)

    @rule(source=SOURCES)
    def remove(self, source):
        assert self.store.remove(source) == (source in self.model)
        self.model.pop(source, None)

    @rule(docs=st.dictionaries(SOURCES, TEXTS, min_size=1, max_size=4), fail_after=st.integers(0, 2))
    def ingest_that_dies(self, docs, fail_after):
        self.embedder.fail_after = fail_after
        try:
            self.store.ingest([Document(source=s, text=t) for s, t in docs.items()], batch_size=1)
        except KeyboardInterrupt:
            pass
        self.embedder.fail_after = None
        for source, text in docs.items():  # each document is in its old state or its new one, never between
            stored = self.store.document_text(source)
            assert stored in (self.model.get(source), text), (source, stored)
            if stored is None:
                self.model.pop(source, None)
            else:
                self.model[source] = stored

    @rule()
    def reopen(self):
        self.store = open_store(self.folder / "store", embedder=self.embedder)

    @invariant()
    def holds_exactly_the_model(self):
        assert {d["source"] for d in self.store.documents()} == set(self.model)
        for source, text in self.model.items():
            assert self.store.document_text(source) == text
            passages = self.store.passages_for(source)
            assert passages, f"{source} has no passages"
            assert all(text[p.start:p.end] == p.text for p in passages)
            assert "".join(p.text for p in passages).replace(" ", "") == text.replace(" ", "")  # all of it, once
        assert self.store.count() == sum(len(self.store.passages_for(s)) for s in self.model)  # no orphans


TestStoreAgainstModel = StoreAgainstModel.TestCase
TestStoreAgainstModel.settings = settings(max_examples=12, stateful_step_count=8, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
