"""Rule-based ALWAYS extraction for the offline model (filled in with the LearningMachine)."""

from __future__ import annotations

from workbench.models.offline import OfflineView, Reply


def extraction_policy(view: OfflineView) -> Reply:
    return None
