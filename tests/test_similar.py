"""Similar feedback: lookups, the index across workers, duplicates and merging, themes, pages."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from lodestar import config
from lodestar.activity.models import Entry
from lodestar.core.errors import Conflict, Invalid
from lodestar.customers.services import company_create
from lodestar.feedback.models import Feedback, Insight, Status
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.feedback.similar import build as build_index
from lodestar.feedback.similar import (
    duplicate_candidates,
    index_for,
    similar_to,
    theme_list,
)
from lodestar.feedback.similar import index as index_module
from lodestar.feedback.similar.engines import semantic_available
from lodestar.feedback.similar.merge import feedback_merge, feedback_unmerge
from lodestar.planning.selectors import feature_demand

pytestmark = pytest.mark.django_db

NOISE = [
    "Invoices sync to QuickBooks Online twice and the controller has to void the copies.",
    "Customers want to book a maintenance visit online from the portal without calling.",
    "Please send an on-my-way text with the arrival window when the tech leaves.",
    "The Spanish translation of the technician app is missing on the checklist screens.",
    "Recurring maintenance agreements should renew by themselves and remind the customer.",
    "Two-way Google Calendar sync would stop our office double booking technicians.",
    "Job costing by technician: labour, parts and drive time on one report please.",
    "Truck stock inventory needs to decrement when a part is used on a job.",
]


@pytest.fixture(autouse=True)
def _tfidf(settings, tmp_path):
    """TF-IDF unless a test asks for embeddings; indexes in this test's own directory."""
    settings.ENV = {**settings.ENV, "LODESTAR_SIMILAR_ENGINE": "tfidf"}
    settings.DATA_DIR = tmp_path


def _add(world, text, workspace=None, **kwargs):
    return feedback_create(
        workspace=workspace or world.workspace,
        actor=world["contributor"].user,
        text=text,
        **kwargs,
    )


def _noise(world, workspace=None):
    return [_add(world, text, workspace) for text in NOISE]


# -- lookups -------------------------------------------------------------------------------


def test_a_near_duplicate_ranks_first(world):
    _noise(world)
    twin = _add(world, "With more than 50 techs on it the dispatch board gets really slow.")
    found = similar_to(world.feedback)
    assert found[0].feedback == twin
    assert found[0].score > 0.5 and all(s.score < 0.5 for s in found[1:])
    assert world.feedback not in [s.feedback for s in found]
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_another_workspaces_feedback_never_appears(world):
    _noise(world)
    _noise(world, world.other)
    copy = _add(world, world.feedback.text, world.other)
    _twin(world)
    found = similar_to(world.feedback, limit=50)
    assert found and all(s.feedback.workspace_id == world.workspace.pk for s in found)
    assert copy not in [s.feedback for s in found]
    # The other workspace's own index finds its copy, not acme's original.
    theirs = similar_to(copy, limit=50)
    assert all(s.feedback.workspace_id == world.other.pk for s in theirs)


def test_feedback_added_after_the_build_is_found_at_query_time(world):
    _noise(world)
    built = index_for(world.workspace)
    later = _add(world, "Dispatch board is slow for us with more than 50 techs, please fix.")
    assert similar_to(world.feedback)[0].feedback == later
    # ...and the new one finds the old one, without a rebuild: it was vectorised on the fly.
    assert similar_to(later)[0].feedback == world.feedback
    assert index_for(world.workspace).stamp == built.stamp


def test_many_new_rows_make_the_next_lookup_rebuild(world):
    built = index_for(world.workspace)
    for n in range(index_module.STALE_MIN + 1):
        _add(world, f"Feedback number {n} about the mobile app's photo uploads.")
    rebuilt = index_for(world.workspace)
    assert rebuilt.stamp != built.stamp
    assert rebuilt.size == Feedback.objects.filter(workspace=world.workspace).count()


def test_two_workers_loading_the_file_agree(world):
    """One process builds; others load the same file read-only and answer alike. A second
    process is simulated by a load with an empty in-memory cache."""
    _noise(world)
    _add(world, "Our dispatch board freezes once 50 techs are on it.")
    first = build_index(world.workspace)
    mine = [(s.feedback.pk, round(s.score, 6)) for s in similar_to(world.feedback)]
    index_module._cache.clear()
    second = index_module.load(world.workspace)
    assert second is not first and second.stamp == first.stamp
    assert np.array_equal(second.ids, first.ids)
    assert (second.matrix != first.matrix).nnz == 0
    assert [(s.feedback.pk, round(s.score, 6)) for s in similar_to(world.feedback)] == mine
    # A rebuild by "another worker" replaces the file; this one notices and reloads.
    rebuilt = build_index(world.workspace)
    assert index_module.load(world.workspace).stamp == rebuilt.stamp != first.stamp


