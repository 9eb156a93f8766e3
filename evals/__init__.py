"""Eval harness: suites of cases (YAML) that check answers, retrieval, metadata and drafts for accuracy.

``suite`` loads and validates suites, ``targets`` runs one case of each kind against the real pieces,
``checks`` holds one function per assertion type, ``runner`` runs suites, ``results`` renders the table
and the JSON result, ``diff`` compares two results, ``judge`` adds optional model-graded checks.
"""
