"""flask commands: upgrade-db, seed-demo, create-admin, import-units, scheduler,
seed-load, audit, jobs, security-table, backup, restore, vapid-keys."""

from __future__ import annotations

import json
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .doors import commit
from .extensions import db


def _refuse_in_production(what: str) -> None:
    if not current_app.config["SEED_ALLOWED"]:
        raise click.ClickException(f"{what} is refused in production.")


@click.command("upgrade-db")
@with_appcontext
def upgrade_db():
    """Create or migrate the database to the latest schema."""
    from flask_migrate import upgrade

    from .persistence import init_migrations

    init_migrations(current_app)
    upgrade()
    click.echo("database is up to date")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no user.")
@with_appcontext
def seed_demo_command(if_empty: bool):
    """Seed the demo data of CONTRACT §2."""
    from .seed import database_is_empty, seed_demo

    _refuse_in_production("Seeding demo data")
    if if_empty and not database_is_empty():
        click.echo("database already has data: not seeding")
        return
    summary = seed_demo()
    commit()
    click.echo(f"seeded demo data: {summary['units']} units, {summary['sessions']} sessions")


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's e-mail (the login).")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.password_option(help="Asked for when not given (hidden, twice).")
@with_appcontext
def create_admin_command(email: str, full_name: str, password: str):
    """Create an administrator (the first one of a production installation)."""
    from sqlalchemy import select

    from sessions.errors import CoreError

    from .audit.services import record_event
    from .auth.models import RoleAssignment, User
    from .auth.services import check_password_rules, hash_password
    from .i18n import core_message

    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"an account with e-mail {email} already exists")
    try:
        check_password_rules(password, email=email)
    except CoreError as exc:
        raise click.ClickException(core_message(exc)) from None
    admin = User(email=email, full_name=full_name.strip(), password_hash=hash_password(password))
    admin.roles.append(RoleAssignment(role="admin"))
    db.session.add(admin)
    db.session.flush()
    record_event("create_admin", target=f"user:{admin.id}", via="cli")
    commit()
    click.echo(f"administrator {email} created")