def test_while_another_process_builds_pages_say_so_and_lookups_use_the_old_index(
    world, monkeypatch
):
    path = index_module.index_path(world.workspace)
    monkeypatch.setattr(index_module, "FIRST_BUILD_WAIT", 0.1)
    client = world["pm"].client()
    with index_module.file_lock(path, blocking=True):  # "another process" holds the lock
        panel = client.get(f"/w/acme/feedback/{world.feedback.key}/similar/")
        assert "being built for the first time" in panel.content.decode()
        for page in ("duplicates", "themes"):
            html = client.get(f"/w/acme/feedback/{page}/").content.decode()
            assert "being built for the first time" in html
    built = index_for(world.workspace)
    for n in range(index_module.STALE_MIN + 1):
        _add(world, f"Dispatch board number {n} is slow with 50 techs on it.")
    with index_module.file_lock(path, blocking=True):
        busy = index_for(world.workspace)
        assert busy.stamp == built.stamp  # stale, but the rebuild is someone else's
        assert similar_to(world.feedback)[0].score > 0.5  # new rows found all the same
    assert index_for(world.workspace).stamp != built.stamp


def test_a_damaged_index_file_is_rebuilt(world):
    built = index_for(world.workspace)
    path = index_module.index_path(world.workspace)
    path.write_bytes(b"not an index")
    index_module._cache.clear()
    again = index_for(world.workspace)
    assert again.stamp != built.stamp and world.feedback.pk in again.ids.tolist()


def test_an_index_newer_than_the_database_is_rebuilt(world):
    """As after restoring a backup over the data directory: ids in the file would point at
    other rows."""
    newest = _add(world, "The newest feedback, about photo uploads.")
    built = index_for(world.workspace)
    Feedback.objects.filter(pk=newest.pk).delete()
    index_module._cache.clear()
    again = index_for(world.workspace)
    assert again.stamp != built.stamp and newest.pk not in again.ids.tolist()


def test_feedback_with_only_stop_words_has_no_similar(world):
    lonely = _add(world, "It is what it is.")
    assert similar_to(lonely) == []


def test_engine_setting_is_checked():
    assert config.read({"LODESTAR_SIMILAR_ENGINE": "TFIDF"})["LODESTAR_SIMILAR_ENGINE"] == "tfidf"
    with pytest.raises(config.ConfigError, match="LODESTAR_SIMILAR_ENGINE"):
        config.read({"LODESTAR_SIMILAR_ENGINE": "magic"})


@pytest.mark.skipif(not semantic_available(), reason="the semantic extra is not installed")
def test_semantic_engine_finds_a_paraphrase(world, settings):
    settings.ENV = {**settings.ENV, "LODESTAR_SIMILAR_ENGINE": "semantic"}
    _noise(world)
    paraphrase = _add(world, "Our scheduling screen crawls when dozens of technicians are loaded.")
    built = index_for(world.workspace)
    assert built.engine.name == "semantic" and built.matrix.shape[1] == 384
    assert similar_to(world.feedback)[0].feedback == paraphrase
    # Embeddings are incremental: a rebuild keeps the vectors and embeds only new rows.
    later = _add(world, "The dispatch board lags badly with more than fifty techs.")
    rebuilt = build_index(world.workspace)
    assert rebuilt.size == built.size + 1
    assert np.allclose(rebuilt.matrix[: built.size], built.matrix)
    assert later in [s.feedback for s in similar_to(world.feedback)[:2]]


@pytest.mark.skipif(not semantic_available(), reason="the semantic extra is not installed")
def test_a_request_never_embeds_a_large_workspace(world, settings, monkeypatch):
    """Embedding is slow: past the engine's inline limit a request answers with TF-IDF (no
    embedding index yet) or from the stale embedding index (too many new rows)."""
    from dataclasses import replace

    from lodestar.feedback.similar import engines

    settings.ENV = {**settings.ENV, "LODESTAR_SIMILAR_ENGINE": "semantic"}
    small_limit = replace(engines.SEMANTIC, inline_limit=3)
    monkeypatch.setitem(engines.ENGINES, "semantic", small_limit)
    _noise(world)
    assert index_for(world.workspace).engine.name == "tfidf"
    built = build_index(world.workspace, engine=small_limit)  # as `lodestar similar rebuild`
    assert index_for(world.workspace).stamp == built.stamp
    for n in range(index_module.STALE_MIN + 1):
        _add(world, f"Photo number {n} never uploaded from the basement.")
    assert index_for(world.workspace).stamp == built.stamp


