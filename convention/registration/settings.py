"""The edition's registration settings, as every registration rule reads them."""

from __future__ import annotations

from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import RegistrationSettings


def get_settings(edition: Edition) -> RegistrationSettings:
    """The edition's registration settings; the defaults (not saved) until an organizer saves them.

    Reading never writes, so many buyers at once never race to create the row."""
    settings = db.session.get(RegistrationSettings, edition.id)
    if settings is None:
        settings = RegistrationSettings.with_defaults(edition.id)
    return settings
