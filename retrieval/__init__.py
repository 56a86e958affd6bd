"""The retrieval floor: load documents, cut passages, embed and store them in Chroma, search them.

Knows nothing of claims. Main entry points: `load_paths`, `open_store`, `Searcher`.
"""
from retrieval.types import Document, Passage, content_hash

__all__ = ["Document", "Passage", "content_hash"]
