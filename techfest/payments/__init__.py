"""Payments: orders for paid tickets, VietQR bank transfer, statement reconciliation,
refunds, receipts and e-invoice exports."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this domain with the application: pages, menu, commands, listeners, demo."""
    from techfest.booths import booking as booths_booking
    from techfest.core.domains import add_commands, add_demo_loader, add_listener
    from techfest.core.navigation import add_nav
    from techfest.payments import cli, demo, orders, views
    from techfest.registration import booking

    app.register_blueprint(views.bp)
    add_nav(app, _l("Payments"), "payments.manage", roles=("organiser",))
    add_commands(app, cli.commands)
    add_listener(app, booking.PLACE_HELD, orders.order_for_ticket_place)
    add_listener(app, booking.CANCELLED, orders.on_registration_cancelled)
    add_listener(app, booths_booking.APPROVED_PAID, orders.order_for_booth)
    add_listener(app, booths_booking.CANCELLED, orders.on_booth_cancelled)
    add_demo_loader(app, "payments", demo.load_demo)
