"""The GOST hashes (and RC2-40 for NCA's PKCS#12 files) from libgcrypt, through ctypes.

Why libgcrypt: it is the only well-kept compiled library on a Debian machine that has both
GOST R 34.11-94 **with the Test S-box** (``GCRY_MD_GOSTR3411_94``; OpenSSL's gost engine
hard-wires CryptoPro) and Streebog-256/512. It is a dependency of systemd and libxslt, so it is
already installed wherever xmlsec1 is (Debian package ``libgcrypt20``). Pure Python would cost
~2-13 ms per KB of signed XML; libgcrypt takes microseconds. ctypes releases the GIL during
the call. When the library cannot be loaded, :data:`AVAILABLE` is False and the callers fall
back to pure Python.
"""

from __future__ import annotations

import ctypes
import ctypes.util

GOSTR3411_94 = 308
"""GCRY_MD_GOSTR3411_94: GOST R 34.11-94 with the Test parameter set."""
STRIBOG256 = 309
STRIBOG512 = 310
GOSTR3411_CP = 311
"""GCRY_MD_GOSTR3411_CP: the CryptoPro parameter set (not what Kazakh keys use)."""
_CIPHER_RFC2268_40 = 307
_MODE_CBC = 3
_DIGEST_SIZES = {GOSTR3411_94: 32, GOSTR3411_CP: 32, STRIBOG256: 32, STRIBOG512: 64}
_MIN_VERSION = b"1.6.0"


def _load():
    names = [ctypes.util.find_library("gcrypt"), "libgcrypt.so.20"]
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.gcry_check_version.restype = ctypes.c_char_p
        lib.gcry_check_version.argtypes = [ctypes.c_char_p]
        if not lib.gcry_check_version(_MIN_VERSION):  # also initialises the library
            continue
        lib.gcry_md_hash_buffer.restype = None
        lib.gcry_md_hash_buffer.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.gcry_cipher_open.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int,
                                         ctypes.c_uint]
        lib.gcry_cipher_setkey.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.gcry_cipher_setiv.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.gcry_cipher_decrypt.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.c_size_t]
        lib.gcry_cipher_close.argtypes = [ctypes.c_void_p]
        for fn in ("gcry_cipher_open", "gcry_cipher_setkey", "gcry_cipher_setiv", "gcry_cipher_decrypt"):
            getattr(lib, fn).restype = ctypes.c_uint
        return lib
    return None


_LIB = _load()
AVAILABLE = _LIB is not None


def md(algorithm: int, data: bytes) -> bytes:
    """One-shot digest (``gcry_md_hash_buffer``)."""
    if _LIB is None:
        raise RuntimeError("libgcrypt is not available")
    out = ctypes.create_string_buffer(_DIGEST_SIZES[algorithm])
    _LIB.gcry_md_hash_buffer(algorithm, out, bytes(data), len(data))
    return out.raw


def rc2_40_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """RC2 with a 40-bit key in CBC mode (PKCS#12 ``pbeWithSHAAnd40BitRC2-CBC``), no unpadding."""
    if _LIB is None:
        raise RuntimeError("libgcrypt is not available")
    handle = ctypes.c_void_p()
    if _LIB.gcry_cipher_open(ctypes.byref(handle), _CIPHER_RFC2268_40, _MODE_CBC, 0):
        raise RuntimeError("libgcrypt: cannot open RC2-40")
    try:
        if _LIB.gcry_cipher_setkey(handle, key, len(key)) or _LIB.gcry_cipher_setiv(handle, iv, len(iv)):
            raise ValueError("libgcrypt: bad RC2 key or IV")
        out = ctypes.create_string_buffer(len(data))
        if _LIB.gcry_cipher_decrypt(handle, out, len(data), data, len(data)):
            raise ValueError("libgcrypt: RC2 decryption failed (length not a multiple of 8?)")
        return out.raw
    finally:
        _LIB.gcry_cipher_close(handle)
