#!/bin/sh
# Run once by the postgres image when it initialises its data directory: the streaming replica
# (service postgres-replica) connects for replication with the database user's password.
# An existing database volume needs the same line added to its pg_hba.conf by hand.
set -e
echo "host replication $POSTGRES_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
