"""Home page, health check, favicon, language and text-size switches, citizens' guide."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from sqlalchemy import text

from ..errors import RETRY_AFTER_SECONDS
from ..extensions import db
from ..schedules.services import next_public_sessions
from ..web import TEXT_SIZE_COOKIE, TEXT_SIZES, safe_next, safe_referrer
from . import guides

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", upcoming=next_public_sessions(limit=8))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db_state = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        db.session.rollback()
        db_state = "error"
    if db_state == "ok":
        return jsonify({"status": "ok", "db": db_state})
    return (jsonify({"status": "error", "db": db_state}), 503,
            {"Retry-After": str(RETRY_AFTER_SECONDS)})


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    home = url_for("main.home")
    target = request.values.get("next")
    return redirect(safe_next(target, home) if target else safe_referrer(home))


@bp.get("/co-chu/<size>")
def set_text_size(size: str):
    """Remember the text size on this device (a cookie; the script also keeps it in
    localStorage) and go back: a plain link, so it works without JavaScript."""
    home = url_for("main.home")
    target = request.args.get("next")
    response = redirect(safe_next(target, home) if target else safe_referrer(home))
    if size in TEXT_SIZES:
        response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=400 * 86400, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/huong-dan")
def guide():
    prefix = url_for("main.guide_image", name="x")[:-1]
    return render_template("main/guide.html", title=guides.guide_title(guides.CITIZEN_GUIDE),
                           body=guides.guide_html(guides.CITIZEN_GUIDE, prefix))


@bp.get("/huong-dan/anh/<name>")
def guide_image(name: str):
    if not name.endswith(".png"):
        abort(404)
    return send_from_directory(guides.SCREENSHOTS_DIR, name, max_age=86400)
