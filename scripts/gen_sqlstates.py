"""Generate src/tidesql/sqlstates.py from PostgreSQL's errcodes.txt.

Usage: python scripts/gen_sqlstates.py /usr/share/postgresql/15/errcodes.txt
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(errcodes_path: str) -> None:
    rows: list[tuple[str, str]] = []
    for line in Path(errcodes_path).read_text().splitlines():
        if not line or line.startswith(("#", "Section:")):
            continue
        parts = line.split()
        if len(parts) >= 4 and len(parts[0]) == 5:
            rows.append((parts[0], parts[3]))
    out = [
        '"""SQLSTATE codes from PostgreSQL\'s errcodes.txt (scripts/gen_sqlstates.py)."""',
        "",
        "from __future__ import annotations",
        "",
        "# code -> condition name, as PostgreSQL names them (used in docs and messages).",
        "SQLSTATE_NAMES: dict[str, str] = {",
    ]
    out += [f'    "{code}": "{name}",' for code, name in rows]
    out += ["}", ""]
    # Some condition names appear in several classes (a warning in 01, an exception
    # of routines in 2F/38/39, and the data exception proper). The constant names the
    # ordinary error; the others stay reachable through SQLSTATE_NAMES.
    secondary = ("01", "2F", "38", "39")
    chosen: dict[str, str] = {}
    for code, name in rows:
        if not name.isidentifier():
            continue
        if name not in chosen or chosen[name][:2] in secondary:
            chosen[name] = code
    out += [f'{name.upper()} = "{code}"' for name, code in chosen.items()]
    out.append("")
    target = Path(__file__).resolve().parent.parent / "src" / "tidesql" / "sqlstates.py"
    target.write_text("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/postgresql/15/errcodes.txt")
