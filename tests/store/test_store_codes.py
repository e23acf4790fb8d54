"""Join codes, tokens and keys: format, entropy, normalisation, hashing."""

from __future__ import annotations

import base64
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from redesign.store import codes

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$")


def test_alphabet_has_no_look_alikes() -> None:
    assert len(codes.ALPHABET) == len(set(codes.ALPHABET)) == 31
    assert not set("01OIL") & set(codes.ALPHABET)


def test_join_codes_are_grouped_and_carry_at_least_40_bits() -> None:
    sample = [codes.new_join_code() for _ in range(20_000)]
    assert all(CODE.match(c) for c in sample)
    assert codes.bits(codes.JOIN_CODE_LENGTH) == 10 * math.log2(31)
    assert codes.bits(codes.JOIN_CODE_LENGTH) >= 40  # 49.5
    assert len(set(sample)) == len(sample)  # 2e4 draws from 8e14: a repeat would mean a broken generator
    seen = {ch for c in sample for ch in c.replace("-", "")}
    assert seen == set(codes.ALPHABET)  # every symbol is used (uniform choice, not a subset)


@given(st.sampled_from(["lower", "nodash", "spaces", "mixed"]))
def test_codes_are_case_and_dash_insensitive(style: str) -> None:
    code = codes.new_join_code()
    typed = {
        "lower": code.lower(),
        "nodash": code.replace("-", ""),
        "spaces": code.replace("-", " "),
        "mixed": " " + code[:5].lower() + code[5:].replace("-", "_") + " ",
    }[style]
    assert codes.normalize_code(typed) == code


def test_malformed_codes_normalise_to_none() -> None:
    for bad in ("", "K7F3-QX9M", "K7F3-QX9M-2R4", "K7F3-QX9M-0R", "K7F3-QX9M-2!", "ü" * 10):
        assert codes.normalize_code(bad) is None


def test_tokens_and_keys() -> None:
    token = codes.new_token()
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    assert re.fullmatch(r"[A-Za-z0-9_\-]+", token)
    key = codes.new_facilitator_key()
    assert re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){4}[2-9A-HJKMNP-Z]{4}", key)
    assert codes.bits(codes.FACILITATOR_KEY_LENGTH) >= 96
    assert codes.key_digest(key) == codes.key_digest(key.lower().replace("-", " "))
    assert codes.digest(token) != codes.digest(token + "x")
    assert len(codes.digest(token)) == 64 and token not in codes.digest(token)
