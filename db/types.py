"""Column types that keep SQLite honest: aware UTC datetimes and exact money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Integer
from sqlalchemy.types import TypeDecorator

#: Money is stored as an integer count of ten-thousandths, which is exact for every ISO 4217
#: currency (none uses more than four decimals) and lets SQLite sum it without floats.
MONEY_SCALE = 10_000


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as naive UTC text (SQLite has no timezone type)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount stored as an integer of ten-thousandths."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            # A float has already lost the exact amount a person typed.
            raise TypeError(f"money must be a Decimal, an int or a string, not float {value!r}")
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValueError(f"{amount} is not an amount of money")
        scaled = amount * MONEY_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} has more than four decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value) / MONEY_SCALE
