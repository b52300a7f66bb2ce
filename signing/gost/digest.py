"""The hashes of Kazakh GOST signatures: GOST 34.311-95 (R 34.11-94, Test S-box) and Streebog.

libgcrypt does the work when it is installed (microseconds per KB); otherwise GOST 34.311 runs
in pure Python (:mod:`.gosthash94`) and Streebog through ``gostcrypto`` when that is installed.
Digests are returned exactly as the hash function outputs them, which is also how XML
``DigestValue`` carries them (spec gost.md, "Byte order").
"""

from __future__ import annotations

from typing import Callable

from . import gosthash94, libgcrypt


def _streebog_python(size: int) -> Callable[[bytes], bytes]:
    def run(data: bytes) -> bytes:
        try:
            from gostcrypto import gosthash
        except ImportError:
            raise RuntimeError("Streebog needs libgcrypt (Debian package libgcrypt20) or the "
                               "gostcrypto package") from None
        return bytes(gosthash.new("streebog512" if size == 64 else "streebog256", data=data).digest())
    return run


if libgcrypt.AVAILABLE:
    def gost34311(data: bytes) -> bytes:
        return libgcrypt.md(libgcrypt.GOSTR3411_94, data)

    def streebog256(data: bytes) -> bytes:
        return libgcrypt.md(libgcrypt.STRIBOG256, data)

    def streebog512(data: bytes) -> bytes:
        return libgcrypt.md(libgcrypt.STRIBOG512, data)

    BACKEND = "libgcrypt"
else:  # pragma: no cover - CI has libgcrypt; the pure-Python path is tested directly
    gost34311 = gosthash94.digest
    streebog256 = _streebog_python(32)
    streebog512 = _streebog_python(64)
    BACKEND = "python"

HASHES: dict[str, Callable[[bytes], bytes]] = {
    "gost34311": gost34311, "streebog256": streebog256, "streebog512": streebog512,
}
"""By the ``hash_name`` of :mod:`egov_sim.signing.algorithms`."""