# -- duplicates, merge and unmerge ----------------------------------------------------------


def _twin(world, **kwargs):
    return _add(
        world,
        "The dispatch board gets slow when we have more than 50 techs on it!",
        person_email="nora@northwind.test",
        **kwargs,
    )


def test_duplicate_candidates_pair_one_customer_saying_it_twice(world):
    _noise(world)
    twin = _twin(world)
    acme_like = company_create(
        workspace=world.workspace, actor=world["owner"].user, name="Southwind", domain="sw.test"
    )
    elsewhere = _add(
        world, "The dispatch board gets slow when we have more than 50 techs on it.",
        company_domain=acme_like.domain,
    )  # fmt: skip
    pairs = duplicate_candidates(world.workspace)
    assert [(p.original, p.duplicate) for p in pairs] == [(world.feedback, twin)]
    assert pairs[0].score >= 0.8
    assert elsewhere not in {f for p in pairs for f in (p.original, p.duplicate)}


def test_merge_moves_insights_and_demand_does_not_double_count(world):
    feature = world.feature
    before = feature_demand(features=[feature])[feature.pk]
    twin = _twin(world)
    # The duplicate asked for the same feature (more urgently) and for another one.
    insight_link(
        feedback=twin, actor=world["pm"].user, snippet="gets slow", feature_key=feature.key
    )
    other = insight_link(
        feedback=twin, actor=world["pm"].user, snippet="more than 50 techs", importance=1,
        feature_title="Board filters",
    )  # fmt: skip
    folded_key = Insight.objects.get(feedback=twin, feature=feature).key
    assert feature_demand(features=[feature])[feature.pk].insights == before.insights + 1

    into = feedback_merge(duplicate=twin, original=world.feedback, actor=world["pm"].user)
    twin.refresh_from_db()
    assert into == world.feedback
    assert twin.duplicate_of == world.feedback and twin.status == Status.ARCHIVED
    demand = feature_demand(features=[feature, other.feature])
    assert demand[feature.pk].insights == before.insights
    assert demand[feature.pk].companies == before.companies == 1
    assert demand[feature.pk].arr == before.arr
    assert demand[other.feature.pk].insights == 1
    assert set(Insight.objects.filter(feedback=world.feedback).values_list("feature", flat=True))\
        == {feature.pk, other.feature.pk}  # fmt: skip
    assert not Insight.objects.filter(feedback=twin).exists()
    entry = Entry.objects.filter(verb="merged", target_key=twin.key).get()
    assert entry.actor == world["pm"].user

    feedback_unmerge(duplicate=twin, actor=world["pm"].user)
    twin.refresh_from_db()
    assert twin.duplicate_of is None and twin.status == Status.PROCESSED
    keys = set(Insight.objects.filter(feedback=twin).values_list("key", flat=True))
    assert keys == {folded_key, other.key}
    assert Insight.objects.get(key=world.insight.key).importance == world.insight.importance
    assert feature_demand(features=[feature])[feature.pk].insights == before.insights + 1
    assert Entry.objects.filter(verb="unmerged", target_key=twin.key).exists()


def test_merge_keeps_the_higher_importance_and_unmerge_restores_it(world):
    twin = _twin(world)
    nice = insight_link(feedback=world.feedback, actor=world["pm"].user, snippet="slow",
                        importance=1, feature_title="Board speed")  # fmt: skip
    insight_link(feedback=twin, actor=world["pm"].user, snippet="slow", importance=3,
                 feature_key=nice.feature.key)  # fmt: skip
    feedback_merge(duplicate=twin, original=world.feedback, actor=world["pm"].user)
    nice.refresh_from_db()
    assert nice.importance == 3
    feedback_unmerge(duplicate=twin, actor=world["pm"].user)
    nice.refresh_from_db()
    assert nice.importance == 1


def test_merge_refusals(world):
    twin = _twin(world)
    southwind = company_create(
        workspace=world.workspace, actor=world["owner"].user, name="Southwind", domain="sw.test"
    )
    stranger = _add(world, world.feedback.text, company_domain=southwind.domain)
    pm = world["pm"].user
    with pytest.raises(Invalid):
        feedback_merge(duplicate=twin, original=twin, actor=pm)
    with pytest.raises(Conflict, match="Southwind"):
        feedback_merge(duplicate=stranger, original=world.feedback, actor=pm)
    feedback_merge(duplicate=twin, original=world.feedback, actor=pm)
    with pytest.raises(Conflict, match="already merged"):
        feedback_merge(duplicate=twin, original=world.feedback, actor=pm)
    with pytest.raises(Conflict, match="merged into this one"):
        feedback_merge(duplicate=world.feedback, original=stranger, actor=pm)
    with pytest.raises(Conflict, match="not merged"):
        feedback_unmerge(duplicate=world.feedback, actor=pm)
    # Merging into a merged feedback goes to its original.
    third = _twin(world, product_key="web")
    assert feedback_merge(duplicate=third, original=twin, actor=pm) == world.feedback


