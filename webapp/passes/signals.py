"""Signals of passes. `entry_admitted` is sent after the commit of an admitted entry at the gate,
with `pass_` (the Pass, its entries_used counted) and `entry` (the PassEntry): the sales visits
(webapp/visits) record a visit from it."""

from __future__ import annotations

from django.dispatch import Signal

entry_admitted = Signal()
