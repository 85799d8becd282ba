# Runs a batch of SQL statements on a SQLite file in one transaction and prints the result as one
# line of JSON. The suite sends this program on stdin to the command *_DATABASE_COMMAND names
# (e.g. `ssh:docker exec -i superlists /venv/bin/python -`), followed by one line calling main()
# with the batch in base64: a server needs Python only, no sqlite3 command. Python 3.6+.
import base64
import json
import sqlite3
import urllib.parse


def main(encoded):
    batch = json.loads(base64.b64decode(encoded).decode("utf-8"))
    try:
        # mode=ro: a read-only target's file is opened read-only, so SQLite itself refuses a write;
        # mode=rw: never creates a missing file (a wrong path is an error, not an empty database).
        mode = "ro" if batch["readOnly"] else "rw"
        uri = "file:%s?mode=%s" % (urllib.parse.quote(batch["path"]), mode)
        db = sqlite3.connect(uri, uri=True, timeout=5, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE" if batch["write"] else "BEGIN")
        results = []
        for step in batch["steps"]:
            params = [
                results[p["ref"]][0][next(iter(results[p["ref"]][0]))] if isinstance(p, dict) else p
                for p in step["params"]
            ]
            cursor = db.execute(step["sql"], params)
            names = [column[0] for column in cursor.description or []]
            results.append([dict(zip(names, row)) for row in cursor.fetchall()])
        db.execute("COMMIT")
        print(json.dumps({"ok": True, "results": results}))
    except Exception as error:  # one line for the suite, never a traceback
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(error).__name__, error)}))
