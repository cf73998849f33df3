#!/bin/sh
export REGISTRY_PASSWORD="Qz7p0MWjU5JkBZEe"
psql --password PgRelay52646 -h db.internal
