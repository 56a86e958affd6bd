"""The verification seam: every claim gets its verdict here, by one `decide()`.

- `checker.py`: the `Checker` protocol and the `Context` a check runs in;
- `registry.py`: the ordered checkers (roster, quantity comparator, date comparator, then the judges);
- `decide.py`: `decide(claim, evidence, context)`, used by `claims.pipeline.check()` and `check_claim()`;
- `tiers.py`: which verdicts are findings and which are suggestions;
- `citations.py`: the one Citation builder every checker quotes evidence with.

Import the modules themselves (`from claims.verification.decide import decide`): this package's
`__init__` imports nothing, so the lower modules (`claims.compare`, `claims.officials`) can use
`citations.py` without an import cycle.
"""
