"""flask commands: upgrade-db, seed-demo, import-units, scheduler, seed-load, audit."""

from __future__ import annotations

import json
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extensions import db


def _refuse_in_production(what: str) -> None:
    if not current_app.config["SEED_ALLOWED"]:
        raise click.ClickException(f"{what} is refused in production.")


@click.command("upgrade-db")
@with_appcontext
def upgrade_db():
    """Create or migrate the database to the latest schema."""
    from flask_migrate import upgrade

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
    db.session.commit()
    click.echo(f"seeded demo data: {summary['units']} units, {summary['sessions']} sessions")


@click.command("import-units")
@click.option("--province", "provinces", multiple=True, help="Also import communes of these.")
@with_appcontext
def import_units_command(provinces):
    """Import the 34 provinces (and communes of --province) from vietnam-provinces."""
    from .units.services import import_units

    created = import_units(list(provinces) or None)
    db.session.commit()
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
@with_appcontext
def audit_verify():
    """Check that the hash chain of the audit log is intact."""
    from .audit.services import verify_chain

    intact, broken_id, count = verify_chain()
    if not intact:
        raise click.ClickException(f"audit chain broken at event {broken_id} "
                                   f"after {count} intact events")
    click.echo(f"audit chain intact: {count} events")


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
    db.session.commit()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    click.echo(f"{sessions_count} sessions x {waiting} citizens in "
               f"{time.monotonic() - started:.1f}s -> {out}")


def init_app(app: Flask) -> None:
    for command in (upgrade_db, seed_demo_command, import_units_command, scheduler_command,
                    audit_group, seed_load_command):
        app.cli.add_command(command)
