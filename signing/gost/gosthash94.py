"""GOST R 34.11-94 (GOST 34.311-95 in Kazakhstan) in pure Python, after RFC 5831.

The fallback when libgcrypt is not there, and an independent second implementation the tests
compare libgcrypt with. Kazakh GOST 34.310-2004 signatures hash with the **Test** S-box
(``id-GostR3411-94-TestParamSet``); the CryptoPro S-box gives different digests (spec gost.md).
Slow (about 2-3 ms per KB): the signing code uses libgcrypt when it can.
"""

from __future__ import annotations

TEST_SBOX = (
    (4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3),
    (14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9),
    (5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11),
    (7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3),
    (6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2),
    (4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14),
    (13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12),
    (1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12),
)
"""id-GostR3411-94-TestParamSet: K1 (the lowest nibble) first."""

CRYPTOPRO_SBOX = (
    (10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15),
    (5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8),
    (7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13),
    (4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3),
    (7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5),
    (7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3),
    (13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11),
    (1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12),
)
"""id-GostR3411-94-CryptoProParamSet (for the RFC 5831 known answers only)."""

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_M256 = (1 << 256) - 1
_C3 = 0xFF00FFFF000000FFFF0000FF00FFFF0000FF00FF00FF00FFFF00FF00FF00FF00
# P: byte t (1-based, least significant first) of the output is byte φ(t) of the input,
# φ(i + 1 + 4(k - 1)) = 8i + k for i = 0..3, k = 1..8.
_PHI = [0] * 32
for _i in range(4):
    for _k in range(1, 9):
        _PHI[_i + 4 * (_k - 1)] = 8 * _i + _k - 1


def _round_tables(sbox) -> tuple[list[int], ...]:
    """S-box substitution and the 11-bit rotation, combined per input byte."""
    tables = []
    for position in range(4):
        low, high = sbox[2 * position], sbox[2 * position + 1]
        table = []
        for value in range(256):
            word = (low[value & 15] | high[value >> 4] << 4) << (8 * position)
            table.append(((word << 11) | (word >> 21)) & _M32)
        tables.append(table)
    return tuple(tables)


_TABLES = {id(TEST_SBOX): _round_tables(TEST_SBOX), id(CRYPTOPRO_SBOX): _round_tables(CRYPTOPRO_SBOX)}


def _encrypt(key: int, block: int, tables) -> int:
    """GOST 28147-89 ECB encryption of one 64-bit block (integers, least significant first)."""
    t0, t1, t2, t3 = tables
    k = [(key >> (32 * i)) & _M32 for i in range(8)]
    order = k * 3 + k[::-1]
    n1, n2 = block & _M32, block >> 32
    for subkey in order[:-1]:
        x = (n1 + subkey) & _M32
        n1, n2 = n2 ^ t0[x & 255] ^ t1[(x >> 8) & 255] ^ t2[(x >> 16) & 255] ^ t3[x >> 24], n1
    x = (n1 + order[-1]) & _M32
    n2 ^= t0[x & 255] ^ t1[(x >> 8) & 255] ^ t2[(x >> 16) & 255] ^ t3[x >> 24]
    return n1 | n2 << 32


def _a(y: int) -> int:
    return (y >> 64) | (((y ^ (y >> 64)) & _M64) << 192)


def _p(w: int) -> int:
    data = w.to_bytes(32, "little")
    return int.from_bytes(bytes(data[i] for i in _PHI), "little")


def _psi(y: int, times: int) -> int:
    for _ in range(times):
        feedback = (y ^ (y >> 16) ^ (y >> 32) ^ (y >> 48) ^ (y >> 192) ^ (y >> 240)) & 0xFFFF
        y = (y >> 16) | (feedback << 240)
    return y


def _step(h: int, m: int, tables) -> int:
    u, v = h, m
    keys = [_p(u ^ v)]
    for constant in (0, _C3, 0):
        u = _a(u) ^ constant
        v = _a(_a(v))
        keys.append(_p(u ^ v))
    s = 0
    for i, key in enumerate(keys):
        s |= _encrypt(key, (h >> (64 * i)) & _M64, tables) << (64 * i)
    return _psi(h ^ _psi(m ^ _psi(s, 12), 1), 61)


def digest(data: bytes, sbox=TEST_SBOX) -> bytes:
    """The 32-byte GOST R 34.11-94 digest of ``data`` (zero IV, as RFC 5831 §7.3)."""
    tables = _TABLES.get(id(sbox)) or _round_tables(sbox)
    h = total = 0
    length = len(data)
    full = length - length % 32
    for offset in range(0, full, 32):
        block = int.from_bytes(data[offset:offset + 32], "little")
        h = _step(h, block, tables)
        total = (total + block) & _M256
    if length % 32:
        block = int.from_bytes(data[full:], "little")
        h = _step(h, block, tables)
        total = (total + block) & _M256
    h = _step(h, (length * 8) & _M256, tables)
    h = _step(h, total, tables)
    return h.to_bytes(32, "little")
