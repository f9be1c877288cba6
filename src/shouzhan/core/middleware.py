"""Security headers (a strict Content-Security-Policy: everything is served from this site) and audit context."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shouzhan.core.audit import current_ip

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(t.strip(), strict=False) for t in trusted if t.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One hop of a forwarding header: '203.0.113.5', '203.0.113.5:4711', '[2001:db8::1]:443'."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address. Behind proxies listed in SHOUZHAN_TRUSTED_PROXIES, it is read from
    their header (SHOUZHAN_CLIENT_IP_HEADER, e.g. X-Forwarded-For), walking from the right past our
    own proxies: the first hop we did not add is the client; anything left of it, the client may
    have written itself. Without trusted proxies the header is ignored, so no one can pick an address."""
    from django.conf import settings

    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "SHOUZHAN_TRUSTED_PROXIES", ())))
    if not networks or not any(remote in net for net in networks):
        return str(remote)
    header = getattr(settings, "SHOUZHAN_CLIENT_IP_HEADER", "X-Forwarded-For")
    value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    client = remote
    for hop in reversed([h for h in value.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # rubbish: keep the last address a trusted proxy vouched for
        client = address
        if not any(address in net for net in networks):
            break
    return str(client)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            current_ip.reset(token)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        # The site's own pages may ask for the camera (door check-in, checkpoints' QR) and the position (a visit's
        # place, a patrol's track); no frame from elsewhere may, and nothing asks for the microphone.
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=(self)")
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the person chose otherwise (language cookie); the browser's Accept-Language
    is not consulted, because the centre's staff and users expect Chinese on every machine."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Active for this request only: code running after it (another request in the same thread,
        # a test) starts again from the default language.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
