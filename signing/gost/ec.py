"""GOST R 34.10 signature arithmetic on short Weierstrass curves, fast enough for a gateway.

Why not a library: nothing on PyPI does GOST verification in compiled code (``gostcrypto``
is pure Python with affine coordinates and a modular inverse per point addition; ``fastecdsa``
and ``coincurve`` implement ECDSA's equations, not GOST's). What makes this fast is the
algorithm plus ``gmpy2`` (GMP integers, wheels for every supported Python):

* Jacobian coordinates: no inversion per addition, one at the end (or none: the final
  ``x mod q == r`` test is done projectively);
* the base point uses a fixed-window table (``2^(w·i)·j·G`` in affine form, built once per
  curve), so ``z1·G`` costs one mixed addition per window and no doubling;
* the public key ``Q`` uses width-w NAF with its odd multiples cached on the key, and keys
  verified often (a gateway's regular clients) get the same fixed table as ``G``.

Without gmpy2 the same code runs on Python ints (about 3× slower). Everything here works on
integers; byte orders are the business of :mod:`egov_sim.signing.gost.keys`.
"""

from __future__ import annotations

import secrets
import threading

from .curves import Curve

try:  # GMP integers: the point formulas below run 3-4× faster on them
    from gmpy2 import invert as _invert
    from gmpy2 import mpz
except ImportError:  # pragma: no cover - gmpy2 has wheels for every supported platform
    mpz = int

    def _invert(value, modulus):
        return pow(value, -1, modulus)

INFINITY = (mpz(1), mpz(1), mpz(0))

BASE_WINDOW = 6
KEY_WINDOW = 4
NAF_WINDOW = 5


class Group:
    """A curve prepared for arithmetic: its constants as GMP integers and the base table."""

    def __init__(self, curve: Curve):
        self.curve = curve
        self.p, self.a, self.q = mpz(curve.p), mpz(curve.a), mpz(curve.q)
        self.a_is_minus_3 = (curve.a + 3) % curve.p == 0
        self.bits = curve.q.bit_length()
        self._base: FixedTable | None = None
        self._lock = threading.Lock()

    @property
    def base(self) -> FixedTable:
        if self._base is None:
            with self._lock:
                if self._base is None:
                    self._base = FixedTable(self, (mpz(self.curve.x), mpz(self.curve.y)), BASE_WINDOW)
        return self._base

    # ---- point formulas (Jacobian X, Y, Z; affine x = X/Z², y = Y/Z³; Z = 0 is infinity) ----

    def double(self, P):
        X, Y, Z = P
        if not Z or not Y:
            return INFINITY
        p = self.p
        YY = Y * Y % p
        S = 4 * X * YY % p
        if self.a_is_minus_3:
            ZZ = Z * Z % p
            M = 3 * (X - ZZ) * (X + ZZ) % p
        else:
            ZZ = Z * Z % p
            M = (3 * X * X + self.a * ZZ * ZZ) % p
        X3 = (M * M - 2 * S) % p
        Y3 = (M * (S - X3) - 8 * YY * YY) % p
        Z3 = 2 * Y * Z % p
        return X3, Y3, Z3

    def add_affine(self, P, x2, y2):
        """P (Jacobian) + (x2, y2) (affine, not infinity)."""
        X1, Y1, Z1 = P
        if not Z1:
            return x2, y2, mpz(1)
        p = self.p
        ZZ = Z1 * Z1 % p
        U2 = x2 * ZZ % p
        S2 = y2 * Z1 * ZZ % p
        H = (U2 - X1) % p
        R = (S2 - Y1) % p
        if not H:
            return self.double(P) if not R else INFINITY
        HH = H * H % p
        HHH = H * HH % p
        V = X1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        Y3 = (R * (V - X3) - Y1 * HHH) % p
        return X3, Y3, Z1 * H % p

    def add(self, P, Q):
        """Two Jacobian points (used only while building tables)."""
        if not P[2]:
            return Q
        if not Q[2]:
            return P
        p = self.p
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        Z1Z1, Z2Z2 = Z1 * Z1 % p, Z2 * Z2 % p
        U1, U2 = X1 * Z2Z2 % p, X2 * Z1Z1 % p
        S1, S2 = Y1 * Z2 * Z2Z2 % p, Y2 * Z1 * Z1Z1 % p
        H, R = (U2 - U1) % p, (S2 - S1) % p
        if not H:
            return self.double(P) if not R else INFINITY
        HH = H * H % p
        HHH = H * HH % p
        V = U1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        Y3 = (R * (V - X3) - S1 * HHH) % p
        return X3, Y3, Z1 * Z2 * H % p

    def to_affine(self, P) -> tuple[int, int] | None:
        X, Y, Z = P
        if not Z:
            return None
        p = self.p
        zi = _invert(Z, p)
        zi2 = zi * zi % p
        return X * zi2 % p, Y * zi2 * zi % p

    def batch_affine(self, points):
        """Many Jacobian points to affine with one inversion (Montgomery's trick)."""
        p = self.p
        prefix = []
        acc = mpz(1)
        for _, _, Z in points:
            prefix.append(acc)
            acc = acc * Z % p
        inv = _invert(acc, p)
        out = [None] * len(points)
        for i in range(len(points) - 1, -1, -1):
            X, Y, Z = points[i]
            zi = inv * prefix[i] % p
            inv = inv * Z % p
            zi2 = zi * zi % p
            out[i] = (X * zi2 % p, Y * zi2 * zi % p)
        return out

    # ---- scalar multiplication ----------------------------------------------------------------

    def odd_multiples(self, point, width: int):
        """[P, 3P, 5P, …, (2^(w-1)-1)P] in affine form, for width-w NAF."""
        x, y = point
        P = (x, y, mpz(1))
        twice = self.double(P)
        jac = [P]
        for _ in range((1 << (width - 2)) - 1):
            jac.append(self.add(jac[-1], twice))
        return self.batch_affine(jac)

    def mul_naf(self, k: int, multiples, width: int, acc=INFINITY):
        """k·P from P's odd multiples (width-w NAF), added to the Jacobian ``acc``."""
        digits = _naf(k, width)
        p = self.p
        R = INFINITY
        for digit in reversed(digits):
            R = self.double(R)
            if digit:
                x, y = multiples[abs(digit) >> 1]
                R = self.add_affine(R, x, y if digit > 0 else p - y)
        return self.add(R, acc) if acc[2] else R

    def check_r(self, C, r: int) -> bool:
        """x(C) mod q == r, without an inversion: X == x·Z² for each x ≡ r (mod q) below p."""
        X, _, Z = C
        if not Z:
            return False
        p = self.p
        ZZ = Z * Z % p
        candidate = mpz(r)
        while candidate < p:
            if X == candidate * ZZ % p:
                return True
            candidate += self.q
        return False


