"""Insight's writes, each in its own transaction with its audit entry: `data` (publishing the chains and the
targets), `placements` (suggestions, decisions, relations), `figures` (the city's totals, month-end snapshots)
and `bulletins` (the monthly bulletin and its downloads)."""
