"""The rows every step or start reads and people rarely change, cached per process (engine/
stamped_cache.py): a company's active SLA policies, and the latest deployed version of a flow."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from .models import ProcessVersion, SlaPolicy
from .stamped_cache import StampedCache


def _active_policies(company_id: int) -> tuple[SlaPolicy, ...]:
    return tuple(SlaPolicy.objects.filter(company_id=company_id, active=True).order_by("order", "id"))


def _latest_version(process_key: str) -> ProcessVersion | None:
    return ProcessVersion.objects.filter(key=process_key).order_by("-version").defer("spec_json").first()


POLICIES: StampedCache[int, tuple[SlaPolicy, ...]] = StampedCache("sla-policies", _active_policies)
LATEST_VERSIONS: StampedCache[str, ProcessVersion | None] = StampedCache("latest-version", _latest_version)


def _policy_changed(sender: Any, instance: SlaPolicy, **kwargs: Any) -> None:
    POLICIES.forget(instance.company_id)


def _version_changed(sender: Any, instance: ProcessVersion, **kwargs: Any) -> None:
    LATEST_VERSIONS.forget(instance.key)


def connect() -> None:
    """Called from EngineConfig.ready."""
    for signal in (post_save, post_delete):
        signal.connect(
            _policy_changed, sender=SlaPolicy, dispatch_uid=f"row-cache-policy-{signal is post_save}"
        )
        signal.connect(
            _version_changed, sender=ProcessVersion, dispatch_uid=f"row-cache-version-{signal is post_save}"
        )
