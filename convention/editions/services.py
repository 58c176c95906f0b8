"""Edition rules: create and configure editions, their themes, formats, rooms and team."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext, lazy_gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.core.errors import Conflict, DomainError, NotFound
from convention.core.signals import ItemInUse, RoleGranted, RoleRevoked, item_in_use, role_granted, role_revoked
from convention.core.text import check_text
from convention.core.timeutil import is_valid_timezone
from convention.editions.models import Edition, EditionRole, Role, Room, SessionFormat, Theme
from convention.editions.permissions import can_see_edition
from convention.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
# Words an edition may not take as its address, on top of every first path segment the
# app's own routes use (``reserved_slugs`` reads those from the URL map).
RESERVED_SLUGS = {
    "account", "admin", "api", "bootstrap", "confirm", "forgot-password", "healthz", "login",
    "logout", "manage", "new", "payments", "reset-password", "signup", "static", "editions",
    "auth", "assets", "media", "uploads", "www", "help", "about",
}
EDITION_NAME_MAX = 160

DEFAULT_THEMES = [
    ("SME security", "Practical security for small and medium-sized enterprises with small teams and budgets."),
    ("Compliance: GDPR, NIS2 and the Cybersecurity Act", "Meeting European rules in practice: what changes, what it costs, what works."),
    ("DNS and Internet infrastructure", "Naming, routing and the shared infrastructure everybody depends on."),
    ("Threat intelligence", "Collecting, sharing and acting on knowledge about adversaries."),
    ("Phishing and malware", "How attacks reach people and machines, and how to stop them."),
    ("Secure coding", "Building software that resists attack, from design to deployment."),
]
DEFAULT_FORMATS = [
    ("Talk (30 min)", 30),
    ("Talk (45 min)", 45),
    ("Keynote", 45),
    ("Panel", 60),
    ("Workshop", 90),
]


def list_editions(user=None) -> list[Edition]:
    """The editions ``user`` may see: the published ones, and drafts of their teams."""
    editions = db.session.scalars(sa.select(Edition).order_by(Edition.starts_on.desc()))
    return [edition for edition in editions if can_see_edition(user, edition)]


@dataclass(frozen=True)
class EditionData:
    slug: str
    name: str
    starts_on: date
    ends_on: date
    timezone: str = "Europe/Brussels"
    tagline: str = ""
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    cfp_opens_at: datetime | None = None
    cfp_closes_at: datetime | None = None


def _flush_or_conflict(message: str, *, field: str) -> None:
    """Flush; a unique constraint hit by a parallel request becomes the same Conflict
    the checks above give, instead of a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(message, field=field) from exc


SLUG_TAKEN = lazy_gettext("Another edition already uses this address.")
NAME_REQUIRED = lazy_gettext("A name is required.")


def reserved_slugs() -> set[str]:
    """RESERVED_SLUGS plus the first path segment of every fixed route (``/login``, ...)."""
    words = set(RESERVED_SLUGS)
    if has_app_context():
        for rule in current_app.url_map.iter_rules():
            first = rule.rule.lstrip("/").split("/", 1)[0]
            if first and "<" not in first:
                words.add(first)
    return words


def _validate(data: EditionData, *, current: Edition | None = None) -> None:
    if not data.name.strip():
        raise DomainError(NAME_REQUIRED, field="name")
    for key in ("name", "tagline", "description", "venue_name", "venue_address"):
        check_text(getattr(data, key), field=key)
    if len(data.name) > EDITION_NAME_MAX:
        raise DomainError(gettext("Use at most %(num)d characters.", num=EDITION_NAME_MAX), field="name")
    if not SLUG_PATTERN.match(data.slug):
        raise DomainError(
            gettext("Use 1 to 40 lowercase letters, digits and dashes, not starting or ending with a dash."),
            field="slug",
        )
    if data.slug in reserved_slugs():
        raise DomainError(gettext("“%(slug)s” is reserved by the site; choose another address.", slug=data.slug),
                          field="slug")
    if data.ends_on < data.starts_on:
        raise DomainError(gettext("The last day cannot come before the first day."), field="ends_on")
    if not is_valid_timezone(data.timezone):
        raise DomainError(gettext("Unknown time zone."), field="timezone")
    if data.cfp_opens_at and data.cfp_closes_at and data.cfp_closes_at <= data.cfp_opens_at:
        raise DomainError(gettext("The call must close after it opens."), field="cfp_closes_at")
    taken = db.session.scalar(sa.select(Edition.id).where(Edition.slug == data.slug))
    if taken is not None and (current is None or taken != current.id):
        raise Conflict(SLUG_TAKEN, field="slug")


