"""Features, insights (feedback snippets linked to features) and demand."""

from decimal import Decimal

import pytest

from lodestar.core.errors import Invalid
from lodestar.customers.services import company_create, person_create
from lodestar.feedback.models import Insight
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.planning.models import Feature
from lodestar.planning.selectors import feature_demand

pytestmark = pytest.mark.django_db


def _feedback_from(world, name, domain, arr, segment, text):
    company_create(
        workspace=world.workspace, actor=world["pm"].user, name=name, domain=domain, arr=arr,
        segment=segment,
    )  # fmt: skip
    person_create(
        workspace=world.workspace, actor=world["pm"].user, email=f"ops@{domain}",
        company_domain=domain,
    )  # fmt: skip
    return feedback_create(
        workspace=world.workspace, actor=world["pm"].user, text=text, person_email=f"ops@{domain}"
    )


def test_linking_a_snippet_to_a_new_feature_in_the_ui(world):
    client = world["po"].client()
    url = f"/w/acme/feedback/{world.feedback.key}/insights/"
    response = client.post(
        url,
        {"snippet": "more than 50 techs", "feature_title": "Board performance", "importance": 2},
    )
    assert response.status_code == 302
    insight = Insight.objects.latest("pk")
    assert insight.feature.title == "Board performance" and insight.snippet == "more than 50 techs"
    assert insight.feature.product.key == "web"  # from the feedback
    # Same title (any case) links to the same feature rather than creating another.
    client.post(url, {"snippet": "", "feature_title": "board PERFORMANCE", "importance": 1})
    assert Feature.objects.filter(title__iexact="board performance").count() == 1
    page = client.get(f"/w/acme/features/{insight.feature.key}/").content.decode()
    assert "more than 50 techs" in page and "Northwind" in page


def test_a_snippet_must_be_a_quote_of_the_feedback(world):
    with pytest.raises(Invalid) as caught:
        insight_link(
            feedback=world.feedback, actor=world["pm"].user, snippet="words never said",
            feature_title="Anything",
        )  # fmt: skip
    assert "snippet" in caught.value.fields
    assert not Feature.objects.filter(title="Anything").exists()
    bad = (
        world["pm"]
        .client()
        .post(
            f"/w/acme/feedback/{world.feedback.key}/insights/",
            {"snippet": "x", "feature_title": "", "importance": 9},
        )
    )
    assert bad.status_code == 400
    assert {"feature_title", "importance"} <= set(bad.context["insight_form"].errors)


def test_demand_counts_each_company_once_weighted_by_its_highest_importance(world):
    feature = world.feature  # Northwind (120k, no segment) said it is critical
    big = _feedback_from(world, "Big Co", "big.test", "1M", "enterprise", "Board is slow for us")
    small = _feedback_from(world, "Small Co", "small.test", "30k", "smb", "Board lags a bit")
    for fb, importance in ((big, 1), (big, 2), (small, 1)):
        insight_link(
            feedback=fb, actor=world["pm"].user, snippet="", importance=importance,
            feature_key=feature.key,
        )  # fmt: skip
    demand = feature_demand(features=[feature])[feature.pk]
    assert (demand.insights, demand.companies) == (4, 3)
    assert demand.arr == Decimal("1150000")
    # Northwind 120k x 1 + Big 1M x 2/3 (its highest: important) + Small 30k x 1/3
    assert demand.weighted_arr == Decimal("796666.67")
    assert demand.by_segment["enterprise"]["companies"] == 1
    assert demand.by_segment["smb"]["arr"] == Decimal("30000")


def test_features_list_shows_demand_and_filters(world):
    client = world["stakeholder"].client()  # stakeholders read features
    page = client.get("/w/acme/features/")
    (feature, demand) = page.context["rows"][0]
    assert feature == world.feature and demand.companies == 1
    assert "Add a feature" not in page.content.decode()
    assert client.get("/w/acme/features/?status=shipped").context["rows"] == []
    assert client.get("/w/acme/features/?q=dispatch").context["rows"][0][0] == world.feature


def test_unlinking_and_deleting(world):
    client = world["pm"].client()
    client.post(f"/w/acme/insights/{world.insight.key}/remove/")
    assert not Insight.objects.filter(pk=world.insight.pk).exists()
    client.post(f"/w/acme/features/{world.feature.key}/delete/")
    assert not Feature.objects.filter(pk=world.feature.pk).exists()


def test_contributors_cannot_link(world):
    response = (
        world["contributor"]
        .client()
        .post(
            f"/w/acme/feedback/{world.feedback.key}/insights/",
            {"feature_title": "Sneaky", "importance": 2},
        )
    )
    assert response.status_code == 403


def test_features_ordered_by_insights_page_through_every_feature_once(world):
    # 55 features with 0..4 insights each: more than one page of 50.
    for i in range(55):
        feature = Feature.objects.create(workspace=world.workspace, title=f"Feature {i:02}")
        for _ in range(i % 5):
            Insight.objects.create(feedback=world.feedback, feature=feature, snippet="")
    client = world["stakeholder"].client()
    seen, counts, url = [], [], "/w/acme/features/?order=insights&q=Feature"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        rows = response.context["rows"]
        seen += [f.title for f, _ in rows]
        counts += [d.insights for _, d in rows]
        page = response.context["page"]
        url = (
            f"/w/acme/features/?{response.context['query']}&cursor={page.next}" if page.next else ""
        )
    assert sorted(seen) == [f"Feature {i:02}" for i in range(55)]  # each exactly once
    assert counts == sorted(counts, reverse=True) and counts[0] == 4 and counts[-1] == 0
    # An unknown order falls back to newest first rather than failing.
    assert client.get("/w/acme/features/?order=bogus").status_code == 200


def test_a_company_page_lists_the_features_it_asked_for(world):
    other = _feedback_from(
        world, "Globex", "globex.test", "90k", "smb", "Offline mode loses photos, please fix."
    )
    offline = Feature.objects.create(workspace=world.workspace, title="Offline photos")
    insight_link(
        feedback=other, actor=world["pm"].user, snippet="", feature_title="Offline photos",
        importance=3,
    )  # fmt: skip
    # Northwind asked twice for the world's feature, once more for offline photos.
    second = feedback_create(
        workspace=world.workspace, actor=world["pm"].user, text="Still slow with 80 techs.",
        company_domain="northwind.test",
    )  # fmt: skip
    insight_link(
        feedback=second, actor=world["pm"].user, snippet="", feature_title=world.feature.title,
        importance=1,
    )  # fmt: skip
    insight_link(
        feedback=second, actor=world["pm"].user, snippet="", feature_title="Offline photos",
        importance=1,
    )  # fmt: skip
    page = world["contributor"].client().get(f"/w/acme/customers/companies/{world.company.key}/")
    assert page.status_code == 200
    features = page.context["features"]
    asks = {a.feature.title: (a.asks, a.importance) for a in features}
    # Only Northwind's own insights count: Globex's critical one does not.
    assert asks["Offline photos"] == (1, 1)
    assert asks[world.feature.title][0] == 2
    assert features[0].feature == world.feature  # the higher importance first
    assert offline.title in page.content.decode()
