"""One page of a filtered table and the count of every match, for the API's list envelope."""
from __future__ import annotations


def select_page(db, table: str, columns: str, where: list[str], params: list, *, order: str,
                limit: int, offset: int) -> tuple[int, list[dict]]:
    """(total, rows): ``where`` are conditions ANDed with ``params``; ``table``, ``columns`` and ``order``
    are the caller's own SQL, never the client's."""
    clause = " WHERE " + " AND ".join(where) if where else ""
    total = db.conn.execute(f"SELECT count(*) FROM {table}{clause}", params).fetchone()[0]
    cur = db.conn.execute(f"SELECT {columns} FROM {table}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                          [*params, limit, offset])
    cols = [c[0] for c in cur.description]
    return total, [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
