"""CSV import of companies and people: the engine, the CLI and the web pages."""

from __future__ import annotations

import io
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.customers.models import Company, Person
from lodestar.imports import uploads
from lodestar.imports.engine import import_apply, import_plan
from lodestar.imports.kinds import import_kind
from lodestar.imports.mapping import auto_map, normalize_header, override
from lodestar.imports.reader import ImportFileError, delimiter_from, read_table
from tests.test_cli import cli  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

COMPANIES = import_kind("companies")
PEOPLE = import_kind("people")
HEADER = "Company Name,Website,ARR ($),Employees,Segment,CRM ID\n"


@pytest.fixture(autouse=True)
def _uploads_dir(settings, tmp_path):
    settings.UPLOADS_DIR = tmp_path / "uploads"


def plan_for(world, text: str | bytes, kind=COMPANIES, overrides=None, delimiter=None):
    data = text.encode() if isinstance(text, str) else text
    table = read_table(data, delimiter=delimiter)
    mapping = override(kind, table, auto_map(kind, table.header), overrides or {})
    return import_plan(kind=kind, workspace=world.workspace, table=table, mapping=mapping)


def run(world, text: str | bytes, kind=COMPANIES, skip_invalid=False, **kwargs):
    plan = plan_for(world, text, kind, **kwargs)
    return import_apply(
        plan=plan,
        workspace=world.workspace,
        actor=world["pm"].user,
        skip_invalid=skip_invalid,
        filename="test.csv",
    )


def domains() -> list[str]:
    """The companies' domains, but for the world's own Northwind."""
    return sorted(Company.objects.exclude(domain="northwind.test").values_list("domain", flat=True))


def problems(plan) -> list[str]:
    return [str(p) for p in plan.problems]


# -- reading ------------------------------------------------------------------------------


def test_utf8_with_bom_reads_the_first_header_cleanly():
    table = read_table("name,domain\nCafé Zoë,zoe.fr\n".encode("utf-8-sig"))
    assert table.had_bom and table.header == ["name", "domain"]
    assert table.rows == [(2, ["Café Zoë", "zoe.fr"])]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('name;arr;domain\n"Acme, Inc.";1,5;acme.com\nBeta;2;beta.io\n', ";"),
        ("name\tarr\nAcme, Inc.\t3\nBeta; Ltd\t4\n", "\t"),
        ("name|domain\nAcme|acme.com\n", "|"),
        ('name,notes\nAcme,"a; b; c"\nBeta,"d|e"\n', ","),
    ],
)
def test_the_delimiter_is_detected(text, delimiter):
    assert read_table(text.encode()).delimiter == delimiter


def test_a_delimiter_can_be_forced():
    table = read_table(b"name;domain\nAcme;acme.com\n", delimiter=delimiter_from("comma"))
    assert table.header == ["name;domain"]
    assert delimiter_from("tab") == "\t" and delimiter_from(None) is None
    with pytest.raises(ImportFileError, match="Unknown delimiter"):
        delimiter_from("colon")


def test_quoted_cells_with_line_breaks_count_as_one_spreadsheet_row(world):
    text = 'name,domain,arr\n"Acme\nHoldings",acme.com,1\n\nBeta,beta.io,lots\n'
    plan = plan_for(world, text)
    assert [row.line for row in plan.rows] == [2, 4]  # line 3 is the blank one
    assert plan.rows[0].values["name"] == "Acme\nHoldings"
    assert problems(plan) == ["line 4: arr: 'lots' is not an amount like 48000 or 1.2M."]


def test_invalid_utf8_names_the_line_and_says_how_to_fix_it():
    data = b"name\nAcme\n" + "Société\n".encode("latin-1")
    with pytest.raises(ImportFileError) as raised:
        read_table(data)
    assert "Line 3 is not valid UTF-8" in raised.value.message
    assert "Save the file as UTF-8" in raised.value.message


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(ImportFileError, match="empty"):
        read_table(data)


def test_utf16_is_refused_with_advice():
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_table("name\nAcme\n".encode("utf-16"))


def test_a_header_alone_plans_nothing(world):
    plan = plan_for(world, HEADER)
    assert plan.rows == [] and plan.problems == []
    assert run(world, HEADER).created == 0


