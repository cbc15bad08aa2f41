"""HTTP views of matchmaking: participants' pages and the organiser's run, review, publish."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from techfest.core.actions import flash_form_errors, press
from techfest.core.csvio import write_csv
from techfest.core.editions import organiser_required, role_required, scope_to_edition, user_roles
from techfest.core.errors import refused_on
from techfest.core.forms import ActionForm
from techfest.core.inputs import INT64_MAX, id_value, page_value, whole_number
from techfest.core.jobs import launch
from techfest.core.navigation import safe_next
from techfest.db import db, now_utc
from techfest.i18n import fmt_slot, lang
from techfest.matchmaking import availability as availability_rules
from techfest.matchmaking import (
    bookings,
    labels,
    overview,
    participants,
    profiles,
    ranking,
    slots,
    standby,
)
from techfest.matchmaking import contacts as contact_rules
from techfest.matchmaking import export as export_rules
from techfest.matchmaking import meetings as meetings_rules
from techfest.matchmaking import requests as requests_rules
from techfest.matchmaking import review as review_rules
from techfest.matchmaking import run as run_rules
from techfest.matchmaking import suggestions as suggestions_rules
from techfest.matchmaking.forms import (
    AddMeetingForm,
    BookForm,
    ContactCardForm,
    DeclineForm,
    FeedbackForm,
    InvestorProfileForm,
    MoveForm,
    PreferenceForm,
    PublishForm,
    RequestForm,
    RunForm,
    SlotsForm,
    StartupProfileForm,
    TablesForm,
    sector_choices,
    stage_choices,
)

bp = scope_to_edition(Blueprint("matchmaking", __name__, url_prefix="/<id:year>/matchmaking"))

participant_required = role_required("startup", "investor")


def _me() -> participants.Participant:
    me = participants.participant_for(db(), g.edition, current_user)
    if me is None:
        abort(403)
    return me


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


# --------------------------------------------------------------------------- participants


@bp.get("/")
@role_required("startup", "investor", "organiser")
def index():
    """The participant's matchmaking front page (organisers go to the run page)."""
    me = participants.participant_for(db(), g.edition, current_user)
    if me is None and "organiser" in user_roles():
        return redirect(url_for("matchmaking.admin"))
    if me is None:
        abort(403)
    info = overview.overview(db(), g.edition, me)
    return render_template("matchmaking/index.html", me=me, info=info)


@bp.route("/profile", methods=["GET", "POST"])
@participant_required
def profile():
    """Write or change your organisation's profile: what the ranking reads."""
    me = _me()
    form_cls = StartupProfileForm if me.side == "startup" else InvestorProfileForm
    form = form_cls(obj=me.profile).setup(lang())
    if request.method == "GET" and me.profile is not None:
        if me.side == "startup":
            form.tags.data = ", ".join(me.profile.tags or ())
            form.stage.data = me.profile.stage or ""
        else:
            form.locations.data = ", ".join(me.profile.locations or ())
            form.portfolio.data = "\n".join(me.profile.portfolio or ())
            form.strict_stages.data = "stages" in (me.profile.strict or ())
            form.strict_ticket.data = "ticket" in (me.profile.strict or ())
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        save = (
            profiles.save_startup_profile
            if me.side == "startup"
            else profiles.save_investor_profile
        )
        with refused_on(form):
            save(db(), g.edition, me.organisation, data)
            db().commit()
            _refresh_ranking()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("matchmaking.suggestions"))
    return render_template("matchmaking/profile.html", form=form, me=me)


@bp.route("/contact-card", methods=["GET", "POST"])
@participant_required
def contact_card():
    """What I show the other side of my confirmed meetings."""
    _me()
    form = ContactCardForm(obj=contact_rules.card_of(db(), current_user.id))
    if form.validate_on_submit():
        with refused_on(form):
            contact_rules.save_card(
                db(),
                current_user,
                contact_rules.CardData(
                    share_email=bool(form.share_email.data),
                    phone=form.phone.data or "",
                    zalo_url=form.zalo_url.data or "",
                    linkedin_url=form.linkedin_url.data or "",
                ),
            )
            db().commit()
            flash(_("Your contact card is saved."), "success")
            return redirect(url_for("matchmaking.meetings"))
    return render_template("matchmaking/contact_card.html", form=form)


