"""The generator's options, validated once (kept light: the CLI reads its defaults at start-up)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SynthesisSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    births_per_year: int = Field(10_000, ge=12, le=200_000)
    years: int = Field(3, ge=1, le=20)
    start: str = Field("2023-01", description="first month, YYYY-MM")
    seed: int = Field(20_231, ge=0)
    defect_rate: float = Field(0.0, ge=0.0, le=0.5)
    # A null region: no events, every group at the same risks (the false-alarm benchmark).
    nothing_planted: bool = False

    @field_validator("start")
    @classmethod
    def _a_month(cls, start: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
            raise ValueError("expected a month as YYYY-MM")
        return start

    @property
    def last_month(self) -> str:
        """The region's last month, YYYY-MM."""
        year, month = int(self.start[:4]), int(self.start[5:7])
        months = year * 12 + month - 1 + self.years * 12 - 1
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
