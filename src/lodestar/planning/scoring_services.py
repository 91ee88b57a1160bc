"""Writes for scoring: scoring models per product and driver values per feature."""

from __future__ import annotations

import math
import re

from django.db import transaction

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.core.errors import Invalid
from lodestar.planning.formula import FUNCTIONS, FormulaError, parse
from lodestar.planning.models import (
    Feature,
    FeatureDriver,
    ScoreRecord,
    ScoringKind,
    ScoringModel,
)
from lodestar.workspaces.models import Product, Workspace

# The standard formula of each kind; a custom model starts from value / effort.
KIND_FORMULAS: dict[str, str] = {
    ScoringKind.RICE: "(reach * impact * confidence) / effort",
    ScoringKind.ICE: "impact * confidence * ease",
    ScoringKind.WSJF: "(business_value + time_criticality + risk_reduction) / job_size",
    ScoringKind.VALUE_EFFORT: "value / effort",
    ScoringKind.CUSTOM: "(demand_arr / 1000 + 3 * strategic_fit) / effort",
}
# Drivers every formula can use, computed from data (see scoring_selectors.data_drivers).
DATA_DRIVERS = {
    "demand_insights": "Insights linked to the feature",
    "demand_companies": "Companies asking for it",
    "demand_arr": "ARR of the companies asking (each counted once)",
    "demand_weighted_arr": "That ARR weighted by how important each company said it is",
    "votes": "Votes on the portal ideas linked to the feature",
    "objective_weight": "The summed weight of the open objectives the feature serves",
    "effort": "The feature's effort estimate (points or weeks)",
}
DRIVER_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
MAX_DRIVER_VALUE = 1e12
MAX_WEIGHTS = 20


