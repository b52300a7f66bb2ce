"""Conformance scenarios: the regulations' N-процесс / N-шарт diagrams played end to end."""
