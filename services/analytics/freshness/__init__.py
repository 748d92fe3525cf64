"""Freshness: how current the figures are and whether the broker still holds their history."""
