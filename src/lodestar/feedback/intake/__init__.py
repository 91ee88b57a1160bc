"""Feedback that arrives by itself: email (an .eml upload or the inbound-mail webhook) and the
in-app widget a product embeds. Parsing and checks live here; both end in feedback_create."""
