"""The console's blueprint: sign-in with the staff credential, the session, CSRF, the role guard, error pages.

The session (Flask's signed cookie, path /console, HttpOnly, SameSite=Strict) holds the hash of
the credential, never the token, and when it was signed in on the one clock; every request
checks the credential again (``auth.principal_for_hash``), so a revoked or expired credential
ends its sessions at once, and a session ends after ``SESSION_HOURS`` on the service's clock.
Forms are checked by Flask-WTF's CSRFProtect for this blueprint only: the /v1 API uses bearer
tokens and never a cookie.  Pages call the same library functions as the API's views.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import time
from pathlib import Path

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from service import clock
from service.console import audit_pages, county, curriculum_pages, messages, nav, province
from service.errors import Forbidden, InvalidInput, ServiceError, Unauthorized
from service.web import auth, current

log = logging.getLogger(__name__)

SESSION_HOURS = 8
STAFF = ("county", "city", "province", "auditor", "curriculum")
CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'; frame-ancestors 'none'")

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")
csrf = CSRFProtect()
OPEN = ("console.sign_in", "console.static")


def init_app(app) -> None:
    """Secret, cookie and CSRF settings, then the blueprint with every page module's routes."""
    if not app.config.get("SECRET_KEY"):  # Flask's default is None
        app.config["SECRET_KEY"] = _secret(app.config)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_PATH="/console",
                      SESSION_COOKIE_NAME="sxzk_console",
                      SESSION_COOKIE_SECURE=app.config.get("ENV") == "production",
                      WTF_CSRF_CHECK_DEFAULT=False,  # only the console's forms: protect() in before_request
                      WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600)
    csrf.init_app(app)
    app.register_blueprint(bp)


def _secret(config) -> bytes | str:
    """SXZK_SECRET_KEY, else a random key kept beside the database (made once, shared by every worker)."""
    if os.environ.get("SXZK_SECRET_KEY"):
        return os.environ["SXZK_SECRET_KEY"]
    if config["DATABASE"] == ":memory:" or not config.get("MIGRATE_AT_START", True):
        # an in-memory database, or the CLI's app (which serves no page and makes no file on its own)
        return secrets.token_bytes(32)
    path = Path(config["DATABASE"]).parent / "console-secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of workers starting together, one writes and the others read its key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_bytes()
            if len(key) == 32:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is not a 32-byte key: remove it or set SXZK_SECRET_KEY") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


# --- who is signed in --------------------------------------------------------------------------

def _signed_in_principal():
    held = session.get("credential")
    since = session.get("since")
    if not held or not since:
        return None
    try:
        started = dt.datetime.fromisoformat(since)
    except (TypeError, ValueError):
        session.clear()
        return None
    now = clock.now()
    # a clock moved back before the sign-in (a demo) ends the session as well as one 8 hours old
    if not started <= now < started + dt.timedelta(hours=SESSION_HOURS):
        session.clear()
        g.console_notice = "登录已超过8小时，请重新登录 / the session has expired"
        return None
    try:
        return auth.principal_for_hash(current.db(), held)
    except Unauthorized:
        session.clear()
        g.console_notice = "凭证已失效（已吊销或过期），请重新登录 / the credential is no longer valid"
        return None


@bp.before_request
def _guard():
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in OPEN:
        return None
    principal = _signed_in_principal()
    if principal is None:
        return redirect(url_for("console.sign_in", next=request.full_path if request.method == "GET" else None))
    g.principal = principal  # auth.current() and the API's role checks read it
    return None


@bp.after_request
def _headers(resp):
    # the app's default policy forbids everything (the API serves no pages); the console serves its own
    # scripts, styles and images and nothing from elsewhere
    resp.headers["Content-Security-Policy"] = CSP
    return resp


@bp.context_processor
def _context():
    who = g.get("principal")
    return {"who": who, "role_label": messages.role_name(who.role) if who else None,
            "nav_links": nav.links_for(who.role if who else None), "action_label": messages.action_label,
            "role_name": messages.role_name}


# --- sign-in and sign-out ----------------------------------------------------------------------

def home_for(role: str) -> str:
    for link in nav.links_for(role):
        return url_for(link.endpoint)
    return url_for("console.signed_in")


@bp.route("/", methods=["GET"])
def index():
    return redirect(home_for(g.principal.role))


@bp.route("/signed-in")
def signed_in():
    """A role with no pages yet lands here (signed in, nothing to do)."""
    return render_template("console/signed_in.html")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    problem = None
    status = 200
    if request.method == "POST":
        token = (request.form.get("token") or "").strip()
        try:
            if not token:
                raise InvalidInput("no credential", fields={"token": ["请输入凭证 / enter your credential"]})
            who = auth.principal_for(current.db(), f"Bearer {token}", None)
            if who.role not in STAFF:
                raise Forbidden(f"role {who.role} is not staff")
        except (Unauthorized, Forbidden, InvalidInput) as exc:
            problem = {"headline": "登录失败：凭证无效、已吊销、已过期或不是工作人员凭证"
                       if exc.code != "invalid_input" else "请输入凭证", "fields": []}
            status = 401 if exc.code != "invalid_input" else 422
        else:
            session.clear()  # a new session (and CSRF token) for the new holder
            session["credential"] = auth.hash_token(token)
            session["since"] = clock.now().isoformat()
            log.info("console sign-in: %s", who.label)
            target = request.args.get("next") or ""
            # only a path of this console: never an address elsewhere
            if not (target.startswith("/console/") and not target.startswith("//")):
                target = home_for(who.role)
            return redirect(target, code=303)
    return render_template("console/sign_in.html", problem=problem,
                           notice=g.get("console_notice")), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    session.clear()
    return redirect(url_for("console.sign_in"), code=303)


# --- errors as pages ---------------------------------------------------------------------------

@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return render_template("console/error.html", error=messages.describe(exc)), exc.status


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):
    error = {"status": 400, "headline": "表单已失效（缺少或错误的安全令牌），请刷新页面后重试",
             "message": exc.description, "fields": [], "state": None}
    return render_template("console/error.html", error=error), 400


# each module adds its routes and nav links: register_pages(bp) (the auditors' and curriculum staff's
# pages are listed here beside these)
PAGES = (county, province, audit_pages, curriculum_pages)
for _module in PAGES:
    _module.register_pages(bp)