def create_edition(data: EditionData, *, actor: User, seed_defaults: bool = True) -> Edition:
    """Create an edition; its creator becomes its organizer."""
    _validate(data)
    edition = Edition(**data.__dict__)
    db.session.add(edition)
    if seed_defaults:
        for position, (name, description) in enumerate(DEFAULT_THEMES):
            edition.themes.append(Theme(name=name, description=description, position=position))
        for name, minutes in DEFAULT_FORMATS:
            edition.formats.append(SessionFormat(name=name, duration_minutes=minutes))
    _flush_or_conflict(SLUG_TAKEN, field="slug")
    grant_role(edition, actor, Role.ORGANIZER, actor=actor)
    record_audit("edition.create", actor=actor, edition_id=edition.id, target=edition, data={"slug": edition.slug})
    return edition


def set_edition_published(edition: Edition, published: bool, *, actor: User) -> Edition:
    """Publish a draft edition (its pages become public) or take it back to draft."""
    if edition.published == published:
        raise Conflict(gettext("This edition is already published.") if published
                       else gettext("This edition is already a draft."))
    edition.published = published
    db.session.flush()
    record_audit("edition.publish" if published else "edition.unpublish", actor=actor, edition_id=edition.id,
                 target=edition, data={"slug": edition.slug})
    return edition


def update_edition(edition: Edition, data: EditionData, *, actor: User) -> Edition:
    _validate(data, current=edition)
    changed = {k: str(v) for k, v in data.__dict__.items() if getattr(edition, k) != v}
    before = {k: _audit_value(getattr(edition, k)) for k in changed}
    for key, value in data.__dict__.items():
        setattr(edition, key, value)
    _flush_or_conflict(SLUG_TAKEN, field="slug")
    record_audit("edition.update", actor=actor, edition_id=edition.id, target=edition, data=changed,
                 before=before, after=changed)
    return edition


def _audit_value(value):
    return None if value is None else str(value)


# -- themes, formats and rooms: the same life cycle, one implementation -----------------


@dataclass(frozen=True)
class Bound:
    """An inclusive range for an integer field, with the message shown when it is left."""

    field: str
    low: int
    high: int
    message: str  # lazy_gettext: forms read it at import time


@dataclass(frozen=True)
class ItemTexts:
    """What people read about a kind of item, whole sentences per kind (the words for
    theme, format and room differ in gender and article from one language to another).
    All lazy_gettext; ``in_use_by`` takes ``%(uses)s``."""

    title: str
    add: str
    new: str
    edit: str
    saved: str
    deleted: str
    name_taken: str
    in_use_by: str
    in_use: str


@dataclass(frozen=True)
class ItemKind:
    """A configurable list belonging to an edition (themes, formats, rooms)."""

    key: str
    model: type
    label: str  # machine word, in audit action names ("theme.create")
    fields: tuple[str, ...]
    name_max: int
    texts: ItemTexts
    bounds: tuple[Bound, ...] = ()
    defaults: tuple[tuple[str, object], ...] = (("description", ""), ("position", 0))


