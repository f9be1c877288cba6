"""Offers (免申即享 / 政策直达): the policy finds the enterprise.

A push run evaluates the catalogue in force over the whole register in bulk (Polars, or Spark) and
reconciles the offers: one per enterprise (and project, for a clause about projects) × clause that the
rules find eligible, and an information prompt (补充信息) where they find it unknown. The enterprise
confirms in one click and a fast-track policy-application case opens; the case's outcome comes back
as the offer's state (cases/workflow.py declares the effects, offers/effects.py handles them).
"""