@bp.route("/availability", methods=["GET", "POST"])
@participant_required
def availability():
    """Mark the slots your organisation cannot meet in; programme sessions count too."""
    me = _me()
    form = ActionForm()
    if form.validate_on_submit():
        availability_rules.set_unavailable(
            db(), g.edition, me.organisation, request.form.getlist("unavailable", type=id_value)
        )
        db().commit()
        flash(_("Your availability is saved."), "success")
        return redirect(url_for("matchmaking.availability"))
    return render_template(
        "matchmaking/availability.html",
        me=me,
        form=form,
        slots=slots.slots(db(), g.edition),
        unavailable=availability_rules.unavailable_slots(db(), g.edition, me.organisation.id),
        busy=availability_rules.busy_from_programme(db(), g.edition, me.organisation.id),
    )


def _ticket_arg() -> int | None:
    value = request.args.get("ticket", "").replace(",", "").strip()
    try:
        return whole_number(value, 0, INT64_MAX)
    except ValueError:
        return None


def _refresh_ranking() -> bool:
    """Queue a new ranking of the edition if profiles changed since the kept one.

    True while the kept ranking is out of date (a new one is on its way)."""
    job, state = ranking.refresh_if_stale(db(), g.edition, current_user.id)
    if job is not None:
        db().commit()
        launch(job.id)
        return not ranking.ranking_state(db(), g.edition).fresh  # done already when in-line
    return not state.fresh


#: suggestions shown per page
PER_PAGE = 10


