"""Small SQL helpers that compile differently per database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement


class unindexed(FunctionElement[Any]):
    """The column as is, but on SQLite written ``+column`` so the planner does not use its
    index: a range that covers most rows (every installment due before today) is read far
    faster by scanning the table than by jumping to each row from the index. PostgreSQL
    chooses from its statistics and gets the plain column."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _plain(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(unindexed, "sqlite")
def _sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))
