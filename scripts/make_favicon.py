"""Draw the site's icon: servicekontor/core/static/core/favicon.ico (32×32, PNG inside an ICO
container, served at /favicon.ico) and favicon.svg (the same drawing, for browsers that take
SVG). No third-party asset and no image library: the pixels are computed here.

The drawing: a queue ticket (white, with two text lines) on the site's accent blue, in a
rounded square. Run `.venv/bin/python scripts/make_favicon.py` after changing it; the files
are committed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "servicekontor" / "core" / "static" / "core"
SIZE = 32
BLUE = (0x00, 0x52, 0x93, 255)  # --accent in site.css
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
RADIUS = 6
TICKET = (7, 8, 25, 24)  # x0, y0, x1, y1 (exclusive)
LINES = ((10, 12, 22, 14), (10, 17, 19, 19))


def _inside(x: int, y: int, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= x < x1 and y0 <= y < y1


def _in_rounded_square(x: int, y: int) -> bool:
    cx = min(max(x, RADIUS), SIZE - 1 - RADIUS)
    cy = min(max(y, RADIUS), SIZE - 1 - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    if not _in_rounded_square(x, y):
        return CLEAR
    if any(_inside(x, y, line) for line in LINES):
        return BLUE
    if _inside(x, y, TICKET):
        return WHITE
    return BLUE


def png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ico(image: bytes) -> bytes:
    """One PNG image in an ICO container (supported since Windows Vista and by browsers)."""
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


def svg() -> str:
    x0, y0, x1, y1 = TICKET
    lines = "".join(
        f'<rect x="{a}" y="{b}" width="{c - a}" height="{d - b}" fill="#005293"/>'
        for a, b, c, d in LINES
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="{RADIUS}" fill="#005293"/>'
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fff"/>'
        f"{lines}</svg>\n"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.ico").write_bytes(ico(png()))
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    print(f"wrote {OUT / 'favicon.ico'} and {OUT / 'favicon.svg'}")


if __name__ == "__main__":
    main()
