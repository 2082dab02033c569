"""Revoke a person's API token (`accounts.ApiToken`), e.g. one that leaked or whose script is
retired: by its id (`create_api_token` prints it; `--user` lists a person's tokens), or by the
token itself read from standard input (only its hash is stored, so a token found in a log or a
repository is identified so). A revoked token is refused 401 from the next request on."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from servicekontor.accounts.api_tokens import revoke_api_token
from servicekontor.accounts.models import ApiToken, User


def describe(token: ApiToken) -> str:
    state = "active" if token.is_active else "revoked"
    created = timezone.localtime(token.created_at).strftime("%Y-%m-%d %H:%M")
    return f"{token.pk}  {token.user.username} · {token.name}  (created {created}, {state})"


class Command(BaseCommand):
    help = (
        "Revoke a person's API token: `revoke_api_token <id>`, or `--token-stdin` to revoke the "
        "token read from standard input. `--user <username>` lists the user's tokens with "
        "their ids (and with --all revokes every active one). A revoked token is refused "
        "(401) from the next request on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", nargs="?", type=int, help="The token's id.")
        parser.add_argument("--user", help="List (or with --all revoke) this user's tokens.")
        parser.add_argument("--all", action="store_true", help="With --user: revoke them all.")
        parser.add_argument(
            "--token-stdin",
            action="store_true",
            help="Read the token itself from standard input (not from the command line, "
            "which the shell's history keeps).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [options["id"] is not None, bool(options["user"]), options["token_stdin"]]
        if sum(chosen) != 1:
            raise CommandError("Give one of: a token id, --user <username>, --token-stdin.")
        if options["all"] and not options["user"]:
            raise CommandError("--all goes with --user.")
        if options["user"]:
            self._user(options["user"], revoke_all=options["all"])
            return
        if options["token_stdin"]:
            text = sys.stdin.readline().strip()
            if not text:
                raise CommandError("No token on standard input.")
            token = ApiToken.objects.select_related("user").filter(token_hash=ApiToken.hash(text))
            found = token.first()
            if found is None:
                raise CommandError(
                    "No API token matches the token given (it is not a person's token of this site)."
                )
        else:
            found = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(
                    f"No API token with id {options['id']}. "
                    "`manage.py revoke_api_token --user <username>` lists a person's tokens."
                )
        self._revoke(found)

    def _revoke(self, token: ApiToken) -> None:
        if revoke_api_token(token=token):
            self.stdout.write(
                f"Revoked API token {token.pk} ({token.user.username} · {token.name}): "
                "requests with it are refused (401) from now on."
            )
        else:
            self.stdout.write(
                f"API token {token.pk} ({token.user.username} · {token.name}) was already "
                "revoked; nothing changed."
            )

    def _user(self, username: str, *, revoke_all: bool) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        tokens = list(ApiToken.objects.select_related("user").filter(user=user).order_by("pk"))
        if not tokens:
            self.stdout.write(f"{username} has no API tokens.")
            return
        if revoke_all:
            for token in tokens:
                if token.is_active:
                    self._revoke(token)
            return
        for token in tokens:
            self.stdout.write(describe(token))
        self.stdout.write("Revoke one with: manage.py revoke_api_token <id>")
