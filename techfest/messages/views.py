"""HTTP views of messages: the inbox, a thread, block and report; organisers' moderation."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from techfest.core.actions import flash_form_errors, press
from techfest.core.editions import organiser_required, role_required, scope_to_edition
from techfest.core.errors import refusal_target, refused_on
from techfest.core.forms import ActionForm
from techfest.db import db
from techfest.matchmaking.participants import participant_for
from techfest.messages import services
from techfest.messages.forms import MessageForm, ReportForm

bp = scope_to_edition(Blueprint("messages", __name__, url_prefix="/<id:year>/messages"))

participant_required = role_required("startup", "investor")


def _pair(org_id: int) -> services.Pair:
    me = participant_for(db(), g.edition, current_user)
    return services.pair_with(db(), g.edition, me, org_id)


@bp.get("/")
@participant_required
def index():
    rows = services.inbox(db(), g.edition, participant_for(db(), g.edition, current_user))
    return render_template(
        "messages/inbox.html", rows=rows, unread_total=services.unread_total(rows)
    )


@bp.route("/with/<id:org_id>", methods=["GET", "POST"])
@participant_required
def thread(org_id: int):
    pair = _pair(org_id)
    form = MessageForm()
    if form.validate_on_submit():
        with refused_on(form, default="body"):
            services.send_message(
                db(),
                g.edition,
                current_user,
                pair,
                form.body.data,
                # the address of this thread for the other side: it names my organisation
                url_for("messages.thread", org_id=pair.me.id, _external=True),
            )
            db().commit()
            flash(_("Your message is sent."), "success")
            return redirect(url_for("messages.thread", org_id=org_id))
    view = services.read_thread(db(), g.edition, pair)
    db().commit()
    return render_template(
        "messages/thread.html",
        view=view,
        form=form,
        report_form=ReportForm(formdata=None),
        action_form=ActionForm(),
    )


@bp.post("/with/<id:org_id>/block")
@participant_required
@refusal_target("messages.thread", "org_id")
def block(org_id: int):
    pair = _pair(org_id)
    return press(
        lambda: services.block(db(), g.edition, pair),
        _("The conversation is blocked: nobody can write until you unblock it."),
        url_for("messages.thread", org_id=org_id),
    )


@bp.post("/with/<id:org_id>/unblock")
@participant_required
@refusal_target("messages.thread", "org_id")
def unblock(org_id: int):
    pair = _pair(org_id)
    return press(
        lambda: services.unblock(db(), g.edition, pair),
        _("The conversation is open again."),
        url_for("messages.thread", org_id=org_id),
    )


@bp.post("/with/<id:org_id>/report")
@participant_required
def report(org_id: int):
    pair = _pair(org_id)
    form = ReportForm()
    back = url_for("messages.thread", org_id=org_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    services.report(db(), g.edition, current_user, pair, form.reason.data)
    db().commit()
    flash(_("Thank you. The organisers will read this conversation."), "success")
    return redirect(back)


@bp.get("/reported")
@organiser_required
def moderation():
    return render_template(
        "messages/moderation.html", threads=services.reported_threads(db(), g.edition)
    )


@bp.get("/reported/<id:thread_id>")
@organiser_required
def reported_thread(thread_id: int):
    return render_template(
        "messages/reported.html",
        thread=services.reported_thread(db(), g.edition, thread_id),
        action_form=ActionForm(),
    )


@bp.post("/reported/<id:thread_id>/close")
@organiser_required
def close(thread_id: int):
    return press(
        lambda: services.close_thread(db(), g.edition, current_user, thread_id),
        _("The conversation is closed: both sides can read it, nobody can write."),
        url_for("messages.reported_thread", thread_id=thread_id),
    )
