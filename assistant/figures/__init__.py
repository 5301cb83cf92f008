"""Figures: extraction of (number, what it counts, group, place, period) from report sentences at ingest, the figures table and its look-ups, revisions across reports, and claim checks."""
