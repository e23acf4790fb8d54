"""Which address a join attempt is counted against (issue 13, point 1): a client's own headers are not trusted."""

from __future__ import annotations

from redesign.ui.client import LOOPBACK, client_address

TRUSTED = {LOOPBACK, "::1"}


def test_a_direct_client_is_its_peer_address_whatever_it_sends() -> None:
    assert client_address("203.0.113.7", "10.0.0.1", TRUSTED) == "203.0.113.7"


def test_behind_the_local_proxy_the_proxys_x_real_ip_counts() -> None:
    assert client_address(None, "203.0.113.7", TRUSTED) == "203.0.113.7"  # loopback peer: our nginx
    assert client_address(None, None, TRUSTED) == LOOPBACK


def test_a_proxy_elsewhere_is_trusted_only_when_configured() -> None:
    assert client_address("10.1.2.3", "203.0.113.7", TRUSTED) == "10.1.2.3"
    assert client_address("10.1.2.3", "203.0.113.7", {"10.1.2.3"}) == "203.0.113.7"
