"""Realistic tracker histories written in bulk (Core inserts, many rows per statement):
the demo organisations' few hundred customers, and the benchmark's fifty thousand.

Every customer walks the pipeline from the first stage to where they are now, one
recorded move at a time; contacts come through seed 002's channels, more often for
customers further along; some follow-ups are overdue; customers give feedback. The
copies kept on each customer (last contact, number of contacts) match their contacts.
The same ``random.Random`` gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import (
    AcquisitionSource,
    Channel,
    Customer,
    CustomerKind,
    Direction,
    Feedback,
    FeedbackKind,
    FollowUp,
    Interaction,
    Outcome,
    PipelineStage,
    StageChange,
    StageKind,
)
from app.tracker.kept_figures import raise_tracker_revisions
from app.tracker.services import phone_key


@dataclass(frozen=True)
class Vocabulary:
    """The words of one language for names, segments, notes and reasons."""

    first_names: Sequence[str]
    last_names: Sequence[str]
    companies: Sequence[str]
    segments: Sequence[str]
    contact_notes: Sequence[str]
    tasks: Sequence[str]
    lost_reasons: Sequence[str]
    churn_reasons: Sequence[str]
    complaints: Sequence[str]
    email_domain: str


PERSIAN = Vocabulary(
    first_names=(
        "علی",
        "محمد",
        "حسین",
        "رضا",
        "مهدی",
        "امیر",
        "سعید",
        "بهروز",
        "کاوه",
        "داریوش",
        "فاطمه",
        "زهرا",
        "مریم",
        "سارا",
        "نگار",
        "لیلا",
        "شیرین",
        "پریسا",
        "نسرین",
        "مینا",
    ),
    last_names=(
        "احمدی",
        "رضایی",
        "محمدی",
        "حسینی",
        "کریمی",
        "موسوی",
        "جعفری",
        "قاسمی",
        "صالحی",
        "نوری",
        "حیدری",
        "عباسی",
        "شریفی",
        "کاظمی",
        "مرادی",
        "تهرانی",
        "اصفهانی",
        "شیرازی",
    ),
    companies=(
        "فروشگاه زنجیره‌ای",
        "سوپرمارکت",
        "هایپرمارکت",
        "پخش مویرگی",
        "بازرگانی",
        "رستوران",
        "هتل",
        "تعاونی مصرف",
    ),
    segments=("عمده‌فروشی", "خرده‌فروشی", "رستوران و هتل", "مشتری کلیدی", "فروشگاه زنجیره‌ای"),
    contact_notes=(
        "لیست قیمت جدید ارسال شد.",
        "درخواست نمونه کالا داشت.",
        "دربارهٔ شرایط پرداخت اقساطی پرسید.",
        "از تأخیر در ارسال سفارش قبلی گله داشت.",
        "سفارش ماهانه را تمدید کرد.",
        "کاتالوگ محصولات لبنی را خواست.",
        "پیشنهاد تخفیف حجمی داده شد.",
        "مسئول خرید در جلسه نبود؛ دوباره تماس گرفته شود.",
    ),
    tasks=(
        "تماس برای پیگیری پیش‌فاکتور",
        "ارسال نمونه کالا",
        "هماهنگی جلسهٔ حضوری",
        "پیگیری وصول چک",
        "نظرسنجی رضایت پس از تحویل",
    ),
    lost_reasons=("قیمت رقیب پایین‌تر بود", "نیاز فعلی نداشت", "شرایط پرداخت را نپذیرفت"),
    churn_reasons=(
        "به پخش‌کنندهٔ دیگری رفت",
        "فروشگاه تعطیل شد",
        "از کیفیت ارسال ناراضی بود",
    ),
    complaints=("کالا دیر رسید.", "چند بسته آسیب دیده بود.", "فاکتور اشتباه صادر شد."),
    email_domain="example.ir",
)

ENGLISH = Vocabulary(
    first_names=(
        "James",
        "Olivia",
        "Liam",
        "Emma",
        "Noah",
        "Ava",
        "Oliver",
        "Sophia",
        "Jack",
        "Mia",
        "Harry",
        "Isla",
        "George",
        "Grace",
        "Oscar",
        "Chloe",
        "Leo",
        "Ella",
        "Alfie",
        "Ruby",
    ),
    last_names=(
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
    ),
    companies=(
        "Trail Club",
        "Scout Group",
        "Climbing Wall",
        "Adventure Tours",
        "Outdoor School",
        "Ski Lodge",
        "Hiking Society",
        "Camping Supplies",
    ),
    segments=("Hikers", "Climbers", "Families", "Clubs and schools", "Key account"),
    contact_notes=(
        "Sent the new season's catalogue.",
        "Asked about waterproof jackets in larger sizes.",
        "Interested in a group discount for the club.",
        "Complained that the online order arrived late.",
        "Booked a boot fitting in the Leeds store.",
        "Renewed the loyalty card.",
        "No answer; try again next week.",
        "Wants a quote for twenty tents.",
    ),
    tasks=(
        "Call back about the group quote",
        "Send the tent brochure",
        "Invite to the spring open evening",
        "Check the delivery complaint is solved",
        "Ask for a review after the purchase",
    ),
    lost_reasons=("Bought from a cheaper web shop", "Budget cut", "Chose a rival brand"),
    churn_reasons=("Moved away", "Unhappy with the returns process", "Switched to a rival"),
    complaints=(
        "The zip broke after two weeks.",
        "Wrong size delivered.",
        "Refund took too long.",
    ),
    email_domain="example.com",
)

CHANNEL_WEIGHTS = {
    Channel.PHONE: 30,
    Channel.EMAIL: 25,
    Channel.SMS_MESSENGER: 12,
    Channel.IN_PERSON: 10,
    Channel.WEBSITE_VISIT: 10,
    Channel.INQUIRY_CALL: 7,
    Channel.REFERRAL: 3,
    Channel.POSTAL_MAIL: 3,
}
OUTCOME_WEIGHTS = {
    Outcome.POSITIVE: 35,
    Outcome.NEUTRAL: 30,
    Outcome.NEGATIVE: 10,
    Outcome.NO_RESPONSE: 25,
}
# Where customers are now, by the kind and order of the pipeline's stages.
FINAL_STAGE_WEIGHTS = (30, 20, 12, 18, 8, 8, 4)
CHUNK = 2000  # customers written per round, so memory stays flat at any size


@dataclass
class SeedResult:
    customers: int = 0
    interactions: int = 0


def seed_customers(
    session: Session,
    organisation_id: int,
    stages: list[PipelineStage],
    *,
    count: int,
    contacts_per_customer: float,
    words: Vocabulary,
    owner_ids: Sequence[int | None],
    now: datetime,
    rng: random.Random,
    extras: bool = True,
) -> SeedResult:
    """Write ``count`` customers with their histories; ``extras`` adds follow-ups and
    feedback (the demo) besides stages and contacts (all the benchmark needs)."""
    order = [s for s in stages if s.kind in (StageKind.OPEN, StageKind.WON)]
    lost = next(s for s in stages if s.kind is StageKind.LOST)
    churned = next(s for s in stages if s.kind is StageKind.CHURNED)
    finals = [*order[:5], lost, churned][: len(FINAL_STAGE_WEIGHTS)]
    result = SeedResult()
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        plans = [
            _plan(
                number,
                order,
                lost,
                churned,
                finals,
                words,
                owner_ids,
                now,
                rng,
                contacts_per_customer,
            )
            for number in range(start, start + size)
        ]
        ids = session.scalars(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
            [plan["customer"] | {"organisation_id": organisation_id} for plan in plans],
        ).all()
        changes, contacts, tasks, feedback = [], [], [], []
        for customer_id, plan in zip(ids, plans, strict=True):
            link = {"organisation_id": organisation_id, "customer_id": customer_id}
            changes += [change | link for change in plan["changes"]]
            contacts += [contact | link for contact in plan["contacts"]]
            if extras:
                tasks += [task | link for task in _follow_ups(plan, words, owner_ids, now, rng)]
                feedback += [item | link for item in _feedback(plan, words, rng)]
        for model, rows in (
            (StageChange, changes),
            (Interaction, contacts),
            (FollowUp, tasks),
            (Feedback, feedback),
        ):
            if rows:
                session.execute(insert(model), rows)
        result.customers += size
        result.interactions += len(contacts)
    raise_tracker_revisions(session.connection(), {organisation_id})
    return result


def _plan(number, order, lost, churned, finals, words, owner_ids, now, rng, contacts_mean):
    """One customer: details, the walk through the pipeline and the contacts."""
    final = rng.choices(finals, weights=FINAL_STAGE_WEIGHTS[: len(finals)])[0]
    is_company = rng.random() < 0.15
    first, last = rng.choice(words.first_names), rng.choice(words.last_names)
    name = f"{rng.choice(words.companies)} {last}" if is_company else f"{first} {last}"
    name = f"{name} {number + 1}" if number >= 2000 else name  # many namesakes at scale
    phone = f"09{rng.randint(10, 39)}{rng.randint(1000000, 9999999)}"
    created = now - timedelta(days=rng.uniform(5, 540))
    # The walk: the open and won stages up to the final one, then lost or churned.
    if final is lost:
        path = [*order[: rng.randint(1, 3)], lost]
    elif final is churned:
        path = [*order[: 4 + (rng.random() < 0.3)], churned]
    else:
        path = order[: order.index(final) + 1]
    moments = sorted(created + (now - created) * rng.random() for _ in path[1:])
    moments.insert(0, created)
    changes = []
    for index, (stage, moment) in enumerate(zip(path, moments, strict=True)):
        reason = ""
        if stage is lost:
            reason = rng.choice(words.lost_reasons)
        elif stage is churned:
            reason = rng.choice(words.churn_reasons)
        changes.append(
            {
                "from_stage_id": path[index - 1].id if index else None,
                "to_stage_id": stage.id,
                "changed_at": moment,
                "changed_by_id": rng.choice(owner_ids),
                "reason": reason,
            }
        )
    # Customers further along have been in touch more often.
    weight = 0.4 + len(path) / 4
    count = max(0, round(rng.gauss(contacts_mean * weight, contacts_mean / 2)))
    channels, outcomes = list(CHANNEL_WEIGHTS), list(OUTCOME_WEIGHTS)
    contacts = []
    for _ in range(count):
        direction = Direction.OUTBOUND if rng.random() < 0.6 else Direction.INBOUND
        outcome = rng.choices(outcomes, weights=list(OUTCOME_WEIGHTS.values()))[0]
        if direction is Direction.INBOUND and outcome is Outcome.NO_RESPONSE:
            outcome = Outcome.NEUTRAL  # the customer came to us
        contacts.append(
            {
                "channel": rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0],
                "direction": direction,
                "occurred_at": created + (now - created) * rng.random(),
                "outcome": outcome,
                "notes": rng.choice(words.contact_notes) if rng.random() < 0.5 else "",
                "recorded_by_id": rng.choice(owner_ids),
            }
        )
    last_contact = max(contacts, key=lambda c: c["occurred_at"]) if contacts else None
    segment = rng.choice(words.segments) if rng.random() < 0.8 else ""
    source = rng.choice(list(AcquisitionSource)) if rng.random() < 0.7 else None
    domain = words.email_domain
    customer = {
        "kind": CustomerKind.COMPANY if is_company else CustomerKind.PERSON,
        "name": name,
        "email": f"customer{number + 1}@{domain}" if rng.random() < 0.7 else "",
        "phone": phone,
        "phone_key": phone_key(phone),
        "address": "",
        "segment": segment,
        "source": source,
        "owner_id": rng.choice(owner_ids),
        "stage_id": final.id,
        "stage_since": moments[-1],
        "notes": "",
        "last_interaction_at": last_contact["occurred_at"] if last_contact else None,
        "last_channel": last_contact["channel"] if last_contact else None,
        "interaction_count": len(contacts),
        "created_at": created,
        "updated_at": moments[-1],
    }
    return {"customer": customer, "changes": changes, "contacts": contacts, "final": final}


def _follow_ups(plan, words, owner_ids, now, rng) -> list[dict]:
    if plan["final"].kind not in (StageKind.OPEN, StageKind.WON) or rng.random() > 0.35:
        return []
    due = (now + timedelta(days=rng.randint(-20, 14))).date()
    done = now - timedelta(days=rng.uniform(0, 10)) if rng.random() < 0.3 else None
    return [
        {
            "title": rng.choice(words.tasks),
            "due_on": due,
            "assignee_id": rng.choice([owner for owner in owner_ids if owner] or [None]),
            "created_by_id": rng.choice(owner_ids),
            "done_at": done,
            "created_at": now - timedelta(days=rng.uniform(1, 40)),
            "updated_at": now,
        }
    ]


def _feedback(plan, words, rng) -> list[dict]:
    if plan["final"].kind is StageKind.OPEN or not plan["contacts"]:
        return []
    items = []
    moment = max(contact["occurred_at"] for contact in plan["contacts"])
    happier = plan["final"].kind is StageKind.WON
    if rng.random() < 0.5:
        score = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 6, 8, 7, 6])[0]
        items.append({"kind": FeedbackKind.NPS, "score": score if happier else score // 2})
    if rng.random() < 0.4:
        score = rng.choices(range(1, 6), weights=[1, 2, 4, 7, 5])[0]
        items.append({"kind": FeedbackKind.CSAT, "score": score if happier else max(1, score - 2)})
    if rng.random() < (0.08 if happier else 0.4):
        items.append({"kind": FeedbackKind.COMPLAINT, "comment": rng.choice(words.complaints)})
    if rng.random() < 0.05:
        items.append({"kind": FeedbackKind.PRODUCT_RETURN, "comment": rng.choice(words.complaints)})
    return [{"score": None, "comment": "", "received_at": moment} | item for item in items]
