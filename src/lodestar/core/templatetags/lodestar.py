from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:status }}: a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter(name="markdown")
def markdown_filter(text: str):
    """`{{ note.body|markdown }}`: rendered and sanitized (lodestar.core.markdown)."""
    from lodestar.core.markdown import render

    return render(text)