class FixedTable:
    """``j·2^(w·i)·P`` for every window i and digit j, affine: k·P with one addition per window."""

    def __init__(self, group: Group, point, width: int):
        self.group, self.width = group, width
        self.windows = (group.bits + width - 1) // width
        size = 1 << width
        jac = []
        base = (point[0], point[1], mpz(1))
        for _ in range(self.windows):
            row = [base]
            for _ in range(size - 2):
                row.append(group.add(row[-1], base))
            jac.extend(row)
            nxt = base
            for _ in range(width):
                nxt = group.double(nxt)
            base = nxt
        flat = group.batch_affine(jac)
        self.rows = [[None] + flat[i * (size - 1):(i + 1) * (size - 1)] for i in range(self.windows)]

    def mul(self, k: int, acc=INFINITY):
        """k·P added to the Jacobian ``acc``."""
        mask = (1 << self.width) - 1
        add = self.group.add_affine
        for row in self.rows:
            digit = k & mask
            if digit:
                x, y = row[digit]
                acc = add(acc, x, y)
            k >>= self.width
            if not k:
                break
        return acc


def _naf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form, least significant digit first."""
    digits = []
    half, full = 1 << (width - 1), 1 << width
    while k:
        if k & 1:
            digit = k & (full - 1)
            if digit >= half:
                digit -= full
            k -= digit
        else:
            digit = 0
        digits.append(digit)
        k >>= 1
    return digits


_GROUPS: dict[str, Group] = {}
_GROUPS_LOCK = threading.Lock()


def group(curve: Curve) -> Group:
    found = _GROUPS.get(curve.name)
    if found is None:
        with _GROUPS_LOCK:
            found = _GROUPS.setdefault(curve.name, Group(curve))
    return found


class PublicPoint:
    """A public key Q with its precomputation, reused across verifications.

    The first verifications use Q's NAF odd multiples; from the ``HOT``-th on, the key gets a
    fixed-window table (a few ms to build, then every verify is ~2-3× cheaper)."""

    HOT = 4

    def __init__(self, curve: Curve, x: int, y: int):
        if not curve.contains(x, y) or (x, y) == (0, 0):
            raise ValueError("the public key is not a point of the curve")
        self.curve, self.group = curve, group(curve)
        self.x, self.y = mpz(x), mpz(y)
        self._multiples = None
        self._table: FixedTable | None = None
        self._uses = 0

    def verify(self, e: int, r: int, s: int) -> bool:
        """GOST R 34.10: C = (s·v)·G + (−r·v)·Q with v = e⁻¹ mod q; valid when x(C) mod q = r."""
        g = self.group
        q = g.q
        if not (0 < r < q and 0 < s < q):
            return False
        e %= q
        if not e:
            e = mpz(1)
        v = _invert(mpz(e), q)
        z1 = s * v % q
        z2 = (q - r) * v % q
        self._uses += 1
        if self._table is not None:
            C = self._table.mul(z2, g.base.mul(z1))
        elif self._uses >= self.HOT:
            self._table = FixedTable(g, (self.x, self.y), KEY_WINDOW)
            C = self._table.mul(z2, g.base.mul(z1))
        else:
            if self._multiples is None:
                self._multiples = g.odd_multiples((self.x, self.y), NAF_WINDOW)
            C = g.mul_naf(z2, self._multiples, NAF_WINDOW, g.base.mul(z1))
        return g.check_r(C, r)


def sign(curve: Curve, d: int, e: int, *, k: int | None = None) -> tuple[int, int]:
    """(r, s) for the digest integer ``e`` with private key ``d``; ``k`` only for known-answer tests."""
    g = group(curve)
    q = int(g.q)
    e %= q
    if not e:
        e = 1
    while True:
        nonce = k if k is not None else 1 + secrets.randbelow(q - 1)
        C = g.to_affine(g.base.mul(mpz(nonce)))
        r = int(C[0]) % q
        if r:
            s = (r * d + nonce * e) % q
            if s:
                return r, s
        if k is not None:
            raise ValueError("this k gives r = 0 or s = 0")


def public_point(curve: Curve, d: int) -> tuple[int, int]:
    g = group(curve)
    x, y = g.to_affine(g.base.mul(mpz(d)))
    return int(x), int(y)


def new_private_scalar(curve: Curve) -> int:
    return 1 + secrets.randbelow(curve.q - 1)
