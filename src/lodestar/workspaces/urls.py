from django.urls import path

from lodestar.workspaces.views import catalog, members, tokens, workspace

app_name = "workspaces"
urlpatterns = [
    path("workspaces/", workspace.workspace_list, name="list"),
    path("workspaces/new/", workspace.workspace_create, name="create"),
    path("w/<slug:slug>/", workspace.overview, name="overview"),
    path("w/<slug:slug>/loop/<slug:stage>/", workspace.stage, name="stage"),
    path("w/<slug:slug>/settings/", workspace.workspace_settings, name="settings"),
    path("w/<slug:slug>/search/", workspace.search, name="search"),
    path("w/<slug:slug>/members/", members.members, name="members"),
    path("w/<slug:slug>/members/<str:member_key>/role/", members.member_role, name="member_role"),
    path(
        "w/<slug:slug>/members/<str:member_key>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "w/<slug:slug>/invitations/<str:invitation_key>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("w/<slug:slug>/products/", catalog.products, name="products"),
    path("w/<slug:slug>/products/<str:product_key>/", catalog.product_detail, name="product"),
    path(
        "w/<slug:slug>/products/<str:product_key>/delete/",
        catalog.product_delete,
        name="product_delete",
    ),
    path("w/<slug:slug>/teams/", catalog.teams, name="teams"),
    path("w/<slug:slug>/teams/<str:team_key>/", catalog.team_detail, name="team"),
    path("w/<slug:slug>/teams/<str:team_key>/delete/", catalog.team_delete, name="team_delete"),
    path(
        "w/<slug:slug>/teams/<str:team_key>/members/",
        catalog.team_member_add,
        name="team_member_add",
    ),
    path(
        "w/<slug:slug>/teams/<str:team_key>/members/<str:member_key>/remove/",
        catalog.team_member_remove,
        name="team_member_remove",
    ),
    path("w/<slug:slug>/tokens/", tokens.tokens, name="tokens"),
    path("w/<slug:slug>/tokens/<str:token_key>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("w/<slug:slug>/activity/", tokens.activity, name="activity"),
]
