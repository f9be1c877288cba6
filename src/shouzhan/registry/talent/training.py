"""What attendance counts for: a course's trainees (the number hu8.training_course reads) and a person's
completed courses and hours.

A session counts once its register has been taken (attendance recorded for it); a session not yet taken —
in the future, or today before the register — changes nothing. A trainee counts towards the course's scale
when they attended at least four in five of the sessions taken (出勤率不低于80%): the seed says only
"按参训规模", so the share is this platform's assumption, stated in docs/talent.md and the clause's note.
The count is written on the course's project (`Project.trainees`) whenever attendance changes
(`course_project_sync`), so the calculator, the application, the decision and the push all read one number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count

from shouzhan.registry.talent.models import Attendance, Trainee

COMPLETION_SHARE = Fraction(4, 5)


def completes(attended: int, taken: int) -> bool:
    """Attended enough of the sessions taken (none taken: nobody has completed yet)."""
    return taken > 0 and Fraction(attended, taken) >= COMPLETION_SHARE


@dataclass(frozen=True)
class CourseCount:
    taken: int  # sessions whose register was taken
    enrolled: int
    counted: int  # trainees who attended at least COMPLETION_SHARE of the sessions taken


def _taken(course_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Attendance.objects.filter(session__course_id__in=list(course_ids))
        .values_list("session__course_id")
        .annotate(n=Count("session_id", distinct=True))
    )
    return dict(rows)


def course_counts(course_ids: Iterable[int]) -> dict[int, CourseCount]:
    """Each course's sessions taken, trainees enrolled and trainees counted: three queries, whatever the count."""
    ids = list(course_ids)
    taken = _taken(ids)
    enrolled = dict(
        Trainee.objects.filter(course_id__in=ids).values_list("course_id").annotate(n=Count("id"))
    )
    attended = (
        Attendance.objects.filter(trainee__course_id__in=ids, attended=True)
        .values_list("trainee__course_id", "trainee_id")
        .annotate(n=Count("id"))
    )
    counted: dict[int, int] = defaultdict(int)
    for course_id, _trainee, n in attended:
        if completes(n, taken.get(course_id, 0)):
            counted[course_id] += 1
    return {i: CourseCount(taken.get(i, 0), enrolled.get(i, 0), counted.get(i, 0)) for i in ids}


@dataclass(frozen=True)
class PersonTraining:
    course_id: int
    title: str
    organiser: str
    taken: int
    attended: int
    hours: int  # hours of the sessions attended
    completed: bool


def person_trainings(person_id: int) -> list[PersonTraining]:
    """The courses a person is enrolled in with their attendance so far (three queries)."""
    return trainings_by_person([person_id]).get(person_id, [])


def trainings_by_person(person_ids: Iterable[int]) -> dict[int, list[PersonTraining]]:
    """`person_trainings` for many people at once (a list's page): three queries, whatever the count."""
    trainees = list(
        Trainee.objects.filter(person_id__in=list(person_ids))
        .select_related("course__organiser")
        .order_by("-course__created_at", "id")
    )
    taken = _taken({t.course_id for t in trainees})
    attended: dict[int, int] = defaultdict(int)
    hours: dict[int, int] = defaultdict(int)
    sessions = Attendance.objects.filter(trainee__in=trainees, attended=True)
    for trainee_id, session_hours in sessions.values_list("trainee_id", "session__hours"):
        attended[trainee_id] += 1
        hours[trainee_id] += session_hours
    found: dict[int, list[PersonTraining]] = defaultdict(list)
    for t in trainees:
        found[t.person_id].append(
            PersonTraining(
                t.course_id,
                t.course.title,
                t.course.organiser.name,
                taken.get(t.course_id, 0),
                attended[t.pk],
                hours[t.pk],
                completes(attended[t.pk], taken.get(t.course_id, 0)),
            )
        )
    return dict(found)