@bp.get("/suggestions")
@participant_required
def suggestions():
    """The other side ranked for you, with the reasons, filters and your marks."""
    me = _me()
    if me.profile is None:
        flash(_("Please fill in your profile first."), "info")
        return redirect(url_for("matchmaking.profile"))
    updating = _refresh_ranking()
    sector = request.args.get("sector") or None
    stage = request.args.get("stage") or None
    ticket = _ticket_arg()
    items = suggestions_rules.suggestions(
        db(), g.edition, me, lang(), sector=sector, stage=stage, ticket=ticket
    )
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(max(request.args.get("page", 1, type=page_value) or 1, 1), pages)
    filters = {k: v for k, v in (("sector", sector), ("stage", stage),
                                 ("ticket", request.args.get("ticket", ""))) if v}
    return render_template(
        "matchmaking/suggestions.html",
        me=me,
        items=items[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(items),
        page=page,
        pages=pages,
        first=(page - 1) * PER_PAGE + 1,
        filters=filters,
        updating=updating,
        sector=sector,
        stage=stage,
        ticket=request.args.get("ticket", ""),
        sector_choices=sector_choices(lang()),
        stage_choices=stage_choices(),
        pref_form=PreferenceForm(),
        action_form=ActionForm(),
        stages=labels.STAGE_LABELS,
        statuses=labels.STATUS_LABELS,
    )


@bp.post("/suggestions/<id:org_id>/mark")
@participant_required
def mark(org_id: int):
    """Mark an organisation must meet / would like / do not match, or clear the mark."""
    me = _me()
    form = PreferenceForm()
    if form.validate_on_submit():
        suggestions_rules.set_preference(db(), g.edition, me, org_id, form.tier.data or None)
        db().commit()
        flash(_("Your choice is saved."), "success")
    return _back(url_for("matchmaking.suggestions"))


@bp.route("/request/<id:org_id>", methods=["GET", "POST"])
@participant_required
def new_request(org_id: int):
    """Ask an organisation of the other side for a meeting, with a message."""
    me = _me()
    other, other_profile = participants.other_participant(db(), g.edition, me, org_id)
    form = RequestForm()
    if form.validate_on_submit():
        with refused_on(form):
            requests_rules.request_meeting(
                db(), g.edition, me, current_user, org_id, form.message.data
            )
            db().commit()
            flash(_("Your request was sent to %(name)s.", name=other.name), "success")
            return redirect(url_for("matchmaking.requests"))
    return render_template(
        "matchmaking/request.html", form=form, me=me, other=other, profile=other_profile
    )


@bp.get("/requests")
@participant_required
def requests():
    """The requests you made and the ones made to you, with their state."""
    me = _me()
    return render_template(
        "matchmaking/requests.html",
        me=me,
        reqs=requests_rules.requests_for(db(), g.edition, me),
        orgs=participants.organisation_names(db()),
        action_form=ActionForm(),
        decline_form=DeclineForm(),
    )


@bp.post("/requests/<id:request_id>/<any(accept, decline, cancel):answer>")
@participant_required
def answer_request(request_id: int, answer: str):
    """Accept or decline (with an optional reason) a request made to you, or withdraw one
    you made."""
    me = _me()
    form = DeclineForm() if answer == "decline" else ActionForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash_form_errors(form)
        return redirect(url_for("matchmaking.requests"))
    if answer == "cancel":
        req = requests_rules.cancel_request(db(), g.edition, me, request_id)
    else:
        req = requests_rules.decide_request(
            db(),
            g.edition,
            me,
            current_user,
            request_id,
            answer == "accept",
            form.reason.data or "" if answer == "decline" else "",
        )
    db().commit()
    if req.status == "expired":
        flash(_("This request has expired."), "danger")
    else:
        done = {
            "cancel": _("Your request is withdrawn."),
            "accept": _("Accepted."),
            "decline": _("Declined."),
        }
        flash(done[answer], "success")
    return redirect(url_for("matchmaking.requests"))


@bp.get("/meetings")
@participant_required
def meetings():
    """Your meeting schedule, the places offered to you, and rating after a meeting."""
    me = _me()
    items = meetings_rules.my_meetings(db(), g.edition, me)
    return render_template(
        "matchmaking/meetings.html",
        me=me,
        items=items,
        contacts=contact_rules.contacts_for(db(), g.edition, me.organisation.id, items),
        offers=standby.open_offers(db(), g.edition, me),
        published=g.edition.meetings_published_at is not None,
        now=now_utc(),
        action_form=ActionForm(),
        feedback_form=FeedbackForm(),
        ratings=labels.RATING_LABELS,
        statuses=labels.STATUS_LABELS,
    )


@bp.route("/book/<id:startup_id>", methods=["GET", "POST"])
@role_required("investor")
def book(startup_id: int):
    """An investor asks a startup for a meeting in a slot free for both; the place is held
    until the startup answers (confirmed at once when the edition auto-accepts)."""
    me = _me()
    other, other_profile = participants.other_participant(db(), g.edition, me, startup_id)
    form = BookForm()
    free = bookings.bookable_slots(db(), g.edition, me, startup_id)
    form.slot_id.choices = [SelectChoice(s.id, fmt_slot(s.starts_at, s.ends_at)) for s in free]
    if form.validate_on_submit():
        message = form.message.data or ""
        meeting = bookings.book_meeting(
            db(), g.edition, me, current_user, startup_id, form.slot_id.data, message
        )
        db().commit()
        if meeting.status == "published":
            flash(_("Your meeting with %(name)s is booked.", name=other.name), "success")
            return redirect(url_for("matchmaking.meetings"))
        flash(
            _(
                "Your request was sent to %(name)s. The place is held until they answer.",
                name=other.name,
            ),
            "success",
        )
        return redirect(url_for("matchmaking.requests"))
    return render_template(
        "matchmaking/book.html",
        form=form,
        me=me,
        other=other,
        profile=other_profile,
        free=free,
        auto_accept=g.edition.meeting_auto_accept,
        expiry_hours=g.edition.request_expiry_hours,
    )


@bp.post("/meetings/<id:meeting_id>/<any(held, no_show):status>")
@participant_required
def mark_meeting(meeting_id: int, status: str):
    """On the day: say that your meeting took place, or that the other side did not come."""
    return press(
        lambda: meetings_rules.mark_meeting(db(), g.edition, current_user, meeting_id, status),
        _("Thank you, noted."),
        url_for("matchmaking.meetings"),
    )


@bp.post("/meetings/<id:meeting_id>/cancel")
@participant_required
def cancel_my_meeting(meeting_id: int):
    """Cancel one of your confirmed meetings before it starts; the other side is told."""
    return press(
        lambda: meetings_rules.cancel_meeting(
            db(), g.edition, current_user, meeting_id, organiser=False
        ),
        _("The meeting is cancelled; the other side is told by email."),
        url_for("matchmaking.meetings"),
    )


@bp.post("/meetings/<id:meeting_id>/feedback")
@participant_required
def feedback(meeting_id: int):
    """Rate a meeting once it has started (did not take place included)."""
    me = _me()
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash(_("Please choose how the meeting went."), "danger")
        return redirect(url_for("matchmaking.meetings"))
    meetings_rules.rate_meeting(
        db(), g.edition, me, current_user, meeting_id, form.rating.data, form.comment.data or ""
    )
    db().commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("matchmaking.meetings"))


@bp.post("/offers/<id:slot_id>/<id:table_id>/take")
@participant_required
def take_offer(slot_id: int, table_id: int):
    """Take the freed place offered to your waiting pair: one click, the meeting is booked."""
    me = _me()
    return press(
        lambda: standby.take_offer(db(), g.edition, me, current_user, slot_id, table_id),
        _("The place is yours: the meeting is in your schedule."),
        url_for("matchmaking.meetings"),
    )


# --------------------------------------------------------------------------- organiser