def test_an_unreadable_row_is_a_file_error_naming_its_line():
    with pytest.raises(ImportFileError, match="Line 3 cannot be read as CSV: field larger"):
        read_table(b"name,notes\nAcme,short\nBeta," + b"x" * 200_000 + b"\n")


def test_null_characters_are_a_row_problem(world):
    plan = plan_for(world, b"name,domain\nAc\x00me,acme.com\n")
    assert problems(plan) == ["line 2: name: Null characters are not allowed."]


# -- mapping ------------------------------------------------------------------------------


def test_headers_map_by_name_and_alias():
    header = ["Company Name", "Website", "ARR ($)", "Headcount", "CRM ID", "Notes", "Tier"]
    assert auto_map(COMPANIES, header) == [
        "name",
        "domain",
        "arr",
        "employees",
        "external_id",
        "",
        "plan",
    ]
    assert auto_map(PEOPLE, ["Full Name", "E-mail", "Job title", "Company domain"]) == [
        "name",
        "email",
        "title",
        "company_domain",
    ]
    assert normalize_header("Employees (#)") == "employees"


def test_unknown_columns_are_ignored(world):
    plan = plan_for(world, "name,favourite colour,domain\nAcme,blue,acme.com\n")
    assert plan.ignored_columns == ["favourite colour"]
    assert plan.rows[0].values == {"name": "Acme", "domain": "acme.com"}


def test_a_missing_required_column_is_a_clear_error(world):
    with pytest.raises(ImportFileError, match="No column is mapped to Name"):
        plan_for(world, "website,arr\nacme.com,1\n")
    with pytest.raises(ImportFileError, match="No column is mapped to Name or Email"):
        plan_for(world, "title\nCTO\n", kind=PEOPLE)


def test_a_user_mapping_overrides_the_automatic_one(world):
    text = "Account,Web,Org\nAcme,acme.com,Acme Holdings\n"
    plan = plan_for(world, text, overrides={"org": "name", "Account": "ignore", "2": "domain"})
    assert plan.mapping == ["", "domain", "name"]
    assert plan.rows[0].values == {"name": "Acme Holdings", "domain": "acme.com"}
    table = read_table(text.encode())
    with pytest.raises(ImportFileError, match="no column 'Revenue'"):
        override(COMPANIES, table, ["name", "", ""], {"Revenue": "arr"})
    with pytest.raises(ImportFileError, match="no field 'colour'"):
        override(COMPANIES, table, ["name", "", ""], {"Web": "colour"})


def test_two_columns_for_one_field_is_refused(world):
    table = read_table(b"name,domain,website\nAcme,a.com,b.com\n")
    with pytest.raises(ImportFileError, match="several columns"):
        import_plan(
            kind=COMPANIES,
            workspace=world.workspace,
            table=table,
            mapping=["name", "domain", "domain"],
        )


# -- validation ---------------------------------------------------------------------------


def test_money_and_segments_read_like_the_form(world):
    text = (
        HEADER
        + 'Acme,acme.com,"$1,200,000",12,Mid-market,\n'
        + "Beta,beta.io,1.2M,,enterprise,\n"
        + "Gamma,gamma.dev,45k,3,SMB,\n"
        + "Delta,delta.dev,,,,\n"
    )
    plan = plan_for(world, text)
    assert problems(plan) == []
    values = [(r.values["arr"], r.values["segment"]) for r in plan.rows]
    assert values == [
        (Decimal("1200000.00"), "mid_market"),
        (Decimal("1200000.00"), "enterprise"),
        (Decimal("45000.00"), "smb"),
        (Decimal(0), ""),
    ]


def test_a_decimal_comma_is_refused_not_misread(world):
    plan = plan_for(world, "name;arr\nAcme;1,2M\nBeta;45,50\n")
    assert plan.counts["invalid"] == 2


def test_every_bad_row_is_reported_with_its_line_and_column(world):
    text = (
        HEADER
        + "Acme,acme.com,-5,12,Mid-market,\n"
        + ",beta.io,1,many,Galactic,\n"
        + "Gamma,not a domain,1,1,,\n"
    )
    assert problems(plan_for(world, text)) == [
        "line 2: ARR ($): '-5' is not an amount like 48000 or 1.2M.",
        "line 3: Company Name: A company needs a name.",
        "line 3: Segment: 'Galactic' is not a segment (SMB, Mid-market, Enterprise).",
        "line 3: Employees: 'many' is not a number of employees.",
        "line 4: Website: 'not a domain' is not a domain like acme.com.",
    ]


