"""Helpers for the UI tests: hand-built reports and a Streamlit server for the browser test."""
