"""Every importer offers a template, reads it back, and reports errors the same way."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket

IMPORTS = {
    "delegates": "/2025/registration/manage/import",
    "booths": "/2025/booths/manage/import",
    "sessions": "/2025/programme/manage/import",
}


@pytest.fixture
def organiser(session):
    edition = make_edition(session)
    make_ticket(session, edition, "DELEGATE")
    user = make_user(session, edition, role="organiser")
    session.commit()
    return user


def _upload(client, url, data: bytes, follow: bool = False):
    return client.post(
        url + "?lang=en",
        data={"file": (io.BytesIO(data), "x.csv")},
        content_type="multipart/form-data",
        follow_redirects=follow,
    )


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_each_importer_offers_a_template_that_its_page_links_and_reads(
    client, auth, session, organiser, kind
):
    auth.login(organiser.email, PASSWORD)
    url = IMPORTS[kind]
    page = client.get(url).get_data(as_text=True)
    assert "template=csv" in page

    response = client.get(url + "?template=csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1
    if kind == "booths":
        return  # a booth needs a zone that the new edition does not have yet
    assert _upload(client, url, response.get_data()).status_code == 302


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_each_importer_reports_a_broken_line_the_same_way(client, auth, session, organiser, kind):
    auth.login(organiser.email, PASSWORD)
    url = IMPORTS[kind]
    template = client.get(url + "?template=csv").get_data().decode("utf-8-sig")
    header, example = template.splitlines()[:2]
    broken = f'{header}\n{example}\n"{example}\n'.encode()

    # the delegate import answers with its job's page, which shows what the job found
    page = _upload(client, url, broken, follow=True).get_data(as_text=True)

    assert "Line 3 is broken: a quote (&#34;) opens there and is never closed." in page
