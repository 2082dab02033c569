"""The API's own introduction (OpenAPI `info.description`, shown at the top of /api/docs/):
what an agency's developer needs to integrate without the repository's docs."""

DESCRIPTION = """\
The JSON API of the service-office network. Three audiences:

**Everyone (no credentials).** The registry: agencies, services, offices, which office offers
which service on which day (`offerings`) and opening hours, each as of a date (`?on=`).

**An agency's systems (an API client of that agency).** Its own figures (`/api/statistics/…`),
its handovers (`/api/partner/handovers/…`: list, acknowledge with a case
number, give the outcome), which offices offer its services (`/api/partner/offerings/`), its
caseworkers' availability and video meetings (`/api/partner/caseworkers/…`,
`/api/partner/video-meetings/…`). Every answer holds only that agency's data; another agency's
handover is a 404.

- *Getting credentials:* the network's administrators create an API client for the agency
  (in the admin, or `manage.py api_client create <agency code> <name>`) and hand over its
  token `skc_<key id>_<secret>` once, by a channel you agree on. Send it as
  `Authorization: Bearer skc_…`.
- *Rotation:* a new token is issued while the old one keeps working for an overlap (7 days by
  default); revocation takes effect on the next request. Every request with a known key id is
  logged (never the token).
- Costs (`/api/costs/…`) and change plans (`/api/change-plans/…`) are not for an API client
  (403): they are read with a person's own API token, as a network administrator or the
  agency's analyst, who sees only that agency's costs.

**A person (a person's own API token).** Staff who may use the API make their own token on the
page "My API tokens" (`/staff/api-tokens/`, shown once; revoke it there). It acts as that
person, with their scope: the statistics, and costs and change plans for those who may see
them; the partner operations refuse it. Each operation's security lists the tokens it takes.

**Handovers pushed to the agency (webhook).** Where the agency has given an endpoint, each
handover is POSTed to it as a Standard Webhooks message (https://www.standardwebhooks.com/):
body `{"type": "handover.created", "timestamp": …, "data": <the handover, as
GET /api/partner/handovers/{reference}/ returns it>}`, headers `webhook-id` (the same on every
retry: drop repeats by it), `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 with the
agency's signing secret `whsec_…`; verify with any Standard Webhooks library before trusting
the body). Any 2xx answer counts as delivered; anything else is retried with exponential
backoff (from 10 s, doubling, at most 6 hours apart). When the signing secret is rotated, each
message carries a signature for the old and the new secret until the old one is retired. An
agency without an endpoint polls `GET /api/partner/handovers/?status=sent` instead.

**Errors.** 400 names each bad parameter or field with what to do
(`{"<name>": ["…"]}`), a query parameter the operation does not take included; 401 without
valid credentials, 403 for data the credentials may not read, 404 for what does not exist,
409 for a change that conflicts with an earlier one, 429 over the rate limit (with
`Retry-After`). Texts follow `Accept-Language` (Swedish or English; English by default).
"""
