#!/usr/bin/env bash
# Proves the backup procedure of docs/operations.md end to end, quickly:
#   1. pg_dump (custom format) of a source database,
#   2. pg_restore into a new, empty database,
#   3. the row count of every table is the same in both,
#   4. the files (the media folder) archived with tar, restored elsewhere, same sha256.
#
#   SOURCE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/clamtex_smoke scripts/backup_check.sh
#
# Without SOURCE_DATABASE_URL it builds its own source from DATABASE_URL's server
# (migrate + the demo data without accounts). SOURCE_MEDIA_ROOT is the folder to archive;
# without it a small folder of sample files is made. Everything it creates is removed;
# the source database too when BACKUP_DROP_SOURCE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
started=$(date +%s)

: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL server}"
server_url="${DATABASE_URL%/*}"                 # postgres://user@host:port
suffix="$$"
restored_db="clamtex_restore_check_${suffix}"
work="$(mktemp -d -t clamtex-backup-XXXXXX)"
own_source=""

cleanup() {
  psql "$server_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$restored_db\" WITH (FORCE)" || true
  if [ -n "$own_source" ] || [ "${BACKUP_DROP_SOURCE:-0}" = 1 ]; then
    psql "$server_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"${source_db}\" WITH (FORCE)" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${SOURCE_DATABASE_URL:-}" ]; then
  source_url="$SOURCE_DATABASE_URL"
  source_db="${source_url##*/}"
else
  source_db="clamtex_backup_source_${suffix}"
  own_source=1
  source_url="$server_url/$source_db"
  psql "$server_url/postgres" -qAtc "CREATE DATABASE \"$source_db\""
  echo "backup check: building a source database ($source_db)"
  DJANGO_DEBUG=1 DATABASE_URL="$source_url" "$PY" manage.py migrate --noinput >/dev/null
  DJANGO_DEBUG=1 DATABASE_URL="$source_url" "$PY" manage.py seed_demo --no-accounts >/dev/null
fi

# --- 1-2. Dump and restore -------------------------------------------------------------------
echo "backup check: pg_dump $source_db"
pg_dump --format=custom --no-owner --file="$work/db.dump" "$source_url"
psql "$server_url/postgres" -qAtc "CREATE DATABASE \"$restored_db\""
echo "backup check: pg_restore into $restored_db"
pg_restore --no-owner --exit-on-error --jobs=2 --dbname="$server_url/$restored_db" "$work/db.dump"

# --- 3. Row counts of every table ------------------------------------------------------------
count_rows() {
  psql "$1" -qAt -F ' ' -c "
    SELECT table_name,
           (xpath('/row/c/text()',
                  query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name),
                               false, true, '')))[1]::text::bigint
      FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
     ORDER BY table_name"
}
count_rows "$source_url" >"$work/source.counts"
count_rows "$server_url/$restored_db" >"$work/restored.counts"
tables=$(wc -l <"$work/source.counts")
rows=$(awk '{s += $2} END {print s + 0}' "$work/source.counts")
if ! diff -u "$work/source.counts" "$work/restored.counts"; then
  echo "backup check: FAILED, row counts differ" >&2
  exit 1
fi
if [ "$tables" -lt 10 ] || [ "$rows" -lt 1 ]; then
  echo "backup check: FAILED, the source has $tables tables and $rows rows: nothing was checked" >&2
  exit 1
fi
echo "backup check: $tables tables, $rows rows, identical after restore"

# --- 4. Files --------------------------------------------------------------------------------
media="${SOURCE_MEDIA_ROOT:-}"
if [ -z "$media" ]; then
  media="$work/media"
  mkdir -p "$media/private/evidence" "$media/logos"
  head -c 200000 /dev/urandom >"$media/private/evidence/report.pdf"
  printf 'logo' >"$media/logos/clamtex.png"
fi
(cd "$media" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$work/files.before"
tar -C "$media" -czf "$work/media.tar.gz" .
mkdir "$work/restored-media"
tar -C "$work/restored-media" -xzf "$work/media.tar.gz"
(cd "$work/restored-media" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$work/files.after"
if ! diff -u "$work/files.before" "$work/files.after"; then
  echo "backup check: FAILED, restored files differ" >&2
  exit 1
fi
echo "backup check: $(wc -l <"$work/files.before") file(s), same sha256 after restore"
echo "backup check: passed in $(( $(date +%s) - started ))s"
