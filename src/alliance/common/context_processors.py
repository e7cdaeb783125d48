from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.context_processors import csp
from django.urls import reverse

from alliance.common.navigation import sections_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    sections = sections_for(user)
    path = request.path
    items = []
    for section in sections:
        href = reverse(section.url_name)
        items.append(
            {"href": href, "text": section.label, "active": path.startswith(href) and href != "/"}
        )
    # GOV.UK Frontend's page template reads the CSP nonce as `cspNonce` for its inline script.
    nonce = csp(request)["csp_nonce"]
    return {
        "navigation_items": items,
        "sections": sections,
        "cspNonce": str(nonce) if nonce is not None else "",
    }
