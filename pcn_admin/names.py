"""Names from the national registers as people write them: the ODS files give practices and PCNs
in capitals ("HUMSHAUGH & WARK MED GRP"), which read as shouting on a page meant for patients.

On the ground floor: imports nothing of the project, so any app may use it.
"""

import re

# Kept in capitals wherever they appear.
ACRONYMS = frozenset({"CIC", "GP", "GPS", "HC", "ICB", "LLP", "MC", "NHS", "PCN", "UK"})
# Lower case unless they start the name ("Berwick-upon-Tweed", "Newbiggin-by-the-Sea").
SMALL_WORDS = frozenset({"and", "at", "by", "for", "in", "of", "on", "the", "upon", "with"})

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def _word(word: str, *, first: bool) -> str:
    upper, lower = word.upper(), word.lower()
    if upper in ACRONYMS:
        return upper
    if lower in SMALL_WORDS and not first:
        return lower
    if "'" in word:
        head, tail = word.split("'", 1)
        if len(head) == 1:  # O'Brien, D'Arcy
            return f"{head.upper()}'{tail.capitalize()}"
        return f"{head.capitalize()}'{tail.lower()}"  # St John's
    if lower.startswith("mc") and len(lower) > 3:  # McKenzie
        return "Mc" + lower[2:].capitalize()
    return lower.capitalize()


def title_case(name: str) -> str:
    """'THE SELE MEDICAL PRACTICE' -> 'The Sele Medical Practice'. A name that already has
    lower-case letters was typed by a person and is left as it is."""
    if any(char.islower() for char in name):
        return name
    result, position = [], 0
    for index, match in enumerate(_WORD.finditer(name)):
        between = name[position : match.start()]
        # A small word starts the name, or what is in brackets, with a capital.
        result += [between, _word(match.group(), first=index == 0 or "(" in between)]
        position = match.end()
    result.append(name[position:])
    return "".join(result)
