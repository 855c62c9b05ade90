"""The writing page's previews of the Facebook post and the tweet: rendered on the server (the
page works without JavaScript: the preview button shows them and saves nothing) and sent again
by the live check, with X's weighted length and where X would cut."""

from __future__ import annotations

import html
from pathlib import Path

from tests.web.conftest import make_photo, make_team
from tests.web.test_workspace_signoff import browser_of, csrf_of
from tests.web.test_workspace_write import posts

LINK = "https://espace-test.org/ateliers"
# 270 one-weight characters and two newlines, then the link on X (23): the link is what X cuts.
LONG = "Ateliers " + "é" * 261


def test_the_preview_button_shows_both_posts_and_where_x_cuts_without_saving(web: str) -> None:
    marie = browser_of(web, make_team().author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)

    shown = marie.post(
        f"{web}/espace/ecrire", data={"csrf": csrf, "texte": LONG, "lien": LINK, "apercu": "1"}, timeout=10
    )

    assert shown.status_code == 200 and posts() == []
    text = html.unescape(shown.text)
    assert "Longueur pour X : 295 sur 280." in text
    assert f'{LONG}\n\n</span><del class="cut" data-partie="cut">{LINK}</del>' in text  # X would not publish it
    assert f'<p class="link" data-partie="link">{LINK}</p>' in text  # Facebook shows the link apart
    assert "Trop long pour X" in text


def test_a_short_post_is_previewed_whole_and_the_live_check_sends_the_previews(web: str) -> None:
    marie = browser_of(web, make_team().author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    fields = {"csrf": csrf, "texte": "Nos ateliers <b>reprennent</b> lundi.", "plateforme_x": "1"}

    shown = marie.post(f"{web}/espace/ecrire", data={**fields, "apercu": "1"}, timeout=10)
    answer = marie.post(f"{web}/espace/verifier", data=fields, timeout=10).json()

    assert "Nos ateliers &lt;b&gt;reprennent&lt;/b&gt; lundi." in shown.text
    assert '<del class="cut" data-partie="cut" hidden></del>' in shown.text
    assert [(p["platform"], p["cut"], p["length"]) for p in answer["previews"]] == [
        ("facebook", "", None),
        ("x", "", "Longueur pour X : 37 sur 280."),
    ]


def test_the_preview_button_shows_the_photos_chosen_and_refuses_a_file_that_is_no_image(
    web: str, tmp_path: Path
) -> None:
    marie = browser_of(web, make_team().author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    fields = {"csrf": csrf, "texte": "Nos ateliers reprennent lundi.", "apercu": "1"}
    photo = make_photo(tmp_path / "atelier.png")
    fake = tmp_path / "faux.jpg"
    fake.write_text("pas une image")

    with photo.open("rb") as image:
        shown = marie.post(f"{web}/espace/ecrire", data=fields, files={"photos": image}, timeout=10)
    with fake.open("rb") as other:
        refused = marie.post(f"{web}/espace/ecrire", data=fields, files={"photos": other}, timeout=10)

    assert shown.status_code == 200 and posts() == []
    assert shown.text.count('<img src="data:image/jpeg;base64,') == 2  # on Facebook and on X
    assert 'alt="Photo jointe : atelier.png"' in shown.text and "choisissez de nouveau les photos" in shown.text
    assert refused.status_code == 400 and "« faux.jpg » n'est pas une image lisible" in html.unescape(refused.text)
    assert "Nos ateliers reprennent lundi." in refused.text  # the form is kept
