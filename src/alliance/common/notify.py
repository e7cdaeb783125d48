"""Email through GOV.UK Notify, what councils use, as a Django email backend: chosen by setting
ALLIANCE_NOTIFY_API_KEY (see config/settings.py and docs/settings.md).

Notify sends from templates: make one email template in Notify whose subject is `((subject))`
and whose body is `((body))`, and give its id as ALLIANCE_NOTIFY_TEMPLATE_ID. Each recipient of
a message is one Notify email. A refusal is logged with Notify's status and message (never the
address) and raised, like an SMTP failure."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

log = logging.getLogger(__name__)

NOTIFY_API = "https://api.notifications.service.gov.uk"


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        *args: Any,
        api_key: str = "",
        template_id: str = "",
        base_url: str = NOTIFY_API,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not api_key or not template_id:
            raise ValueError("GOV.UK Notify needs an API key and an email template id")
        self.api_key = api_key
        self.template_id = template_id
        self.base_url = base_url

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=15)
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                try:
                    client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={
                            "subject": str(message.subject),
                            "body": str(message.body),
                        },
                    )
                except APIError as exc:
                    log.warning(
                        "GOV.UK Notify did not take an email (status %s): %s",
                        exc.status_code,
                        exc.message,
                    )
                    raise
            sent += 1
        return sent
