from __future__ import annotations

import pytest

from talent_service.webhooks.ssrf import UnsafeUrl, check

REFUSED = [
    ("http://93.184.216.34/hook", "https"),
    ("ftp://93.184.216.34/hook", "https"),
    ("https:///nohost", "host"),
    ("https://user:pw@93.184.216.34/", "user name"),
    ("https://93.184.216.34/#frag", "fragment"),
    ("https://93.184.216.34/a b", "spaces"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://localhost/hook", "loopback"),
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "loopback"),
    ("https://10.1.2.3/hook", "private"),
    ("https://172.16.0.1/hook", "private"),
    ("https://192.168.1.1/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://100.100.100.200/latest/meta-data", "not a public"),  # Alibaba Cloud metadata
    ("https://[fd00:ec2::254]/", "private"),
    ("https://[fe80::1]/", "link-local"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://224.0.0.1/", "multicast"),
    ("https://240.0.0.1/", "private|reserved"),  # Python counts 240/4 as both
    ("https://93.184.216.34:99999/", "not a URL"),
    ("https://no-such-host.invalid/", "does not resolve"),
    ("https://" + "a" * 2000 + ".example/", "longer"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        check(url, allow_loopback=False)


def test_a_public_https_address_is_accepted() -> None:
    target = check("https://93.184.216.34:8443/hook?x=1", allow_loopback=False)
    assert (target.host, target.port, target.addresses) == (
        "93.184.216.34",
        8443,
        ("93.184.216.34",),
    )


def test_the_test_allowance_admits_loopback_and_http_only() -> None:
    assert check("http://127.0.0.1:9/x", allow_loopback=True).addresses == ("127.0.0.1",)
    assert check("https://[::1]/x", allow_loopback=True).addresses == ("::1",)
    for url in ("http://10.0.0.1/", "https://169.254.169.254/", "http://192.168.0.1/"):
        with pytest.raises(UnsafeUrl):
            check(url, allow_loopback=True)