def weights_parse(text: str) -> dict[str, float]:
    """Named weights from text, one `name = value` per line or separated by ";" (blank
    lines and lines starting with # are skipped). Raises Invalid on the `weights` field,
    naming the line."""
    weights: dict[str, float] = {}
    problems: list[str] = []
    for number, line in enumerate(re.split(r"\r\n|[\r\n;]", str(text or "")), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, raw = (part.strip() for part in line.partition("="))
        if not sep:
            problems.append(f"Line {number}: write name = value (e.g. w_revenue = 1.5).")
            continue
        weights[name] = _number(raw, name, problems, f"Line {number}: ")
    problems += _weight_problems(weights)
    if problems:
        raise Invalid(fields={"weights": problems})
    return weights


def weights_text(weights: dict[str, float], separator: str = "\n") -> str:
    return separator.join(f"{name} = {value:.12g}" for name, value in sorted(weights.items()))


def _number(raw: object, name: str, problems: list[str], where: str = "") -> float:
    try:
        number = float(str(raw).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > MAX_DRIVER_VALUE:
        problems.append(f"{where}{name}: use a number (up to ±{MAX_DRIVER_VALUE:,.0f}).")
    return number


def _weight_problems(weights: dict[str, float]) -> list[str]:
    problems = []
    if len(weights) > MAX_WEIGHTS:
        problems.append(f"At most {MAX_WEIGHTS} weights.")
    for name in weights:
        if not DRIVER_NAME.match(name):
            problems.append(f"{name!r}: a weight's name uses lower-case letters, digits and _.")
        elif name in DATA_DRIVERS or name in FUNCTIONS:
            problems.append(f"{name!r} is a data driver or function, not a name for a weight.")
    return problems


def formula_error_text(error: FormulaError, formula: str) -> str:
    """A FormulaError as a form message that shows where it is."""
    if error.position is None:
        return error.message[:1].upper() + error.message[1:] + "."
    shown = formula[max(error.position - 20, 0) : error.position + 20]
    return (
        f"{error.message[:1].upper() + error.message[1:]} at character {error.position + 1}: "
        f"“{shown}”."
    )


def _model_values(product: Product, data: dict, model: ScoringModel | None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name or len(name) > 80 or "\x00" in name:
            errors["name"] = ["Give the model a name of at most 80 characters."]
        elif (
            ScoringModel.objects.filter(product=product, name__iexact=name)
            .exclude(pk=model.pk if model else 0)
            .exists()
        ):
            errors["name"] = [f"{product.name} already has a model called {name!r}."]
        values["name"] = name
    kind = data.get("kind")
    if kind is not None:
        if kind not in ScoringKind.values:
            errors["kind"] = [f"Use one of {', '.join(ScoringKind.values)}."]
        else:
            values["kind"] = kind
    if "formula" in data or "kind" in values:
        formula = str(data.get("formula") or "").strip()
        if not formula:
            formula = KIND_FORMULAS.get(values.get("kind") or (model and model.kind) or "", "")
        try:
            parsed = parse(formula)
            bad = [n for n in parsed.names if not DRIVER_NAME.match(n)]
            if bad:
                errors["formula"] = [
                    f"Driver names use lower-case letters, digits and _ (not {bad[0]!r})."
                ]
        except FormulaError as exc:
            errors["formula"] = [formula_error_text(exc, formula)]
        values["formula"] = formula
    if "weights" in data and data["weights"] is not None:
        raw = data["weights"]
        if isinstance(raw, str):
            try:
                values["weights"] = weights_parse(raw)
            except Invalid as exc:
                errors.update(exc.fields)
        elif isinstance(raw, dict):
            problems: list[str] = []
            clean = {str(k): _number(v, str(k), problems) for k, v in raw.items()}
            problems += _weight_problems(clean)
            if problems:
                errors["weights"] = problems
            values["weights"] = clean
        else:
            errors["weights"] = ["Weights are name = value pairs."]
    if "is_default" in data and data["is_default"] is not None:
        values["is_default"] = bool(data["is_default"])
    if errors:
        raise Invalid(fields=errors)
    return values


def scoring_model_create(
    *, workspace: Workspace, product: Product, actor, name: str, **data
) -> ScoringModel:
    values = _model_values(product, {"name": name, "kind": data.pop("kind", "rice"), **data}, None)
    with transaction.atomic():
        first = not ScoringModel.objects.filter(product=product).exists()
        if values.get("is_default") or first:
            ScoringModel.objects.filter(product=product).update(is_default=False)
            values["is_default"] = True
        model = ScoringModel.objects.create(workspace=workspace, product=product, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="scoring model",
            target_key=model.key,
            target_label=f"{model.name} ({product.name})",
            changes={"formula": [None, model.formula]},
        )
        scores_record(product=product)
    return model


def scoring_model_update(*, model: ScoringModel, actor, **data) -> ScoringModel:
    values = _model_values(model.product, data, model)
    with transaction.atomic():
        if values.get("is_default"):
            ScoringModel.objects.filter(product=model.product).exclude(pk=model.pk).update(
                is_default=False
            )
        elif values.get("is_default") is False and model.is_default:
            values.pop("is_default")  # a product keeps a default: make another one default
        changes = record_update(model, actor=actor, values=values, target_type="scoring model")
        if "formula" in changes or "weights" in changes:
            scores_record(product=model.product)
    return model


def scoring_model_delete(*, model: ScoringModel, actor) -> None:
    with transaction.atomic():
        product, was_default = model.product, model.is_default
        record_delete(model, actor=actor, target_type="scoring model")
        if was_default:
            successor = ScoringModel.objects.filter(product=product).order_by("pk").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])


def driver_values_set(*, feature: Feature, actor, values: dict[str, object]) -> dict:
    """Set (or, with a blank value, clear) entered driver values of a feature.
    Returns {name: [old, new]} for what changed."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, float | None] = {}
    for name, raw in values.items():
        if not DRIVER_NAME.match(name) or name in DATA_DRIVERS or name in FUNCTIONS:
            errors[name] = [f"{name!r} is not a driver you can enter."]
            continue
        text = str(raw if raw is not None else "").strip()
        if text == "":
            clean[name] = None
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or abs(number) > MAX_DRIVER_VALUE:
            errors[name] = [f"{name}: use a number (up to ±{MAX_DRIVER_VALUE:,.0f})."]
            continue
        clean[name] = number
    if errors:
        raise Invalid(fields=errors)
    before = dict(FeatureDriver.objects.filter(feature=feature).values_list("name", "value"))
    changes = {n: [before.get(n), v] for n, v in clean.items() if before.get(n) != v}
    if not changes:
        return {}
    with transaction.atomic():
        for name, value in clean.items():
            if value is None:
                FeatureDriver.objects.filter(feature=feature, name=name).delete()
            else:
                FeatureDriver.objects.update_or_create(
                    feature=feature, name=name, defaults={"value": value}
                )
        activity_record(
            workspace=feature.workspace,
            actor=actor,
            verb="scored",
            target_type="feature",
            target_key=feature.key,
            target_label=feature.title,
            changes=changes,
        )
        if feature.product is not None:
            scores_record(product=feature.product, features=[feature])
    return changes


def _described(model: ScoringModel) -> str:
    """The formula as history shows it: with the weights it used, if any."""
    if not model.weights:
        return model.formula
    weights = ", ".join(f"{k} = {v:g}" for k, v in model.weight_items)
    return f"{model.formula} with {weights}"[:500]


def scores_record(*, product: Product, features: list[Feature] | None = None) -> int:
    """Append to the score history: each model of the product, for `features` (default: all
    of the product's), where the score differs from the last one recorded. Returns how many
    records were written. Call inside the writer's transaction. The driver values are read
    once for every model."""
    from lodestar.planning.scoring_selectors import (
        Inputs,
        driver_values,
        product_features,
        score_all,
    )

    models = list(ScoringModel.objects.filter(product=product))
    if not models:
        return 0
    only = features is not None
    if features is None:
        features = product_features(product=product)
    inputs = Inputs(features, driver_values(features=features))
    last: dict[tuple[int, int], float | None] = {}
    history = ScoreRecord.objects.filter(model__in=models)
    if only:
        history = history.filter(feature_id__in=[f.pk for f in features])
    for feature_id, model_id, value in history.order_by("recorded_at", "pk").values_list(
        "feature_id", "model_id", "value"
    ):
        last[(feature_id, model_id)] = value
    records = []
    for model in models:
        for row in score_all(inputs, model.formula, model.weights).rows:
            key = (row.feature.pk, model.pk)
            if key in last and last[key] == row.value:
                continue
            reason = row.error.message[:200] if row.error else ""
            records.append(
                ScoreRecord(
                    feature=row.feature,
                    model=model,
                    value=row.value,
                    reason=reason,
                    formula=_described(model),
                )
            )
    ScoreRecord.objects.bulk_create(records, batch_size=1000)
    return len(records)
