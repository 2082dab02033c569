"""An uploaded zip archive (an .xlsx is one) checked before anything unpacks it.

A small file can unpack to gigabytes (a "zip bomb"): openpyxl, like any reader of an .xlsx,
inflates its members while it reads them, so a 1 MB upload could exhaust the server's
memory. `check_zip` reads only the archive's central directory (the members' names and
declared sizes; nothing is inflated) and refuses an archive with too many members, a
member or a total that unpacks to more than the limits, or a member compressed more than
any real workbook is (ratio), as Apache POI's `ZipSecureFile` does for Excel files.

The declared sizes can be trusted for what follows: Python's `zipfile` (which openpyxl
uses) never returns more than a member's declared size, and fails the member's CRC check
when the data would unpack to more (a lying size is then an unreadable file, not a bomb).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

#: An .xlsx has a dozen or so members (sheets, styles, shared strings, relations).
MAX_MEMBERS = 200
#: What all the members unpack to together.
MAX_TOTAL_BYTES = 50 * 1024 * 1024
#: Unpacked size / packed size of one member; a workbook's XML packs ~5-20 times. Checked for
#: members above RATIO_FROM_BYTES (a tiny member of repeated characters packs well and is
#: harmless).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024


class UnsafeArchive(ValueError):
    """The archive would unpack to more than this site reads, or is no zip; the message
    says which, for the person who uploaded it."""


@dataclass(frozen=True)
class Limits:
    members: int = MAX_MEMBERS
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    ratio_from_bytes: int = RATIO_FROM_BYTES


def _mb(size: int) -> str:
    return number_format(Decimal(size) / (1024 * 1024), 1, use_l10n=True, force_grouping=True)


def check_zip(data: bytes, *, limits: Limits = Limits()) -> None:
    """Raise UnsafeArchive unless `data` is a zip archive within `limits` (see the module)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnsafeArchive(_("The file is not a readable .xlsx workbook (%s).") % exc) from exc
    if len(members) > limits.members:
        raise UnsafeArchive(
            _(
                "The workbook holds %(n)s parts; at most %(max)s are read. Save it again as a plain .xlsx."
            )
            % {
                "n": number_format(len(members), use_l10n=True, force_grouping=True),
                "max": number_format(limits.members, use_l10n=True, force_grouping=True),
            }
        )
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size >= limits.ratio_from_bytes and member.file_size > packed * limits.ratio:
            raise UnsafeArchive(
                _(
                    "The workbook's part “%(name)s” unpacks to %(ratio)s times its size (at "
                    "most %(max)s times): it is refused unread."
                )
                % {
                    "name": member.filename[:80],
                    "ratio": number_format(
                        member.file_size // packed, use_l10n=True, force_grouping=True
                    ),
                    "max": number_format(limits.ratio, use_l10n=True, force_grouping=True),
                }
            )
    if total > limits.total_bytes:
        raise UnsafeArchive(
            _(
                "The workbook unpacks to %(size)s MB; at most %(max)s MB are read. Split it, or "
                "save it as CSV."
            )
            % {"size": _mb(total), "max": _mb(limits.total_bytes)}
        )
