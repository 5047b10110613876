"""Small fixed decks for the TUI tests and snapshots."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DECKS", "HOSTILE_DECK", "write_decks"]

KAFKA = '''format = 1

[deck]
id = "kafka"
name = "Apache Kafka"
group = "Distributed Systems Interview"

[[cards]]
id = "partitions"
front = """What lets **Kafka** read and write a topic in parallel?

```python
producer.send("orders", key=b"42", value=order)
```"""
back = "**Partitioning**: a topic is split into partitions spread across brokers."
extra = "Ordering holds only *within* one partition."

[[cards]]
id = "isr"
front = "What is an in-sync replica (ISR)?"
back = "A follower that has caught up with the partition leader."

[[cards]]
id = "acks"
front = "Which producer setting waits for every in-sync replica?"
back = "`acks=all`"

[[cards]]
id = "offsets"
front = "Where do consumers store their committed offsets?"
back = "In the internal `__consumer_offsets` topic."

[[cards]]
id = "retention"
front = "Does Kafka delete a message once it is consumed?"
back = "No: messages stay until the retention time or size is reached."
'''

REDIS = """format = 1

[deck]
id = "redis"
name = "Redis"
group = "Distributed Systems Interview"

[[cards]]
id = "persistence"
kind = "cloze"
text = "Redis keeps data {{c1::in memory::where?}} and persists it with {{c2::RDB snapshots}} or the AOF."
extra = "AOF = append-only file."
"""

CONSUL = """format = 1

[deck]
id = "consul"
name = "HashiCorp Consul"
group = "Distributed Systems Interview"

[[cards]]
id = "consensus"
kind = "typed"
front = "Which consensus algorithm does Consul use?"
back = "Raft"
accept = ["the raft algorithm"]
"""

SPANISH = """format = 1

[deck]
id = "spanish"
name = "Spanish words"

[[cards]]
id = "hello"
kind = "reversed"
front = "hola"
back = "hello"
"""

BROKEN = """format = 1

[deck]
id = "broken"
name = "Broken deck"

[[cards]]
id = "oops"
front = "an unterminated string
"""

DECKS: dict[str, str] = {
    "kafka.toml": KAFKA,
    "redis.toml": REDIS,
    "consul.toml": CONSUL,
    "spanish.toml": SPANISH,
}

# Card text that tries to reach the terminal or run actions. TOML escapes put the raw
# control characters into the parsed strings.
HOSTILE_DECK = r"""format = 1

[deck]
id = "hostile"
name = "Hostile \u001b]0;deck-title\u0007 deck"

[[cards]]
id = "evil"
front = "clip \u001b]52;c;aGVsbG8=\u0007 link \u001b]8;;http://evil.example/\u001b\\spoof\u001b]8;;\u001b\\ title \u001b]0;pwned\u0007 \u001b]2;pwned2\u0007 csi \u009b31m c1 \u009d0;c1title\u009c [@click=app.quit]click me[/] and [/bold] bidi \u202egnp.exe \u200b"
back = "[link](http://evil.example/) [@click=app.screenshot()]shot[/] \u001b[2J"
"""


def write_decks(folder: Path, *, broken: bool = False, hostile: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DECKS.items():
        (folder / name).write_text(text, encoding="utf-8")
    if broken:
        (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")
    if hostile:
        (folder / "hostile.toml").write_text(HOSTILE_DECK, encoding="utf-8")