@bp.get("/admin")
@organiser_required
def admin():
    """The organiser's matchmaking page: slots, tables, and the matcher run."""
    return render_template(
        "matchmaking/admin.html",
        slots=slots.slots(db(), g.edition),
        tables=slots.tables(db(), g.edition),
        slots_form=SlotsForm(),
        tables_form=TablesForm(),
        run_form=RunForm(),
        action_form=ActionForm(),
        job=run_rules.last_job(db(), g.edition),
        job_label=labels.job_label,
        block_label=labels.block_label,
        run=run_rules.latest_run(db(), g.edition),
    )


@bp.post("/admin/slots")
@organiser_required
def add_slots():
    """Cut a day into meeting slots (a break, e.g. lunch, is left out)."""
    form = SlotsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("matchmaking.admin"))
    breaks = []
    if form.break_start.data and form.break_end.data:
        breaks.append(
            (slots.parse_hhmm(form.break_start.data), slots.parse_hhmm(form.break_end.data))
        )
    created = slots.add_slots(
        db(),
        g.edition,
        current_user,
        day=form.day.data,
        start=slots.parse_hhmm(form.start.data),
        end=slots.parse_hhmm(form.end.data),
        minutes=form.minutes.data,
        gap=form.gap.data or 0,
        breaks=breaks,
    )
    db().commit()
    flash(_("%(n)s slots added.", n=len(created)), "success")
    return redirect(url_for("matchmaking.admin"))


@bp.post("/admin/slots/<id:slot_id>/delete")
@organiser_required
def delete_slot(slot_id: int):
    """Remove a meeting slot that no meeting uses."""
    return press(
        lambda: slots.delete_slot(db(), g.edition, current_user, slot_id),
        _("Slot removed."),
        url_for("matchmaking.admin"),
    )


@bp.post("/admin/tables")
@organiser_required
def add_tables():
    """Add numbered meeting tables, optionally placed at a booth."""
    form = TablesForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("matchmaking.admin"))
    created = slots.add_tables(
        db(),
        g.edition,
        current_user,
        count=form.count.data,
        location_vi=form.location_vi.data or "",
        location_en=form.location_en.data or "",
        booth_code=form.booth_code.data or "",
    )
    db().commit()
    flash(_("%(n)s tables added.", n=len(created)), "success")
    return redirect(url_for("matchmaking.admin"))


@bp.post("/admin/tables/<id:table_id>/delete")
@organiser_required
def delete_table(table_id: int):
    """Remove a meeting table that no meeting uses."""
    return press(
        lambda: slots.delete_table(db(), g.edition, current_user, table_id),
        _("Table removed."),
        url_for("matchmaking.admin"),
    )


@bp.post("/admin/run")
@organiser_required
def run():
    """Start the matcher in the background and follow its progress."""
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    job = run_rules.start_run(
        db(),
        g.edition,
        current_user,
        time_limit=form.time_limit.data,
        reserve=form.reserve.data or 0,
    )
    db().commit()
    launch(job.id)
    return redirect(url_for("matchmaking.job", job_id=job.id))


@bp.get("/admin/jobs/<id:job_id>")
@organiser_required
def job(job_id: int):
    """A matcher run's progress, as a page or as JSON for the page's script."""
    the_job = run_rules.job_for(db(), g.edition, job_id)
    if request.args.get("format") == "json":
        return jsonify(
            status=the_job.status,
            status_label=labels.job_label(the_job.status),
            progress=the_job.progress,
            message=labels.job_label(the_job.message),
            error=the_job.error,
            result=the_job.result,
        )
    return render_template("matchmaking/job.html", job=the_job, label=labels.job_label)


@bp.get("/admin/review")
@organiser_required
def review():
    """The draft schedule as a grid of slots and tables, with its figures."""
    data = review_rules.review(db(), g.edition)
    org_id = request.args.get("org", type=id_value)
    day = review_rules.participant_day(db(), g.edition, org_id) if org_id else None
    move_form = MoveForm()
    move_form.slot_id.choices = [
        SelectChoice(s.id, fmt_slot(s.starts_at, s.ends_at))
        for s in data.slots
    ]
    move_form.table_id.choices = [SelectChoice(t.id, t.label) for t in data.tables]
    add_form = AddMeetingForm()
    add_form.slot_id.choices = move_form.slot_id.choices
    add_form.table_id.choices = move_form.table_id.choices
    add_form.startup_id.choices = [SelectChoice(o.id, o.name) for o in data.startups]
    add_form.investor_id.choices = [SelectChoice(o.id, o.name) for o in data.investors]
    return render_template(
        "matchmaking/review.html",
        data=data,
        day=day,
        org_id=org_id,
        move_form=move_form,
        add_form=add_form,
        action_form=ActionForm(),
        statuses=labels.STATUS_LABELS,
        basis_labels=labels.BASIS_LABELS,
        names=participants.organisation_names(db()),
    )