def test_duplicates_within_the_file_are_reported(world):
    text = (
        HEADER
        + "Acme,acme.com,1,,,A-1\n"
        + "Acme again,https://www.ACME.com/,2,,,A-2\n"
        + "Beta,beta.io,3,,,A-1\n"
    )
    plan = plan_for(world, text)
    assert problems(plan) == [
        "line 3: Website: Domain 'acme.com' is also on line 2.",
        "line 4: CRM ID: External id 'A-1' is also on line 2.",
    ]
    assert plan.counts["create"] == 1


def test_extra_cells_point_at_missing_quotes(world):
    plan = plan_for(world, "name,domain\nAcme, Inc,acme.com\n")
    assert problems(plan) == [
        "line 2: row: This row has 3 cells but the header has 2 columns: is a value with a "
        "delimiter in it missing its quotes?",
        "line 2: domain: ' Inc' is not a domain like acme.com.",
    ]


# -- writing ------------------------------------------------------------------------------


def test_one_bad_row_writes_nothing(world):
    text = HEADER + "Acme,acme.com,1,,,\nBeta,beta.io,oops,,,\n"
    with pytest.raises(Invalid, match="1 row has problems"):
        run(world, text)
    assert domains() == []
    assert not Entry.objects.filter(verb="imported").exists()


def test_skip_invalid_writes_the_good_rows_and_reports_the_bad(world):
    text = HEADER + "Acme,acme.com,1,,,\nBeta,beta.io,oops,,,\nGamma,gamma.dev,2,,,\n"
    result = run(world, text, skip_invalid=True)
    assert (result.created, result.skipped) == (2, 1)
    assert [str(p) for p in result.problems] == [
        "line 3: ARR ($): 'oops' is not an amount like 48000 or 1.2M."
    ]
    assert domains() == ["acme.com", "gamma.dev"]


