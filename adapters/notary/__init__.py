"""ЕНИС (БНАЖ), the unified notary information system: powers of attorney."""
