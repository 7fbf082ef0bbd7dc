#!/usr/bin/env python3
"""Independent reference for LocalEventLogTests: the stand-in's partition hash, FNV-1a (32-bit) over the UTF-8
bytes of the partition key, partition = hash mod partition count. Standard library only.

Run: python3 partition_hash_reference.py  (the output is pasted into LocalEventLogTests.cs)
"""


def fnv1a(text):
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


for key in ["", "a", "BTCUSD", "ETHUSD", "AAPL", "\u20acURO"]:
    print(f"{key!r}: fnv1a = {fnv1a(key)}, partition of 4 = {fnv1a(key) % 4}, of 32 = {fnv1a(key) % 32}")
