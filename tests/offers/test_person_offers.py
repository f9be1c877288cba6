"""Offers for people (免申即享 for talents): a push evaluates a person's clauses once per talent record, with the
employer's facts; the offer is the person's — their employer's other members do not see it unless the person
shared the whole record with the enterprise; a service that a talent case type delivers is applied for with
that case type."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shouzhan.accounts.models import Membership
from shouzhan.offers.models import Offer, PushRun
from shouzhan.offers.services import offer_confirm, person_offer_apply
from shouzhan.registry.models import SkillCertificate, TalentTitle
from shouzhan.registry.services.people import person_for_user
from shouzhan.registry.talent.models import TalentShare
from shouzhan.registry.talent.services import talent_record_for, talent_record_update
from shouzhan.talent.services import support_apply
from tests.offers.conftest import ON, run_push

pytestmark = pytest.mark.django_db
NUMBERS = iter(f"Y3100002026000123456{n:02d}" for n in range(50))


def _composite(make_enterprise: Any, district: str) -> tuple[Any, Any, Any]:
    """A composite talent (art title + AI audiovisual certificate), no Shanghai hukou, no child of school age,
    working for a micro-drama studio in `district`."""
    enterprise, owner = make_enterprise(name=f"{district}短剧工作室", district=district, sector="micro_drama")
    person = person_for_user(actor=owner)
    person.birth_year = 1990
    person.save()
    record = talent_record_for(actor=owner, person=person)
    record = talent_record_update(
        actor=owner,
        record=record,
        data={
            "field": "micro_drama",
            "education": "master",
            "years_experience": "6",
            "shanghai_hukou": "false",
            "children_school_age": "0",
        },
    )
    TalentTitle.objects.create(record=record, series="art", level=2, granted_on=dt.date(2024, 6, 1))
    SkillCertificate.objects.create(
        record=record,
        kind="ai_av",
        name="AI视听内容创作",
        number=next(NUMBERS),
        issued_on=dt.date(2026, 1, 5),
    )
    return person, enterprise, owner


@pytest.fixture
def talents(catalogue: Any, make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    xuhui, xuhui_studio, xuhui_owner = _composite(make_enterprise, "徐汇")
    yangpu, yangpu_studio, _owner = _composite(make_enterprise, "杨浦")
    colleague = make_user(name="同事")
    Membership.objects.create(user=colleague, organisation=xuhui_studio.organisation)
    return {
        "xuhui": xuhui,
        "studio": xuhui_studio,
        "owner": xuhui_owner,
        "yangpu": yangpu,
        "yangpu_studio": yangpu_studio,
        "colleague": colleague,
    }


def _person_offers(person: Any) -> dict[str, tuple[str, str, int]]:
    return {
        o.clause_id: (o.key, o.state, o.enterprise_id)
        for o in Offer.objects.filter(person=person, current=True, state__in=["prompt", "offered"])
    }


def test_a_push_offers_a_composite_talent_in_xuhui_the_housing_support(talents: dict[str, Any]) -> None:
    run = run_push()
    assert run.status == PushRun.Status.DONE, run.error
    person, studio = talents["xuhui"], talents["studio"]
    p = person.pk
    assert _person_offers(person) == {
        "hu8.title_review": (f"p{p}:0:hu8.title_review:", "offered", studio.pk),
        "xuhui.talent_housing": (f"p{p}:0:xuhui.talent_housing:", "offered", studio.pk),
        "xuhui.talent_settling": (f"p{p}:0:xuhui.talent_settling:", "offered", studio.pk),
    }
    housing = Offer.objects.get(person=person, clause_id="xuhui.talent_housing")
    assert (housing.rule_status, housing.max_amount_fen, housing.project_id) == ("eligible", None, None)
    assert (
        '"person.category":"composite"' in housing.facts and '"enterprise.district":"徐汇"' in housing.facts
    )
    # The same talent in 杨浦: the city's title review, none of 徐汇's support.
    yangpu = talents["yangpu"]
    assert set(_person_offers(yangpu)) == {"hu8.title_review"}
    # No person clause is offered to an enterprise as such.
    assert not Offer.objects.filter(
        person__isnull=True, clause_id__in=["xuhui.talent_housing", "hu8.title_review"]
    ).exists()
    again = run_push()
    assert (again.offers_new, again.offers_changed, again.offers_withdrawn) == (0, 0, 0)


def test_a_changed_record_moves_the_persons_offers(talents: dict[str, Any]) -> None:
    run_push()
    person, owner = talents["xuhui"], talents["owner"]
    record = talent_record_for(actor=owner, person=person)
    talent_record_update(
        actor=owner, record=record, data={"children_school_age": "1", "shanghai_hukou": "true"}
    )
    run = run_push()
    assert (run.offers_new, run.offers_withdrawn) == (1, 1)
    assert set(_person_offers(person)) == {
        "hu8.title_review",
        "xuhui.talent_housing",
        "xuhui.talent_schooling",
    }
    settling = Offer.objects.get(person=person, clause_id="xuhui.talent_settling")
    assert (settling.state, settling.withdraw_cause) == ("withdrawn", "not_eligible")


def test_only_the_person_sees_it_unless_the_whole_record_is_shared(
    talents: dict[str, Any], login_client: Any
) -> None:
    run_push()
    housing = Offer.objects.get(person=talents["xuhui"], clause_id="xuhui.talent_housing")
    mine = login_client(talents["owner"])
    page = mine.get(f"/offers/{housing.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="person-apply"' in html and 'href="/talent/support/housing/apply/"' in html
    assert "人才租房保障" in mine.get("/offers/").content.decode()
    colleague = login_client(talents["colleague"])
    assert colleague.get(f"/offers/{housing.pk}/").status_code == 404
    listing = colleague.get(f"/offers/?enterprise={talents['studio'].pk}").content.decode()
    assert "人才租房保障" not in listing
    record = talents["xuhui"].talent
    TalentShare.objects.create(record=record, enterprise=talents["studio"], level="profile")
    assert colleague.get(f"/offers/{housing.pk}/").status_code == 404  # the profile only: not enough
    TalentShare.objects.filter(record=record).update(level="full")
    shared = colleague.get(f"/offers/{housing.pk}/")
    assert shared.status_code == 200 and 'id="person-apply"' not in shared.content.decode()
    assert "人才租房保障" in colleague.get(f"/offers/?enterprise={talents['studio'].pk}").content.decode()
    with pytest.raises(Exception) as refused:
        person_offer_apply(actor=talents["colleague"], offer=housing, data={})
    assert refused.type.__name__ == "PermissionDenied"


def test_applying_from_the_offer_opens_the_talent_case(talents: dict[str, Any]) -> None:
    run_push()
    owner = talents["owner"]
    housing = Offer.objects.get(person=talents["xuhui"], clause_id="xuhui.talent_housing")
    with pytest.raises(ValidationError) as one_click:
        offer_confirm(
            actor=owner, offer=housing, contact="林 13800000000", declaration_accepted=True, today=ON
        )
    assert one_click.value.code == "person"
    offer = person_offer_apply(
        actor=owner,
        offer=housing,
        data={"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "租房"},
    )
    assert offer.state == Offer.State.CONFIRMED
    assert offer.case is not None and offer.case.case_type == "talent.housing"
    assert person_offer_apply(actor=owner, offer=offer, data={}).case_id == offer.case_id  # once
    # Applied for: a later run keeps the confirmed offer as it is.
    run_push()
    assert Offer.objects.get(pk=offer.pk).state == Offer.State.CONFIRMED


def test_applying_from_the_support_page_answers_the_offer(talents: dict[str, Any]) -> None:
    """The person applies for the service from the talent pages (not from the offer): the open offer of that
    clause is confirmed with the case, and no other offer changes."""
    run_push()
    owner, person = talents["owner"], talents["xuhui"]
    case = support_apply(
        actor=owner,
        person=person,
        case_type="talent.housing",
        data={"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "租房"},
    )
    housing = Offer.objects.get(person=person, clause_id="xuhui.talent_housing", current=True)
    assert (housing.state, housing.case_id) == (Offer.State.CONFIRMED, case.pk)
    others = Offer.objects.filter(person=person, current=True).exclude(pk=housing.pk)
    assert {o.state for o in others} == {Offer.State.OFFERED}
    run_push()
    assert Offer.objects.get(pk=housing.pk).state == Offer.State.CONFIRMED
