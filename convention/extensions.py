"""Extension objects, created unbound; ``create_app`` binds them."""

import click
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DDL, MetaData, event
from sqlalchemy.orm import DeclarativeBase

from convention.core.search import TRIGRAM_EXTENSION

# One naming convention, so migrations name constraints the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The trigram indexes of text searches (core/search.py) need pg_trgm: ``create_all`` (the
# tests) makes it first on PostgreSQL, as migration 0007 does.
event.listen(Base.metadata, "before_create", DDL(TRIGRAM_EXTENSION).execute_if(dialect="postgresql"))

db = SQLAlchemy(model_class=Base)


class _MigrateOnDemand:
    """Stands in ``app.extensions["migrate"]`` until a migration needs Flask-Migrate.

    Flask-Migrate imports Alembic (about 0.4 s and several MiB per worker) and no request
    uses it: only ``flask db ...``, ``flask demo`` and the tests' upgrade/downgrade do. The
    first attribute asked of this object loads it, binds it to the app (which replaces
    this object and the ``db`` command group) and answers from the real one.
    """

    def __init__(self, app, db, options):
        self._app, self._db, self._options = app, db, options

    def load(self):
        from flask_migrate import Migrate  # imported on first use: see the class docstring

        Migrate().init_app(self._app, self._db, **self._options)
        return self._app.extensions["migrate"]

    def __getattr__(self, name):
        return getattr(self.load(), name)


class _DbCommandsOnDemand(click.Group):
    """``flask db``: Flask-Migrate's command group, loaded when the command is used."""

    def __init__(self, pending: _MigrateOnDemand):
        super().__init__("db", help="Perform database migrations (Flask-Migrate).")
        self._pending = pending

    def _group(self) -> click.Group:
        self._pending.load()
        from flask_migrate.cli import db as group  # loaded with Flask-Migrate, see above

        return group

    def make_context(self, info_name, args, parent=None, **extra):
        # Its options (-d, -x) and callback come with it, taken just before parsing.
        real = self._group()
        self.params, self.callback = real.params, real.callback
        return super().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._group().get_command(ctx, cmd_name)


class LazyMigrate:
    """``Migrate().init_app(...)`` without importing Flask-Migrate until a migration runs."""

    def init_app(self, app, db, **options):
        pending = _MigrateOnDemand(app, db, options)
        app.extensions["migrate"] = pending
        app.cli.add_command(_DbCommandsOnDemand(pending), name="db")


migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
