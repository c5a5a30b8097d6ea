"""Practice history in SQLite under COACH_HOME: cards, their FSRS state, and every review.

Schema changes are append-only numbered migrations (m001, m002, ...); PRAGMA user_version
records how many ran. Each review is one transaction, so a crash loses nothing saved.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from fsrs import Card, Scheduler

from coach.errors import StoreDamaged


def m001_cards(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE cards (id TEXT PRIMARY KEY, question TEXT NOT NULL, source TEXT NOT NULL, "
        "topic TEXT NOT NULL, fsrs TEXT NOT NULL, due TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX cards_due ON cards(due)")


def m002_reviews(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE reviews (id INTEGER PRIMARY KEY, card_id TEXT NOT NULL REFERENCES cards(id), "
        "at TEXT NOT NULL, score REAL NOT NULL, rating INTEGER NOT NULL, answer TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX reviews_card ON reviews(card_id)")


def m003_card_heading(db: sqlite3.Connection) -> None:
    """The heading trail, so a topic filter like "ECG" finds a project's questions."""
    db.execute("ALTER TABLE cards ADD COLUMN heading TEXT NOT NULL DEFAULT ''")


def m004_review_seconds(db: sqlite3.Connection) -> None:
    """How long an answer took, when the candidate practised against the clock."""
    db.execute("ALTER TABLE reviews ADD COLUMN seconds REAL")


def m005_review_delivery(db: sqlite3.Connection) -> None:
    """How a spoken answer was said (coach.voice.delivery figures, JSON); NULL for a typed one."""
    db.execute("ALTER TABLE reviews ADD COLUMN delivery TEXT")


MIGRATIONS = [m001_cards, m002_reviews, m003_card_heading, m004_review_seconds, m005_review_delivery]
DELIVERY_KEYS = ("kind", "duration_s", "speaking_s", "words", "wpm", "fillers", "fillers_per_min", "pauses", "hedges",
                 "star_s", "weak")


def now() -> datetime:
    return datetime.now(timezone.utc)


def set_aside(home: Path) -> Path | None:
    """Move a damaged coach.db (and its WAL files) aside so a fresh history can start; the old
    file is kept, renamed. Returns its new path, or None when there was none."""
    path = home / "coach.db"
    if not path.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"coach.db.damaged-{stamp}")
    path.rename(kept)
    for extra in ("-wal", "-shm"):
        side = path.with_name("coach.db" + extra)
        if side.exists():
            side.rename(kept.with_name(kept.name + extra))
    return kept