@click.command("import-units")
@click.option("--province", "provinces", multiple=True, help="Also import communes of these.")
@with_appcontext
def import_units_command(provinces):
    """Import the 34 provinces (and communes of --province) from vietnam-provinces."""
    from .units.services import import_units

    created = import_units(list(provinces) or None)
    commit()
    click.echo(f"{created} units created")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduled jobs (the one scheduler process when scaled out)."""
    from .jobs import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), background=False)
    click.echo("scheduler running; Ctrl+C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@click.group("audit")
def audit_group():
    """The audit log."""


@audit_group.command("verify")
@click.option("--head", "head_text", help="A signed head (the AUDIT_HEAD line or its JSON).")
@click.option("--log", "log_path", type=click.Path(exists=True, dir_okay=False),
              help="A log holding signed heads; the last one is checked ('-': stdin).")
@with_appcontext
def audit_verify(head_text: str | None, log_path: str | None):
    """Check the audit log's HMAC chain, and that it still reaches the last signed head
    (from --head, --log, or AUDIT_HEAD_FILE)."""
    from .audit.heads import head_problem, parse_head
    from .audit.services import check_chain

    chain = check_chain()
    if not chain.intact:
        raise click.ClickException(f"audit chain broken at event {chain.broken_id} "
                                   f"after {chain.checked} intact events")
    old = f" ({chain.old_events} under the old SHA-256 rule)" if chain.old_events else ""
    click.echo(f"audit chain intact: {chain.checked} events{old}")
    text, source = _head_source(head_text, log_path)
    if text is None:
        click.echo("warning: no signed head given (--head, --log or AUDIT_HEAD_FILE): a cut "
                   "tail or a re-sealed log cannot be detected")
        return
    head = parse_head(text)
    if head is None:
        raise click.ClickException(f"no signed head found in {source}")
    problem = head_problem(head, chain)
    if problem:
        raise click.ClickException(problem)
    click.echo(f"reaches the signed head of {head['at']} (event {head['id']}, from {source})")


def _head_source(head_text: str | None, log_path: str | None) -> tuple[str | None, str]:
    if head_text:
        return head_text, "--head"
    if log_path:
        with click.open_file(log_path, encoding="utf-8", errors="replace") as lines:
            return lines.read(), log_path
    path = current_app.config.get("AUDIT_HEAD_FILE")
    if path:
        try:
            with open(path, encoding="utf-8", errors="replace") as heads:
                return heads.read(), path
        except FileNotFoundError:
            raise click.ClickException(f"AUDIT_HEAD_FILE {path} does not exist") from None
    return None, ""


@click.group("jobs")
def jobs_group():
    """Scheduled jobs, by hand (development and testing only)."""


@jobs_group.command("run")
@click.argument("name")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if the date in Vietnam were this one (YYYY-MM-DD).")
@with_appcontext
def jobs_run(name: str, today):
    """Run the scheduled job NAME once, now (or on --today, at the same time of day)."""
    from contextlib import nullcontext

    from .jobs import JOBS, run_job
    from .notify.prompt import wait_idle
    from .timeutil import today_in_vietnam

    _refuse_in_production("Running a job by hand")
    if name not in JOBS:
        raise click.ClickException(f"unknown job {name}; jobs: {', '.join(sorted(JOBS))}")
    with today_in_vietnam(today.date()) if today else nullcontext():
        run_job(current_app._get_current_object(), name)
        # The messages the job queued leave before the command ends, on its clock: the
        # prompt dispatch is a daemon thread that would stop with this process, and a
        # message queued as on --today is due from that day only.
        if not wait_idle(60):
            raise click.ClickException("the outbox dispatch after the job did not finish")
    click.echo(f"job {name} done" + (f" as on {today:%d/%m/%Y}" if today else ""))


@click.command("security-table")
@click.option("--check", is_flag=True, help="Fail when docs/security.md is out of date.")
@with_appcontext
def security_table_command(check: bool):
    """Write the role table of every route and live event into docs/security.md."""
    from .security import table

    problems = table.missing(current_app)
    if problems:
        raise click.ClickException("routes without an access rule: " + "; ".join(problems))
    path = table.docs_path()
    text = path.read_text(encoding="utf-8")
    fresh = table.render_into(text, table.markdown(current_app))
    if check:
        if fresh != text:
            raise click.ClickException(f"{path} is out of date: run flask security-table")
        click.echo(f"{path} is up to date")
        return
    if fresh != text:
        path.write_text(fresh, encoding="utf-8")
    click.echo(f"{path}: {len(table.all_rows(current_app))} routes and events")


@click.command("seed-load")
@click.option("--sessions", "sessions_count", type=int, required=True)
@click.option("--waiting", type=int, required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def seed_load_command(sessions_count: int, waiting: int, out: str):
    """Create live sessions with accepted bookings for load tools (CONTRACT §1)."""
    from .loadfixture import seed_load

    _refuse_in_production("The load fixture")
    started = time.monotonic()
    data = seed_load(sessions_count, waiting)
    commit()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    click.echo(f"{sessions_count} sessions x {waiting} citizens in "
               f"{time.monotonic() - started:.1f}s -> {out}")


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: instance/backups/db-<UTC time>.dump).")
@with_appcontext
def backup_command(out: str | None):
    """Back up the database (pg_dump, or SQLite's online backup)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from .backup import BackupError, backup_database

    target = Path(out) if out else (Path(current_app.instance_path) / "backups"
                                    / f"db-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump")
    try:
        backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {target} ({target.stat().st_size} bytes)")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--into", "url", required=True,
              help="The URL of an empty database (a new one), e.g. postgresql://…/restored.")
def restore_command(archive: str, url: str):
    """Restore a backup made by ``flask backup`` into an empty database."""
    from pathlib import Path

    from .backup import BackupError, restore_database

    try:
        restore_database(Path(archive), url)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {archive} into the new database; next: flask audit verify "
               "with DATABASE_URL set to it")


@click.command("vapid-keys")
def vapid_keys_command():
    """Print a new VAPID key pair for Web Push, as the settings to put in the environment."""
    from .notify.push import new_vapid_keys

    public, private = new_vapid_keys()
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo("VAPID_SUBJECT=mailto:<an address the push services may write to>")


def init_app(app: Flask) -> None:
    for command in (upgrade_db, seed_demo_command, import_units_command, scheduler_command,
                    audit_group, jobs_group, seed_load_command, security_table_command,
                    create_admin_command, backup_command, restore_command, vapid_keys_command):
        app.cli.add_command(command)
