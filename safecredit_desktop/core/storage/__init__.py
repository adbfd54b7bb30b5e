"""SQLite storage: connection, migrations, repositories, audit log, backups."""
