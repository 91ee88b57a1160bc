"""Names and the personas printed by `lodestar demo`."""

FIRST_NAMES = (
    "Aisha", "Ben", "Carmen", "Deepak", "Elif", "Farah", "Gustavo", "Hannah", "Ibrahim",
    "Jun", "Kofi", "Laura", "Mateo", "Nadia", "Oscar", "Paula", "Quinn", "Rafael", "Sana",
    "Tobias", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Anders", "Bea", "Chidi",
    "Dmitri", "Esther", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam", "Maya",
    "Noor", "Olga", "Pedro", "Rosa", "Sven", "Tara", "Vera", "Will", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Bergström", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad",
    "Ito", "Jansen", "Kim", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinlan",
    "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski",
    "Novak", "Mensah", "Kowalczyk", "Brennan", "Alvarez", "Schmidt", "Sato", "Lund",
)  # fmt: skip
PASSWORD_WORDS = (
    "harbor", "copper", "lantern", "meadow", "quartz", "summit", "willow", "ember", "falcon",
    "glacier", "juniper", "kestrel", "marble", "orchard", "prairie", "raven", "saffron",
    "timber", "velvet", "zephyr",
)  # fmt: skip

# (role, name, title, email local part): one member of every role, printed with a password.
PERSONAS = (
    ("owner", "Dana Whitfield", "VP of Product", "dana"),
    ("admin", "Marcus Oyelaran", "IT and operations", "marcus"),
    ("product_manager", "Priya Raman", "Senior product manager, Dispatch", "priya"),
    ("product_owner", "Tomás Herrera", "Product owner, Mobile", "tomas"),
    ("contributor", "Lena Kowalski", "Engineering lead, Platform", "lena"),
    ("stakeholder", "Graham Ellis", "CEO", "graham"),
)
EMAIL_DOMAIN = "acme.example"

# The teams that build Acme's two products: (name, capacity points/week, cost/week USD, blurb)
TEAMS = (
    ("Dispatch & Scheduling", 34, "28500", "Dispatch board, scheduling engine, route optimizer."),
    ("Mobile", 26, "24000", "The technician app on iOS and Android, offline-first."),
    ("Platform", 30, "26000", "Accounts, permissions, the public API and integrations runtime."),
    ("Billing & Integrations", 18, "17500", "Invoicing, payments, QuickBooks and Xero sync."),
    ("Growth", 14, "12000", "Onboarding, trials, in-app guidance and pricing experiments."),
)  # fmt: skip
LARGE_TEAM_AREAS = (
    "Scheduling", "Routing", "Invoicing", "Payments", "Inventory", "Customer portal",
    "Reporting", "Notifications", "Offline sync", "Identity", "Search", "Onboarding",
)  # fmt: skip