def test_merge_needs_triage_and_is_undone_from_the_page(world):
    twin = _twin(world)
    url = f"/w/acme/feedback/{twin.key}/merge/"
    denied = world["contributor"].client().post(url, {"into": world.feedback.key})
    assert denied.status_code == 403
    client = world["po"].client()
    done = client.post(url, {"into": world.feedback.key}, follow=True)
    assert done.status_code == 200 and "Merged into" in done.content.decode()
    twin.refresh_from_db()
    assert twin.duplicate_of == world.feedback
    page = client.get("/w/acme/feedback/duplicates/").content.decode()
    assert "Recently merged" in page and f"/w/acme/feedback/{twin.key}/unmerge/" in page
    back = client.post(
        f"/w/acme/feedback/{twin.key}/unmerge/", {"next": f"/w/acme/feedback/{twin.key}/"}
    )
    assert back.status_code == 302 and back["Location"] == f"/w/acme/feedback/{twin.key}/"
    twin.refresh_from_db()
    assert twin.duplicate_of is None and twin.status == Status.INBOX


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Name the feedback"), ({"into": "nosuchkey"}, "No such feedback"),
     ({"into": "SELF"}, "into itself")],
)  # fmt: skip
def test_a_bad_merge_says_why_and_changes_nothing(world, data, message):
    twin = _twin(world)
    if data.get("into") == "SELF":
        data = {"into": twin.key}
    client = world["pm"].client()
    response = client.post(
        f"/w/acme/feedback/{twin.key}/merge/", {**data, "next": "https://evil.test/"}, follow=True
    )
    assert response.redirect_chain[0][0] == "/w/acme/feedback/duplicates/"
    assert message in response.content.decode()
    twin.refresh_from_db()
    assert twin.duplicate_of is None and twin.status == Status.INBOX


# -- themes ---------------------------------------------------------------------------------


def test_themes_rank_by_the_arr_of_distinct_companies(world):
    small = company_create(workspace=world.workspace, actor=world["owner"].user,
                           name="Tiny Plumbing", domain="tiny.test", arr="5000")  # fmt: skip
    big = company_create(workspace=world.workspace, actor=world["owner"].user,
                         name="Huge Fleet", domain="huge.test", arr="2000000")  # fmt: skip
    for n in range(12):  # loud: many messages from one small shop
        _add(world, f"QuickBooks invoice sync duplicates invoices again, invoice {n} twice.",
             company_domain=small.domain)  # fmt: skip
    for domain in (big.domain, small.domain) * 3:  # quiet: a few, one from a big customer
        _add(world, "Route optimizer must respect technician skills.", company_domain=domain)
    result = theme_list(world.workspace, k=3)
    assert [t.count for t in result.themes] == [6, 1, 12]  # the loudest theme comes last
    first, second, third = result.themes
    assert "route" in first.terms and "optimizer" in first.terms
    assert (first.count, first.companies, first.arr) == (6, 2, Decimal("2005000.00"))
    assert first.share == 1.0 and 0 < third.share < second.share < 0.1
    assert "dispatch" in second.terms and second.arr == world.company.arr
    assert "quickbooks" in third.terms or "invoice" in third.terms
    assert (third.count, third.companies, third.arr) == (12, 1, Decimal("5000.00"))
    assert first.quote is not None and "Route" in first.quote.text
    assert set(Feedback.objects.filter(pk__in=result.member_ids(first.number)).values_list(
        "company__domain", flat=True)) == {"huge.test", "tiny.test"}  # fmt: skip
    # Cached for this build of the index: asked again, the same themes.
    again = theme_list(world.workspace, k=3)
    assert [t.terms for t in again.themes] == [t.terms for t in result.themes]


def test_themes_leave_out_archived_and_merged_feedback(world):
    rows = _noise(world) + _noise(world)
    rows[0].status = Status.ARCHIVED
    rows[0].save()
    feedback_merge(duplicate=rows[9], original=rows[1], actor=world["pm"].user)
    result = theme_list(world.workspace, k=2)
    grouped = set(result.ids.tolist())
    assert rows[0].pk not in grouped and rows[9].pk not in grouped and rows[1].pk in grouped
    assert result.grouped == len(rows) + 1 - 2


