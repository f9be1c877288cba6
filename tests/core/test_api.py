from typing import Any

import pytest


@pytest.mark.django_db
def test_workdays_api(client: Any) -> None:
    r = client.get("/api/v1/workdays/add", {"start": "2026-09-30", "n": 2})
    assert r.status_code == 200
    assert r.json() == {"start": "2026-09-30", "working_days": 2, "due": "2026-10-09", "provisional": False}
    r = client.get("/api/v1/workdays/add", {"start": "2026-12-31", "n": 2})
    assert r.json()["due"] == "2027-01-05" and r.json()["provisional"] is True  # 2027-01-01 off (#13)
    assert client.get("/api/v1/workdays/day", {"date": "2026-10-10"}).json() == {
        "date": "2026-10-10",
        "is_workday": True,
    }
    assert (
        client.get("/api/v1/workdays/between", {"start": "2026-09-29", "end": "2026-10-12"}).json()[
            "working_days"
        ]
        == 5
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"start": "2026-02-30", "n": 2}, {"start": "2026-01-01", "n": -1}, {"n": 2}]
)
def test_workdays_api_bad_input_is_4xx(client: Any, params: dict[str, Any]) -> None:
    r = client.get("/api/v1/workdays/add", params)
    assert 400 <= r.status_code < 500


@pytest.mark.django_db
def test_me_needs_login_and_openapi_is_served(client: Any, make_user: Any, login_client: Any) -> None:
    assert client.get("/api/v1/me").status_code == 401
    user = make_user(name="林晓")
    body = login_client(user).get("/api/v1/me").json()
    assert body["name"] == "林晓" and body["role"] == "entrepreneur" and body["enterprise_ids"] == []
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/workdays/add" in schema.json()["paths"]


@pytest.mark.django_db
def test_schema_errors_have_the_common_bilingual_shape(client: Any) -> None:
    r = client.post("/api/v1/calculator", '{"facts": "nope"}', content_type="application/json")
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid input / 输入有误"
    assert body["detail"][0]["field"] == "facts"
    r = client.get("/api/v1/clauses/no.such")
    assert r.status_code == 404 and r.json()["error"].startswith("not found / 未找到")


# Issue #11, defect 9: start=9999-12-31 was a 500 (OverflowError) and date=0 read as 1970-01-01.
# Dates are ISO YYYY-MM-DD strings within 1900-01-01 … 2200-12-31; anything else is a clear 422.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/workdays/day", {"date": "0"}),
        ("/api/v1/workdays/day", {"date": "1700000000"}),
        ("/api/v1/workdays/day", {"date": "20260101"}),
        ("/api/v1/workdays/day", {"date": "2026-1-1"}),
        ("/api/v1/workdays/day", {"date": "2026-01-01T00:00:00"}),
        ("/api/v1/workdays/day", {"date": "1899-12-31"}),
        ("/api/v1/workdays/day", {"date": "2201-01-01"}),
        ("/api/v1/workdays/day", {"date": "9999-12-31"}),
        ("/api/v1/workdays/add", {"start": "9999-12-31", "n": 5}),
        ("/api/v1/workdays/add", {"start": "0", "n": 5}),
        ("/api/v1/workdays/between", {"start": "2026-01-01", "end": "9999-12-31"}),
        ("/api/v1/workdays/between", {"start": "0001-01-01", "end": "2026-01-01"}),
    ],
)
def test_workdays_api_takes_only_iso_dates_in_range(client: Any, path: str, params: dict[str, Any]) -> None:
    r = client.get(path, params)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid input / 输入有误"
    assert len(body["detail"]) == 1
    assert body["detail"][0]["message"] == (
        "date must be YYYY-MM-DD between 1900-01-01 and 2200-12-31 / "
        "日期应为 YYYY-MM-DD 格式，且在 1900-01-01 至 2200-12-31 之间"
    )


@pytest.mark.django_db
def test_workdays_add_past_the_range_is_a_clear_422(client: Any) -> None:
    r = client.get("/api/v1/workdays/add", {"start": "2200-12-20", "n": 30})
    assert r.status_code == 422
    assert r.json() == {
        "error": "the due date would fall after 2200-12-31, beyond the calendar / "
        "到期日将晚于 2200-12-31，超出工作日历的范围"
    }
    # The edges of the range still answer.
    assert client.get("/api/v1/workdays/day", {"date": "1900-01-01"}).json() == {
        "date": "1900-01-01",
        "is_workday": True,
    }
    assert client.get("/api/v1/workdays/day", {"date": "2200-12-31"}).json() == {
        "date": "2200-12-31",
        "is_workday": True,
    }
    r = client.get("/api/v1/workdays/add", {"start": "2200-12-29", "n": 2})
    assert r.json() == {"start": "2200-12-29", "working_days": 2, "due": "2200-12-31", "provisional": True}
