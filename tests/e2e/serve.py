"""Run the Streamlit app (`python tests/e2e/serve.py PORT`) with the real pipeline.

With COPYDESK_E2E_REPORT=FILE a saved report is replayed for any draft instead (to time the page alone).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]


def main(port: int) -> None:
    if os.environ.get("COPYDESK_E2E_REPORT"):  # replay a saved report, for timing the page alone
        from app import ui_backend
        from claims.models import Report

        saved = Report.from_json(json.loads(Path(os.environ["COPYDESK_E2E_REPORT"]).read_text()))
        ui_backend.check_draft = lambda draft, **kwargs: saved
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(REPO / "app" / "ui.py"), "--server.address", "127.0.0.1",
                "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    cli.main()


if __name__ == "__main__":
    main(int(sys.argv[1]))