def _review_target() -> str:
    """Back to the page the organiser came from (`next`), else the review page."""
    return safe_next(request.form.get("next")) or url_for("matchmaking.review")


def _review_back():
    return redirect(_review_target())


@bp.post("/admin/meetings/<id:meeting_id>/<any(lock, unlock):how>")
@organiser_required
def lock(meeting_id: int, how: str):
    """Lock a meeting so the next matcher run keeps it, or unlock it."""
    return press(
        lambda: review_rules.set_locked(db(), g.edition, current_user, meeting_id, how == "lock"),
        _("Locked.") if how == "lock" else _("Unlocked."),
        _review_target(),
    )


@bp.post("/admin/meetings/<id:meeting_id>/move")
@organiser_required
def move(meeting_id: int):
    """Move a meeting to another slot and table (checked against both sides' time)."""
    form = MoveForm()
    form.slot_id.choices = [SelectChoice(s.id, "") for s in slots.slots(db(), g.edition)]
    form.table_id.choices = [SelectChoice(t.id, "") for t in slots.tables(db(), g.edition)]
    if not form.validate_on_submit():
        flash(_("Choose a slot and a table."), "danger")
        return _review_back()
    review_rules.move_meeting(
        db(), g.edition, current_user, meeting_id, form.slot_id.data, form.table_id.data
    )
    db().commit()
    flash(_("Meeting moved."), "success")
    return _review_back()


@bp.post("/admin/meetings/<id:meeting_id>/cancel")
@organiser_required
def cancel(meeting_id: int):
    """Cancel any meeting of the schedule; confirmed participants are told."""
    return press(
        lambda: meetings_rules.cancel_meeting(
            db(), g.edition, current_user, meeting_id, organiser=True
        ),
        _("Meeting cancelled."),
        _review_target(),
    )


@bp.post("/admin/meetings/<id:meeting_id>/status/<any(held, no_show):status>")
@organiser_required
def set_status(meeting_id: int, status: str):
    """On the day: mark a meeting held or no-show for its participants."""
    return press(
        lambda: meetings_rules.mark_meeting(
            db(), g.edition, current_user, meeting_id, status, organiser=True
        ),
        _("Thank you, noted."),
        _review_target(),
    )


@bp.post("/admin/meetings/add")
@organiser_required
def add():
    """Add a meeting by hand; it is locked so the next run keeps it."""
    form = AddMeetingForm()
    startups, investors = participants.participant_ids(db(), g.edition)
    form.startup_id.choices = [SelectChoice(i, "") for i in startups]
    form.investor_id.choices = [SelectChoice(i, "") for i in investors]
    form.slot_id.choices = [SelectChoice(s.id, "") for s in slots.slots(db(), g.edition)]
    form.table_id.choices = [SelectChoice(t.id, "") for t in slots.tables(db(), g.edition)]
    if not form.validate_on_submit():
        flash(_("Choose a startup, an investor, a slot and a table."), "danger")
        return _review_back()
    review_rules.add_meeting(
        db(),
        g.edition,
        current_user,
        form.startup_id.data,
        form.investor_id.data,
        form.slot_id.data,
        form.table_id.data,
    )
    db().commit()
    flash(_("Meeting added."), "success")
    return _review_back()


@bp.route("/admin/publish", methods=["GET", "POST"])
@organiser_required
def publish():
    """Publishing in two steps: this page says what will be sent to how many people; only
    its confirmation, carrying the digest of the schedule shown, publishes and mails."""
    form = PublishForm()
    if request.method == "POST" and form.digest.data and form.validate_on_submit():
        with refused_on(form, as_flash="danger"):
            count = review_rules.publish(db(), g.edition, current_user, form.digest.data)
            db().commit()
            flash(_("%(n)s meetings published; everyone is told by email.", n=count), "success")
            return redirect(url_for("matchmaking.review"))
    plan = review_rules.publish_plan(db(), g.edition, lang())
    form.digest.data = plan.digest
    return render_template("matchmaking/publish.html", plan=plan, form=form)


@bp.get("/admin/export.csv")
@organiser_required
def export():
    """Download the edition's meetings with both sides' ratings as CSV."""
    text = write_csv(export_rules.export_rows(db(), g.edition), export_rules.EXPORT_COLUMNS)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=meetings-{g.edition.year}.csv"},
    )
