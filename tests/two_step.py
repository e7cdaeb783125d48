"""Signing test people in with two-step verification, as the people and organisations pages
need (alliance.access.policy.TWO_STEP_AREAS)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def device_of(person: Any) -> TOTPDevice:
    """The person's authenticator app (one is set up for them if they have none)."""
    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=person, name="Test phone", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """A code the device accepts now: this time step's, or the next one's when this one has been
    used already (a device takes each step once, and one step either side of now)."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    step = max(now, (device.last_t if device.last_t is not None else -1) + 1)
    assert step <= now + device.tolerance, "wait for the authenticator's next code"
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = device.t0 + step * device.step
    return f"{generator.token():0{device.digits}d}"


def force_verified_login(client: Client, person: Any) -> None:
    """Sign `person` in on `client` as after entering their security code."""
    client.force_login(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_of(person).persistent_id
    session.save()
