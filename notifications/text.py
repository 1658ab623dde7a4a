"""How notices are written: one full stop at the end of a sentence, whatever the user typed."""

# Marks that already end a sentence (or a clause the user left open); a notice adds its own.
_TRAILING = "。．.！!？?；;，,、：: \t\r\n"


def clause(text: str) -> str:
    """`text` without its closing punctuation, so a notice can append its own."""
    return (text or "").strip().rstrip(_TRAILING)


def sentence(text: str) -> str:
    """`text` ending with exactly one 。 ("请求街道调解。" and "请求街道调解" give the same)."""
    core = clause(text)
    return f"{core}。" if core else ""