class Store:
    def __init__(self, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "coach.db"
        self.scheduler = Scheduler(enable_fuzzing=False)
        fix = f"it is left as it is; `coach drill --new-history` keeps it as coach.db.damaged-DATE and starts afresh"
        if self.path.exists() and self.path.stat().st_size == 0:
            raise StoreDamaged(f"{self.path} is empty (0 bytes), so your practice history is not in it — {fix}.")
        try:
            with closing(self._connect()) as db, db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                for n, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                    migration(db)
                    db.execute(f"PRAGMA user_version = {n}")
                # every page of every table read once (a small file: milliseconds), so a damaged
                # page anywhere, the reviews' included, is named now rather than mid-drill
                problems = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreDamaged(f"{self.path} is damaged ({'; '.join(problems)[:160]}) — {fix}.")
        except sqlite3.DatabaseError as err:
            raise StoreDamaged(f"{self.path} is damaged ({err}) — {fix}.") from err

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.row_factory = sqlite3.Row
        return db

    def sync(self, questions) -> None:
        """Add cards for new questions; existing cards keep their schedule and history."""
        with closing(self._connect()) as db, db:
            for q in questions:
                card = Card()
                db.execute(
                    "INSERT INTO cards (id, question, source, topic, heading, fsrs, due) VALUES (?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET topic = excluded.topic, heading = excluded.heading",
                    (q.id, q.question, q.source, q.topic, q.heading, json.dumps(card.to_dict()), card.due.isoformat()),
                )

    def review(self, card_id: str, score: float, rating, answer: str, at: datetime | None = None,
               seconds: float | None = None, delivery: dict | None = None) -> datetime:
        """Record a review and reschedule the card; returns the next due time."""
        at = at or now()
        with closing(self._connect()) as db, db:
            # the card is read and written in one immediate transaction: two processes reviewing it
            # at once are applied one after the other, never both to the same old schedule
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT fsrs FROM cards WHERE id = ?", (card_id,)).fetchone()
            if row is None:
                raise KeyError(card_id)
            card, _ = self.scheduler.review_card(Card.from_dict(json.loads(row["fsrs"])), rating, at)
            db.execute("UPDATE cards SET fsrs = ?, due = ? WHERE id = ?",
                       (json.dumps(card.to_dict()), card.due.isoformat(), card_id))
            kept = json.dumps({k: delivery[k] for k in DELIVERY_KEYS if k in delivery}) if delivery else None
            db.execute("INSERT INTO reviews (card_id, at, score, rating, answer, seconds, delivery) VALUES (?,?,?,?,?,?,?)",
                       (card_id, at.isoformat(), score, int(rating), answer, seconds, kept))
        return card.due

    def history(self, card_id: str) -> list[dict]:
        """Every attempt at one question, oldest first: at, score, answer, seconds, delivery (or None)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT at, score, answer, seconds, delivery FROM reviews WHERE card_id = ? ORDER BY id",
                              (card_id,)).fetchall()
        return [{**dict(r), "delivery": json.loads(r["delivery"]) if r["delivery"] else None} for r in rows]

    def deliveries(self, last: int = 10) -> list[dict]:
        """The spoken attempts, the last `last` of them, oldest first: when, which card, the score
        and the delivery figures a chart needs."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT at, card_id, score, delivery FROM reviews WHERE delivery IS NOT NULL "
                              "ORDER BY id DESC LIMIT ?", (last,)).fetchall()
        out = []
        for r in reversed(rows):
            d = json.loads(r["delivery"])
            out.append({"at": r["at"], "card_id": r["card_id"], "score": r["score"], "wpm": d.get("wpm"),
                        "fillers_per_min": d.get("fillers_per_min"), "speaking_s": d.get("speaking_s"),
                        "pauses": len(d.get("pauses", [])), "weak": d.get("weak", False)})
        return out

    def mastery(self) -> dict[str, dict]:
        """Per topic: cards, reviewed cards, mean of each card's latest score (unreviewed count 0)."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT c.topic, c.id, (SELECT score FROM reviews r WHERE r.card_id = c.id ORDER BY r.id DESC LIMIT 1) AS last "
                "FROM cards c"
            ).fetchall()
        out: dict[str, dict] = {}
        for r in rows:
            t = out.setdefault(r["topic"], {"cards": 0, "reviewed": 0, "total": 0.0})
            t["cards"] += 1
            if r["last"] is not None:
                t["reviewed"] += 1
                t["total"] += r["last"]
        return {k: {"cards": v["cards"], "reviewed": v["reviewed"], "mastery": round(v["total"] / v["cards"], 3)}
                for k, v in out.items()}

    def next_due(self, topic: str | None = None, at: datetime | None = None,
                 only: set[str] | None = None) -> sqlite3.Row | None:
        """A due card, from the topic with the lowest mastery first, then the earliest due.
        `only`: the ids still in the notes (a card whose note changed or went away is skipped)."""
        at = at or now()
        mastery = self.mastery()
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT * FROM cards WHERE due <= :at AND "
                "(:topic IS NULL OR topic LIKE :like OR heading LIKE :like OR question LIKE :like) ORDER BY due",
                {"at": at.isoformat(), "topic": topic, "like": f"%{topic}%"},
            ).fetchall()
        rows = [r for r in rows if only is None or r["id"] in only]
        if not rows:
            return None
        return min(rows, key=lambda r: (mastery.get(r["topic"], {}).get("mastery", 0.0), r["due"]))

    def stats(self, at: datetime | None = None) -> dict:
        at = at or now()
        with closing(self._connect()) as db:
            reviews = db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            due = db.execute("SELECT COUNT(*) FROM cards WHERE due <= ?", (at.isoformat(),)).fetchone()[0]
            cards = db.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
            days = [r[0] for r in db.execute("SELECT DISTINCT substr(at, 1, 10) FROM reviews ORDER BY 1 DESC")]
        streak = _streak(days, at.date())
        return {"reviews": reviews, "cards": cards, "due": due, "streak_days": streak, "topics": self.mastery(),
                "delivery": self.deliveries()}


def _streak(days: list[str], today) -> int:
    """Consecutive review days ending today or yesterday. days: ISO dates, newest first.

    >>> from datetime import date
    >>> _streak(["2026-11-22", "2026-11-21", "2026-11-19"], date(2026, 11, 22))
    2
    >>> _streak(["2026-11-21"], date(2026, 11, 22)), _streak(["2026-11-19"], date(2026, 11, 22))
    (1, 0)
    """
    if not days:
        return 0
    day = today.toordinal()
    if days[0] != today.isoformat():
        day -= 1  # no review yet today: the streak may still be alive from yesterday
    streak = 0
    for d in days:
        if d != type(today).fromordinal(day).isoformat():
            break
        streak += 1
        day -= 1
    return streak
