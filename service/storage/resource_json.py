"""How a stored resource's JSON is kept: compressed with zstd and a dictionary trained on the
product's own resources, on both backends.

A perinatal resource is small (about 800 bytes of JSON) and like every other of its kind, so on
its own it hardly compresses, but against a shared dictionary of what such resources contain it
shrinks six-fold (813 → 123 bytes on the demo's) for about 2 µs to write and 1.5 µs to read
(issue 20's profile). The resource JSON was most of the store's bytes, so this is most of the
store's size, and of the work SQLite and PostgreSQL do writing it.

The dictionary (`resource_dictionary.zstd`) is part of the stored format: it must never change
once data has been written with it. A new one gets a new id (each frame names the dictionary it
was written with) and joins `DICTIONARIES`. Values written before compression (plain JSON, text
or bytes) are read as they are, so a database can be upgraded without rewriting it at once.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import zstandard
from sqlalchemy import Dialect, LargeBinary
from sqlalchemy.types import TypeDecorator

DICTIONARIES = {1: Path(__file__).with_name("resource_dictionary.zstd")}
WRITING_DICTIONARY = 1
LEVEL = 3  # higher levels compress these no smaller and cost five times as long
_PLAIN_JSON = b"{"

# zstd contexts must not be shared between threads (the API serves from a thread pool).
_contexts = threading.local()


@cache
def _dictionary(dictionary_id: int) -> zstandard.ZstdCompressionDict:
    dictionary = zstandard.ZstdCompressionDict(DICTIONARIES[dictionary_id].read_bytes())
    if dictionary.dict_id() != dictionary_id:
        raise RuntimeError(f"{DICTIONARIES[dictionary_id].name} is not dictionary {dictionary_id}")
    return dictionary


def _compressor() -> zstandard.ZstdCompressor:
    compressor = getattr(_contexts, "compressor", None)
    if compressor is None:
        compressor = zstandard.ZstdCompressor(
            level=LEVEL, dict_data=_dictionary(WRITING_DICTIONARY), write_checksum=False
        )
        _contexts.compressor = compressor
    return compressor


def _decompressor(dictionary_id: int) -> zstandard.ZstdDecompressor:
    decompressors: dict[int, zstandard.ZstdDecompressor] = _contexts.__dict__.setdefault(
        "decompressors", {}
    )
    if dictionary_id not in decompressors:
        decompressors[dictionary_id] = zstandard.ZstdDecompressor(
            dict_data=_dictionary(dictionary_id)
        )
    return decompressors[dictionary_id]


def pack(resource_json: bytes) -> bytes:
    """The stored form of a resource's JSON text."""
    return _compressor().compress(resource_json)


def unpack(stored: bytes | memoryview | str) -> bytes:
    """A resource's JSON text from its stored form (or from plain JSON stored before)."""
    if isinstance(stored, str):
        return stored.encode()
    stored = bytes(stored)
    if stored[:1] == _PLAIN_JSON:
        return stored
    dictionary_id = zstandard.get_frame_parameters(stored).dict_id
    return _decompressor(dictionary_id).decompress(stored)


class ResourceJson(TypeDecorator[dict[str, Any]]):
    """A resource as a dict in Python, compressed JSON in the database (BLOB, BYTEA)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> bytes | None:
        return None if value is None else pack(orjson.dumps(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        resource: dict[str, Any] = orjson.loads(unpack(value))
        return resource