def test_themes_page_and_a_theme_of_it(world):
    _noise(world)
    _noise(world)
    client = world["stakeholder"].client()
    assert client.get("/w/acme/feedback/themes/").status_code == 403
    client = world["contributor"].client()
    page = client.get("/w/acme/feedback/themes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<meter" in html and "style=" not in html
    number = theme_list(world.workspace).themes[0].number
    detail = client.get(f"/w/acme/feedback/themes/?theme={number}").content.decode()
    assert 'id="theme-title"' in detail
    gone = client.get("/w/acme/feedback/themes/?theme=999").content.decode()
    assert "That theme is gone" in gone


def test_too_little_feedback_makes_no_themes(world):
    assert theme_list(world.workspace).themes == []
    page = world["pm"].client().get("/w/acme/feedback/themes/").content.decode()
    assert "Not enough open feedback" in page


# -- pages and the command -------------------------------------------------------------------


def test_similar_panel_is_loaded_by_htmx_from_the_feedback_page(world):
    _noise(world)
    twin = _twin(world)
    client = world["contributor"].client()
    page = client.get(f"/w/acme/feedback/{world.feedback.key}/").content.decode()
    panel_url = f"/w/acme/feedback/{world.feedback.key}/similar/"
    assert f'hx-get="{panel_url}"' in page
    fragment = client.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Similar feedback" in fragment
    assert f"/w/acme/feedback/{twin.key}/" in fragment and "% alike" in fragment
    assert "Northwind" in fragment
    whole = client.get(panel_url).content.decode()
    assert "<html" in whole and f"/w/acme/feedback/{twin.key}/" in whole


def test_panel_of_a_merged_feedback_offers_unmerge_to_triagers(world):
    twin = _twin(world)
    feedback_merge(duplicate=twin, original=world.feedback, actor=world["pm"].user)
    url = f"/w/acme/feedback/{twin.key}/similar/"
    unmerge = f"/w/acme/feedback/{twin.key}/unmerge/"
    as_po = world["po"].client().get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Merged into" in as_po and unmerge in as_po
    as_contributor = world["contributor"].client().get(url, headers={"HX-Request": "true"})
    assert unmerge not in as_contributor.content.decode()
    original = (
        world["po"]
        .client()
        .get(f"/w/acme/feedback/{world.feedback.key}/similar/", headers={"HX-Request": "true"})
    )
    assert "Merged into this one" in original.content.decode()


def test_duplicates_page_offers_merge_only_to_triagers(world):
    _noise(world)
    twin = _twin(world)
    merge_url = f"/w/acme/feedback/{twin.key}/merge/"
    as_pm = world["pm"].client().get("/w/acme/feedback/duplicates/").content.decode()
    assert merge_url in as_pm and f'value="{world.feedback.key}"' in as_pm
    as_contributor = world["contributor"].client().get("/w/acme/feedback/duplicates/")
    assert as_contributor.status_code == 200 and merge_url not in as_contributor.content.decode()
    inbox = world["pm"].client().get("/w/acme/feedback/").content.decode()
    assert "/w/acme/feedback/duplicates/" in inbox and "/w/acme/feedback/themes/" in inbox


def test_rebuild_command(world, capsys):
    call_command("similar", "rebuild", "--workspace", "acme")
    out = capsys.readouterr().out
    assert "acme: 1 feedback indexed with tfidf" in out
    assert index_module.index_path(world.workspace).exists()
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        call_command("similar", "rebuild", "--workspace", "nope")
    call_command("similar", "rebuild", "--all")
    assert "other: 0 feedback indexed" in capsys.readouterr().out


def test_page_queries_do_not_grow_with_data(world):
    """The panel, duplicates and themes pages run as many queries on 30 feedback as on 300."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world["pm"].client()
    pages = [
        f"/w/acme/feedback/{world.feedback.key}/similar/",
        "/w/acme/feedback/duplicates/",
        "/w/acme/feedback/themes/",
        "/w/acme/feedback/themes/?theme=0",
    ]

    def counts() -> list[int]:
        build_index(world.workspace)
        found = []
        for path in pages:
            client.get(path)  # builds caches (themes) once, as a worker would
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, headers={"HX-Request": "true"}).status_code == 200
            found.append(len(queries))
        return found

    def grow(times: int) -> None:
        for n in range(times):
            for text in NOISE[:3]:
                _add(world, f"{text} ({n})", person_email="nora@northwind.test")
            _twin(world)

    grow(8)
    small = counts()
    grow(72)
    assert counts() == small
