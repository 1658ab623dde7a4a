"""Plans at a test's sizes.

On a handful of rows the planner's costs of two indexes of a table tie, and which one it takes
follows the row counts autovacuum or an earlier test happened to leave in pg_class: a plan test
that only disables the sequential scan passes or fails by the order the suite ran in. A test
that asks "can this look be served by its partial index" takes the choice away instead: the
other indexes of the table are dropped inside the test's transaction (rolled back with it), so
the look either reads the named index or scans the table. The question stays: a look whose
filter does not imply the index's condition cannot use it and still scans the table.
"""

from django.db import connection


def leave_only(*indexes):
    """Drop every other index of the tables `indexes` are on, in the test's transaction, and
    turn the sequential scan off for the rest of it."""
    with connection.cursor() as cursor:
        # Dropping a key with rows of this transaction still to check fails ("pending trigger
        # events"): check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT t.relname, i.relname, c.conname
              FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_class t ON t.oid = x.indrelid
              LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
             WHERE x.indrelid IN (
                       SELECT x2.indrelid FROM pg_index x2 JOIN pg_class i2 ON i2.oid = x2.indexrelid
                        WHERE i2.relname = ANY(%s))
               AND NOT i.relname = ANY(%s)
            """,
            [list(indexes), list(indexes)],
        )
        found = cursor.fetchall()
        for table, index, constraint in found:
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}" CASCADE')
            else:
                cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