ORDER_BOUND = lazy_gettext("Use an order between 0 and 1000.")
ITEM_KINDS = {
    "themes": ItemKind("themes", Theme, "theme", ("name", "description", "position"), 120, ItemTexts(
        lazy_gettext("Themes"), lazy_gettext("Add theme"), lazy_gettext("New theme"), lazy_gettext("Edit theme"),
        lazy_gettext("The theme is saved."), lazy_gettext("The theme is deleted."),
        lazy_gettext("This edition already has a theme with that name."),
        lazy_gettext("This theme is in use by %(uses)s and cannot be deleted."),
        lazy_gettext("This theme is in use and cannot be deleted.")),
        (Bound("position", 0, 1000, ORDER_BOUND),)),
    "formats": ItemKind("formats", SessionFormat, "format", ("name", "duration_minutes", "description"), 80, ItemTexts(
        lazy_gettext("Formats"), lazy_gettext("Add format"), lazy_gettext("New format"), lazy_gettext("Edit format"),
        lazy_gettext("The format is saved."), lazy_gettext("The format is deleted."),
        lazy_gettext("This edition already has a format with that name."),
        lazy_gettext("This format is in use by %(uses)s and cannot be deleted."),
        lazy_gettext("This format is in use and cannot be deleted.")),
        (Bound("duration_minutes", 5, 720, lazy_gettext("A session lasts between 5 and 720 minutes.")),)),
    "rooms": ItemKind("rooms", Room, "room", ("name", "capacity", "position"), 80, ItemTexts(
        lazy_gettext("Rooms"), lazy_gettext("Add room"), lazy_gettext("New room"), lazy_gettext("Edit room"),
        lazy_gettext("The room is saved."), lazy_gettext("The room is deleted."),
        lazy_gettext("This edition already has a room with that name."),
        lazy_gettext("This room is in use by %(uses)s and cannot be deleted."),
        lazy_gettext("This room is in use and cannot be deleted.")),
        (Bound("capacity", 1, 100000, lazy_gettext("A room holds between 1 and 100000 people.")),
         Bound("position", 0, 1000, ORDER_BOUND))),
}


def _clean_item_values(kind: ItemKind, values: dict) -> dict:
    """Keep the kind's fields, fill defaults for empty optional ones, check names and ranges."""
    cleaned = {key: values.get(key) for key in kind.fields if key in values}
    for key, default in kind.defaults:
        if key in kind.fields and cleaned.get(key) is None:
            cleaned[key] = default
    cleaned["name"] = " ".join(str(cleaned.get("name") or "").split())
    if not cleaned["name"]:
        raise DomainError(NAME_REQUIRED, field="name")
    check_text(cleaned["name"], field="name")
    if len(cleaned["name"]) > kind.name_max:
        raise DomainError(gettext("Use at most %(num)d characters.", num=kind.name_max), field="name")
    for bound in kind.bounds:
        value = cleaned.get(bound.field)
        if not isinstance(value, int) or isinstance(value, bool) or not bound.low <= value <= bound.high:
            raise DomainError(bound.message, field=bound.field)
    if "description" in cleaned:
        cleaned["description"] = check_text(str(cleaned["description"]).strip(), field="description")
    return cleaned


def _check_unique_name(edition: Edition, kind: ItemKind, name: str, *, current=None) -> None:
    clash = db.session.scalar(
        sa.select(kind.model.id).where(kind.model.edition_id == edition.id, kind.model.name == name)
    )
    if clash is not None and (current is None or clash != current.id):
        raise Conflict(kind.texts.name_taken, field="name")


def save_item(edition: Edition, kind: ItemKind, values: dict, *, actor: User, item=None):
    """Create (``item`` None) or update a theme, format or room."""
    values = _clean_item_values(kind, values)
    _check_unique_name(edition, kind, values["name"], current=item)
    action = "update" if item is not None else "create"
    if item is None:
        item = kind.model(edition_id=edition.id)
        db.session.add(item)
    for key, value in values.items():
        setattr(item, key, value)
    _flush_or_conflict(kind.texts.name_taken, field="name")
    record_audit(f"{kind.label}.{action}", actor=actor, edition_id=edition.id, target=item, data={"name": item.name})
    return item


