"""The way from a question (or a report) to a checked answer (or summary)."""
