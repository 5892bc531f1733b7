"""Reading an assessment's answers and scoring them.

The answers are read as plain rows, one query for any number of respondents and
assessments: loading them as objects, one respondent at a time, cost the results page
most of its time with a hundred respondents (issue 14). The results page, the exports,
the report and the home pages read and score through here.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    cast,
    func,
    inspect,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)

from app.extensions import db
from app.instrument.definitions import Questionnaire
from app.instrument.results import AssessmentResult, Consensus, Response, ScoresAlone
from app.instrument.scoring import score_assessment, scores_from_totals
from app.instrument.sharing import ItemKey, used_together
from app.instrument.versions import thaw
from app.models import (
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    ConsensusValue,
    QuestionnaireVersion,
    Respondent,
    Target,
)
from app.models.base import as_aware


def definitions(assessment: Assessment) -> list[Questionnaire]:
    """The assessment's questionnaires in order, as they are used together: an item
    shared with another of them is asked and counted there only (one small query;
    parsing is cached)."""
    return definitions_of([assessment.id])[assessment.id]


def definitions_of(assessment_ids: Collection[int]) -> dict[int, list[Questionnaire]]:
    """The questionnaires of several assessments, each in order and as used together,
    in one query."""
    found: dict[int, list[tuple[int, str]]] = {id_: [] for id_ in assessment_ids}
    if not found:
        return {}
    versions = db.session.execute(
        select(
            AssessmentQuestionnaire.assessment_id,
            QuestionnaireVersion.id,
            QuestionnaireVersion.content_hash,
        )
        .join(AssessmentQuestionnaire.version)
        .where(AssessmentQuestionnaire.assessment_id.in_(found))
        .order_by(AssessmentQuestionnaire.assessment_id, AssessmentQuestionnaire.position)
    )
    for assessment_id, version_id, content_hash in versions:
        found[assessment_id].append((version_id, content_hash))
    return {
        assessment_id: list(_used_together(tuple(assessment_versions)))
        for assessment_id, assessment_versions in found.items()
    }


@lru_cache(maxsize=64)
def _used_together(versions: tuple[tuple[int, str], ...]) -> tuple[Questionnaire, ...]:
    return tuple(used_together([_thawed(*version) for version in versions]))


@lru_cache(maxsize=64)
def _thawed(version_id: int, content_hash: str) -> Questionnaire:  # noqa: ARG001
    """Frozen copies never change, so each is parsed once per process (the hash is part
    of the key so that another database's row with the same id is never confused)."""
    return thaw(db.session.get(QuestionnaireVersion, version_id))


class StoredAnswer(NamedTuple):
    questionnaire_key: str
    item_id: str
    value: int | None
    not_applicable: bool
    comment: str


def is_answered(answer: StoredAnswer) -> bool:
    """A value or "not applicable"; a bare comment is no answer."""
    return answer.value is not None or answer.not_applicable


@dataclass(frozen=True)
class StoredResponse:
    """One respondent with every answer they stored, by (questionnaire, item)."""

    respondent_id: int
    name: str
    email: str
    group: str
    submitted_at: datetime | None
    revoked_at: datetime | None  # of their link
    answers: dict[ItemKey, StoredAnswer] = field(default_factory=dict)

    def for_scoring(self) -> Response:
        return Response(
            respondent=str(self.respondent_id),
            group=self.group,
            answers={key: a.value for key, a in self.answers.items() if is_answered(a)},
        )


def read_responses(
    assessment_ids: Collection[int], *, submitted_only: bool = True
) -> dict[int, list[StoredResponse]]:
    """Each assessment's respondents (only those who submitted, unless told otherwise)
    with their answers, in the order they were added: one query."""
    found: dict[int, list[StoredResponse]] = {id_: [] for id_ in assessment_ids}
    if not found:
        return {}
    chosen = [Respondent.assessment_id.in_(found)]
    if submitted_only:
        chosen.append(Respondent.submitted_at.is_not(None))
    # The respondents' rows, then their answers' rows, the two sharing columns: joined
    # instead, each answer's row repeated its respondent's name, address and two dates,
    # and reading them took twice as long. An answer's "not applicable" is never null, so
    # a null there marks a respondent's row. The dates are read as plain timestamps and
    # made aware for the respondents' rows alone: UTCDateTime would look at the empty
    # dates of every answer's row too, a third of the reading's time.
    rows = union_all(
        select(
            Respondent.id,
            Respondent.name,
            Respondent.email,
            Respondent.assessment_id,
            type_coerce(null(), Boolean),
            Respondent.group,
            type_coerce(Respondent.submitted_at, DateTime(timezone=True)),
            type_coerce(Respondent.revoked_at, DateTime(timezone=True)),
        ).where(*chosen),
        select(
            Answer.respondent_id,
            Answer.questionnaire_key,
            Answer.item_id,
            Answer.value,
            Answer.not_applicable,
            Answer.comment,
            null(),
            null(),
        ).where(Answer.respondent_id.in_(select(Respondent.id).where(*chosen))),
    )
    # Plain rows from the connection (flushed first, as the session would): the ORM's row
    # processing takes half again as long over ten thousand answers, and nothing needs it.
    # All at once: row by row, the driver is asked for each row on its own.
    db.session.flush()
    respondents, answers = [], defaultdict(dict)
    for row in db.session.connection().execute(rows).fetchall():
        if row[4] is None:
            respondents.append(row)
        else:
            answers[row[0]][row[1], row[2]] = StoredAnswer._make(row[1:6])
    for respondent_id, name, email, assessment_id, _, group, submitted_at, revoked_at in sorted(
        respondents
    ):
        found[assessment_id].append(
            StoredResponse(
                respondent_id,
                name,
                email,
                group,
                as_aware(submitted_at),
                as_aware(revoked_at),
                answers[respondent_id],
            )
        )
    return found


def score(assessment: Assessment) -> AssessmentResult:
    """The results from submitted responses, consensus values and targets; respondent
    groups smaller than the MIN_GROUP_SIZE setting are not scored on their own."""
    return score_many([assessment])[assessment.id]


def submitted(responses: Mapping[int, list[StoredResponse]]) -> dict[int, list[StoredResponse]]:
    """Of each assessment's responses, those submitted: the ones scored."""
    return {
        assessment_id: [r for r in found if r.submitted_at is not None]
        for assessment_id, found in responses.items()
    }


def score_many(
    assessments: Sequence[Assessment],
    *,
    questionnaires: Mapping[int, list[Questionnaire]] | None = None,
    responses: Mapping[int, list[StoredResponse]] | None = None,
) -> dict[int, AssessmentResult]:
    """The results of several assessments from a fixed number of queries, however many
    assessments, respondents and answers there are (home pages list several). A caller
    that has already read the ``questionnaires`` (``definitions_of``) or the submitted
    ``responses`` (``read_responses``) of some passes them on; the results of a published
    assessment, or of one read with its latest change, are kept (``is_kept``), and so are
    the answers of one read with its latest change to them (``needs_answers``): neither is
    read again."""
    return _score_many(assessments, questionnaires, responses, compared_with=None)[0]


def score_compared(
    assessment: Assessment,
    previous: Assessment | None,
    questionnaires: Mapping[int, list[Questionnaire]],
    responses: Mapping[int, list[StoredResponse]] | None = None,
) -> tuple[AssessmentResult, ScoresAlone | None]:
    """``score_many`` of the assessment, and the scores alone of the ``previous`` one it is
    compared with: from its kept results, else from its answers' totals, added up by the
    database in the query that reads the consensus values and targets, rather than from
    every answer read and scored (``scores_from_totals``)."""
    alone = _kept_scores_alone_of(previous) if previous is not None else None
    compared_with = previous if previous is not None and alone is None else None
    results, earlier = _score_many([assessment], questionnaires, responses, compared_with)
    if compared_with is not None:
        alone = scores_from_totals(questionnaires[previous.id], earlier.totals, earlier.consensus)
        _keep_in(_kept_scores_alone, _kept_key(previous), alone, KEPT_RESULTS)
    return results[assessment.id], alone


class _Totals(NamedTuple):
    """Of an assessment compared with: each item's count and sum of submitted values,
    and its consensus values."""

    totals: dict[ItemKey, tuple[int, int]]
    consensus: dict[ItemKey, Consensus]


def _score_many(
    assessments: Sequence[Assessment],
    questionnaires: Mapping[int, list[Questionnaire]] | None,
    responses: Mapping[int, list[StoredResponse]] | None,
    compared_with: Assessment | None,
) -> tuple[dict[int, AssessmentResult], _Totals]:
    """``score_many``, and the answers' totals and consensus values of ``compared_with``,
    read with the others' consensus values and targets."""
    results = {a.id: _kept_results[_kept_key(a)] for a in assessments if is_kept(a)}
    to_score = [a for a in assessments if a.id not in results]
    ids = [a.id for a in to_score]
    if not ids and compared_with is None:
        return results, _Totals({}, {})
    if questionnaires is None:
        questionnaires = definitions_of(ids)
    given = responses or {}
    kept = {a.id: found for a in to_score if (found := _kept_answers_of(a)) is not None}
    read = read_responses([id_ for id_ in ids if id_ not in given and id_ not in kept])
    totals_of = compared_with.id if compared_with is not None else None
    consensus, targets, totals = _review_settings(ids, totals_of)
    for assessment in to_score:
        scoring = kept.get(assessment.id)
        if assessment.id in given or scoring is None:
            stored = given.get(assessment.id, read.get(assessment.id))
            scoring = [response.for_scoring() for response in stored]
            _keep_in(_kept_answers, _answers_key(assessment), scoring, KEPT_ANSWERS)
        results[assessment.id] = score_assessment(
            questionnaires[assessment.id],
            scoring,
            consensus=consensus[assessment.id],
            targets=targets[assessment.id],
            group_order=assessment.groups,
            target_level=assessment.target_level,
            min_group_size=current_app.config["MIN_GROUP_SIZE"],
        )
        _keep(assessment, results[assessment.id])
    return results, _Totals(totals, consensus[totals_of] if totals_of is not None else {})


# A published assessment's results cannot change while it stays published or archived
# (answers, consensus values and targets are closed), and publishing it again gives it a
# new ``published_at``: each is scored once per process, not on every visit of a home
# page or of the next assessment's results. Another assessment's results are kept by its
# latest audit event (``Assessment.latest_change``), when it was read with the assessment
# (the results page reads it): every write that can change them records a new one in the
# same transaction, and it is read before the answers, so kept results are never older
# than the last write this process could see. Its questionnaires and groups are fixed
# when it is created; the moment it was created tells it from another database's
# assessment of the same id (the tests make a new database for each test).
CLOSED = frozenset({AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED})
KEPT_RESULTS = 512
_kept_results: OrderedDict[tuple, AssessmentResult] = OrderedDict()
# The scores alone of assessments compared with (``score_compared``), kept alike.
_kept_scores_alone: OrderedDict[tuple, ScoresAlone] = OrderedDict()


def _kept_key(assessment: Assessment) -> tuple | None:
    min_group_size = current_app.config["MIN_GROUP_SIZE"]
    if assessment.status in CLOSED and assessment.published_at is not None:
        return (assessment.id, assessment.published_at, min_group_size)
    if "latest_change" in inspect(assessment).unloaded:  # not read: nothing to go by
        return None
    return (assessment.id, assessment.created_at, assessment.latest_change, min_group_size)


def is_kept(assessment: Assessment) -> bool:
    """Whether the assessment's results are kept: ``score_many`` reads nothing for it."""
    key = _kept_key(assessment)
    if key in _kept_results:
        _kept_results.move_to_end(key)
        return True
    return False


def _keep(assessment: Assessment, result: AssessmentResult) -> None:
    _keep_in(_kept_results, _kept_key(assessment), result, KEPT_RESULTS)


def _keep_in(kept: OrderedDict, key: tuple | None, value: object, room: int) -> None:
    """``value`` kept under ``key`` (an assessment's id, then what it is kept by), unless
    there is none. What was kept of the assessment before its latest change is never asked
    for again: it goes, not left to fill the room of others (a review makes dozens of
    changes); beyond ``room``, the longest unused go."""
    if key is None:
        return
    for older in [kept_key for kept_key in kept if kept_key[0] == key[0]]:
        del kept[older]
    kept[key] = value
    while len(kept) > room:
        kept.popitem(last=False)


# The submitted answers of an assessment in review, as scored, are kept apart from its
# results, by its latest change that may have touched respondents or answers
# (``Assessment.latest_answers_change``): a step of the review (a consensus value, a
# target) then has the results scored again from them, without reading ten thousand
# answers. A few assessments only: each holds every answer of a hundred respondents.
KEPT_ANSWERS = 16
_kept_answers: OrderedDict[tuple, list[Response]] = OrderedDict()


def _answers_key(assessment: Assessment) -> tuple | None:
    if "latest_answers_change" in inspect(assessment).unloaded:  # not read: nothing to go by
        return None
    return (assessment.id, assessment.created_at, assessment.latest_answers_change)


def _kept_answers_of(assessment: Assessment) -> list[Response] | None:
    key = _answers_key(assessment)
    found = _kept_answers.get(key)
    if found is not None:
        with suppress(KeyError):  # forgotten meanwhile by another thread's request
            _kept_answers.move_to_end(key)
    return found


def needs_answers(assessment: Assessment) -> bool:
    """Whether ``score_many`` would read the assessment's answers: neither its results
    nor its answers are kept."""
    return not is_kept(assessment) and _answers_key(assessment) not in _kept_answers


def forget(assessment_id: int | None = None, *, answers: bool = True) -> None:
    """Forget what is kept of the assessment: its results, as after a step of its review,
    and with ``answers`` its answers too, as after a response is submitted; without an
    assessment, everything, as a new web process starts (for tests and benchmarks)."""
    kept = [_kept_results, _kept_answers, _kept_scores_alone] if answers else [_kept_results]
    for found in kept:
        for key in [key for key in found if assessment_id is None or key[0] == assessment_id]:
            del found[key]


def _kept_scores_alone_of(assessment: Assessment) -> ScoresAlone | None:
    key = _kept_key(assessment)
    alone = _kept_scores_alone.get(key)  # one look: another thread may forget it meanwhile
    if alone is not None:
        return alone
    kept = _kept_results.get(key)
    if kept is None:
        return None
    return ScoresAlone(
        index=kept.index,
        dimensions={
            (questionnaire.questionnaire_id, dimension.dimension_id): dimension.score
            for questionnaire in kept.questionnaires
            for dimension in questionnaire.dimensions
        },
    )


def _review_settings(
    assessment_ids: list[int], totals_of: int | None = None
) -> tuple[
    dict[int, dict[ItemKey, Consensus]],
    dict[int, dict[tuple[str, str], str]],
    dict[ItemKey, tuple[int, int]],
]:
    """The consultant's consensus values and targets of the assessments, and of
    ``totals_of`` its consensus values and its submitted answers' count and sum per item,
    in one query (each is small: the query count is what matters on the results page)."""
    with_consensus = [*assessment_ids, *([totals_of] if totals_of is not None else [])]
    branches = [
        select(
            literal("consensus").label("kind"),
            ConsensusValue.assessment_id,
            ConsensusValue.questionnaire_key,
            ConsensusValue.item_id.label("key"),
            ConsensusValue.value,
            ConsensusValue.note,
            null().label("level"),
            # Typed: PostgreSQL would take two untyped nulls for text, not the sum's type.
            cast(null(), BigInteger).label("total"),
        ).where(ConsensusValue.assessment_id.in_(with_consensus)),
        select(
            literal("target"),
            Target.assessment_id,
            Target.questionnaire_key,
            Target.dimension_id,
            null(),
            null(),
            Target.level,
            null(),
        ).where(Target.assessment_id.in_(assessment_ids)),
    ]
    if totals_of is not None:
        branches.append(
            select(
                literal("totals"),
                Respondent.assessment_id,
                Answer.questionnaire_key,
                Answer.item_id,
                func.count(Answer.value),
                null(),
                null(),
                func.sum(Answer.value),
            )
            .join(Respondent, Respondent.id == Answer.respondent_id)
            .where(
                Respondent.assessment_id == totals_of,
                Respondent.submitted_at.is_not(None),
                Answer.value.is_not(None),
            )
            .group_by(Respondent.assessment_id, Answer.questionnaire_key, Answer.item_id)
        )
    rows = union_all(*branches)
    consensus: dict[int, dict[ItemKey, Consensus]] = defaultdict(dict)
    targets: dict[int, dict[tuple[str, str], str]] = defaultdict(dict)
    totals: dict[ItemKey, tuple[int, int]] = {}
    for (
        kind,
        assessment_id,
        questionnaire_key,
        key,
        value,
        note,
        level,
        total,
    ) in db.session.execute(rows):
        if kind == "consensus":
            consensus[assessment_id][(questionnaire_key, key)] = Consensus(value, note)
        elif kind == "target":
            targets[assessment_id][(questionnaire_key, key)] = level
        else:
            totals[(questionnaire_key, key)] = (value, total)
    return consensus, targets, totals


def previous_published(assessment: Assessment) -> Assessment | None:
    """The organisation's latest assessment published before this one, for comparison."""
    query = (
        select(Assessment)
        .where(
            Assessment.organisation_id == assessment.organisation_id,
            Assessment.id != assessment.id,
            Assessment.published_at.is_not(None),
        )
        .order_by(Assessment.published_at.desc())
    )
    if assessment.published_at is not None:
        query = query.where(Assessment.published_at < assessment.published_at)
    return db.session.scalars(query).first()
