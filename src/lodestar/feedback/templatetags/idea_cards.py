"""Portal ideas on other apps' pages: `{% load idea_cards %}`, then `{% company_ideas company %}`
on a company page or `{% feature_ideas feature %}` on a feature page. Each renders a card
from one selector, so those pages need no view change to show them."""

from django import template

from lodestar.feedback import portal_selectors

register = template.Library()


@register.inclusion_tag("feedback/ideas/_company.html", takes_context=True)
def company_ideas(context, company) -> dict:
    return {
        "company": company,
        "current_workspace": context.get("current_workspace"),
        **portal_selectors.company_ideas(company=company),
    }


@register.inclusion_tag("feedback/ideas/_feature.html", takes_context=True)
def feature_ideas(context, feature) -> dict:
    return {
        "feature": feature,
        "current_workspace": context.get("current_workspace"),
        **portal_selectors.feature_ideas(feature=feature),
    }
