"""Uniqueness checked before the database refuses it: the same rule as the table's unique
constraints, refused with the field's name instead of an IntegrityError."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import UniqueConstraint, inspect, select

from app.extensions import db
from app.services.errors import ConflictError


def unique_column_sets(model) -> list[tuple[str, ...]]:
    """The column-name tuples that ``model``'s table keeps unique (primary key aside)."""
    table = model.__table__
    sets = [tuple(c.name for c in con.columns) for con in table.constraints
            if isinstance(con, UniqueConstraint)]
    sets += [(c.name,) for c in table.columns if c.unique]
    sets += [tuple(c.name for c in ix.columns) for ix in table.indexes
             if ix.unique and len(ix.columns) == len(ix.expressions)]
    seen, out = set(), []
    for cols in sets:
        if cols and cols not in seen:
            seen.add(cols)
            out.append(cols)
    return out


def field_name(model, column: str) -> str:
    """The name a client writes ``column`` under: the relation for a foreign key."""
    for rel in inspect(model).relationships:
        if rel.direction.name == "MANYTOONE" and [c.name for c in rel.local_columns] == [column]:
            return rel.key
    return column


def _value(item, model, column: str):
    """The column's value on a changed item, read through its relation when the client set
    the relation (the foreign key column is filled only on flush)."""
    for rel in inspect(model).relationships:
        if rel.direction.name == "MANYTOONE" and [c.name for c in rel.local_columns] == [column]:
            related = getattr(item, rel.key, None)
            if related is not None:
                return inspect(related).identity[0] if inspect(related).identity else None
    attr = inspect(model).get_property_by_column(model.__table__.c[column]).key
    return getattr(item, attr, None)


def check_unique(item) -> None:
    """Refuse ``item`` when another row holds the same values in a unique column set;
    the error names the set's last column (``name`` of ``(organization_id, name)``)."""
    model = type(item)
    pk = inspect(model).primary_key[0]
    own = getattr(item, pk.key, None)
    with db.session.no_autoflush:
        for cols in unique_column_sets(model):
            values = [_value(item, model, c) for c in cols]
            if any(v is None for v in values):
                continue
            stmt = select(pk).where(*(model.__table__.c[c] == v for c, v in zip(cols, values, strict=True)))
            if own is not None:
                stmt = stmt.where(pk != own)
            if db.session.execute(stmt.limit(1)).first() is not None:
                raise ConflictError(_l("This value is already used by another record"),
                                    field=field_name(model, cols[-1]), code="unique")
