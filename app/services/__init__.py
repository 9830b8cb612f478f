"""Use-cases: one function each, session passed keyword-only, one transaction per write."""
