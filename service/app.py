"""The application factory: config, database, rules, auth, blueprints, error mapping."""
from __future__ import annotations

import logging

from flask import Flask, g, request
from flask_babel import Babel
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from service import __version__, production, translations
from service.catalogue import api as majors
from service.config import defaults
from service.console import api as console_api
from service.decisions import api as decisions_api
from service.decisions.rulebook import Rulebook
from service.errors import Msg, PayloadTooLarge, RulesetError, UnsupportedMediaType
from service.rules.engine import ENGINE_VERSION
from service.store import db as store_db
from service.tools.tables import table_checks
from service.web import auth, connection, current, errors, system
from service.web.error_schema import ErrorSchema, error_code_schema
from service.web.json_provider import OrjsonProvider
from service.web.ratelimit import RateLimiter
from service.web.schemas import SQLITE_MAX_INT
from service.web.section import Section

log = logging.getLogger(__name__)
PUBLIC = ("/v1/openapi.json", "/v1/health")


def blueprints() -> list:
    """Every feature's blueprints, in the order the OpenAPI document lists them."""
    from service.applications import api as applications_api
    from service.audit import api as audit_api
    from service.candidates import api as candidates_api
    from service.enumerations import api as enumerations_api
    from service.exceptions import api as exceptions_api
    from service.forms import api as forms_api
    from service.identity import api as identity_api
    from service.payments import api as payments_api
    from service.reference import api as reference_api
    from service.transfer import api as transfer_api

    return [system.blp, majors.blp, decisions_api.evaluations, decisions_api.decisions, reference_api.blp,
            enumerations_api.blp,
            candidates_api.blp, identity_api.blp, applications_api.blp, payments_api.blp, payments_api.callbacks,
            forms_api.blp, transfer_api.blp, audit_api.blp, exceptions_api.blp]


class SqliteInt(IntegerConverter):
    """<int:...> beyond SQLite's 64-bit integers matches no route (404) instead of overflowing in a query (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=SQLITE_MAX_INT, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class _Api(Api):
    ERROR_SCHEMA = ErrorSchema  # document the error body api/errors.py answers, not flask-smorest's own

    def register_blueprint(self, blp, **options):
        super().register_blueprint(blp, **options)
        if isinstance(blp, Section):
            # flask-smorest tags every blueprint; a section's operations are under its part_of's tag
            self.spec._tags.remove({"name": options.get("name", blp.name), "description": blp.description})


def _start_rules(app) -> None:
    """Serve the version in force from the start; only broken files with nothing archived stop the start."""
    book = app.extensions["rulebook"]
    if app.config["DATABASE"] == ":memory:":
        book.current()
        return
    if not app.config.get("MIGRATE_AT_START", True):
        # the CLI: no database is opened (or made) at start; a command that needs the served
        # version opens the database itself, and one that needs the files reads them then
        return
    db = store_db.connect(app.config["DATABASE"], migrate_schema=False)
    try:
        book.start(db, app.extensions["clock"].now().date())
    except RulesetError as exc:
        log.error("no rules to serve: the working files are refused and the database has no version\n%s", exc)
        raise
    finally:
        db.conn.close()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = SqliteInt
    app.config.update(defaults())
    app.config.update(config or {})
    app.json = OrjsonProvider(app)
    current.init_app(app)
    # error messages are rendered in the request's language (service.translations, service/web/errors.py)
    Babel(app, locale_selector=current.locale, default_domain=translations.DOMAIN,
          default_translation_directories=str(translations.DIRECTORY))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    if app.config.get("MIGRATE_AT_START", True):
        # the service, not the CLI's app: the CLI is how an operator fixes what a refusal names
        production.check(app.config)
    store_db.init_app(app)
    app.extensions["rulebook"] = app.config.get("RULEBOOK") or Rulebook(app.config["RULES_ROOT"],
                                                                         checks=table_checks())
    # the workflow tables and transfer rules are in the bundle: one start-up check covers them all
    _start_rules(app)

    api = _Api(app, spec_kwargs={"info": {"description": "Graduation eligibility, applications and audit for "
                                                       "Shanxi's self-study examinations."}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.schema("ErrorCode", error_code_schema())
    api.spec.options["security"] = [{"bearer": []}]
    for blp in blueprints():
        api.register_blueprint(blp)
    app.extensions["smorest_api"] = api
    errors.register(app)
    console_api.init_app(app)  # after the API's handlers: its own error pages take the console's errors
    limiter = RateLimiter(app.config["DATABASE"], app.config["RATE_LIMIT_PER_MINUTE"])

    app.before_request(current.follow_rules_in_force)

    @app.before_request
    def _authenticate():
        # a chunked body declares no length: its type is checked all the same, and its size as it is read
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if request.method in ("POST", "PUT", "PATCH") and (request.content_length or chunked):
            forms = ("application/x-www-form-urlencoded",) if request.path.startswith("/console/") else ()
            if request.mimetype not in ("application/json", "multipart/form-data", *forms):
                raise UnsupportedMediaType(Msg("send application/json (got %(type)s)",
                                               type=request.mimetype or Msg("no content type")))
            if request.mimetype == "application/json":
                if (request.content_length or 0) > app.config["MAX_JSON_BYTES"]:
                    raise PayloadTooLarge(Msg("a JSON body is at most %(limit)d bytes", limit=app.config["MAX_JSON_BYTES"]))
                if chunked:  # read (and cache) it now, one byte past the limit: more is a 413
                    limit = app.config["MAX_JSON_BYTES"]
                    request.max_content_length = limit + 1
                    if len(request.get_data(cache=True)) > limit:
                        raise PayloadTooLarge(Msg("a JSON body is at most %(limit)d bytes", limit=limit))
        if not request.path.startswith("/v1/") or request.path in PUBLIC:
            return
        g.principal = auth.principal_for(current.db(), request.headers.get("Authorization"),
                                         request.headers.get("X-Candidate"))
        limiter.hit(auth.hash_token(request.headers["Authorization"]))

    @app.after_request
    def _headers(resp):
        resp.headers["X-Service-Version"] = __version__
        resp.headers["X-Engine-Version"] = ENGINE_VERSION
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        resp.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")  # console: its own
        if connection.settle(request.environ, resp.status_code):  # an unread body: drained, or the connection closes
            resp.headers["Connection"] = "close"  # for servers that honour it (gunicorn closes through its hook)
        return resp

    from service import cli
    cli.init_app(app)
    return app
