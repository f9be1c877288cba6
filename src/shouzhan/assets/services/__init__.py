"""Writes of assets, one module per thing: works and versions (registry), licences, reports and packs."""