def test_reimport_is_idempotent_and_a_change_is_one_update(world):
    text = HEADER + "Acme,acme.com,$1200,12,SMB,\nBeta,beta.io,1.2M,,enterprise,\n"
    first = run(world, text)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = run(world, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run(world, text.replace("$1200", "$1300"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Company.objects.get(domain="acme.com").arr == Decimal(1300)
    assert domains() == ["acme.com", "beta.io"]


def test_a_column_left_out_is_left_alone(world):
    run(world, HEADER + "Acme,acme.com,5000,12,SMB,\n")
    result = run(world, "Website,Plan,Company\nacme.com,Pro,Acme\n")
    assert result.updated == 1
    acme = Company.objects.get(domain="acme.com")
    assert (acme.plan, acme.arr, acme.employees) == ("Pro", Decimal(5000), 12)


def test_the_external_id_wins_over_the_domain(world):
    run(world, HEADER + "Acme,acme.com,1,,,C-1\nBeta,beta.io,1,,,\n")
    # C-1 moved to a new domain: the same company, updated.
    moved = run(world, HEADER + "Acme,acme.eu,1,,,C-1\n")
    assert (moved.created, moved.updated) == (0, 1)
    assert Company.objects.get(external_id="C-1").domain == "acme.eu"
    # A company matched by domain takes the external id it did not have.
    adopted = run(world, HEADER + "Beta,beta.io,1,,,C-2\n")
    assert adopted.updated == 1 and Company.objects.get(domain="beta.io").external_id == "C-2"
    # Another external id on a known domain is another company: refused, not merged.
    plan = plan_for(world, HEADER + "Acme clone,acme.eu,1,,,C-3\n")
    assert problems(plan) == [
        "line 2: Website: Another company already has Domain 'acme.eu': Acme."
    ]


def test_two_rows_for_the_same_company_are_refused(world):
    run(world, HEADER + "Acme,acme.com,1,,,C-1\n")
    plan = plan_for(world, HEADER + "Acme,acme.com,1,,,\nAcme,,2,,,C-1\n")
    assert problems(plan) == ["line 3: row: The same company (Acme) is on line 2."]


def test_another_workspaces_companies_are_never_matched(world):
    Company.objects.create(workspace=world.other, name="Theirs", domain="acme.com")
    result = run(world, HEADER + "Acme,acme.com,1,,,\n")
    assert result.created == 1
    assert Company.objects.get(domain="acme.com", workspace=world.other).name == "Theirs"


def test_one_activity_entry_per_import(world):
    before = Entry.objects.count()
    run(world, HEADER + "".join(f"C{i},c{i}.com,{i},,,\n" for i in range(30)))
    entry = Entry.objects.get(verb="imported")
    assert entry.target_type == "companies" and entry.actor == world["pm"].user
    assert entry.changes["created"] == [None, 30]
    assert entry.target_label.startswith("test.csv: 30 created")
    assert Entry.objects.count() == before + 1  # not one per row


def test_progress_is_reported(world):
    seen = []
    plan = plan_for(world, HEADER + "".join(f"C{i},c{i}.com,{i},,,\n" for i in range(1200)))
    import_apply(
        plan=plan,
        workspace=world.workspace,
        actor=world["pm"].user,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (500, 1200) and seen[-1] == (1200, 1200)


def test_people_link_to_companies_by_domain(world):
    run(world, HEADER + "Acme,acme.com,1,,,\n")
    text = (
        "Name,Email,Title,Company domain\n"
        "Ada,ADA@acme.com,CTO,https://acme.com\n"
        "Bob,bob@nowhere.test,,nowhere.test\n"
        "Cy,cy@freelance.test,,\n"
    )
    plan = plan_for(world, text, kind=PEOPLE)
    assert problems(plan) == [
        "line 3: Company domain: No company with domain 'nowhere.test' in this workspace. "
        "Companies are not created from a people file: import or add the company first."
    ]
    result = run(world, text, kind=PEOPLE, skip_invalid=True)
    assert (result.created, result.skipped) == (2, 1)
    ada = Person.objects.get(email="ada@acme.com")
    assert ada.company.domain == "acme.com" and ada.title == "CTO"
    assert Person.objects.get(email="cy@freelance.test").company is None
    again = run(world, text.replace("CTO", "CEO"), kind=PEOPLE, skip_invalid=True)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)


def test_people_need_a_name_or_an_email(world):
    plan = plan_for(world, "Name,Email,Title\n,,CTO\nAda,not-an-email,\n", kind=PEOPLE)
    assert problems(plan) == [
        "line 2: Name: A person needs a name or an email.",
        "line 3: Email: 'not-an-email' is not an email address.",
    ]


# -- the command --------------------------------------------------------------------------


def command(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


@pytest.fixture
def companies_csv(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "Account Name;Website;ARR;Notes\nAcme;acme.com;1.2M;big\nBeta;beta.io;45k;\n",
        encoding="utf-8-sig",
    )
    return path


def test_command_dry_run_then_import_then_again(world, companies_csv):
    out = command("companies", str(companies_csv), "--workspace", "acme", "--dry-run")
    assert "companies.csv: 2 rows, semicolon-separated, UTF-8 with BOM." in out
    assert "Columns: Account Name -> Name; Website -> Domain; ARR -> ARR." in out
    assert "Ignored columns: Notes." in out
    assert "To create: 2" in out and "Dry run: nothing was written." in out
    assert domains() == []
    out = command("companies", str(companies_csv), "--workspace", "acme")
    assert "Imported companies: 2 created, 0 updated, 0 unchanged, 0 skipped." in out
    assert Entry.objects.get(verb="imported").actor == world["owner"].user
    out = command("companies", str(companies_csv), "--workspace", "acme", "--as", "pm@acme.test")
    assert "0 created, 0 updated, 2 unchanged" in out


def test_command_reports_bad_rows_and_writes_nothing(world, tmp_path):
    path = tmp_path / "bad.csv"
    rows = "".join(f"C{i},c{i}.com,{'oops' if i % 2 else i}\n" for i in range(120))
    path.write_text("name,domain,arr\n" + rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 60 rows have problems"):
        call_command("import", "companies", str(path), "--workspace", "acme", stdout=out)
    report = out.getvalue()
    assert "line 3: arr: 'oops' is not an amount like 48000 or 1.2M." in report
    assert "and 10 more" in report
    assert domains() == []
    out = command("companies", str(path), "--workspace", "acme", "--skip-invalid")
    assert "60 created, 0 updated, 0 unchanged, 60 skipped" in out


def test_command_mapping_and_delimiter_options(world, tmp_path):
    path = tmp_path / "crm.txt"
    path.write_text("Org|Web|Id\nAcme|acme.com|7\n")
    out = command(
        "companies",
        str(path),
        "--workspace",
        "acme",
        "--delimiter",
        "pipe",
        "--map",
        "Org=name",
        "--map",
        "Web=domain",
    )
    assert "1 created" in out
    assert Company.objects.values_list("name", "domain", "external_id").get(name="Acme") == (
        "Acme",
        "acme.com",
        "7",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["companies", "MISSING", "--workspace", "acme"], "No such file"),
        (["companies", "FILE", "--workspace", "nope"], "No workspace 'nope'"),
        (["companies", "FILE", "--workspace", "acme", "--as", "stakeholder@acme.test"], "may not"),
        (["companies", "FILE", "--workspace", "acme", "--as", "outsider@other.test"], "not a"),
        (["planets", "FILE", "--workspace", "acme"], "Nothing called 'planets'"),
        (["companies", "FILE", "--workspace", "acme", "--map", "Colour"], "COLUMN=FIELD"),
        (["companies", "FILE", "--workspace", "acme", "--map", "Website=colour"], "no field"),
        (["people", "FILE", "--workspace", "acme"], "No column is mapped to Name or Email"),
    ],
)
def test_command_user_mistakes_are_one_line_errors(world, companies_csv, args, message):
    args = [str(companies_csv) if a == "FILE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        command(*args)


def test_lodestar_import_runs_on_a_fresh_data_dir(cli, tmp_path):  # noqa: F811

    data_dir = tmp_path / "fresh"
    csv = tmp_path / "companies.csv"
    csv.write_text('Company,Domain,ARR\nAcme,acme.com,"$1,200"\nBeta,beta.io,2k\n')
    cli("createuser", "--email", "ana@example.com", "--password", "a-long-passphrase-9",
        "--workspace", "acme", data_dir=data_dir)  # fmt: skip
    prefix = ["import"]
    result = cli(*prefix, "companies", str(csv), "--workspace", "acme", data_dir=data_dir)
    assert "Imported companies: 2 created" in result.stdout
    result = cli(*prefix, "companies", str(csv), "--workspace", "acme", data_dir=data_dir)
    assert "0 created, 0 updated, 2 unchanged" in result.stdout
    bad = cli(*prefix, "people", str(csv), "--workspace", "acme", data_dir=data_dir, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "No column is mapped to Name or Email" in bad.stderr


# -- the web pages ------------------------------------------------------------------------


def upload(client, text: str | bytes, kind="companies", name="crm.csv", **extra):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("customers:import", args=["acme"]),
        {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv"), **extra},
    )


def mapping_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_upload_map_preview_import_and_result(world):
    pm = world["pm"].client()
    page = pm.get(reverse("customers:import", args=["acme"]))
    assert page.status_code == 200 and b"Columns Lodestar recognizes" in page.content
    text = HEADER + "Acme,acme.com,$1200,12,Mid-market,C-1\nBeta,beta.io,1.2M,,,C-2\n"
    url = mapping_url(upload(pm, text))
    page = pm.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "comma-separated" in html and "Every row can be imported." in html
    assert '<option value="domain" selected>Domain</option>' in html
    assert "1,200.00" in html and "Mid-market" in html  # the preview shows clean values
    done = pm.post(url, {**_choices(page), "action": "import"})
    assert done.status_code == 302 and done["Location"].endswith("/done/")
    result = pm.get(done["Location"])
    assert result.status_code == 200
    assert result.context["result"]["created"] == 2
    assert domains() == ["acme.com", "beta.io"]
    assert not list((uploads._folder()).glob("*.csv"))  # the file is gone
    assert pm.get(url)["Location"] == done["Location"]  # no second import of the same upload


def _choices(page) -> dict[str, str]:
    form = page.context["form"]
    return {name: form[name].value() or "" for name in form.fields if name.startswith("column_")}


def test_check_again_keeps_the_chosen_mapping(world):
    pm = world["pm"].client()
    url = mapping_url(upload(pm, "Org,Web\nAcme,acme.com\n"))
    page = pm.get(url)
    assert b"No column is mapped to Name" in page.content
    response = pm.post(url, {"column_0": "name", "column_1": "domain", "action": "check"})
    assert response.status_code == 302 and response["Location"] == url
    page = pm.get(url)
    assert page.context["plan"].counts["create"] == 1
    response = pm.post(url, {"column_0": "name", "column_1": "", "action": "import"})
    assert Company.objects.get(name="Acme").domain == ""


def test_changing_the_delimiter_rereads_the_columns(world):
    pm = world["pm"].client()
    url = mapping_url(upload(pm, "name;domain\nAcme, Inc;acme.com\n", delimiter="comma"))
    assert len(pm.get(url).context["table"].header) == 1
    pm.post(url, {"column_0": "name", "delimiter": "semicolon", "action": "check"})
    page = pm.get(url)
    assert page.context["table"].header == ["name", "domain"]
    assert page.context["plan"].mapping == ["name", "domain"]


def test_bad_rows_block_the_import_unless_skipped(world):
    pm = world["pm"].client()
    text = HEADER + "Acme,acme.com,1,,,\nBeta,beta.io,oops,,,\n"
    url = mapping_url(upload(pm, text))
    page = pm.get(url)
    assert page.context["problems"][0].line == 3
    assert b"Skip rows with problems" in page.content
    refused = pm.post(url, {**_choices(page), "action": "import"}, follow=True)
    assert b"Nothing was imported: 1 row has problems" in refused.content
    assert domains() == []
    done = pm.post(url, {**_choices(page), "action": "import", "skip_invalid": "on"})
    result = pm.get(done["Location"])
    assert result.context["result"]["skipped"] == 1
    assert b"&#x27;oops&#x27; is not an amount" in result.content
    assert domains() == ["acme.com"]


def test_the_import_button_works_through_htmx(world):
    pm = world["pm"].client()
    url = mapping_url(upload(pm, "name\nAcme\n"))
    page = pm.get(url)
    assert b'hx-post="' in page.content and b'class="import-busy"' in page.content
    response = pm.post(url, {**_choices(page), "action": "import"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].endswith("/done/")


def test_a_bad_file_is_refused_on_the_upload_form(world):
    pm = world["pm"].client()
    response = upload(pm, b"name\n\xff\xfeAcme\n\x81")
    assert response.status_code == 400
    assert "is not valid UTF-8" in response.context["form"].errors["file"][0]


def test_an_upload_belongs_to_its_user_and_workspace(world):
    text = "name\nAcme\n"
    url = mapping_url(upload(world["pm"].client(), text))
    for name in ("owner", "admin"):  # same workspace, another user
        assert world[name].client().get(url).status_code == 404
        assert world[name].client().post(url, {"action": "import"}).status_code == 404
    key = url.rstrip("/").rsplit("/", 1)[1]
    foreign = uploads.upload_save(
        workspace=world.other, user=world["pm"].user, kind="companies", filename="x.csv",
        data=b"name\nAcme\n",
    )  # fmt: skip
    other_url = reverse("customers:import_mapping", args=["acme", foreign.key])
    assert world["pm"].client().get(other_url).status_code == 404
    for bad in ("../../secret_key", "a" * 24, key.upper()):
        assert world["pm"].client().get(f"/w/acme/customers/import/{bad}/").status_code == 404
    assert domains() == []


@pytest.mark.parametrize("name", ["contributor", "stakeholder"])
def test_roles_without_import_are_refused(world, name):
    client = world[name].client()
    assert client.get(reverse("customers:import", args=["acme"])).status_code == 403
    assert upload(client, "name\nAcme\n").status_code == 403


def test_uploads_may_be_bigger_than_other_posts(world, settings):
    assert settings.MAX_BODY_BYTES < 2_000_000 < settings.MAX_UPLOAD_BYTES  # the defaults
    rows = "".join(f"Company {i},c{i}.example.com,{i}\n" for i in range(70_000))
    text = "name,domain,arr\n" + rows
    assert 2_000_000 < len(text) < 3_000_000
    pm = world["pm"].client()
    url = mapping_url(upload(pm, text))
    big = {"action": "check", "padding": "x" * 2_000_000}
    assert pm.post(url, big).status_code == 413


def test_old_uploads_are_swept(world):
    upload_ = uploads.upload_save(
        workspace=world.workspace, user=world["pm"].user, kind="companies", filename="a.csv",
        data=b"name\nAcme\n",
    )  # fmt: skip
    assert uploads.uploads_sweep() == 0
    assert uploads.uploads_sweep(now=upload_.created + uploads.KEEP_SECONDS + 60) == 2
    assert not os.listdir(uploads._folder())
