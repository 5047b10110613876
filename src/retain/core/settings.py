"""Study settings that drive scheduling; loaded from config.toml by `retain.store.config`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["StudySettings"]


@dataclass(frozen=True, slots=True)
class StudySettings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    leech_threshold: int = 8
    leech_action: str = "tag"  # "tag" or "suspend"
