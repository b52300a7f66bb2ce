"""The elliptic curves of Kazakh GOST keys (spec gost.md, "Two algorithm families").

Short Weierstrass curves y² = x³ + ax + b over GF(p) with a base point of prime order q. The
constants are the published parameter sets: CryptoPro-A (RFC 4357, the same curve as TC26
256 paramSetB of R 1323565.1.024-2019) for GOST 34.310-2004, and TC26 512 paramSetA (RFC 7836)
for GOST 34.10-2015 512-bit keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    q: int
    """Order of the base point (the subgroup the keys live in)."""
    x: int
    y: int
    size: int = field(init=False)
    """Bytes of one coordinate, of a scalar, and of each half of a signature (32 or 64)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", (self.p.bit_length() + 7) // 8)

    def contains(self, x: int, y: int) -> bool:
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - x * x * x - self.a * x - self.b) % self.p == 0


CRYPTOPRO_A = Curve(
    name="id-GostR3410-2001-CryptoPro-A-ParamSet",
    p=0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97,
    a=0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94,
    b=0xa6,
    q=0xffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893,
    x=0x1,
    y=0x8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14,
)

TC26_512_A = Curve(
    name="id-tc26-gost-3410-12-512-paramSetA",
    p=int("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
          "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7", 16),
    a=int("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
          "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4", 16),
    b=int("e8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265"
          "ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760", 16),
    q=int("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
          "27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275", 16),
    x=0x3,
    y=int("7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921"
          "df1626be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4", 16),
)