def delete_item(edition: Edition, kind: ItemKind, item, *, actor: User) -> None:
    """Delete a theme, format or room that nothing uses; refuse, with what uses it, otherwise."""
    uses = [use for use in item_in_use.send(
        ItemInUse(edition_id=edition.id, kind=kind.key, item_id=item.id, actor_id=actor.id)) if use]
    if uses:
        raise Conflict(kind.texts.in_use_by % {"uses": _and_list(uses)})
    record_audit(f"{kind.label}.delete", actor=actor, edition_id=edition.id, target=item, data={"name": item.name})
    db.session.delete(item)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(kind.texts.in_use) from exc


def _and_list(words: list[str]) -> str:
    """"a", "a and b", "a, b and c", in the request's language."""
    if len(words) == 1:
        return words[0]
    return gettext("%(items)s and %(last)s", items=", ".join(words[:-1]), last=words[-1])


# -- the team ---------------------------------------------------------------------------


# Organizers first, then the committee, then the door.
_ROLE_ORDER = sa.case(
    {Role.ORGANIZER.value: 0, Role.REVIEWER.value: 1, Role.CHECKIN.value: 2}, value=EditionRole.role, else_=3
)


def list_team(edition: Edition) -> list[EditionRole]:
    return list(
        db.session.scalars(
            sa.select(EditionRole)
            .where(EditionRole.edition_id == edition.id)
            .join(EditionRole.user)
            .options(sa.orm.contains_eager(EditionRole.user))
            .order_by(_ROLE_ORDER, sa.func.lower(User.name), EditionRole.id)
        )
    )


def grant_role(edition: Edition, user: User, role: Role, *, actor: User) -> EditionRole:
    existing = db.session.scalar(
        sa.select(EditionRole).where(
            EditionRole.edition_id == edition.id, EditionRole.user_id == user.id, EditionRole.role == role
        )
    )
    if existing is not None:
        return existing
    grant = EditionRole(edition_id=edition.id, user_id=user.id, role=role)
    db.session.add(grant)
    db.session.flush()
    record_audit("role.grant", actor=actor, edition_id=edition.id, target=grant, data={"user_id": user.id, "role": role.value},
                 before={"role": None}, after={"role": role.value})
    role_granted.send(RoleGranted(edition_id=edition.id, user_id=user.id, role=role.value, actor_id=actor.id))
    return grant


def grant_role_by_email(edition: Edition, email: str, role: Role, *, actor: User) -> EditionRole:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise DomainError(gettext("No account uses this email address; ask the person to sign up first."), field="email")
    if role in _roles_held(edition, user):
        raise Conflict(gettext("%(name)s is already %(role)s of this edition.", name=user.name, role=str(role.label).lower()),
                       field="email")
    return grant_role(edition, user, role, actor=actor)


def _roles_held(edition: Edition, user: User) -> set[Role]:
    return set(
        db.session.scalars(
            sa.select(EditionRole.role).where(EditionRole.edition_id == edition.id, EditionRole.user_id == user.id)
        )
    )


def revoke_role(edition: Edition, grant: EditionRole, *, actor: User) -> None:
    if grant.edition_id != edition.id:
        raise NotFound(gettext("This role belongs to another edition."))
    if grant.role is Role.ORGANIZER:
        organizers = db.session.scalar(
            sa.select(sa.func.count(EditionRole.id)).where(
                EditionRole.edition_id == edition.id, EditionRole.role == Role.ORGANIZER
            )
        )
        if organizers <= 1:
            raise DomainError(gettext("An edition keeps at least one organizer: add another organizer first."))
    record_audit("role.revoke", actor=actor, edition_id=edition.id, target=grant, data={"user_id": grant.user_id, "role": grant.role.value},
                 before={"role": grant.role.value}, after={"role": None})
    db.session.delete(grant)
    db.session.flush()
    role_revoked.send(
        RoleRevoked(edition_id=edition.id, user_id=grant.user_id, role=grant.role.value, actor_id=actor.id))
