"""What every upload check shares: the per-field error, the size limit and how a size is shown."""
from __future__ import annotations

from service.errors import InvalidInput, PayloadTooLarge


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def human_size(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def check_size(data: bytes, *, field: str, max_bytes: int, noun: tuple[str, str]) -> None:
    """Empty is 422, at or over the limit 413; ``noun`` names the file in Chinese and English."""
    if not data:
        raise invalid(field, "文件为空 / The file is empty")
    if len(data) >= max_bytes:
        limit = human_size(max_bytes)
        message = f"{noun[0]}必须小于 {limit} / {noun[1]} must be smaller than {limit}"
        raise PayloadTooLarge(message, fields={field: [message]})
